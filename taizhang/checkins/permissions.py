"""Rights for check-ins: who writes, reviews and verifies; every list goes through scope."""

from django.db.models import Q, QuerySet
from django.http import Http404

from taizhang.campaigns.models import Campaign, Project, ProjectStatus
from taizhang.campaigns.permissions import campaigns_visible_to, can_edit_campaign, is_lead_user
from taizhang.orgs.models import Org, Role
from taizhang.orgs.permissions import ADMIN_ROLES, has_role, org_scope_q

from .models import (
    BenefitClaim,
    Evidence,
    Inspection,
    Notification,
    Period,
    ProgressReport,
    RectificationItem,
)

REPORTABLE_STATUSES = {ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS}


def reports_visible_to(user) -> QuerySet[ProgressReport]:
    return ProgressReport.objects.filter(org_scope_q(user, field="project__org__path"))


def access_report(user, report_id) -> ProgressReport:
    try:
        return (
            reports_visible_to(user)
            .select_related(
                "project", "project__org", "project__lead", "project__campaign", "period"
            )
            .get(pk=report_id)
        )
    except (ProgressReport.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_write_report(user, project: Project) -> bool:
    """The lead writes the report; a participant may if the lead's project grants it."""
    if project.status not in REPORTABLE_STATUSES:
        return False
    if is_lead_user(user, project):
        return True
    if not user or not user.is_authenticated:
        return False
    return project.participants.filter(person__user=user, can_report=True).exists()


def can_review_report(user, report: ProgressReport) -> bool:
    return has_role(user, report.project.org, ADMIN_ROLES)


def can_override_light(user, report: ProgressReport) -> bool:
    return is_lead_user(user, report.project) or has_role(user, report.project.org, ADMIN_ROLES)


def can_manage_periods(user, campaign: Campaign) -> bool:
    return can_edit_campaign(user, campaign)


def access_period(user, period_id) -> Period:
    """A period of a campaign the user can see; anything else is a 404."""
    try:
        return (
            Period.objects.filter(campaign__in=campaigns_visible_to(user))
            .select_related("campaign", "campaign__org")
            .get(pk=period_id)
        )
    except (Period.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def claims_visible_to(user) -> QuerySet[BenefitClaim]:
    return BenefitClaim.objects.filter(org_scope_q(user, field="project__org__path"))


def access_claim(user, claim_id) -> BenefitClaim:
    try:
        return (
            claims_visible_to(user)
            .select_related("project", "project__org", "period")
            .get(pk=claim_id)
        )
    except (BenefitClaim.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_declare_claim(user, project: Project) -> bool:
    if project.status not in REPORTABLE_STATUSES | {ProjectStatus.COMPLETED}:
        return False
    return is_lead_user(user, project) or has_role(user, project.org, ADMIN_ROLES)


def can_verify_claim(user, claim: BenefitClaim) -> bool:
    """核定 needs the verifier right (e.g. finance) and someone other than the claimant."""
    if not user or not user.is_authenticated or claim.claimant_id == user.pk:
        return False
    return has_role(user, claim.project.org, {Role.VERIFIER})


def inspections_visible_to(user) -> QuerySet[Inspection]:
    """An inspection is seen by the inspecting org's subtree and by the inspected side."""
    return Inspection.objects.filter(
        org_scope_q(user, field="inspecting_org__path")
        | org_scope_q(user, field="project__org__path")
        | org_scope_q(user, field="target_org__path")
    ).distinct()


def access_inspection(user, inspection_id) -> Inspection:
    try:
        return (
            inspections_visible_to(user)
            .select_related("inspecting_org", "project", "project__org", "target_org", "campaign")
            .get(pk=inspection_id)
        )
    except (Inspection.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def access_rectification(user, item_id) -> RectificationItem:
    """A rectification item of an inspection the user can see, else 404."""
    try:
        return (
            RectificationItem.objects.filter(inspection__in=inspections_visible_to(user))
            .select_related(
                "owner",
                "inspection",
                "inspection__inspecting_org",
                "inspection__project",
                "inspection__project__org",
                "inspection__target_org",
            )
            .get(pk=item_id)
        )
    except (RectificationItem.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def can_inspect(user, inspecting_org: Org, subject_org: Org) -> bool:
    """An org inspects its own projects or an org below it, never a peer or a superior."""
    if not subject_org.path.startswith(inspecting_org.path):
        return False
    return has_role(user, inspecting_org, ADMIN_ROLES)


def can_close_rectification(user, item: RectificationItem) -> bool:
    if item.owner.user_id and user and item.owner.user_id == user.pk:
        return True
    inspection = item.inspection
    return has_role(user, inspection.subject_org, ADMIN_ROLES) or has_role(
        user, inspection.inspecting_org, ADMIN_ROLES
    )


def access_evidence(user, evidence_id) -> Evidence:
    """A file is seen by whoever sees the report, claim or inspection it backs; else 404.

    Files are served through this check, never from a public media URL, so a sibling branch
    that guesses a path gets nothing.
    """
    visible = (
        Q(report__in=reports_visible_to(user))
        | Q(claim__in=claims_visible_to(user))
        | Q(rectification__inspection__in=inspections_visible_to(user))
    )
    try:
        return Evidence.objects.filter(visible).get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def access_notification(user, notification_id) -> Notification:
    """A user's own inbox entry; another user's is a 404 like a missing one."""
    try:
        return Notification.objects.get(pk=notification_id, user_id=getattr(user, "pk", None))
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
