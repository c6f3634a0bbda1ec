"""Reads for the assessment pages and the assessment sheet: schemes, runs, rankings, entries.

Every list of scores goes through permissions.project_scores_visible_to /
org_scores_visible_to, and each function is a fixed number of queries whatever the number of
rows (the ranking table and the sheet rely on it).
"""

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.permissions import projects_visible_to
from taizhang.checkins.models import Period
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import access_org, org_scope_q, visible_org_paths

from . import permissions as perms
from .models import ManualEntry, OrgScore, ProjectScore, RunKind, Scheme, ScoreRun

YEAR = "year"  # the query-string value that selects the year (period None)


def active_scheme(campaign: Campaign) -> Scheme | None:
    return Scheme.objects.filter(campaign=campaign, is_active=True).first()


def scheme_versions(campaign: Campaign) -> QuerySet[Scheme]:
    """Every version of the campaign's scheme, newest first, with its number of publications."""
    return (
        Scheme.objects.filter(campaign=campaign)
        .select_related("created_by", "based_on", "based_on__campaign")
        .annotate(published=Count("runs", filter=Q(runs__kind=RunKind.PUBLISHED)))
        .order_by("-version")
    )


def scheme_with_items(scheme_id: int) -> Scheme:
    """One scheme with its dimensions, criteria and items prefetched (a fixed number of
    queries)."""
    return (
        Scheme.objects.select_related("campaign", "created_by")
        .prefetch_related(
            "dimensions__criteria", "deductions", "bonuses", "vetoes", "bands", "org_weights__org"
        )
        .get(pk=scheme_id)
    )


WEIGHT_ORG_LEVELS = 2  # org weights are offered for the two levels below the campaign's org


def weight_org_choices(campaign: Campaign, scheme: Scheme | None = None) -> list[tuple[str, str]]:
    """Orgs the editor offers for an explicit weight: the two levels below the campaign's
    org (where weights are set in practice; deeper ones through the API), plus any org the
    scheme already weighs, indented by depth. One query."""
    root = campaign.org
    near = Q(depth__gt=root.depth, depth__lte=root.depth + WEIGHT_ORG_LEVELS)
    if scheme is not None:
        near |= Q(pk__in=scheme.org_weights.values("org_id"))
    orgs = Org.objects.filter(near, path__startswith=root.path).exclude(pk=root.pk)
    return [
        (str(org.pk), "\u3000" * max(0, org.depth - root.depth - 1) + str(org))
        for org in orgs.order_by("path")
    ]


def copy_sources(user, campaign: Campaign) -> QuerySet[Scheme]:
    """Schemes a new version may be copied from: any visible scheme of this campaign or of a
    campaign that started no later."""
    return (
        perms.schemes_visible_to(user)
        .filter(campaign__start_date__lte=campaign.start_date)
        .order_by("-campaign__start_date", "campaign__name", "-version")
    )


def published_runs(campaign: Campaign, period: Period | None) -> QuerySet[ScoreRun]:
    return (
        ScoreRun.objects.filter(scheme__campaign=campaign, period=period, kind=RunKind.PUBLISHED)
        .select_related("scheme", "published_by", "period")
        .order_by("-version")
    )


def draft_run(scheme: Scheme | None, period: Period | None) -> ScoreRun | None:
    if scheme is None:
        return None
    return (
        ScoreRun.objects.filter(scheme=scheme, period=period, kind=RunKind.DRAFT)
        .select_related("scheme", "period")
        .first()
    )


def is_published(campaign: Campaign, period: Period | None) -> bool:
    return ScoreRun.objects.filter(
        scheme__campaign=campaign, period=period, kind=RunKind.PUBLISHED
    ).exists()


# --------------------------------------------------------------------------- picking from a URL


def pick_period(campaign: Campaign, periods: list[Period], value: str) -> tuple[Period | None, str]:
    """The period named by `?period=` ("year" for the year), or a sensible default: the
    period of the latest publication, else the latest period already started. Returns the
    period (None for the year) and its key for URLs. An unknown period answers 404."""
    value = (value or "").strip()
    if value == YEAR:
        return None, YEAR
    if value:
        period = next((p for p in periods if str(p.pk) == value), None)
        if period is None:
            raise Http404
        return period, str(period.pk)
    latest = (
        ScoreRun.objects.filter(scheme__campaign=campaign, kind=RunKind.PUBLISHED)
        .order_by("-published_at", "-pk")
        .values("period_id")
        .first()
    )
    if latest is not None:
        if latest["period_id"] is None:
            return None, YEAR
        period = next((p for p in periods if p.pk == latest["period_id"]), None)
        if period is not None:
            return period, str(period.pk)
    today = timezone.localdate()
    started = [p for p in periods if p.start_date <= today]
    if started or periods:
        period = (started or periods)[-1]
        return period, str(period.pk)
    return None, YEAR


