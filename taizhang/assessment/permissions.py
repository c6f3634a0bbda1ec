"""Who may configure schemes, assess and publish: the campaign owner's org admins.

Scores are read by anyone who can see the project or org they belong to.
"""

from django.db.models import QuerySet
from django.http import Http404

from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.permissions import campaigns_visible_to, can_edit_campaign
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import ADMIN_ROLES, has_role, org_scope_q

from .models import Candidate, OrgScore, ProjectScore, ResultsDay, Scheme, ScoreRun


def can_configure_scheme(user, campaign: Campaign) -> bool:
    return can_edit_campaign(user, campaign)


def can_publish(user, scheme: Scheme) -> bool:
    return can_edit_campaign(user, scheme.campaign)


def can_assess_project(user, project: Project) -> bool:
    """Assessors are org admins above the project (a branch does not assess itself alone:
    its own admins may, and so may every committee above it)."""
    return has_role(user, project.org, ADMIN_ROLES)


def can_assess_org(user, org: Org) -> bool:
    return has_role(user, org, ADMIN_ROLES)


def schemes_visible_to(user) -> QuerySet[Scheme]:
    return Scheme.objects.filter(campaign__in=campaigns_visible_to(user)).select_related("campaign")


def access_scheme(user, scheme_id, *, for_edit: bool = False) -> Scheme:
    try:
        scheme = schemes_visible_to(user).get(pk=scheme_id)
    except (Scheme.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if for_edit and not can_configure_scheme(user, scheme.campaign):
        raise Http404
    return scheme


def project_scores_visible_to(user, run: ScoreRun) -> QuerySet[ProjectScore]:
    return ProjectScore.objects.filter(org_scope_q(user, field="org_path"), run=run)


def org_scores_visible_to(user, run: ScoreRun) -> QuerySet[OrgScore]:
    return OrgScore.objects.filter(org_scope_q(user, field="org_path"), run=run)


def can_publish_results_day(user, day) -> bool:
    return can_edit_campaign(user, day.campaign)


def runs_visible_to(user) -> QuerySet[ScoreRun]:
    """Score runs of the campaigns the user can see; the rows inside are filtered again by
    project_scores_visible_to / org_scores_visible_to."""
    return ScoreRun.objects.filter(scheme__campaign__in=campaigns_visible_to(user)).select_related(
        "scheme", "scheme__campaign", "scheme__campaign__org", "period", "published_by"
    )


def access_run(user, run_id) -> ScoreRun:
    try:
        return runs_visible_to(user).get(pk=run_id)
    except (ScoreRun.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def results_days_visible_to(user) -> QuerySet[ResultsDay]:
    return ResultsDay.objects.filter(campaign__in=campaigns_visible_to(user)).select_related(
        "campaign", "campaign__org", "published_by"
    )


def access_results_day(user, day_id) -> ResultsDay:
    try:
        return results_days_visible_to(user).get(pk=day_id)
    except (ResultsDay.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def candidates_visible_to(user) -> QuerySet[Candidate]:
    """Candidates of visible days whose project is inside the user's scope."""
    return Candidate.objects.filter(
        org_scope_q(user, field="project__org__path"),
        results_day__campaign__in=campaigns_visible_to(user),
    )


def access_candidate(user, candidate_id) -> Candidate:
    try:
        return (
            candidates_visible_to(user)
            .select_related(
                "project",
                "project__lead",
                "project__org",
                "results_day",
                "results_day__campaign",
                "results_day__campaign__org",
            )
            .get(pk=candidate_id)
        )
    except (Candidate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
