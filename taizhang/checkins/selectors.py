"""Reads for check-ins: the period board, the 督办 board and benefit totals."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign, GoalIndicator, Project
from taizhang.campaigns.permissions import projects_visible_to
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import ADMIN_ROLES, org_scope_q, visible_org_paths

from . import rules
from .models import (
    BenefitClaim,
    ClaimStatus,
    Notification,
    Period,
    ProgressReport,
    ReportStatus,
    Supervision,
)
from .permissions import REPORTABLE_STATUSES
from .services import local_today


class BoardState:
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"
    RETURNED = "returned"
    NOT_DUE = "not_due"


@dataclass(frozen=True)
class ReportFilter:
    """Narrows a board to the projects whose submitted or accepted report for the period
    shows a light, or an attainment in [`attainment_min`, `attainment_max`) (fractions;
    None: unbounded), or no attainment at all (`no_attainment`: no indicator readings).
    These are the reports the dashboard's light and attainment figures count."""

    light: str = ""
    attainment_min: Decimal | None = None
    attainment_max: Decimal | None = None
    no_attainment: bool = False

    @property
    def by_attainment(self) -> bool:
        return (
            self.no_attainment or self.attainment_min is not None or self.attainment_max is not None
        )

    def __bool__(self) -> bool:
        return bool(self.light) or self.by_attainment

    def reports(self, period: Period) -> QuerySet[ProgressReport]:
        reports = ProgressReport.objects.filter(
            period=period, status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED]
        )
        if self.light:
            # The light as shown: a manual override wins over the computed one.
            reports = reports.filter(
                Q(override_light=self.light) | Q(override_light="", computed_light=self.light)
            )
        if self.no_attainment:
            reports = reports.filter(attainment__isnull=True)
        if self.attainment_min is not None:
            reports = reports.filter(attainment__gte=self.attainment_min)
        if self.attainment_max is not None:
            reports = reports.filter(attainment__lt=self.attainment_max)
        return reports