def default_org(user, campaign: Campaign) -> Org | None:
    """The campaign's org when the user can see it, else the top of the user's own scope
    inside the campaign (a branch admin lands on the branch)."""
    root = campaign.org
    paths = visible_org_paths(user)
    if paths is None or any(root.path.startswith(path) for path in paths):
        return root
    inside = [path for path in paths if path.startswith(root.path)]
    return Org.objects.filter(path__in=inside).order_by("path").first() if inside else None


def pick_org(user, campaign: Campaign, value: str) -> Org | None:
    """`?org=` through the user's scope (404 when out of scope or outside the campaign)."""
    value = (value or "").strip()
    if not value:
        return default_org(user, campaign)
    org = access_org(user, value)
    if not org.path.startswith(campaign.org.path):
        raise Http404
    return org


def pick_run(value: str, published: list[ScoreRun], draft: ScoreRun | None) -> ScoreRun | None:
    """`?run=draft` or a published run's id; by default the latest publication, else the
    draft. A run that is not one of these answers 404."""
    value = (value or "").strip()
    if value == "draft":
        return draft
    if value:
        run = next((r for r in published if str(r.pk) == value), None)
        if run is None:
            raise Http404
        return run
    return published[0] if published else draft


# --------------------------------------------------------------------------- rankings


def org_score(user, run: ScoreRun, org: Org) -> OrgScore | None:
    return perms.org_scores_visible_to(user, run).filter(org=org).select_related("org").first()


def child_org_scores(user, run: ScoreRun, org: Org) -> QuerySet[OrgScore]:
    """The next level below `org`, ranked among themselves."""
    return (
        perms.org_scores_visible_to(user, run)
        .filter(org_path__startswith=org.path, depth=org.depth + 1)
        .select_related("org")
        .order_by("rank", "org_path")
    )


def subtree_org_scores(user, run: ScoreRun, org: Org) -> QuerySet[OrgScore]:
    """`org` and every scored org below it, in tree order."""
    return (
        perms.org_scores_visible_to(user, run)
        .filter(org_path__startswith=org.path)
        .select_related("org")
        .order_by("org_path")
    )


def subtree_project_scores(user, run: ScoreRun, org: Org) -> QuerySet[ProjectScore]:
    """Projects scored in `org`'s subtree, best first."""
    return (
        perms.project_scores_visible_to(user, run)
        .filter(org_path__startswith=org.path)
        .select_related("project", "project__lead", "org")
        .order_by("-total_micro", "project__code", "pk")
    )


def direct_project_scores(user, run: ScoreRun, org: Org) -> QuerySet[ProjectScore]:
    """Projects attached to `org` itself (not to an org below it)."""
    return (
        perms.project_scores_visible_to(user, run)
        .filter(org=org)
        .select_related("project", "project__lead", "org")
        .order_by("-total_micro", "project__code", "pk")
    )


def latest_published_score(project: Project) -> ProjectScore | None:
    return (
        ProjectScore.objects.filter(project=project, run__kind=RunKind.PUBLISHED)
        .select_related("run", "run__period")
        .order_by("-run__published_at", "-run_id")
        .first()
    )


# --------------------------------------------------------------------------- manual entries


def entries_visible_to(user) -> QuerySet[ManualEntry]:
    """Entries on a project or an org inside the user's scope, of a visible campaign."""
    return ManualEntry.objects.filter(
        org_scope_q(user, field="project__org__path") | org_scope_q(user, field="org__path"),
        scheme__in=perms.schemes_visible_to(user),
    )


def period_entries(user, scheme: Scheme, period: Period) -> QuerySet[ManualEntry]:
    return (
        entries_visible_to(user)
        .filter(scheme=scheme, period=period)
        .select_related(
            "project", "org", "assessor", "criterion", "deduction", "bonus", "veto", "period"
        )
        .order_by("-created_at", "-pk")
    )


def subject_entries(
    scheme: Scheme, period: Period, *, project: Project | None = None, org: Org | None = None
) -> QuerySet[ManualEntry]:
    """The entries on one subject (the caller has already checked it is visible)."""
    entries = ManualEntry.objects.filter(scheme=scheme, period=period)
    entries = entries.filter(project=project) if project is not None else entries.filter(org=org)
    return entries.select_related("assessor", "criterion", "deduction", "bonus", "veto").order_by(
        "-created_at", "-pk"
    )


def find_project(user, campaign: Campaign, code: str) -> Project | None:
    """A visible project of the campaign by its code (how people name projects)."""
    code = (code or "").strip()
    if not code:
        return None
    return projects_visible_to(user).filter(campaign=campaign, code=code).first()
