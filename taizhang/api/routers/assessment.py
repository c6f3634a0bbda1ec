"""Assessment configuration and input: schemes (read, copy, edit), manual entries, results day.

Handlers stay thin: records come through the assessment app's `access_*` / `*_visible_to`
(a record out of scope answers 404), and every write is the service the web pages call,
which checks the caller's right again (403) and the rules (422, 409 on a stale version or a
published period). Publishing a period is `POST /campaigns/{id}/scores/publish` (scores.py).
"""

from dataclasses import replace

from django.db.models import Prefetch
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from taizhang.assessment import permissions as perms
from taizhang.assessment import results_day as rd
from taizhang.assessment import selectors, services
from taizhang.assessment.models import ManualEntry, Review, Scheme
from taizhang.campaigns.permissions import access_campaign, access_project, projects_visible_to
from taizhang.checkins.models import Period
from taizhang.core.exceptions import DomainError
from taizhang.orgs.permissions import access_org, orgs_visible_to

from ..lookups import actor, pick, pick_optional
from ..schemas.assessment import (
    CandidateIn,
    CandidateOut,
    CandidateReviewIn,
    EntryFilters,
    EntryIn,
    EntryOut,
    EntryPage,
    EntryUpdateIn,
    ResultsDayDetailOut,
    ResultsDayIn,
    ResultsDayOut,
    ResultsDayPage,
    ReviewOut,
    SchemeCopyIn,
    SchemeOut,
    SchemePage,
    SchemePatchIn,
)
from ..schemas.common import Id, Page, paginate

router = Router(tags=["assessment"])


# --------------------------------------------------------------------------- schemes


def _scheme_out(scheme_id: int) -> Scheme:
    return selectors.scheme_with_items(scheme_id)


@router.get(
    "/campaigns/{campaign_id}/schemes",
    response=SchemePage,
    summary="Every version of the campaign's scoring scheme, newest first",
)
def list_schemes(request: HttpRequest, campaign_id: Id, page: Query[Page]):
    campaign = access_campaign(actor(request), campaign_id)
    return paginate(selectors.scheme_versions(campaign), page)


@router.get(
    "/schemes/{scheme_id}",
    response=SchemeOut,
    summary="One scheme version: dimensions and criteria, deductions, bonuses, vetoes, bands",
)
def get_scheme(request: HttpRequest, scheme_id: Id):
    scheme = perms.access_scheme(actor(request), scheme_id)
    return _scheme_out(scheme.pk)


