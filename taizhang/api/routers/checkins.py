"""Check-in periods, progress reports, benefit claims and inspections."""

from django.db.models import Q, prefetch_related_objects
from django.http import HttpRequest
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from taizhang.campaigns.permissions import (
    access_campaign,
    access_project,
    campaigns_visible_to,
    projects_visible_to,
)
from taizhang.checkins import services
from taizhang.checkins.models import Period, ProgressReport
from taizhang.checkins.permissions import (
    access_claim,
    access_inspection,
    access_period,
    access_report,
    claims_visible_to,
    inspections_visible_to,
    reports_visible_to,
)
from taizhang.checkins.services import MeasureProgress, RectificationInput
from taizhang.orgs.permissions import access_org, orgs_visible_to, people_visible_to

from ..idempotency import run_idempotent
from ..lookups import actor, pick, pick_optional
from ..schemas.campaigns import PeriodOut
from ..schemas.checkins import (
    ClaimFilters,
    ClaimIn,
    ClaimOut,
    ClaimPage,
    EvidenceOut,
    InspectionFilters,
    InspectionIn,
    InspectionOut,
    InspectionPage,
    PeriodFilters,
    PeriodIn,
    PeriodPage,
    RejectIn,
    ReportDetailOut,
    ReportFilters,
    ReportPage,
    ReportSaveIn,
    ReportStartIn,
    ReviewIn,
    VerifyIn,
    VersionIn,
)
from ..schemas.common import Id, Page, paginate
from .projects import IdempotencyKey

router = Router()


def _periods(user):
    return Period.objects.filter(campaign__in=campaigns_visible_to(user))


# --------------------------------------------------------------------------- periods


@router.get("/periods", response=PeriodPage, tags=["periods"], summary="Check-in periods")
def list_periods(request: HttpRequest, filters: Query[PeriodFilters], page: Query[Page]):
    user = actor(request)
    queryset = _periods(user)
    if filters.campaign is not None:
        queryset = queryset.filter(campaign=access_campaign(user, filters.campaign))
    if filters.open is not None:
        queryset = queryset.filter(is_closed=not filters.open)
    return paginate(queryset.order_by("campaign_id", "start_date", "id"), page)


@router.get("/periods/{period_id}", response=PeriodOut, tags=["periods"], summary="One period")
def get_period(request: HttpRequest, period_id: Id):
    return access_period(actor(request), period_id)


@router.post(
    "/periods",
    response={201: PeriodOut},
    tags=["periods"],
    summary="Add a custom period (org admin of the campaign)",
)
def create_period(request: HttpRequest, payload: PeriodIn):
    user = actor(request)
    period = services.period_create(
        actor=user,
        campaign=pick(campaigns_visible_to(user), payload.campaign_id, field="campaign_id"),
        name=payload.name,
        start_date=payload.start_date,
        end_date=payload.end_date,
        deadline=payload.deadline,
    )
    return Status(201, period)


@router.post(
    "/campaigns/{campaign_id}/periods/generate",
    response={201: list[PeriodOut]},
    tags=["periods"],
    summary="Create the periods the campaign's cadence implies (running it again adds nothing)",
)
def generate_periods(request: HttpRequest, campaign_id: Id):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    return Status(201, services.periods_generate(actor=user, campaign=campaign))


# --------------------------------------------------------------------------- reports


@router.get("/reports", response=ReportPage, tags=["reports"], summary="Progress reports")
def list_reports(request: HttpRequest, filters: Query[ReportFilters], page: Query[Page]):
    user = actor(request)
    queryset = reports_visible_to(user).select_related("period")
    if filters.campaign is not None:
        queryset = queryset.filter(project__campaign=access_campaign(user, filters.campaign))
    if filters.project is not None:
        queryset = queryset.filter(project=access_project(user, filters.project))
    if filters.period is not None:
        queryset = queryset.filter(period=access_period(user, filters.period))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.org is not None:
        queryset = queryset.filter(
            project__org__path__startswith=access_org(user, filters.org).path
        )
    return paginate(queryset.order_by("period__start_date", "project__code", "id"), page)


@router.get(
    "/reports/{report_id}",
    response=ReportDetailOut,
    tags=["reports"],
    summary="One report with its readings and measure updates",
)
def get_report(request: HttpRequest, report_id: Id):
    return access_report(actor(request), report_id)


