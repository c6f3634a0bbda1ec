"""Visibility and rights for campaigns and projects; views and the API call only these."""

from django.db.models import Q, QuerySet
from django.http import Http404

from taizhang.orgs.models import Org, Person
from taizhang.orgs.permissions import (
    ADMIN_ROLES,
    LEAD_ROLES,
    _grants,
    has_role,
    is_system_admin,
    org_scope_q,
)

from .models import Campaign, Pairing, Project, ProjectStatus

# Statuses in which goals, measures and participants are kept current by the lead.
LEAD_EDITABLE_CHILD_STATUSES = {
    ProjectStatus.DRAFT,
    ProjectStatus.APPROVED,
    ProjectStatus.IN_PROGRESS,
}
FINAL_STATUSES = {ProjectStatus.COMPLETED, ProjectStatus.TERMINATED}


def campaigns_visible_to(user, *, include_deleted: bool = False) -> QuerySet[Campaign]:
    """Campaigns owned inside the user's subtrees, plus those launched by an ancestor org
    (a branch takes part in its group's campaign and must find it)."""
    manager = Campaign.all_objects if include_deleted else Campaign.objects
    queryset = manager.select_related("org")
    if is_system_admin(user):
        return queryset
    ancestor_paths: set[str] = set()
    for path, _role in _grants(user):
        ancestor_paths.update(path[:end] for end in range(Org.steplen, len(path) + 1, Org.steplen))
    return queryset.filter(org_scope_q(user) | Q(org__path__in=sorted(ancestor_paths)))


def access_campaign(user, campaign_id, *, for_edit: bool = False) -> Campaign:
    try:
        campaign = campaigns_visible_to(user).get(pk=campaign_id)
    except (Campaign.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if for_edit and not can_edit_campaign(user, campaign):
        raise Http404
    return campaign


def can_edit_campaign(user, campaign: Campaign) -> bool:
    return has_role(user, campaign.org, ADMIN_ROLES)


def can_create_campaign(user, org: Org) -> bool:
    return has_role(user, org, ADMIN_ROLES)


def projects_visible_to(user, *, include_deleted: bool = False) -> QuerySet[Project]:
    manager = Project.all_objects if include_deleted else Project.objects
    return manager.filter(org_scope_q(user))


def access_project(user, project_id, *, for_edit: bool = False) -> Project:
    """Fetch through the visible queryset: a project out of scope is a 404 like a missing one."""
    try:
        project = (
            projects_visible_to(user)
            .select_related(
                "campaign",
                "campaign__org",
                "org",
                "lead",
                "lead__org",
                "project_type",
                "focus_area",
            )
            .get(pk=project_id)
        )
    except (Project.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if for_edit and not can_edit_project(user, project):
        raise Http404
    return project


def is_lead_user(user, project: Project) -> bool:
    return bool(user and user.is_authenticated and project.lead.user_id == user.pk)


def can_create_project(user, campaign: Campaign, org: Org) -> bool:
    """Org admins and project leads file projects for orgs inside the campaign's subtree."""
    return org.path.startswith(campaign.org.path) and has_role(user, org, LEAD_ROLES)


def orgs_for_new_project(user, campaign: Campaign) -> QuerySet[Org]:
    """Orgs for which `can_create_project` holds, as one query: the campaign's subtree cut by
    the user's lead-or-admin grants (the create form offers exactly these)."""
    return Org.objects.filter(path__startswith=campaign.org.path).filter(
        org_scope_q(user, field="path", roles=LEAD_ROLES)
    )


def can_edit_project(user, project: Project) -> bool:
    """Core fields: the admin while the project is open, the lead while it is a draft."""
    if project.status in FINAL_STATUSES:
        return False
    if has_role(user, project.org, ADMIN_ROLES):
        return True
    return project.status == ProjectStatus.DRAFT and is_lead_user(user, project)


def can_edit_project_children(user, project: Project) -> bool:
    """Goals, measures and participants: the lead keeps them current except under review."""
    if project.status in FINAL_STATUSES:
        return False
    if has_role(user, project.org, ADMIN_ROLES):
        return True
    return project.status in LEAD_EDITABLE_CHILD_STATUSES and is_lead_user(user, project)


def can_delete_project(user, project: Project) -> bool:
    if has_role(user, project.org, ADMIN_ROLES):
        return True
    return project.status == ProjectStatus.DRAFT and is_lead_user(user, project)


def can_restore(user, org: Org) -> bool:
    """Restoring from the trash is the org admin's call."""
    return has_role(user, org, ADMIN_ROLES)


def can_manage_pairing(user, campaign: Campaign, member: Person) -> bool:
    """The member's org admin registers 1+N pairs, inside the campaign's subtree."""
    return member.org.path.startswith(campaign.org.path) and has_role(user, member.org, ADMIN_ROLES)


def _holds_role_within(user, campaign: Campaign, roles) -> bool:
    """True when the user holds one of `roles` on the campaign's org, an ancestor (inherited)
    or some org below it. No query: grants are cached on the user."""
    if is_system_admin(user):
        return True
    root = campaign.org.path
    return any(
        role in roles and (path.startswith(root) or root.startswith(path))
        for path, role in _grants(user)
    )


def can_create_any_project(user, campaign: Campaign) -> bool:
    """Whether `can_create_project` holds for at least one org of the campaign (shows the
    "new project" button; the service still checks the org actually chosen)."""
    return _holds_role_within(user, campaign, LEAD_ROLES)


def can_manage_any_pairing(user, campaign: Campaign) -> bool:
    """Whether the user may register 1+N pairs for some member of the campaign (shows the
    pairing form; `can_manage_pairing` decides for the member actually chosen)."""
    return _holds_role_within(user, campaign, ADMIN_ROLES)


def access_pairing(user, pairing_id) -> Pairing:
    """A pairing of a visible campaign whose member is in the user's scope, else 404."""
    try:
        return (
            Pairing.objects.filter(campaign__in=campaigns_visible_to(user))
            .filter(org_scope_q(user, field="member__org__path"))
            .select_related("campaign", "campaign__org", "member", "member__org", "colleague")
            .get(pk=pairing_id)
        )
    except (Pairing.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
