"""The audit chain looks a model's schema up once per transaction, never trusting an id
from a savepoint that rolled back (the goals table is the subject: nothing in the world
fixture writes one, so its schema row is first created inside these tests)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from taizhang.campaigns.models import GoalIndicator
from taizhang.campaigns.tests.factories import GoalFactory, ProjectFactory
from taizhang.core import audit
from taizhang.core.models import AuditEntry, AuditSchema

GOAL_HISTORY = GoalIndicator.history.model._meta.label


def _schema_queries(ctx) -> int:
    return sum('"core_auditschema"' in q["sql"] for q in ctx.captured_queries)


def test_single_saves_look_the_schema_up_once_per_transaction(world):
    project = ProjectFactory(campaign=world.campaign, org=world.branch_a1)
    with CaptureQueriesContext(connection) as ctx:
        goals = [GoalFactory(project=project) for _ in range(4)]
    # The first save reads (and here creates) the schema row; the other three reuse it.
    assert _schema_queries(ctx) == 3  # select, insert, select again
    entries = AuditEntry.objects.filter(
        model=GOAL_HISTORY, history_id__in=GoalIndicator.history.values("history_id")
    )
    assert entries.count() == len(goals)
    assert len(set(entries.values_list("schema_id", flat=True))) == 1
    assert audit.verify_chain().ok


def test_a_schema_written_in_a_rolled_back_savepoint_is_not_reused(world):
    project = ProjectFactory(campaign=world.campaign, org=world.branch_a1)
    assert not AuditSchema.objects.filter(model=GOAL_HISTORY).exists()
    with pytest.raises(RuntimeError), transaction.atomic():
        GoalFactory(project=project)
        assert AuditSchema.objects.filter(model=GOAL_HISTORY).exists()
        raise RuntimeError("a later step failed")
    assert not AuditSchema.objects.filter(model=GOAL_HISTORY).exists()
    goal = GoalFactory(project=project)
    entry = AuditEntry.objects.get(model=GOAL_HISTORY, history_id=goal.history.get().history_id)
    # A cache that outlived the savepoint would name the rolled-back row here.
    assert AuditSchema.objects.filter(pk=entry.schema_id, model=GOAL_HISTORY).exists()
    result = audit.verify_chain()
    assert result.ok, result.problems


def test_a_released_savepoint_keeps_the_schema_cached(world):
    project = ProjectFactory(campaign=world.campaign, org=world.branch_a1)
    with transaction.atomic():
        GoalFactory(project=project)
    with CaptureQueriesContext(connection) as ctx:
        GoalFactory(project=project)
    assert _schema_queries(ctx) == 0
    assert audit.verify_chain().ok
