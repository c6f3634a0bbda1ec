import datetime as dt
from decimal import Decimal

import pytest

from taizhang.campaigns import services
from taizhang.campaigns.models import (
    GoalIndicator,
    Measure,
    Project,
    ProjectStatus,
    ProjectTransition,
)
from taizhang.campaigns.services import GoalInput, MeasureInput
from taizhang.core.exceptions import DomainError


def _create(world, actor=None, **overrides):
    campaign = world.campaign
    kwargs = dict(
        actor=actor or world.lead_a1,
        campaign=campaign,
        org=world.branch_a1,
        code="CX-01",
        title="稀土贸易创效",
        project_type=campaign.project_types.first(),
        focus_area=campaign.focus_areas.first(),
        lead=world.lead_person_a1,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
        goals=[
            GoalInput(name="目标利润", unit="万元", baseline="0", target="500"),
            GoalInput(name="经营亏损", unit="万元", baseline="120", target="0", direction="lower"),
        ],
        measures=[
            MeasureInput(description="拓展独居石贸易"),
            MeasureInput(description="兄弟单位协同"),
            MeasureInput(
                description="月度复盘",
                start_date=dt.date(2020, 2, 1),
                due_date=dt.date(2020, 12, 1),
            ),
        ],
    )
    kwargs.update(overrides)
    return services.project_create(**kwargs)


def test_project_create_writes_goals_measures_and_history(world):
    project = _create(world)
    assert project.status == ProjectStatus.DRAFT
    assert [g.name for g in project.goals.all()] == ["目标利润", "经营亏损"]
    assert project.goals.get(name="经营亏损").baseline == Decimal("120")
    assert project.measures.count() == 3
    record = project.history.latest()
    assert record.history_type == "+"
    assert record.history_user == world.lead_a1


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        (
            {"start_date": dt.date(2020, 12, 31), "end_date": dt.date(2020, 1, 1)},
            "dates_out_of_order",
        ),
        ({"goals": [GoalInput(name="利润", target="")]}, "required"),
        ({"goals": [GoalInput(name="利润", target="100", baseline="abc")]}, "not_a_number"),
        ({"code": ""}, "required"),
    ],
)
def test_project_create_rejects_bad_input_and_saves_nothing(world, overrides, code):
    before = (
        Project.all_objects.count(),
        GoalIndicator.all_objects.count(),
        Measure.all_objects.count(),
    )
    with pytest.raises(DomainError) as info:
        _create(world, **overrides)
    assert info.value.code == code
    after = (
        Project.all_objects.count(),
        GoalIndicator.all_objects.count(),
        Measure.all_objects.count(),
    )
    assert after == before


def test_lead_must_be_party_member(world):
    with pytest.raises(DomainError) as info:
        _create(world, lead=world.masses_a1)
    assert info.value.code == "lead_not_party_member"
    assert "群众甲" in info.value.message
    assert not Project.all_objects.exists()


def test_duplicate_code_in_campaign_is_refused(world):
    _create(world)
    with pytest.raises(DomainError) as info:
        _create(world, title="另一个")
    assert info.value.code == "duplicate_code"
    assert Project.objects.count() == 1


def test_lifecycle_submit_approve_start_complete(world):
    project = _create(world)
    services.project_transition(actor=world.lead_a1, project=project, action="submit")
    with pytest.raises(DomainError) as info:
        services.project_transition(actor=world.lead_a1, project=project, action="approve")
    assert info.value.code == "forbidden"
    services.project_transition(
        actor=world.admin_a1, project=project, action="approve", reason="同意立项"
    )
    services.project_transition(actor=world.lead_a1, project=project, action="start")
    with pytest.raises(DomainError) as info:
        services.project_transition(actor=world.admin_a1, project=project, action="complete")
    assert info.value.code == "reason_required"
    services.project_transition(
        actor=world.admin_a1, project=project, action="complete", reason="目标达成"
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    log = list(
        ProjectTransition.objects.filter(project=project).values_list("action", "actor__username")
    )
    assert log == [
        ("submit", "lead_a1"),
        ("approve", "admin_a1"),
        ("start", "lead_a1"),
        ("complete", "admin_a1"),
    ]


def test_transition_not_allowed_from_current_state(world):
    project = _create(world)
    with pytest.raises(DomainError) as info:
        services.project_transition(actor=world.admin_a1, project=project, action="approve")
    assert info.value.code == "invalid_transition"
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT


def test_soft_delete_and_restore(world):
    project = _create(world)
    services.project_delete(actor=world.lead_a1, project=project)
    assert not Project.objects.filter(pk=project.pk).exists()
    assert Project.all_objects.filter(pk=project.pk).exists()
    with pytest.raises(DomainError):
        services.project_restore(actor=world.lead_a1, project=project)
    services.project_restore(actor=world.admin_a1, project=project)
    assert Project.objects.filter(pk=project.pk).exists()
    types = list(project.history.order_by("history_id").values_list("history_type", flat=True))
    assert types == ["+", "~", "~"]
