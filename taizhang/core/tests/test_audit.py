"""The audit chain: every historical record is a link; tampering anywhere is found."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import GoalIndicator, Project
from taizhang.campaigns.tests.factories import ProjectFactory
from taizhang.core.audit import GENESIS, historical_models, verify_chain
from taizhang.core.history import bulk_create_tracked, bulk_update_tracked, save_with_history
from taizhang.core.models import AuditEntry, AuditHead
from taizhang.users.tests.factories import UserFactory


def _history_rows() -> int:
    present = set(connection.introspection.table_names())
    return sum(
        model.objects.count() for model in historical_models() if model._meta.db_table in present
    )


def _codes(result) -> set[str]:
    return {problem.code for problem in result.problems}


@pytest.fixture
def project(world) -> Project:
    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1
    )
    campaign_services.project_update(actor=world.admin_a1, project=project, title="改一次标题")
    campaign_services.goal_add(
        actor=world.admin_a1,
        project=project,
        data=campaign_services.GoalInput(name="利润", target="500", baseline="100", unit="万元"),
    )
    return project


def test_every_historical_record_is_one_link_and_the_untouched_chain_verifies(project, world):
    assert AuditEntry.objects.count() == _history_rows() > 0
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (entries[-1].seq, entries[-1].hash)
    latest = Project.history.filter(id=project.pk).latest("history_id")
    entry = AuditEntry.objects.get(model="campaigns.HistoricalProject", history_id=latest.pk)
    assert entry.actor_id == world.admin_a1.pk

    result = verify_chain()
    assert result.ok, result.problems
    assert result.entries == len(entries)
    assert result.head_hash == head.hash


def test_a_historical_row_edited_in_place_is_found(project):
    record = Project.history.filter(id=project.pk).latest("history_id")
    Project.history.filter(pk=record.pk).update(title="悄悄改过的标题")
    result = verify_chain()
    assert not result.ok
    assert _codes(result) == {"record_edited"}
    assert f"#{record.pk}" in result.problems[0].message


def test_a_changed_decimal_is_found_but_its_scale_is_not_content(project):
    goal_history = GoalIndicator.history.get(project_id=project.pk)
    # 500 and 500.0000 are one number: rewriting the same value changes nothing.
    GoalIndicator.history.filter(pk=goal_history.pk).update(target="500.0")
    assert verify_chain().ok
    GoalIndicator.history.filter(pk=goal_history.pk).update(target="500.01")
    assert _codes(verify_chain()) == {"record_edited"}


def test_the_actor_of_a_record_cannot_be_swapped(project, world):
    record = Project.history.filter(id=project.pk).latest("history_id")
    Project.history.filter(pk=record.pk).update(history_user=world.admin_a2)
    assert _codes(verify_chain()) == {"actor_edited"}


def test_deleting_a_user_does_not_look_like_tampering(project, world):
    """simple-history sets history_user to NULL when the user goes; the entry keeps the id."""
    temp = UserFactory(username="temp_admin")
    goal = project.goals.get()
    goal.unit = "元"
    save_with_history(goal, actor=temp)
    temp.delete()
    assert GoalIndicator.history.filter(history_user__isnull=True).exists()
    assert verify_chain().ok


def test_a_deleted_historical_row_is_found(project):
    record = Project.history.filter(id=project.pk).earliest("history_id")
    Project.history.filter(pk=record.pk).delete()
    result = verify_chain()
    assert _codes(result) == {"record_deleted"}


def test_a_deleted_entry_leaves_a_gap_and_an_unchained_row(project):
    middle = AuditEntry.objects.order_by("seq")[3]
    AuditEntry.objects.filter(pk=middle.pk).delete()
    result = verify_chain()
    assert {"gap", "unchained"} <= _codes(result)
    messages = " ".join(p.message for p in result.problems)
    assert f"#{middle.history_id}" in messages


def test_a_deleted_last_entry_is_found_through_the_head(project):
    last = AuditEntry.objects.order_by("-seq").first()
    AuditEntry.objects.filter(pk=last.pk).delete()
    assert {"tail_deleted", "unchained"} <= _codes(verify_chain())


def test_an_edited_entry_is_found(project):
    entry = AuditEntry.objects.order_by("seq")[2]
    AuditEntry.objects.filter(pk=entry.pk).update(actor_id=999_999)
    assert _codes(verify_chain()) == {"entry_edited"}


def test_a_rewritten_entry_breaks_the_next_link(project):
    """Recomputing one entry's hash after editing it still breaks the link to the next."""
    from taizhang.core.audit import entry_hash

    entry = AuditEntry.objects.order_by("seq")[2]
    entry.actor_id = 999_999
    entry.hash = entry_hash(
        prev_hash=entry.prev_hash,
        seq=entry.seq,
        at=entry.at,
        model=entry.model,
        history_id=entry.history_id,
        actor_id=entry.actor_id,
        schema_id=entry.schema_id,
        digest=entry.digest,
    )
    AuditEntry.objects.filter(pk=entry.pk).update(actor_id=entry.actor_id, hash=entry.hash)
    assert _codes(verify_chain()) == {"broken_link"}


def test_history_written_around_the_chain_is_found(project):
    """A historical row inserted without going through the chain (plain bulk_create)."""
    record = Project.history.filter(id=project.pk).latest("history_id")
    record.pk = None
    record.title = "伪造的历史"
    Project.history.model.objects.bulk_create([record])
    assert _codes(verify_chain()) == {"unchained"}


def test_the_bulk_paths_are_chained(world, project):
    before = AuditEntry.objects.count()
    goals = [
        GoalIndicator(project=project, name=f"指标{i}", baseline=0, target=10, order=i + 1)
        for i in range(5)
    ]
    bulk_create_tracked(GoalIndicator, goals, actor=world.admin_a1, reason="导入")
    for goal in goals:
        goal.target = 20
    bulk_update_tracked(GoalIndicator, goals, ["target"], actor=world.admin_a1, reason="批量调整")
    assert AuditEntry.objects.count() == before + 10 == _history_rows()
    bulk_entries = AuditEntry.objects.filter(model="campaigns.HistoricalGoalIndicator").order_by(
        "-seq"
    )[:10]
    assert {e.actor_id for e in bulk_entries} == {world.admin_a1.pk}
    assert verify_chain().ok

    changed = GoalIndicator.history.filter(project_id=project.pk, history_type="~").first()
    GoalIndicator.history.filter(pk=changed.pk).update(target=30)
    assert _codes(verify_chain()) == {"record_edited"}


def test_a_rolled_back_write_leaves_no_entry(world, project):
    from django.db import transaction

    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        campaign_services.project_update(actor=world.admin_a1, project=project, title="回滚")
        raise RuntimeError
    assert AuditEntry.objects.count() == before
    assert verify_chain().ok


def test_the_command_reports_ok_or_fails_with_exit_code_1(project, capsys):
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"OK: {AuditEntry.objects.count()} entries"

    record = Project.history.filter(id=project.pk).latest("history_id")
    Project.history.filter(pk=record.pk).update(title="改过")
    with pytest.raises(CommandError) as info:
        call_command("audit_verify")
    assert info.value.returncode == 1
    assert "record_edited" in capsys.readouterr().out
