"""Reads behind the dashboards and the 分析总结 (analysis & summary).

Every figure covers one org subtree of one campaign, as far as the user may see it, and is
one aggregate query in the database (a few for the 三级联动 figures, which reuse
campaigns.selectors.linkage_figures) whatever the number of projects. A figure comes back as
plain data (`Figure`): the dashboard charts it and tables it, the Word summary tables it and
draws it as an image, so both always show the same numbers.

Each point of a figure carries the query string of the page that lists the rows behind it
(`Figure.target`: the ledger, or the period board for report-based figures), so every bar
and slice drills down to its rows.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils.translation import gettext as _

from taizhang.assessment.fixedpoint import to_points
from taizhang.assessment.models import ProjectScore, RunKind, ScoreRun
from taizhang.assessment.permissions import org_scores_visible_to
from taizhang.assessment.services import latest_published
from taizhang.campaigns.models import (
    Campaign,
    Direction,
    FocusArea,
    GoalIndicator,
    Project,
    ProjectStatus,
    ProjectType,
)
from taizhang.campaigns.permissions import projects_visible_to
from taizhang.campaigns.selectors import linkage_figures
from taizhang.checkins.models import (
    BenefitClaim,
    ClaimStatus,
    LightChoices,
    Period,
    ProgressReport,
    RectificationItem,
    RectificationStatus,
    ReportStatus,
)
from taizhang.checkins.permissions import REPORTABLE_STATUSES, inspections_visible_to
from taizhang.checkins.rules import Light
from taizhang.checkins.selectors import BoardState
from taizhang.checkins.services import local_today
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import orgs_visible_to

# Reports that count: submitted or accepted. A draft has no light yet and a returned one is
# being redone (the check-in rules read the same two statuses).
COUNTED_REPORT_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
# Projects whose goals are a commitment: approved (立项) and after, terminated ones excluded.
COMMITTED_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
BENEFIT_UNIT = "万元"
ATTAINMENT_BUCKETS = 10
# Lists in the Word summary (problems, next steps, open items) stop here, saying how many
# there were: a group-wide summary must stay a document, not a dump of 50,000 reports.
LIST_LIMIT = 50

LIGHT_COLORS = {Light.GREEN: "#1e7b34", Light.AMBER: "#d99a00", Light.RED: "#a61b1b"}
STATE_COLORS = {
    BoardState.ON_TIME: "#1e7b34",
    BoardState.LATE: "#d99a00",
    BoardState.MISSING: "#a61b1b",
    BoardState.RETURNED: "#8a5a00",
    BoardState.NOT_DUE: "#98a2b0",
}
MONEY = DecimalField(max_digits=18, decimal_places=2)
ZERO_MONEY = Value(Decimal("0"), output_field=MONEY)

FigureValue = int | Decimal | str


@dataclass(frozen=True)
class Point:
    """One number of a figure and the query string of the rows behind it."""

    value: FigureValue
    filters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Series:
    key: str
    name: str
    points: tuple[Point, ...]
    color: str = ""
    # False: a column of the figure's table only (a rank, a grade, a share), not drawn.
    chart: bool = True


@dataclass(frozen=True)
class Row:
    category: str
    cells: tuple[Point, ...]


@dataclass(frozen=True)
class Figure:
    """A chart and its table: `categories` along one axis, one value per series each."""

    key: str
    title: str
    kind: str  # "bar", "pie", "stacked" or "grouped"
    target: str  # the page a point drills down to: "ledger" or "board"
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    category_label: str = ""  # what the categories are (the table's first column heading)
    unit: str = ""
    note: str = ""

    @property
    def rows(self) -> list[Row]:
        return [
            Row(category, tuple(series.points[index] for series in self.series))
            for index, category in enumerate(self.categories)
        ]

    @property
    def is_empty(self) -> bool:
        """Nothing to draw: no categories, or every charted value is zero."""
        return not any(
            point.value
            for series in self.series
            if series.chart
            for point in series.points
            if not isinstance(point.value, str)
        )

    def as_json(self) -> dict[str, Any]:
        """What the page script draws (numbers as JSON numbers)."""
        return {
            "key": self.key,
            "title": self.title,
            "kind": self.kind,
            "target": self.target,
            "unit": self.unit,
            "category_label": self.category_label,
            "categories": list(self.categories),
            "series": [
                {
                    "key": s.key,
                    "name": s.name,
                    "color": s.color,
                    "chart": s.chart,
                    "data": [_json_number(p.value) for p in s.points],
                    "filters": [p.filters for p in s.points],
                }
                for s in self.series
            ],
        }


def _json_number(value: FigureValue) -> int | float | str:
    return float(value) if isinstance(value, Decimal) else value


# --------------------------------------------------------------------------- scope


def scope_projects(user, campaign: Campaign, org: Org) -> QuerySet[Project]:
    """The campaign's projects in `org`'s subtree that the user may see (deleted ones never)."""
    return projects_visible_to(user).filter(campaign=campaign, org__path__startswith=org.path)


def default_org(user, campaign: Campaign) -> Org | None:
    """Where a dashboard opens: the campaign's org when the user sees it, else the highest
    org inside the campaign the user was granted (a branch sees its own branch)."""
    return (
        orgs_visible_to(user)
        .filter(path__startswith=campaign.org.path)
        .order_by("depth", "path")
        .first()
    )


def periods_through(campaign: Campaign, period: Period) -> QuerySet[Period]:
    """The campaign's periods up to and including `period`: a trend as of that period."""
    return Period.objects.filter(campaign=campaign, start_date__lte=period.start_date).order_by(
        "start_date"
    )


