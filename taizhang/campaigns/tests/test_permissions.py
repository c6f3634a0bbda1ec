"""Role × action matrix for projects: each cell runs the real service or access function."""

import datetime as dt

import pytest
from django.http import Http404

from taizhang.campaigns import permissions as perms
from taizhang.campaigns import services
from taizhang.campaigns.models import Project, ProjectStatus
from taizhang.campaigns.services import GoalInput, MeasureInput
from taizhang.campaigns.tests.factories import GoalFactory, MeasureFactory, ProjectFactory
from taizhang.core.exceptions import DomainError

ACTORS = [
    "admin_a1",
    "lead_a1",
    "participant_a1",
    "viewer_group",
    "admin_a2",
    "lead_a2",
    "admin_company_a",
    "sysadmin",
]

# Expected outcome per actor, in ACTORS order. True = allowed.
MATRIX = {
    "view": [True, True, True, True, False, False, True, True],
    "create": [True, True, False, False, False, False, True, True],
    "edit_draft": [True, True, False, False, False, False, True, True],
    "submit": [True, True, False, False, False, False, True, True],
    "approve": [True, False, False, False, False, False, True, True],
    "start": [True, True, False, False, False, False, True, True],
    "terminate": [True, False, False, False, False, False, True, True],
    "add_goal_in_progress": [True, True, False, False, False, False, True, True],
    "delete_draft": [True, True, False, False, False, False, True, True],
    "restore": [True, False, False, False, False, False, True, True],
}

CASES = [
    (action, actor, allowed[i])
    for action, allowed in MATRIX.items()
    for i, actor in enumerate(ACTORS)
]


def _project(world, status=ProjectStatus.DRAFT) -> Project:
    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1, status=status
    )
    GoalFactory(project=project)
    MeasureFactory(project=project)
    return project


def _attempt(world, action: str, user) -> None:
    """Run the action as `user`; raise DomainError or Http404 when refused."""
    if action == "view":
        perms.access_project(user, _project(world).pk)
    elif action == "create":
        services.project_create(
            actor=user,
            campaign=world.campaign,
            org=world.branch_a1,
            code="NEW-1",
            title="新项目",
            project_type=world.campaign.project_types.first(),
            focus_area=world.campaign.focus_areas.first(),
            lead=world.lead_person_a1,
            start_date=dt.date(2020, 3, 1),
            end_date=dt.date(2020, 12, 1),
            goals=[GoalInput(name="利润", target="10")],
            measures=[MeasureInput(description="措施")],
        )
    elif action == "edit_draft":
        services.project_update(actor=user, project=_project(world), title="改名")
    elif action == "submit":
        services.project_transition(actor=user, project=_project(world), action="submit")
    elif action == "approve":
        services.project_transition(
            actor=user, project=_project(world, ProjectStatus.SUBMITTED), action="approve"
        )
    elif action == "start":
        services.project_transition(
            actor=user, project=_project(world, ProjectStatus.APPROVED), action="start"
        )
    elif action == "terminate":
        services.project_transition(
            actor=user,
            project=_project(world, ProjectStatus.IN_PROGRESS),
            action="terminate",
            reason="停",
        )
    elif action == "add_goal_in_progress":
        services.goal_add(
            actor=user,
            project=_project(world, ProjectStatus.IN_PROGRESS),
            data=GoalInput(name="新增指标", target="5"),
        )
    elif action == "delete_draft":
        services.project_delete(actor=user, project=_project(world))
    elif action == "restore":
        project = _project(world)
        services.project_delete(actor=world.admin_a1, project=project)
        services.project_restore(actor=user, project=project)
    else:  # pragma: no cover - a typo in MATRIX should fail loudly
        raise AssertionError(action)


@pytest.mark.parametrize(("action", "actor", "allowed"), CASES)
def test_project_permission_matrix(world, action, actor, allowed):
    user = getattr(world, actor)
    if allowed:
        _attempt(world, action, user)
    else:
        with pytest.raises((DomainError, Http404)):
            _attempt(world, action, user)


def test_refused_write_changes_nothing(world):
    project = _project(world, ProjectStatus.SUBMITTED)
    before = list(project.history.values_list("history_id", flat=True))
    with pytest.raises(DomainError):
        services.project_transition(actor=world.lead_a1, project=project, action="approve")
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert list(project.history.values_list("history_id", flat=True)) == before
    assert not project.transitions.exists()


def test_sibling_branch_cannot_see_projects_in_lists(world):
    mine = _project(world)
    theirs = ProjectFactory(campaign=world.campaign, org=world.branch_a2, lead=world.lead_person_a2)
    assert list(perms.projects_visible_to(world.admin_a2)) == [theirs]
    assert set(perms.projects_visible_to(world.admin_company_a)) == {mine, theirs}
    assert set(perms.projects_visible_to(world.viewer_group)) == {mine, theirs}
    with pytest.raises(Http404):
        perms.access_project(world.admin_a2, mine.pk)
    # A missing id and an out-of-scope id are indistinguishable.
    with pytest.raises(Http404):
        perms.access_project(world.admin_a2, 999_999)


def test_campaign_visible_to_branches_below_its_owner_but_not_editable(world):
    assert perms.access_campaign(world.admin_a1, world.campaign.pk) == world.campaign
    with pytest.raises(Http404):
        perms.access_campaign(world.admin_a1, world.campaign.pk, for_edit=True)
    assert perms.access_campaign(world.admin_company_a, world.campaign.pk, for_edit=True)


def test_campaign_of_other_company_is_invisible(world):
    from taizhang.campaigns.tests.factories import CampaignFactory

    other = CampaignFactory(org=world.company_b)
    with pytest.raises(Http404):
        perms.access_campaign(world.admin_a1, other.pk)
    assert other not in perms.campaigns_visible_to(world.admin_company_a)
    assert other in perms.campaigns_visible_to(world.viewer_group)


def test_anonymous_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    _project(world)
    assert not perms.projects_visible_to(AnonymousUser()).exists()
    assert not perms.campaigns_visible_to(AnonymousUser()).exists()


def test_lead_user_cannot_edit_core_fields_after_submission(world):
    project = _project(world, ProjectStatus.SUBMITTED)
    with pytest.raises(DomainError):
        services.project_update(actor=world.lead_a1, project=project, title="改")
    services.project_update(actor=world.admin_a1, project=project, title="改")


def test_completed_project_is_read_only_even_for_admin(world):
    project = _project(world, ProjectStatus.COMPLETED)
    with pytest.raises(DomainError):
        services.project_update(actor=world.admin_a1, project=project, title="改")
    with pytest.raises(DomainError):
        services.goal_add(
            actor=world.admin_a1, project=project, data=GoalInput(name="x", target="1")
        )