def period_board(
    user, period: Period, org: Org | None = None, report_filter: ReportFilter | None = None
) -> QuerySet[Project]:
    """Every project that owes a report for `period`, annotated with its report's state.

    With a `report_filter`, the projects whose counted report matches it instead, whatever
    their status now: a project completed since still had that report, and the dashboard
    figure the filter comes from counts it.

    One query whatever the number of projects: the report is joined as subqueries.
    """
    report = ProgressReport.objects.filter(project=OuterRef("pk"), period=period)
    # Before the deadline an unsubmitted report is simply not due yet; after it, missing.
    unsubmitted = BoardState.MISSING if period.deadline < local_today() else BoardState.NOT_DUE
    if report_filter:
        owing = Q(pk__in=report_filter.reports(period).values("project_id"))
    else:
        owing = Q(status__in=REPORTABLE_STATUSES, start_date__lte=period.end_date)
    queryset = (
        projects_visible_to(user)
        .filter(owing, campaign_id=period.campaign_id)
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


def default_board_period(campaign: Campaign, today: dt.date | None = None) -> Period | None:
    """The period a board opens on: the latest whose deadline has passed (the one whose
    reports should all be in), else the first one."""
    today = today or local_today()
    periods = campaign.periods.order_by("start_date")
    return periods.filter(deadline__lt=today).last() or periods.first()


@dataclass(frozen=True)
class PeriodReport:
    period: Period
    report: ProgressReport | None


def project_period_reports(project: Project) -> list[PeriodReport]:
    """Each period of the project's campaign with the project's report for it, if any
    (two queries whatever the number of periods)."""
    reports = {r.period_id: r for r in project.reports.all()}
    return [
        PeriodReport(period=period, report=reports.get(period.pk))
        for period in project.campaign.periods.order_by("start_date")
    ]


@dataclass(frozen=True)
class GoalRow:
    goal: GoalIndicator
    actual: Decimal | None
    attainment: Decimal | None


def report_goal_rows(report: ProgressReport) -> list[GoalRow]:
    """Every goal of the report's project with the actual reported and its attainment."""
    readings = {r.goal_id: r.actual for r in report.readings.all()}
    rows = []
    for goal in report.project.goals.all():
        actual = readings.get(goal.pk)
        share = (
            rules.attainment(baseline=goal.baseline, target=goal.target, actual=actual)
            if actual is not None
            else None
        )
        rows.append(GoalRow(goal=goal, actual=actual, attainment=share))
    return rows


def supervision_board(user, campaign: Campaign | None = None) -> QuerySet[Supervision]:
    """Open 督办 items the user can see, for projects that are still running."""
    queryset = Supervision.objects.filter(
        org_scope_q(user, field="project__org__path"),
        closed_at__isnull=True,
        project__deleted_at__isnull=True,
        project__status__in=REPORTABLE_STATUSES,
    ).select_related(
        "project", "project__org", "project__campaign", "owner", "org", "opened_by_report__period"
    )
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


# Fields whose change makes a new version in a report's history; saving a draft does not.
VERSION_FIELDS = ("status", "revision", "override_light", "override_reason")

VERSION_EVENTS = {
    "opened": _("开始填写"),
    ReportStatus.DRAFT.value: _("修改"),
    ReportStatus.SUBMITTED.value: _("提交"),
    ReportStatus.RETURNED.value: _("退回"),
    ReportStatus.ACCEPTED.value: _("审核通过"),
    "override": _("调整灯号"),
    "override_cleared": _("取消灯号调整"),
}


def _version_kind(record: Any, previous: Any) -> str:
    if previous is None:
        return "opened"
    if record.status != previous.status or record.revision != previous.revision:
        return record.status
    return "override" if record.override_light else "override_cleared"


def report_versions(report: ProgressReport) -> list[Any]:
    """The report's history as its reader needs it: the opening, every submission, return,
    acceptance and light override, newest first, each with who and when (`kind` and `event`
    say what happened). Each record keeps the texts as they stood, so every submitted
    version stays readable; saving a draft in between is not a version."""
    records = report.history.select_related("history_user").order_by("history_date", "history_id")
    versions = []
    previous = None
    for record in records:
        if previous is None or any(
            getattr(record, name) != getattr(previous, name) for name in VERSION_FIELDS
        ):
            record.kind = _version_kind(record, previous)
            record.event = VERSION_EVENTS[record.kind]
            versions.append(record)
        previous = record
    versions.reverse()
    return versions


@dataclass(frozen=True)
class BenefitRow:
    key: int
    label: str
    declared: Decimal
    verified: Decimal
    pending: int


BENEFIT_GROUPS = {
    "project": ("project_id", ("project__code", "project__title")),
    "org": ("project__org_id", ("project__org__name", "project__org__short_name")),
}


def benefit_breakdown(
    user, campaign: Campaign, *, by: str, org: Org | None = None, limit: int | None = None
) -> list[BenefitRow]:
    """Declared and verified 万元 per project or per responsible org (one grouped query).

    `org` narrows to that org's subtree; rows are per the project's own org, so a company's
    row holds only the projects it runs itself (its subtree total is `benefit_totals`).
    """
    key, names = BENEFIT_GROUPS[by]
    claims = BenefitClaim.objects.filter(
        org_scope_q(user, field="project__org__path"), project__campaign=campaign
    )
    if org is not None:
        claims = claims.filter(project__org__path__startswith=org.path)
    zero = Value(Decimal("0"), output_field=DecimalField(max_digits=14, decimal_places=2))
    rows = (
        claims.order_by()
        .values(key, *names)
        .annotate(
            declared=Coalesce(Sum("amount", filter=~Q(status=ClaimStatus.REJECTED)), zero),
            verified=Coalesce(Sum("verified_amount", filter=Q(status=ClaimStatus.VERIFIED)), zero),
            pending=Count("pk", filter=Q(status=ClaimStatus.DECLARED)),
        )
        .order_by(*names)
    )
    if limit is not None:
        rows = rows[:limit]
    result = []
    for row in rows:
        if by == "project":
            label = f"{row['project__code']} {row['project__title']}"
        else:
            label = row["project__org__short_name"] or row["project__org__name"]
        result.append(
            BenefitRow(
                key=row[key],
                label=label,
                declared=row["declared"],
                verified=row["verified"],
                pending=row["pending"],
            )
        )
    return result


def inspecting_orgs_for(user, subject: Org) -> QuerySet[Org]:
    """Orgs from which the user may inspect `subject`: the subject itself or an ancestor,
    where the user is org admin (what `permissions.can_inspect` allows), nearest first."""
    return Org.objects.filter(
        org_scope_q(user, field="path", roles=ADMIN_ROLES), path__in=subject.ancestor_paths
    ).order_by("-depth")


def admin_grant_orgs(user) -> QuerySet[Org]:
    """The orgs the user was made org admin of (the top of each subtree they manage); the
    system admin gets the roots. Where the inbox offers group-robot settings."""
    paths = visible_org_paths(user, ADMIN_ROLES)
    if paths is None:
        return Org.objects.get_root_nodes()
    return Org.objects.filter(path__in=paths).order_by("path")


def inbox(user) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    return Notification.objects.filter(user=user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-id"
    )


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
