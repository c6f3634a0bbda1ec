"""Scores: the ranking table of a campaign and period, recomputing the draft, publishing, and
the breakdown pages that explain every figure down to its inputs.

Rows come only through permissions.project_scores_visible_to / org_scores_visible_to, so a
branch sees its own scores and a committee its subtree. The ranking page runs a fixed number
of queries whatever the number of rows (selectors.py; tested).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taizhang.campaigns.models import Campaign
from taizhang.campaigns.permissions import access_campaign, access_project
from taizhang.core.exceptions import DomainError
from taizhang.orgs.permissions import access_org
from taizhang.orgs.selectors import org_options

from .. import permissions as perms
from .. import selectors, services
from ..models import RunKind, ScoreRun
from .common import (
    can_recompute,
    explain_org,
    explain_project,
    explain_year,
    period_label,
    points,
)

PROJECTS_PER_PAGE = 100


def _scores_url(campaign: Campaign, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    url = reverse("assessment:scores", args=[campaign.pk])
    return f"{url}?{query}" if query else url


def _period_from_post(request: HttpRequest, campaign: Campaign):
    periods = list(campaign.periods.order_by("start_date"))
    value = request.POST.get("period", "").strip()
    if not value:
        raise Http404
    return selectors.pick_period(campaign, periods, value)


@login_required
@require_GET
def scores(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    periods = list(campaign.periods.order_by("start_date"))
    period, period_key = selectors.pick_period(campaign, periods, request.GET.get("period", ""))
    org = selectors.pick_org(user, campaign, request.GET.get("org", ""))
    scheme = selectors.active_scheme(campaign)
    published = list(selectors.published_runs(campaign, period))
    draft = selectors.draft_run(scheme, period)
    run = selectors.pick_run(request.GET.get("run", ""), published, draft)

    own = children = page = None
    if run is not None and org is not None:
        own = selectors.org_score(user, run, org)
        children = list(selectors.child_org_scores(user, run, org))
        for row in children:
            row.score = row.breakdown.get("score")
        page = Paginator(
            selectors.subtree_project_scores(user, run, org), PROJECTS_PER_PAGE
        ).get_page(request.GET.get("page"))
        for row in page:
            row.points = points(row.total_micro)
    return render(
        request,
        "assessment/scores.html",
        {
            "campaign": campaign,
            "periods": periods,
            "period": period,
            "period_key": period_key,
            "period_label": period_label(period),
            "selected_org": org,
            "org_options": org_options(user, campaign.org, org),
            "scheme": scheme,
            "published": published,
            "draft": draft,
            "run": run,
            "run_key": ("draft" if run.kind == RunKind.DRAFT else run.pk) if run else "",
            "own": own,
            "children": children,
            "page": page,
            "can_recompute": scheme is not None and can_recompute(user, campaign),
            "can_publish": scheme is not None and perms.can_publish(user, scheme),
            "can_assess": period is not None and can_recompute(user, campaign),
        },
    )


@login_required
@require_POST
def recompute(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    period, period_key = _period_from_post(request, campaign)
    if not can_recompute(user, campaign):
        raise PermissionDenied
    scheme = selectors.active_scheme(campaign)
    org = request.POST.get("org", "").strip()
    if scheme is None:
        messages.error(request, _("本活动尚未设置考核方案。"))
        return redirect("assessment:scheme_detail", campaign_id=campaign.pk)
    try:
        services.draft_compute(scheme=scheme, period=period)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已按当前方案和台账重新计算“%(period)s”的草稿成绩。")
            % {"period": period_label(period)},
        )
    return redirect(_scores_url(campaign, period=period_key, org=org, run="draft"))


@login_required
@require_POST
def publish(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    period, period_key = _period_from_post(request, campaign)
    scheme = selectors.active_scheme(campaign)
    org = request.POST.get("org", "").strip()
    if scheme is None:
        messages.error(request, _("本活动尚未设置考核方案。"))
        return redirect("assessment:scheme_detail", campaign_id=campaign.pk)
    try:
        run = services.assessment_publish(actor=user, scheme=scheme, period=period)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_scores_url(campaign, period=period_key, org=org))
    messages.success(
        request,
        _("已发布“%(period)s”考核结果第 %(version)s 版。该版本今后不再改变。")
        % {"period": period_label(period), "version": run.version},
    )
    return redirect(_scores_url(campaign, period=period_key, org=org, run=run.pk))


# --------------------------------------------------------------------------- breakdowns


def _run_context(run: ScoreRun) -> dict:
    campaign = run.scheme.campaign
    return {
        "run": run,
        "campaign": campaign,
        "period": run.period,
        "period_label": period_label(run.period),
        "period_key": str(run.period_id) if run.period_id else selectors.YEAR,
        "run_key": run.pk if run.kind == RunKind.PUBLISHED else "draft",
    }


@login_required
@require_GET
def project_breakdown(request: HttpRequest, run_id: int, project_id: int) -> HttpResponse:
    user = request.user
    run = perms.access_run(user, run_id)
    score = (
        perms.project_scores_visible_to(user, run)
        .select_related("project", "project__lead", "org")
        .filter(project_id=project_id)
        .first()
    )
    if score is None:
        raise Http404
    context = _run_context(run)
    breakdown = score.breakdown or {}
    is_year = bool(breakdown.get("year"))
    entries = []
    can_enter = False
    if not is_year and run.period is not None:
        entries = list(selectors.subject_entries(run.scheme, run.period, project=score.project))
        can_enter = (
            run.scheme.is_active
            and perms.can_assess_project(user, score.project)
            and not selectors.is_published(context["campaign"], run.period)
        )
    context.update(
        {
            "score": score,
            "project": score.project,
            "is_year": is_year,
            "explained": explain_year(breakdown) if is_year else explain_project(breakdown),
            "entries": entries,
            "can_enter": can_enter,
        }
    )
    return render(request, "assessment/project_breakdown.html", context)


@login_required
@require_GET
def org_breakdown(request: HttpRequest, run_id: int, org_id: int) -> HttpResponse:
    user = request.user
    run = perms.access_run(user, run_id)
    org = access_org(user, org_id)
    score = selectors.org_score(user, run, org)
    if score is None:
        raise Http404
    context = _run_context(run)
    children = list(selectors.child_org_scores(user, run, org))
    for row in children:
        row.score = row.breakdown.get("score")
    projects = Paginator(selectors.direct_project_scores(user, run, org), 100).get_page(
        request.GET.get("page")
    )
    for row in projects:
        row.points = points(row.total_micro)
    entries = []
    if run.period is not None:
        entries = list(selectors.subject_entries(run.scheme, run.period, org=org))
    # The parent's score, when the user may see it (a branch admin may not).
    parent = (
        perms.org_scores_visible_to(user, run)
        .filter(org_path=org.path[: -org.steplen])
        .select_related("org")
        .first()
        if org.depth > 1
        else None
    )
    context.update(
        {
            "org": org,
            "score": score,
            "parent": parent,
            "explained": explain_org(score.breakdown or {}),
            "children": children,
            "page": projects,
            "entries": entries,
            "can_enter": run.period is not None
            and run.scheme.is_active
            and perms.can_assess_org(user, org)
            and not selectors.is_published(context["campaign"], run.period),
        }
    )
    return render(request, "assessment/org_breakdown.html", context)


@login_required
@require_GET
def project_score_panel(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's latest published score, for the project page (loaded by htmx)."""
    project = access_project(request.user, project_id)
    score = selectors.latest_published_score(project)
    if not request.htmx:
        # Without JavaScript the placeholder's link lands here: go where the panel would.
        if score is not None:
            return redirect(
                "assessment:project_breakdown", run_id=score.run_id, project_id=project.pk
            )
        messages.info(request, _("本项目尚无发布的考核得分。"))
        return redirect("campaigns:project_detail", project_id=project.pk)
    return render(
        request,
        "assessment/project_score.html#panel",
        {
            "project": project,
            "score": score,
            "points": points(score.total_micro) if score else None,
            "period_label": period_label(score.run.period) if score else "",
        },
    )
