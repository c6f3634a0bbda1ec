"""Bulk write paths must leave history too (simple-history skips them unless told)."""

from taizhang.campaigns.models import GoalIndicator
from taizhang.campaigns.tests.factories import GoalFactory, ProjectFactory
from taizhang.core.history import bulk_create_tracked, bulk_update_tracked


def test_bulk_create_and_update_write_history(world):
    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1
    )
    goals = [
        GoalIndicator(project=project, name=f"指标{i}", baseline=0, target=10) for i in range(3)
    ]
    bulk_create_tracked(GoalIndicator, goals, actor=world.admin_a1, reason="导入")
    created = GoalIndicator.history.filter(project_id=project.pk, history_type="+")
    assert created.count() == 3
    assert {h.history_user_id for h in created} == {world.admin_a1.pk}
    assert {h.history_change_reason for h in created} == {"导入"}

    rows = list(GoalIndicator.objects.filter(project=project))
    for row in rows:
        row.target = 20
    bulk_update_tracked(GoalIndicator, rows, ["target"], actor=world.admin_a1, reason="批量调整")
    changed = GoalIndicator.history.filter(project_id=project.pk, history_type="~")
    assert changed.count() == 3
    assert all(h.target == 20 for h in changed)


def test_soft_deleted_rows_leave_lists_but_not_the_database(world):
    goal = GoalFactory(project=ProjectFactory(campaign=world.campaign, org=world.branch_a1))
    goal.mark_deleted(world.admin_a1)
    goal.save()
    assert not GoalIndicator.objects.filter(pk=goal.pk).exists()
    assert GoalIndicator.all_objects.filter(pk=goal.pk).exists()
    assert goal.project.goals.count() == 0


def test_versions_count_writes_and_stale_writes_are_refused(world):
    import pytest

    from taizhang.campaigns import services
    from taizhang.core.exceptions import DomainError
    from taizhang.core.history import check_version

    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1
    )
    seen = project.lock_version
    services.project_update(actor=world.admin_a1, project=project, title="第一次修改")
    project.refresh_from_db()
    assert project.lock_version == seen + 1
    with pytest.raises(DomainError) as info:
        check_version(project, seen)
    assert info.value.code == "stale"
    extra = info.value.extra
    assert (extra["current_version"], extra["expected_version"]) == (seen + 1, seen)
    # What the writer missed: who saved last, and which fields changed.
    assert extra["latest_change"]["by"] == str(world.admin_a1)
    assert [c["new"] for c in extra["latest_change"]["changes"] if c["field"] == "title"] == [
        "第一次修改"
    ]
    check_version(project, seen + 1)
    rows = list(GoalIndicator.objects.filter(project=project))
    GoalFactory(project=project)
    rows = list(GoalIndicator.objects.filter(project=project))
    bulk_update_tracked(GoalIndicator, rows, ["target"], actor=world.admin_a1)
    assert [g.lock_version for g in GoalIndicator.objects.filter(project=project)] == [2]