@router.post(
    "/projects/{project_id}/reports",
    response={200: ReportDetailOut, 201: ReportDetailOut},
    tags=["reports"],
    summary="Open the project's report for a period (or get the one already open)",
    description="201 when the report is new, 200 when it existed. Only the lead (or a "
    "participant the lead allowed) of an approved or running project.",
)
def start_report(request: HttpRequest, project_id: Id, payload: ReportStartIn):
    user = actor(request)
    project = access_project(user, project_id)
    period = pick(_periods(user), payload.period_id, field="period_id")
    existed = ProgressReport.objects.filter(project=project, period=period).exists()
    report = services.report_start(actor=user, project=project, period=period)
    return Status(200 if existed else 201, access_report(user, report.pk))


@router.put(
    "/reports/{report_id}",
    response=ReportDetailOut,
    tags=["reports"],
    summary="Save a draft report: texts, actuals per goal, progress per measure",
)
def save_report(request: HttpRequest, report_id: Id, payload: ReportSaveIn):
    user = actor(request)
    services.report_save(
        actor=user,
        report=access_report(user, report_id),
        progress=payload.progress,
        problems=payload.problems,
        next_steps=payload.next_steps,
        actuals={item.goal_id: item.actual for item in payload.actuals},
        measures={
            item.measure_id: MeasureProgress(
                status=item.status, percent_complete=item.percent_complete, note=item.note
            )
            for item in payload.measures
        },
        expected_version=payload.version,
    )
    return access_report(user, report_id)


@router.post(
    "/reports/{report_id}/submit",
    response=ReportDetailOut,
    tags=["reports"],
    summary="Submit the report for review",
    description="Every goal needs an actual and the progress text must be filled. Send an "
    "`Idempotency-Key` header to make a retry safe.",
)
def submit_report(
    request: HttpRequest,
    report_id: Id,
    payload: VersionIn,
    idempotency_key: IdempotencyKey = None,
):
    user = actor(request)

    def submit() -> tuple[int, dict]:
        services.report_submit(
            actor=user, report=access_report(user, report_id), expected_version=payload.version
        )
        return 200, ReportDetailOut.from_orm(access_report(user, report_id)).model_dump(mode="json")

    return run_idempotent(
        user=user,
        key=idempotency_key,
        operation=f"report_submit:{report_id}",
        payload=payload.model_dump(mode="json"),
        action=submit,
    )


@router.post(
    "/reports/{report_id}/accept",
    response=ReportDetailOut,
    tags=["reports"],
    summary="Accept a submitted report (org admin)",
)
def accept_report(request: HttpRequest, report_id: Id, payload: ReviewIn):
    user = actor(request)
    services.report_accept(
        actor=user,
        report=access_report(user, report_id),
        comment=payload.comment,
        expected_version=payload.version,
    )
    return access_report(user, report_id)


@router.post(
    "/reports/{report_id}/return",
    response=ReportDetailOut,
    tags=["reports"],
    summary="Return a submitted report with a comment (org admin)",
)
def return_report(request: HttpRequest, report_id: Id, payload: ReviewIn):
    user = actor(request)
    services.report_return(
        actor=user,
        report=access_report(user, report_id),
        comment=payload.comment,
        expected_version=payload.version,
    )
    return access_report(user, report_id)


@router.post(
    "/reports/{report_id}/evidence",
    response={201: EvidenceOut},
    tags=["reports"],
    summary="Attach an evidence file to a draft report (multipart/form-data)",
)
def add_report_evidence(request: HttpRequest, report_id: Id, file: File[UploadedFile]):
    user = actor(request)
    evidence = services.evidence_add(actor=user, upload=file, report=access_report(user, report_id))
    return Status(201, evidence)


# --------------------------------------------------------------------------- claims


@router.get("/claims", response=ClaimPage, tags=["claims"], summary="Benefit claims (创效成果)")
def list_claims(request: HttpRequest, filters: Query[ClaimFilters], page: Query[Page]):
    user = actor(request)
    queryset = claims_visible_to(user).select_related("claimant", "verifier")
    if filters.campaign is not None:
        queryset = queryset.filter(project__campaign=access_campaign(user, filters.campaign))
    if filters.project is not None:
        queryset = queryset.filter(project=access_project(user, filters.project))
    if filters.period is not None:
        queryset = queryset.filter(period=access_period(user, filters.period))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.org is not None:
        queryset = queryset.filter(
            project__org__path__startswith=access_org(user, filters.org).path
        )
    return paginate(
        queryset.prefetch_related("evidence").order_by("period__start_date", "id"), page
    )


@router.get("/claims/{claim_id}", response=ClaimOut, tags=["claims"], summary="One claim")
def get_claim(request: HttpRequest, claim_id: Id):
    return access_claim(actor(request), claim_id)


