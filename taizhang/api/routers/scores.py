"""Assessment results: score runs, org rankings, project scores and their breakdowns."""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from taizhang.assessment import permissions as perms
from taizhang.assessment import selectors, services
from taizhang.assessment.models import ScoreRun
from taizhang.assessment.views.common import can_recompute
from taizhang.campaigns.models import Campaign
from taizhang.campaigns.permissions import access_campaign
from taizhang.checkins.models import Period
from taizhang.core.exceptions import DomainError
from taizhang.orgs.permissions import access_org

from ..lookups import actor
from ..schemas.assessment import (
    OrgScoreDetailOut,
    OrgScoreFilters,
    OrgScorePage,
    ProjectScoreDetailOut,
    ProjectScoreFilters,
    ProjectScorePage,
    ScoreActionIn,
    ScoreRunFilters,
    ScoreRunOut,
    ScoreRunPage,
    ScoresOut,
    ScoresQuery,
)
from ..schemas.common import Id, Page, paginate
from .assessment import router as assessment_router

router = Router(tags=["scores"])
# Schemes, manual entries and results days ride along under the same registration.
router.add_router("", assessment_router)


def _period(campaign: Campaign, value: str) -> Period | None:
    """`year` → None (the year's results); an id → that period of the campaign, else 404."""
    periods = list(campaign.periods.order_by("start_date"))
    period, _key = selectors.pick_period(campaign, periods, value)
    return period


@router.get(
    "/score-runs", response=ScoreRunPage, summary="Score runs (published versions and drafts)"
)
def list_runs(request: HttpRequest, filters: Query[ScoreRunFilters], page: Query[Page]):
    user = actor(request)
    queryset = perms.runs_visible_to(user)
    if filters.campaign is not None:
        queryset = queryset.filter(scheme__campaign=access_campaign(user, filters.campaign))
    if filters.period == "year":
        queryset = queryset.filter(period__isnull=True)
    elif filters.period:
        queryset = queryset.filter(period_id=int(filters.period))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return paginate(queryset.order_by("-created_at", "-id"), page)


@router.get("/score-runs/{run_id}", response=ScoreRunOut, summary="One score run")
def get_run(request: HttpRequest, run_id: Id):
    return perms.access_run(actor(request), run_id)


@router.get(
    "/score-runs/{run_id}/orgs",
    response=OrgScorePage,
    summary="Org scores of a run (tree order, or ranked among the children of `parent`)",
)
def list_org_scores(
    request: HttpRequest, run_id: Id, filters: Query[OrgScoreFilters], page: Query[Page]
):
    user = actor(request)
    run = perms.access_run(user, run_id)
    queryset = perms.org_scores_visible_to(user, run).select_related("org")
    if filters.org is not None:
        queryset = queryset.filter(org_path__startswith=access_org(user, filters.org).path)
    if filters.parent is not None:
        parent = access_org(user, filters.parent)
        queryset = queryset.filter(org_path__startswith=parent.path, depth=parent.depth + 1)
        return paginate(queryset.order_by("rank", "org_path"), page)
    return paginate(queryset.order_by("org_path"), page)


@router.get(
    "/score-runs/{run_id}/orgs/{org_id}",
    response=OrgScoreDetailOut,
    summary="One org's score with its breakdown",
)
def get_org_score(request: HttpRequest, run_id: Id, org_id: Id):
    user = actor(request)
    run = perms.access_run(user, run_id)
    score = selectors.org_score(user, run, access_org(user, org_id))
    if score is None:
        raise Http404
    return score


@router.get(
    "/score-runs/{run_id}/projects",
    response=ProjectScorePage,
    summary="Project scores of a run, best first",
)
def list_project_scores(
    request: HttpRequest, run_id: Id, filters: Query[ProjectScoreFilters], page: Query[Page]
):
    user = actor(request)
    run = perms.access_run(user, run_id)
    queryset = perms.project_scores_visible_to(user, run).select_related("project", "org")
    if filters.org is not None:
        queryset = queryset.filter(org_path__startswith=access_org(user, filters.org).path)
    return paginate(queryset.order_by("-total_micro", "project__code", "pk"), page)


@router.get(
    "/score-runs/{run_id}/projects/{project_id}",
    response=ProjectScoreDetailOut,
    summary="One project's score, explained down to its inputs",
)
def get_project_score(request: HttpRequest, run_id: Id, project_id: Id):
    user = actor(request)
    run = perms.access_run(user, run_id)
    score = (
        perms.project_scores_visible_to(user, run)
        .select_related("project", "org", "run", "run__scheme", "run__period", "run__published_by")
        .filter(project_id=project_id)
        .first()
    )
    if score is None:
        raise Http404
    return score


@router.get(
    "/campaigns/{campaign_id}/scores",
    response=ScoresOut,
    summary="A campaign's result for one org: which run, the org's score and rank",
    description="Picks the run as the scores page does. List the ranked child orgs with "
    "`/score-runs/{run_id}/orgs?parent=<org>` and the projects with "
    "`/score-runs/{run_id}/projects?org=<org>`.",
)
def campaign_scores(request: HttpRequest, campaign_id: Id, query: Query[ScoresQuery]):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    period = _period(campaign, query.period or "")
    org = selectors.pick_org(user, campaign, str(query.org) if query.org is not None else "")
    published = list(selectors.published_runs(campaign, period))
    draft = selectors.draft_run(selectors.active_scheme(campaign), period)
    if query.run == "published":
        run: ScoreRun | None = published[0] if published else None
    else:
        run = selectors.pick_run(query.run or "", published, draft)
    if run is not None:
        run = perms.access_run(user, run.pk)
    score = selectors.org_score(user, run, org) if run is not None and org is not None else None
    return {"run": run, "org": score}


def _active_scheme(campaign: Campaign):
    scheme = selectors.active_scheme(campaign)
    if scheme is None:
        raise DomainError(
            _("本活动尚未设置考核方案。"),
            "no_scheme",
        )
    return scheme


@router.post(
    "/campaigns/{campaign_id}/scores/recompute",
    response=ScoreRunOut,
    summary="Recompute the draft scores of a period or the year (org admins in the campaign)",
)
def recompute(request: HttpRequest, campaign_id: Id, payload: ScoreActionIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    period = _period(campaign, payload.period)
    if not can_recompute(user, campaign):
        raise DomainError(
            _("您无权重新计算该活动的成绩。"),
            "forbidden",
        )
    run = services.draft_compute(scheme=_active_scheme(campaign), period=period)
    return perms.access_run(user, run.pk)


@router.post(
    "/campaigns/{campaign_id}/scores/publish",
    response={201: ScoreRunOut},
    summary="Publish (freeze) the results of a period or the year (org admin of the campaign)",
)
def publish(request: HttpRequest, campaign_id: Id, payload: ScoreActionIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    period = _period(campaign, payload.period)
    run = services.assessment_publish(actor=user, scheme=_active_scheme(campaign), period=period)
    return Status(201, perms.access_run(user, run.pk))
