"""projects_create_bulk: project_create's rules and traces, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.campaigns import services
from taizhang.campaigns.models import (
    GoalIndicator,
    Measure,
    Participant,
    ParticipantRole,
    Project,
    ProjectStatus,
)
from taizhang.campaigns.services import GoalInput, MeasureInput, ProjectInput
from taizhang.core import audit
from taizhang.core.exceptions import DomainError
from taizhang.core.history import clean_batch
from taizhang.core.models import AuditEntry

# Bookkeeping that differs between any two rows whichever path wrote them.
VOLATILE = {"id", "created_at", "updated_at", "project_id", "code", "title"}


def _item(world, n: int, **overrides) -> ProjectInput:
    campaign = world.campaign
    values = dict(
        org=world.branch_a1,
        code=f"BK-{n:03d}",
        title=f"批量项目{n}",
        project_type=campaign.project_types.first(),
        focus_area=campaign.focus_areas.first(),
        lead=world.lead_person_a1,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
        rationale="依据",
        plan="方案",
        goals=(
            GoalInput(name="目标利润", unit="万元", baseline="0", target="500"),
            GoalInput(name="亏损", unit="万元", baseline="120", target="0", direction="lower"),
        ),
        measures=(
            MeasureInput(description="拓展渠道", owner=world.member_a1),
            MeasureInput(
                description="月度复盘", start_date=dt.date(2020, 2, 1), due_date=dt.date(2020, 6, 1)
            ),
        ),
        participants=((world.masses_a1, ParticipantRole.CORE), (world.masses_a1_b, "member")),
    )
    values.update(overrides)
    return ProjectInput(**values)


def _create_one(world, item: ProjectInput, actor) -> Project:
    return services.project_create(
        actor=actor,
        campaign=world.campaign,
        org=item.org,
        code=item.code,
        title=item.title,
        project_type=item.project_type,
        focus_area=item.focus_area,
        lead=item.lead,
        start_date=item.start_date,
        end_date=item.end_date,
        rationale=item.rationale,
        plan=item.plan,
        goals=list(item.goals),
        measures=list(item.measures),
        participants=list(item.participants),
    )


def _row(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in type(obj)._meta.concrete_fields
        if f.attname not in VOLATILE
    }


def _history(obj) -> list[tuple]:
    return [
        (h.history_type, h.history_user_id, h.history_change_reason or "")
        for h in obj.history.order_by("history_id")
    ]


def _tree(project: Project) -> dict:
    project = Project.objects.get(pk=project.pk)
    return {
        "project": _row(project),
        "project_history": _history(project),
        "goals": [(_row(g), _history(g)) for g in project.goals.order_by("order")],
        "measures": [(_row(m), _history(m)) for m in project.measures.order_by("order")],
        "participants": [(_row(p), _history(p)) for p in project.participants.order_by("id")],
    }


def test_bulk_rows_equal_what_project_create_writes(world):
    single = _create_one(world, _item(world, 1), world.lead_a1)
    (bulk,) = services.projects_create_bulk(
        actor=world.lead_a1, campaign=world.campaign, items=[_item(world, 2)]
    )
    expected, got = _tree(single), _tree(bulk)
    assert got == expected
    assert got["project"]["status"] == ProjectStatus.DRAFT
    assert got["project"]["lock_version"] == 1
    assert got["project_history"] == [("+", world.lead_a1.pk, "创建项目")]
    assert len(got["goals"]) == 2 and len(got["measures"]) == 2 and len(got["participants"]) == 2


def test_every_bulk_row_is_chained_into_a_clean_audit_log(world):
    projects = services.projects_create_bulk(
        actor=world.admin_a1,
        campaign=world.campaign,
        items=[_item(world, n) for n in range(1, 6)],
    )
    ids = [p.pk for p in projects]
    for model, count in (
        (Project, 5),
        (GoalIndicator, 10),
        (Measure, 10),
        (Participant, 10),
    ):
        parent = "id" if model is Project else "project_id"
        history = model.history.filter(**{f"{parent}__in": ids})
        assert history.count() == count
        chained = AuditEntry.objects.filter(
            model=history.model._meta.label, history_id__in=history.values("history_id")
        )
        assert chained.count() == count
        assert set(chained.values_list("actor_id", flat=True)) == {world.admin_a1.pk}
    result = audit.verify_chain()
    assert result.ok, result.problems


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ({"lead": "masses"}, "lead_not_party_member"),
        ({"goals": (GoalInput(name="利润", target="abc"),)}, "not_a_number"),
        ({"code": "BK-001"}, "duplicate_code"),  # the first item's code, within the batch
        ({"participants": (("masses", "boss"),)}, "invalid_choice"),
        ({"org": "sibling"}, "forbidden"),
    ],
)
def test_a_refused_item_writes_nothing_and_is_named(world, bad, code):
    replace = {"masses": world.masses_a1, "sibling": world.branch_a2}
    overrides = {}
    for key, value in bad.items():
        if key == "participants":
            value = tuple((replace[p], r) for p, r in value)
        overrides[key] = replace.get(value, value) if isinstance(value, str) else value
    items = [_item(world, 1), _item(world, 2), _item(world, 3, **overrides)]
    before = {m: m.history.count() for m in (Project, GoalIndicator, Measure, Participant)}
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as info:
        services.projects_create_bulk(actor=world.lead_a1, campaign=world.campaign, items=items)
    assert info.value.code == code
    assert info.value.extra["item"] == 2
    assert not Project.all_objects.exists()
    assert {m: m.history.count() for m in before} == before
    assert AuditEntry.objects.count() == entries


def test_the_refusal_is_the_one_project_create_gives(world):
    item = _item(world, 1, lead=world.masses_a1)
    with pytest.raises(DomainError) as single:
        _create_one(world, item, world.lead_a1)
    with pytest.raises(DomainError) as bulk:
        services.projects_create_bulk(actor=world.lead_a1, campaign=world.campaign, items=[item])
    assert (bulk.value.message, bulk.value.code, bulk.value.field) == (
        single.value.message,
        single.value.code,
        single.value.field,
    )


def test_people_out_of_the_actors_scope_are_refused(world):
    # lead_a2's branch is a sibling of branch_a1: admin_a1 cannot see its people.
    item = _item(world, 1, participants=((world.lead_person_a2, "member"),))
    with pytest.raises(DomainError) as info:
        services.projects_create_bulk(actor=world.admin_a1, campaign=world.campaign, items=[item])
    assert (info.value.code, info.value.field) == ("out_of_scope", "participants")


def test_model_validation_still_runs_on_the_bulk_rows(world):
    # A value full_clean refuses and the service's own rules let through: too many digits.
    item = _item(world, 1, goals=(GoalInput(name="利润", baseline="0", target="1.123456"),))
    with pytest.raises(ValidationError) as info:
        services.projects_create_bulk(actor=world.lead_a1, campaign=world.campaign, items=[item])
    assert "target" in info.value.message_dict
    assert not Project.all_objects.exists()


def test_clean_batch_checks_foreign_keys_once_for_the_batch(world):
    project = services.project_create(
        actor=world.lead_a1,
        campaign=world.campaign,
        org=world.branch_a1,
        code="FK-1",
        title="外键",
        project_type=world.campaign.project_types.first(),
        focus_area=world.campaign.focus_areas.first(),
        lead=world.lead_person_a1,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 2, 1),
    )
    goals = [
        GoalIndicator(project=project, name=f"g{i}", baseline=0, target=Decimal(i + 1))
        for i in range(30)
    ]
    with CaptureQueriesContext(connection) as ctx:
        clean_batch(goals)
    assert len(ctx.captured_queries) == 1  # the one FK (project), for all 30 rows
    orphan = GoalIndicator(project_id=project.pk + 1000, name="孤儿", baseline=0, target=1)
    with pytest.raises(ValidationError) as info:
        clean_batch([*goals, orphan])
    assert "project" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        clean_batch([GoalIndicator(name="无项目", baseline=0, target=1)])
    assert "project" in info.value.message_dict


def _queries_for(world, count: int, start: int) -> int:
    items = [_item(world, n) for n in range(start, start + count)]
    with CaptureQueriesContext(connection) as ctx:
        services.projects_create_bulk(actor=world.lead_a1, campaign=world.campaign, items=items)
    return len(ctx.captured_queries)


def test_queries_do_not_grow_with_the_number_of_projects(world):
    _queries_for(world, 1, 900)  # the first write of each model registers its audit schema
    small = _queries_for(world, 10, 1)
    large = _queries_for(world, 40, 100)
    # project_create costs dozens of queries per project; the bulk path a fixed number
    # per batch (SQLite splits an insert of many rows into a few statements).
    assert large - small <= 12, (small, large)
    assert small <= 60, small