@router.post(
    "/projects/{project_id}/claims",
    response={201: ClaimOut},
    tags=["claims"],
    summary="Declare a benefit (万元) for a period (创效 projects; lead or org admin)",
)
def declare_claim(request: HttpRequest, project_id: Id, payload: ClaimIn):
    user = actor(request)
    claim = services.claim_declare(
        actor=user,
        project=access_project(user, project_id),
        period=pick(_periods(user), payload.period_id, field="period_id"),
        amount=payload.amount,
        source=payload.source,
        description=payload.description,
    )
    return Status(201, access_claim(user, claim.pk))


@router.post(
    "/claims/{claim_id}/evidence",
    response={201: EvidenceOut},
    tags=["claims"],
    summary="Attach an evidence file to a declared claim (multipart/form-data)",
)
def add_claim_evidence(request: HttpRequest, claim_id: Id, file: File[UploadedFile]):
    user = actor(request)
    evidence = services.evidence_add(actor=user, upload=file, claim=access_claim(user, claim_id))
    return Status(201, evidence)


@router.post(
    "/claims/{claim_id}/verify",
    response=ClaimOut,
    tags=["claims"],
    summary="Verify (核定) a claim (a verifier other than the claimant; needs evidence)",
)
def verify_claim(request: HttpRequest, claim_id: Id, payload: VerifyIn):
    user = actor(request)
    services.claim_verify(
        actor=user,
        claim=access_claim(user, claim_id),
        verified_amount=payload.verified_amount,
        note=payload.note,
        expected_version=payload.version,
    )
    return access_claim(user, claim_id)


@router.post(
    "/claims/{claim_id}/reject",
    response=ClaimOut,
    tags=["claims"],
    summary="Reject a claim with a reason (a verifier other than the claimant)",
)
def reject_claim(request: HttpRequest, claim_id: Id, payload: RejectIn):
    user = actor(request)
    services.claim_reject(
        actor=user,
        claim=access_claim(user, claim_id),
        reason=payload.reason,
        expected_version=payload.version,
    )
    return access_claim(user, claim_id)


# --------------------------------------------------------------------------- inspections


@router.get("/inspections", response=InspectionPage, tags=["inspections"], summary="Inspections")
def list_inspections(request: HttpRequest, filters: Query[InspectionFilters], page: Query[Page]):
    user = actor(request)
    queryset = inspections_visible_to(user)
    if filters.campaign is not None:
        queryset = queryset.filter(campaign=access_campaign(user, filters.campaign))
    if filters.project is not None:
        queryset = queryset.filter(project=access_project(user, filters.project))
    if filters.org is not None:
        path = access_org(user, filters.org).path
        queryset = queryset.filter(
            Q(inspecting_org__path__startswith=path)
            | Q(project__org__path__startswith=path)
            | Q(target_org__path__startswith=path)
        )
    if filters.rating:
        queryset = queryset.filter(rating=filters.rating)
    return paginate(queryset.prefetch_related("items__owner").order_by("-date", "-id"), page)


@router.get(
    "/inspections/{inspection_id}",
    response=InspectionOut,
    tags=["inspections"],
    summary="One inspection with its rectification items",
)
def get_inspection(request: HttpRequest, inspection_id: Id):
    inspection = access_inspection(actor(request), inspection_id)
    # The items and their owners in two queries, as the list does (one per item otherwise).
    prefetch_related_objects([inspection], "items__owner")
    return inspection


@router.post(
    "/inspections",
    response={201: InspectionOut},
    tags=["inspections"],
    summary="Record an inspection of a project or a lower org (org admin of the inspecting org)",
)
def create_inspection(request: HttpRequest, payload: InspectionIn):
    user = actor(request)
    orgs = orgs_visible_to(user)
    people = people_visible_to(user)
    inspection = services.inspection_create(
        actor=user,
        campaign=pick(campaigns_visible_to(user), payload.campaign_id, field="campaign_id"),
        inspecting_org=pick(orgs, payload.inspecting_org_id, field="inspecting_org_id"),
        project=pick_optional(projects_visible_to(user), payload.project_id, field="project_id"),
        target_org=pick_optional(orgs, payload.target_org_id, field="target_org_id"),
        date=payload.date,
        inspectors=payload.inspectors,
        methods=list(payload.methods),
        findings=payload.findings,
        rating=payload.rating,
        items=[
            RectificationInput(
                description=item.description,
                owner=pick(people, item.owner_id, field="items.owner_id"),
                due_date=item.due_date,
            )
            for item in payload.items
        ],
    )
    return Status(201, access_inspection(user, inspection.pk))