def _org_filter(org: Org, **extra: Any) -> dict[str, str]:
    return {"org": str(org.pk), **{key: str(value) for key, value in extra.items()}}


def _light_q(prefix: str, light: str) -> Q:
    """The report's light as shown: a manual override wins over the computed one."""
    return Q(**{f"{prefix}override_light": light}) | Q(
        **{f"{prefix}override_light": "", f"{prefix}computed_light": light}
    )


def _count_subquery(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of `queryset` as a scalar subquery (it may refer to the outer row)."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def counted_reports(user, campaign: Campaign, org: Org, period: Period) -> QuerySet:
    """The period's submitted or accepted reports of the projects in scope."""
    return ProgressReport.objects.filter(
        period=period,
        status__in=COUNTED_REPORT_STATUSES,
        project__in=scope_projects(user, campaign, org),
    )


# --------------------------------------------------------------------------- the ledger


def projects_by_type(user, campaign: Campaign, org: Org) -> Figure:
    """Projects per project type (every type of the campaign, including empty ones)."""
    projects = scope_projects(user, campaign, org)
    rows = list(
        ProjectType.objects.filter(campaign=campaign)
        .annotate(n=Count("projects", filter=Q(projects__in=projects)))
        .order_by("order", "id")
        .values_list("pk", "name", "short_name", "n")
    )
    return Figure(
        key="by_type",
        category_label=_("项目类型"),
        title=_("按项目类型"),
        kind="pie",
        target="ledger",
        unit=_("个"),
        categories=tuple(short or name for _pk, name, short, _n in rows),
        series=(
            Series(
                "projects",
                _("项目数"),
                tuple(Point(n, _org_filter(org, type=pk)) for pk, _name, _short, n in rows),
            ),
        ),
    )


def projects_by_area(user, campaign: Campaign, org: Org) -> Figure:
    """Projects per focus area (中心工作), every area of the campaign."""
    projects = scope_projects(user, campaign, org)
    rows = list(
        FocusArea.objects.filter(campaign=campaign)
        .annotate(n=Count("projects", filter=Q(projects__in=projects)))
        .order_by("order", "id")
        .values_list("pk", "name", "n")
    )
    return Figure(
        key="by_area",
        category_label=_("中心工作"),
        title=_("按中心工作"),
        kind="bar",
        target="ledger",
        unit=_("个"),
        categories=tuple(name for _pk, name, _n in rows),
        series=(
            Series(
                "projects",
                _("项目数"),
                tuple(Point(n, _org_filter(org, area=pk)) for pk, _name, n in rows),
            ),
        ),
    )


def projects_by_status(user, campaign: Campaign, org: Org) -> Figure:
    """Projects per lifecycle status, in lifecycle order (every status, zero or not)."""
    counts = dict(
        scope_projects(user, campaign, org)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return Figure(
        key="by_status",
        category_label=_("项目状态"),
        title=_("按项目状态"),
        kind="bar",
        target="ledger",
        unit=_("个"),
        categories=tuple(str(label) for _value, label in ProjectStatus.choices),
        series=(
            Series(
                "projects",
                _("项目数"),
                tuple(
                    Point(counts.get(value, 0), _org_filter(org, status=value))
                    for value, _label in ProjectStatus.choices
                ),
            ),
        ),
    )


# --------------------------------------------------------------------------- check-ins


def lights_by_period(user, campaign: Campaign, org: Org, period: Period) -> Figure:
    """Green/amber/red per period up to `period`, from the submitted reports' lights (an
    override counts instead of the computed light)."""
    projects = scope_projects(user, campaign, org)
    counted = Q(
        reports__deleted_at__isnull=True,
        reports__status__in=COUNTED_REPORT_STATUSES,
        reports__project__in=projects,
    )
    lights = (Light.GREEN, Light.AMBER, Light.RED)
    rows = list(
        periods_through(campaign, period)
        .annotate(
            **{
                light: Count("reports", filter=counted & _light_q("reports__", light))
                for light in lights
            }
        )
        .values("pk", "name", *lights)
    )
    labels = dict(LightChoices.choices)
    return Figure(
        key="lights",
        category_label=_("检查周期"),
        title=_("红黄绿灯（按周期）"),
        kind="stacked",
        target="board",
        unit=_("个"),
        categories=tuple(row["name"] for row in rows),
        series=tuple(
            Series(
                light,
                str(labels[light]),
                tuple(
                    Point(row[light], _org_filter(org, period=row["pk"], light=light))
                    for row in rows
                ),
                color=LIGHT_COLORS[light],
            )
            for light in lights
        ),
    )


def _bucket_label(index: int) -> str:
    return f"{index * 10}–{(index + 1) * 10}%"


def _bucket_filter(index: int) -> str:
    """The period board's `attainment` filter for a bucket, in percent, from inclusive to
    exclusive; the last bucket has no upper end (as in attainment_distribution)."""
    width = 100 // ATTAINMENT_BUCKETS
    high = "" if index == ATTAINMENT_BUCKETS - 1 else str((index + 1) * width)
    return f"{index * width}-{high}"


def attainment_distribution(user, campaign: Campaign, org: Org, period: Period) -> Figure:
    """Projects by goal attainment in the period's reports, in 10-point buckets (the last
    one includes 100 %); reports without indicator readings form their own bucket."""
    step = Decimal(1) / ATTAINMENT_BUCKETS
    buckets = {}
    for index in range(ATTAINMENT_BUCKETS):
        low = Q(attainment__gte=step * index)
        high = Q(attainment__lt=step * (index + 1)) if index < ATTAINMENT_BUCKETS - 1 else Q()
        buckets[f"b{index}"] = Count("pk", filter=low & high)
    buckets["none"] = Count("pk", filter=Q(attainment__isnull=True))
    counts = counted_reports(user, campaign, org, period).aggregate(**buckets)
    categories = [_bucket_label(index) for index in range(ATTAINMENT_BUCKETS)]
    values = [counts[f"b{index}"] for index in range(ATTAINMENT_BUCKETS)]
    drills = [
        _org_filter(org, period=period.pk, attainment=_bucket_filter(index))
        for index in range(ATTAINMENT_BUCKETS)
    ]
    if counts["none"]:
        categories.append(_("无指标"))
        values.append(counts["none"])
        drills.append(_org_filter(org, period=period.pk, attainment="none"))
    return Figure(
        key="attainment",
        category_label=_("目标达成度"),
        title=_("目标达成度分布（%(period)s）") % {"period": period.name},
        kind="bar",
        target="board",
        unit=_("个"),
        categories=tuple(categories),
        series=(
            Series(
                "projects",
                _("项目数"),
                tuple(Point(v, d) for v, d in zip(values, drills, strict=True)),
            ),
        ),
    )


BOARD_STATE_LABELS = {
    BoardState.ON_TIME: _("按时报送"),
    BoardState.LATE: _("逾期报送"),
    BoardState.MISSING: _("逾期未报"),
    BoardState.RETURNED: _("已退回"),
    BoardState.NOT_DUE: _("未到截止日"),
}


def timeliness_by_period(
    user, campaign: Campaign, org: Org, period: Period, today: dt.date | None = None
) -> Figure:
    """Per period up to `period`: reports on time, late, missing (and returned or not yet
    due), counted as the period board counts them — a project in progress owes a report
    for every period that ends after it started."""
    today = today or local_today()
    projects = scope_projects(user, campaign, org)
    owed = projects.filter(status__in=REPORTABLE_STATUSES, start_date__lte=OuterRef("end_date"))
    reports = ProgressReport.objects.filter(
        period=OuterRef("pk"),
        project__in=projects.filter(status__in=REPORTABLE_STATUSES),
        project__start_date__lte=OuterRef("end_date"),
    )
    rows = list(
        periods_through(campaign, period)
        .annotate(
            owed=_count_subquery(owed),
            on_time=_count_subquery(
                reports.filter(status__in=COUNTED_REPORT_STATUSES, is_late=False)
            ),
            late=_count_subquery(reports.filter(status__in=COUNTED_REPORT_STATUSES, is_late=True)),
            returned=_count_subquery(reports.filter(status=ReportStatus.RETURNED)),
        )
        .values("pk", "name", "deadline", "owed", "on_time", "late", "returned")
    )
    for row in rows:
        unsubmitted = row["owed"] - row["on_time"] - row["late"] - row["returned"]
        past_deadline = row["deadline"] < today
        row[BoardState.MISSING] = unsubmitted if past_deadline else 0
        row[BoardState.NOT_DUE] = 0 if past_deadline else unsubmitted
    states = (
        BoardState.ON_TIME,
        BoardState.LATE,
        BoardState.MISSING,
        BoardState.RETURNED,
        BoardState.NOT_DUE,
    )
    return Figure(
        key="timeliness",
        category_label=_("检查周期"),
        title=_("报告及时性（按周期）"),
        kind="stacked",
        target="board",
        unit=_("个"),
        categories=tuple(row["name"] for row in rows),
        series=tuple(
            Series(
                state,
                str(BOARD_STATE_LABELS[state]),
                tuple(
                    Point(row[state], _org_filter(org, period=row["pk"], state=state))
                    for row in rows
                ),
                color=STATE_COLORS[state],
            )
            for state in states
        ),
    )


def _branch_key(org: Org):
    """The path of the child of `org` a project's org sits under (or `org`'s own path)."""
    return Substr("org__path", 1, len(org.path) + Org.steplen)


def benefit_by_branch(user, campaign: Campaign, org: Org, period: Period) -> Figure:
    """Verified benefit (万元, verified claims of periods up to `period`) against the target
    (each committed project's largest 万元 goal, as the assessment reads it), per org one
    level below `org`; projects `org` runs itself form a row of their own."""
    verified = (
        BenefitClaim.objects.filter(
            project=OuterRef("pk"),
            status=ClaimStatus.VERIFIED,
            period__end_date__lte=period.end_date,
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("verified_amount"))
        .values("total")
    )
    target = (
        GoalIndicator.objects.filter(
            project=OuterRef("pk"), unit__contains=BENEFIT_UNIT, direction=Direction.HIGHER
        )
        .order_by()
        .values("project")
        .annotate(top=Max("target"))
        .values("top")
    )
    branch_orgs = Org.objects.filter(path=OuterRef("branch"))
    rows = list(
        scope_projects(user, campaign, org)
        .filter(status__in=COMMITTED_STATUSES)
        .annotate(
            branch=_branch_key(org),
            v=Coalesce(Subquery(verified, output_field=MONEY), ZERO_MONEY),
            t=Coalesce(Subquery(target, output_field=MONEY), ZERO_MONEY),
        )
        .order_by()
        .values("branch")
        .annotate(
            verified=Sum("v", output_field=MONEY),
            target=Sum("t", output_field=MONEY),
            branch_id=Subquery(branch_orgs.values("pk")[:1]),
            branch_name=Subquery(branch_orgs.values("name")[:1]),
            branch_short=Subquery(branch_orgs.values("short_name")[:1]),
        )
        .order_by("branch")
    )
    rows = [row for row in rows if row["verified"] or row["target"]]

    def label(row: dict) -> str:
        name = row["branch_short"] or row["branch_name"]
        return _("%(org)s（本级）") % {"org": name} if row["branch"] == org.path else name

    return Figure(
        key="benefit",
        category_label=_("组织"),
        title=_("核定效益与目标（万元）"),
        kind="grouped",
        target="ledger",
        unit=_("万元"),
        categories=tuple(label(row) for row in rows),
        series=(
            Series(
                "target",
                _("目标"),
                tuple(
                    Point(_money(row["target"]), _org_filter_id(row["branch_id"])) for row in rows
                ),
                color="#98a2b0",
            ),
            Series(
                "verified",
                _("已核定"),
                tuple(
                    Point(_money(row["verified"]), _org_filter_id(row["branch_id"])) for row in rows
                ),
                color="#b31b1b",
            ),
        ),
        note=_("截至%(period)s，已核定的创效成果；目标取各已立项项目以万元计的最大目标值。")
        % {"period": period.name},
    )


def _money(value: Decimal | None) -> Decimal:
    return (value or Decimal(0)).quantize(Decimal("0.01"))


def _org_filter_id(org_id: int) -> dict[str, str]:
    return {"org": str(org_id)}


# --------------------------------------------------------------------------- 三级联动


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def participation(user, campaign: Campaign, org: Org) -> Figure:
    """三级联动: members in scope and how many lead, participants and how many are
    non-members, 1+N pairs (members pairing, colleagues covered)."""
    f = linkage_figures(user, campaign, org)
    drill = _org_filter(org)
    values = [
        (_("党员人数"), f.members_in_scope, ""),
        (_("牵头党员"), f.members_leading, _share(f.members_leading, f.members_in_scope)),
        (_("参与人员"), f.participants, ""),
        (
            _("其中群众"),
            f.non_member_participants,
            _share(f.non_member_participants, f.participants),
        ),
        (_("结对党员"), f.members_paired, _share(f.members_paired, f.members_in_scope)),
        (
            _("结对群众"),
            f.colleagues_covered,
            _("每名党员 %(n)s 人") % {"n": f"{f.colleagues_per_paired_member:.1f}"}
            if f.members_paired
            else "—",
        ),
    ]
    return Figure(
        key="participation",
        category_label=_("指标"),
        title=_("三级联动（党员带头、群众参与、1+N 结对）"),
        kind="bar",
        target="ledger",
        unit=_("人"),
        categories=tuple(label for label, _n, _s in values),
        series=(
            Series("people", _("人数"), tuple(Point(n, drill) for _l, n, _s in values)),
            Series("share", _("比例"), tuple(Point(s) for _l, _n, s in values), chart=False),
        ),
        note=_("党员牵头项目 %(led)s 个，占项目总数 %(share)s。")
        % {
            "led": f.projects_led_by_members,
            "share": _share(f.projects_led_by_members, f.projects),
        },
    )


# --------------------------------------------------------------------------- assessment


def score_run_for(campaign: Campaign, period: Period) -> ScoreRun | None:
    """The results a period's comparison shows: the latest published version, else the
    active scheme's draft (None when the period has not been scored)."""
    published = latest_published(campaign, period)
    if published is not None:
        return published
    return (
        ScoreRun.objects.filter(
            scheme__campaign=campaign,
            scheme__is_active=True,
            scheme__deleted_at__isnull=True,
            period=period,
            kind=RunKind.DRAFT,
        )
        .order_by("-created_at")
        .first()
    )


def _run_note(run: ScoreRun | None) -> str:
    if run is None:
        return _("本周期尚无考核结果。")
    if run.kind == RunKind.PUBLISHED:
        return _("已发布的考核结果（第 %(version)s 版）。") % {"version": run.version}
    return _("考核结果草稿，尚未发布。")


def branch_scores(user, campaign: Campaign, org: Org, period: Period) -> Figure:
    """Score and rank (among siblings) of each org one level below `org` in the period's
    results; for an org without scored children, its own line."""
    run = score_run_for(campaign, period)
    rows: list[dict] = []
    if run is not None:
        found = list(
            org_scores_visible_to(user, run)
            .filter(
                Q(org_path__startswith=org.path, depth=org.depth + 1) | Q(org_id=org.pk),
            )
            .order_by("rank", "org_path")
            .values(
                "org_id",
                "org__name",
                "org__short_name",
                "depth",
                "score_micro",
                "rank",
                "grade",
                "project_count",
            )
        )
        children = [row for row in found if row["depth"] == org.depth + 1]
        rows = children or [row for row in found if row["org_id"] == org.pk]
    drills = [_org_filter_id(row["org_id"]) for row in rows]
    return Figure(
        key="scores",
        category_label=_("组织"),
        title=_("考核得分与排名"),
        kind="bar",
        target="ledger",
        unit=_("分"),
        categories=tuple(row["org__short_name"] or row["org__name"] for row in rows),
        series=(
            Series(
                "score",
                _("得分"),
                tuple(
                    Point(to_points(row["score_micro"]), d)
                    for row, d in zip(rows, drills, strict=True)
                ),
                color="#b31b1b",
            ),
            Series(
                "rank", _("排名"), tuple(Point(row["rank"] or "—") for row in rows), chart=False
            ),
            Series(
                "grade", _("等次"), tuple(Point(row["grade"] or "—") for row in rows), chart=False
            ),
            Series(
                "projects",
                _("项目数"),
                tuple(Point(row["project_count"]) for row in rows),
                chart=False,
            ),
        ),
        note=_run_note(run),
    )


# --------------------------------------------------------------------------- the page


def dashboard_figures(
    user, campaign: Campaign, org: Org, period: Period | None, today: dt.date | None = None
) -> list[Figure]:
    """Every figure of the dashboard, in page order (period figures only with a period)."""
    figures = [
        projects_by_type(user, campaign, org),
        projects_by_area(user, campaign, org),
        projects_by_status(user, campaign, org),
    ]
    if period is not None:
        figures += [
            lights_by_period(user, campaign, org, period),
            attainment_distribution(user, campaign, org, period),
            timeliness_by_period(user, campaign, org, period, today=today),
            benefit_by_branch(user, campaign, org, period),
        ]
    figures.append(participation(user, campaign, org))
    if period is not None:
        figures.append(branch_scores(user, campaign, org, period))
    return figures


# --------------------------------------------------------------------------- the summary


@dataclass(frozen=True)
class Overview:
    projects: int
    committed: int
    completed: int
    reports: int
    reports_late: int
    green: int
    amber: int
    red: int
    declared: Decimal
    verified: Decimal


def overview(user, campaign: Campaign, org: Org, period: Period) -> Overview:
    """The headline numbers of a period (three aggregate queries)."""
    projects = scope_projects(user, campaign, org)
    project_counts = projects.aggregate(
        total=Count("pk"),
        committed=Count("pk", filter=Q(status__in=COMMITTED_STATUSES)),
        completed=Count("pk", filter=Q(status=ProjectStatus.COMPLETED)),
    )
    report_counts = counted_reports(user, campaign, org, period).aggregate(
        total=Count("pk"),
        late=Count("pk", filter=Q(is_late=True)),
        **{light: Count("pk", filter=_light_q("", light)) for light in LIGHT_COLORS},
    )
    claims = BenefitClaim.objects.filter(
        project__in=projects, period__end_date__lte=period.end_date
    ).aggregate(
        declared=Coalesce(Sum("amount", filter=~Q(status=ClaimStatus.REJECTED)), ZERO_MONEY),
        verified=Coalesce(
            Sum("verified_amount", filter=Q(status=ClaimStatus.VERIFIED)), ZERO_MONEY
        ),
    )
    return Overview(
        projects=project_counts["total"],
        committed=project_counts["committed"],
        completed=project_counts["completed"],
        reports=report_counts["total"],
        reports_late=report_counts["late"],
        green=report_counts[Light.GREEN],
        amber=report_counts[Light.AMBER],
        red=report_counts[Light.RED],
        # SQLite sums decimals as floats: round to the cent the amounts are kept in.
        declared=_money(claims["declared"]),
        verified=_money(claims["verified"]),
    )


def has_reports(user, campaign: Campaign, org: Org, period: Period) -> bool:
    """Whether the period has any submitted report in scope (a summary needs one)."""
    return counted_reports(user, campaign, org, period).exists()


@dataclass(frozen=True)
class ProjectLine:
    """One project as the summary quotes it, with its report for the period."""

    project_id: int
    code: str
    title: str
    org: str
    lead: str
    light: str
    attainment: Decimal | None
    verified: Decimal
    score: Decimal | None
    progress: str
    problems: str
    next_steps: str

    @property
    def light_label(self) -> str:
        return str(LightChoices(self.light).label) if self.light else ""


def _effective_light() -> Case:
    return Case(
        When(override_light="", then=F("computed_light")),
        default=F("override_light"),
        output_field=CharField(),
    )


def _project_lines(reports: QuerySet, period: Period, run: ScoreRun | None) -> list[ProjectLine]:
    """`reports` (already filtered and ordered) as summary lines, with each project's
    verified benefit up to the period and its score in `run` — one query."""
    verified = (
        BenefitClaim.objects.filter(
            project=OuterRef("project_id"),
            status=ClaimStatus.VERIFIED,
            period__end_date__lte=period.end_date,
        )
        .order_by()
        .values("project")
        .annotate(total=Sum("verified_amount"))
        .values("total")
    )
    score = ProjectScore.objects.filter(run=run, project=OuterRef("project_id")).values(
        "total_micro"
    )[:1]
    rows = reports.annotate(
        shown_light=_effective_light(),
        verified=Subquery(verified, output_field=MONEY),
        score_micro=Subquery(score, output_field=BigIntegerField()),
    ).values(
        "project_id",
        "project__code",
        "project__title",
        "project__org__name",
        "project__org__short_name",
        "project__lead__name",
        "shown_light",
        "attainment",
        "verified",
        "score_micro",
        "progress",
        "problems",
        "next_steps",
    )
    return [
        ProjectLine(
            project_id=row["project_id"],
            code=row["project__code"],
            title=row["project__title"],
            org=row["project__org__short_name"] or row["project__org__name"],
            lead=row["project__lead__name"],
            light=row["shown_light"] or "",
            attainment=row["attainment"],
            verified=_money(row["verified"]),
            score=to_points(row["score_micro"]) if row["score_micro"] is not None else None,
            progress=row["progress"],
            problems=row["problems"],
            next_steps=row["next_steps"],
        )
        for row in rows
    ]


def top_projects(
    user, campaign: Campaign, org: Org, period: Period, *, limit: int = 5
) -> list[ProjectLine]:
    """亮点: the projects with the highest goal attainment in the period's reports (ties:
    more verified benefit, then code), with their numbers."""
    run = score_run_for(campaign, period)
    reports = (
        counted_reports(user, campaign, org, period)
        .filter(attainment__isnull=False)
        .order_by("-attainment", "project__code")
    )
    return _project_lines(reports[:limit], period, run)


def problem_projects(
    user, campaign: Campaign, org: Org, period: Period, *, limit: int = LIST_LIMIT
) -> tuple[list[ProjectLine], int]:
    """存在问题: red, then amber projects of the period with what their reports say, and
    how many there are in all (the list stops at `limit`)."""
    reports = (
        counted_reports(user, campaign, org, period)
        .filter(_light_q("", Light.RED) | _light_q("", Light.AMBER))
        .annotate(
            severity=Case(
                When(_light_q("", Light.RED), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("severity", "project__code")
    )
    return _project_lines(reports[:limit], period, None), reports.count()


def next_steps(
    user, campaign: Campaign, org: Org, period: Period, *, limit: int = LIST_LIMIT
) -> tuple[list[ProjectLine], int]:
    """下步计划 of the period's reports that wrote one, by project code (and how many)."""
    reports = (
        counted_reports(user, campaign, org, period)
        .exclude(next_steps="")
        .order_by("project__code")
    )
    return _project_lines(reports[:limit], period, None), reports.count()


@dataclass(frozen=True)
class RectificationLine:
    description: str
    subject: str
    owner: str
    due_date: dt.date
    overdue: bool


@dataclass(frozen=True)
class RectificationSummary:
    inspections: int
    items: int
    closed: int
    open: int
    overdue: int
    open_items: list[RectificationLine]

    @property
    def closed_share(self) -> str:
        return _share(self.closed, self.items)


def rectification_summary(
    user,
    campaign: Campaign,
    org: Org,
    period: Period,
    *,
    today: dt.date | None = None,
    limit: int = LIST_LIMIT,
) -> RectificationSummary:
    """整改落实: items of the inspections (up to the period's end) of projects or orgs in
    `org`'s subtree, closed and open today, and the open ones (two queries)."""
    today = today or local_today()
    inspections = inspections_visible_to(user).filter(
        Q(project__org__path__startswith=org.path) | Q(target_org__path__startswith=org.path),
        campaign=campaign,
        date__lte=period.end_date,
    )
    items = RectificationItem.objects.filter(inspection__in=inspections)
    counts = items.aggregate(
        inspections=Count("inspection", distinct=True),
        items=Count("pk"),
        closed=Count("pk", filter=Q(status=RectificationStatus.CLOSED)),
        open=Count("pk", filter=Q(status=RectificationStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=RectificationStatus.OPEN, due_date__lt=today)),
    )
    open_rows = (
        items.filter(status=RectificationStatus.OPEN)
        .order_by("due_date", "pk")
        .values(
            "description",
            "due_date",
            "owner__name",
            "inspection__project__code",
            "inspection__project__title",
            "inspection__target_org__name",
        )[:limit]
    )
    return RectificationSummary(
        inspections=counts["inspections"],
        items=counts["items"],
        closed=counts["closed"],
        open=counts["open"],
        overdue=counts["overdue"],
        open_items=[
            RectificationLine(
                description=row["description"],
                subject=(
                    f"{row['inspection__project__code']} {row['inspection__project__title']}"
                    if row["inspection__project__code"]
                    else row["inspection__target_org__name"] or ""
                ),
                owner=row["owner__name"],
                due_date=row["due_date"],
                overdue=row["due_date"] < today,
            )
            for row in open_rows
        ],
    )