@router.post(
    "/campaigns/{campaign_id}/schemes/copy",
    response={201: SchemeOut},
    summary="Copy a scheme as the campaign's new active version (the campaign owner's admins)",
)
def copy_scheme(request: HttpRequest, campaign_id: Id, payload: SchemeCopyIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    source = pick(selectors.copy_sources(user, campaign), payload.source_id, field="source_id")
    scheme = services.scheme_copy(actor=user, source=source, campaign=campaign)
    return Status(201, _scheme_out(scheme.pk))


def _spec_with(scheme: Scheme, payload: SchemePatchIn) -> services.SchemeSpec:
    """The scheme's current spec with the parts the payload sends replaced."""
    changes: dict = {}
    for key in (
        "name",
        "regular_weight",
        "final_weight",
        "rollup_rule",
        "bonus_in_total",
        "excellent_share_cap",
    ):
        value = getattr(payload, key)
        if value is not None:
            changes[key] = value
    if payload.dimensions is not None:
        changes["dimensions"] = [
            services.DimensionSpec(
                d.name,
                d.weight,
                [
                    services.CriterionSpec(c.name, c.kind, c.points, c.params.as_params())
                    for c in d.criteria
                ],
            )
            for d in payload.dimensions
        ]
    if payload.deductions is not None:
        changes["deductions"] = [
            services.DeductionSpec(d.name, d.kind, d.points_each, d.cap) for d in payload.deductions
        ]
    if payload.bonuses is not None:
        changes["bonuses"] = [services.BonusSpec(b.name, b.cap) for b in payload.bonuses]
    if payload.vetoes is not None:
        changes["vetoes"] = [services.VetoSpec(v.name, v.grade_cap) for v in payload.vetoes]
    if payload.bands is not None:
        changes["bands"] = [
            services.BandSpec(b.label, b.min_score, b.max_score) for b in payload.bands
        ]
    if payload.org_weights is not None:
        changes["org_weights"] = [
            services.OrgWeightSpec(w.org_id, w.weight) for w in payload.org_weights
        ]
    return replace(services.spec_of(scheme), **changes)


@router.patch(
    "/schemes/{scheme_id}",
    response=SchemeOut,
    summary="Edit the active scheme: weights, criteria, items, bands, roll-up rule",
    description="Send `version` as read. Each list sent replaces that list; what is not sent "
    "stays. A scheme with published results is not changed: the edit is saved as a new "
    "active version (the response is that version). Invalid weights, overlapping bands "
    "and the like answer 422 with nothing saved.",
)
def edit_scheme(request: HttpRequest, scheme_id: Id, payload: SchemePatchIn):
    user = actor(request)
    # Out of scope, or not the owner: 404, as on the web editor.
    scheme = perms.access_scheme(user, scheme_id, for_edit=True)
    saved = services.scheme_update(
        actor=user,
        scheme=scheme,
        spec=_spec_with(scheme, payload),
        expected_version=payload.version,
    )
    return _scheme_out(saved.pk)


# --------------------------------------------------------------------------- manual entries


def _entries(user):
    return selectors.entries_visible_to(user).select_related(
        "assessor", "criterion", "deduction", "bonus", "veto"
    )


@router.get(
    "/campaigns/{campaign_id}/entries",
    response=EntryPage,
    summary="Assessors' entries (scores, deductions, bonuses, vetoes) inside your scope",
)
def list_entries(
    request: HttpRequest, campaign_id: Id, filters: Query[EntryFilters], page: Query[Page]
):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    queryset = _entries(user).filter(scheme__campaign=campaign)
    if filters.period is not None:
        queryset = queryset.filter(period_id=filters.period)
    if filters.project is not None:
        queryset = queryset.filter(project=access_project(user, filters.project))
    if filters.org is not None:
        queryset = queryset.filter(org=access_org(user, filters.org))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return paginate(queryset.order_by("-created_at", "-pk"), page)


@router.post(
    "/campaigns/{campaign_id}/entries",
    response={201: EntryOut},
    summary="Enter a score, deduction, bonus or veto with its reason (an assessor of the subject)",
    description="Into the campaign's active scheme. 403 when the subject is outside the orgs "
    "you assess, 409 when the period's results are published.",
)
def create_entry(request: HttpRequest, campaign_id: Id, payload: EntryIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    scheme = selectors.active_scheme(campaign)
    if scheme is None:
        raise DomainError(_("本活动尚未设置考核方案。"), "no_scheme")
    period = pick(Period.objects.filter(campaign=campaign), payload.period_id, field="period_id")
    entry = services.entry_add(
        actor=user,
        scheme=scheme,
        period=period,
        kind=payload.kind,
        item_id=payload.item_id,
        note=payload.note,
        value=payload.value,
        project=pick_optional(
            projects_visible_to(user).filter(campaign=campaign),
            payload.project_id,
            field="project_id",
        ),
        org=pick_optional(orgs_visible_to(user), payload.org_id, field="org_id"),
    )
    return Status(201, _entries(user).get(pk=entry.pk))


@router.get("/entries/{entry_id}", response=EntryOut, summary="One assessor's entry")
def get_entry(request: HttpRequest, entry_id: Id):
    return _access_entry(actor(request), entry_id)


def _access_entry(user, entry_id: int) -> ManualEntry:
    entry = (
        _entries(user)
        .select_related("scheme", "period", "project__org", "org")
        .filter(pk=entry_id)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


@router.put(
    "/entries/{entry_id}",
    response=EntryOut,
    summary="Correct an entry's value and reason before the period is published",
)
def update_entry(request: HttpRequest, entry_id: Id, payload: EntryUpdateIn):
    user = actor(request)
    entry = services.entry_update(
        actor=user,
        entry=_access_entry(user, entry_id),
        note=payload.note,
        value=payload.value,
        expected_version=payload.version,
    )
    return _entries(user).get(pk=entry.pk)


# --------------------------------------------------------------------------- results day


def _day_detail(user, day_id: int):
    day = perms.access_results_day(user, day_id)
    day.candidates_out = list(
        perms.candidates_visible_to(user)
        .filter(results_day=day)
        .select_related("project")
        .prefetch_related(Prefetch("reviews", queryset=Review.objects.only("id", "candidate_id")))
        .order_by("rank", "project__code", "pk")
    )
    return day


@router.get(
    "/campaigns/{campaign_id}/results-days",
    response=ResultsDayPage,
    summary="The campaign's results days (成果发布)",
)
def list_results_days(request: HttpRequest, campaign_id: Id, page: Query[Page]):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    return paginate(
        perms.results_days_visible_to(user).filter(campaign=campaign).order_by("-date", "-id"),
        page,
    )


@router.post(
    "/campaigns/{campaign_id}/results-days",
    response={201: ResultsDayOut},
    summary="Organise a results day (the campaign owner's admins)",
)
def create_results_day(request: HttpRequest, campaign_id: Id, payload: ResultsDayIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    day = rd.results_day_create(
        actor=user,
        campaign=campaign,
        name=payload.name,
        date=payload.date,
        criteria=[{"name": c.name, "points": c.points} for c in payload.criteria]
        if payload.criteria is not None
        else None,
        excellent_share_cap=payload.excellent_share_cap,
        excellent_min=payload.excellent_min,
    )
    return Status(201, perms.access_results_day(user, day.pk))


@router.get(
    "/results-days/{day_id}",
    response=ResultsDayDetailOut,
    summary="A results day with its candidates (ranked and rated once published)",
)
def get_results_day(request: HttpRequest, day_id: Id):
    return _day_detail(actor(request), day_id)


@router.post(
    "/results-days/{day_id}/candidates",
    response={201: CandidateOut},
    summary="Add a candidate project (the campaign owner's admins, while open)",
)
def add_candidate(request: HttpRequest, day_id: Id, payload: CandidateIn):
    user = actor(request)
    day = perms.access_results_day(user, day_id)
    project = pick(
        projects_visible_to(user).filter(campaign_id=day.campaign_id),
        payload.project_id,
        field="project_id",
    )
    candidate = rd.candidate_add(actor=user, day=day, project=project)
    return Status(201, perms.access_candidate(user, candidate.pk))


@router.put(
    "/candidates/{candidate_id}/review",
    response=ReviewOut,
    summary="Your review of a candidate: points per criterion (replaces yours until published)",
)
def review_candidate(request: HttpRequest, candidate_id: Id, payload: CandidateReviewIn):
    user = actor(request)
    candidate = perms.access_candidate(user, candidate_id)
    review = rd.review_submit(
        actor=user,
        candidate=candidate,
        scores={name: str(value) for name, value in payload.scores.items()},
        comment=payload.comment,
    )
    # Read back: the stored figures (2 places), not the sums as computed.
    return Review.objects.select_related("reviewer").get(pk=review.pk)


@router.post(
    "/results-days/{day_id}/publish",
    response=ResultsDayDetailOut,
    summary="Publish the ranking and the awards (the campaign owner's admins)",
)
def publish_results_day(request: HttpRequest, day_id: Id):
    user = actor(request)
    rd.results_day_publish(actor=user, day=perms.access_results_day(user, day_id))
    return _day_detail(user, day_id)
