"""Reads for check-ins: the period board, the 督办 board and benefit totals."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.permissions import projects_visible_to
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import org_scope_q

from .models import BenefitClaim, ClaimStatus, Period, ProgressReport, ReportStatus, Supervision
from .permissions import REPORTABLE_STATUSES
from .services import local_today


class BoardState:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    RETURNED = "returned"
    NOT_DUE = "not_due"


def period_board(user, period: Period, org: Org | None = None) -> QuerySet[Project]:
    """Every project that owes a report for `period`, annotated with its report's state.

    One query whatever the number of projects: the report is joined as subqueries.
    """
    report = ProgressReport.objects.filter(project=OuterRef("pk"), period=period)
    # Before the deadline an unsubmitted report is simply not due yet; after it, missing.
    unsubmitted = BoardState.MISSING if period.deadline < local_today() else BoardState.NOT_DUE
    queryset = (
        projects_visible_to(user)
        .filter(
            campaign_id=period.campaign_id,
            status__in=REPORTABLE_STATUSES,
            start_date__lte=period.end_date,
        )
        .select_related("org", "lead")
        .annotate(
            report_id=Subquery(report.values("pk")[:1]),
            report_status=Subquery(report.values("status")[:1]),
            report_late=Subquery(report.values("is_late")[:1]),
            report_light=Subquery(report.values("computed_light")[:1]),
            report_override=Subquery(report.values("override_light")[:1]),
        )
        .annotate(
            board_state=Case(
                When(report_status=ReportStatus.RETURNED, then=Value(BoardState.RETURNED)),
                When(
                    report_status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
                    report_late=True,
                    then=Value(BoardState.LATE),
                ),
                When(
                    report_status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
                    then=Value(BoardState.ON_TIME),
                ),
                When(report_status=ReportStatus.DRAFT, then=Value(unsubmitted)),
                default=Value(unsubmitted),
                output_field=CharField(),
            )
        )
        .order_by("org__path", "code")
    )
    if org is not None:
        queryset = queryset.filter(org__path__startswith=org.path)
    return queryset


def board_counts(board: QuerySet[Project]) -> dict[str, int]:
    return dict(board.order_by().values_list("board_state").annotate(n=Count("pk")))


def supervision_board(user, campaign: Campaign | None = None) -> QuerySet[Supervision]:
    """Open 督办 items the user can see, for projects that are still running."""
    queryset = Supervision.objects.filter(
        org_scope_q(user, field="project__org__path"),
        closed_at__isnull=True,
        project__deleted_at__isnull=True,
        project__status__in=REPORTABLE_STATUSES,
    ).select_related("project", "project__org", "owner", "org")
    if campaign is not None:
        queryset = queryset.filter(project__campaign=campaign)
    return queryset.order_by("deadline", "id")


@dataclass(frozen=True)
class BenefitTotals:
    declared: Decimal
    verified: Decimal
    pending: int


def benefit_totals(
    user, campaign: Campaign, org: Org | None = None, project: Project | None = None
) -> BenefitTotals:
    """Declared and verified 万元 over the user's visible part of a campaign (one query)."""
    claims = BenefitClaim.objects.filter(
        org_scope_q(user, field="project__org__path"), project__campaign=campaign
    )
    if org is not None:
        claims = claims.filter(project__org__path__startswith=org.path)
    if project is not None:
        claims = claims.filter(project=project)
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
    totals = claims.aggregate(
        declared=Coalesce(Sum("amount", filter=~Q(status=ClaimStatus.REJECTED)), zero),
        verified=Coalesce(Sum("verified_amount", filter=Q(status=ClaimStatus.VERIFIED)), zero),
        pending=Count("pk", filter=Q(status=ClaimStatus.DECLARED)),
    )
    return BenefitTotals(
        declared=totals["declared"], verified=totals["verified"], pending=totals["pending"]
    )
