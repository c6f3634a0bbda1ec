"""Computes a scheme's scores for one period: per project from the ledger, then per org.

The ledger is read with one aggregate query per source (readings, measure updates,
inspections, participants, pairings, claims, rectifications, manual entries), whatever the
number of projects; the integers those queries return are combined per project here and
the org roll-up is summed per org (see fixedpoint.py for why integers).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import (
    Direction,
    GoalIndicator,
    Measure,
    Pairing,
    Participant,
    Project,
    ProjectStatus,
)
from taizhang.checkins.models import (
    BenefitClaim,
    ClaimStatus,
    IndicatorReading,
    Inspection,
    MeasureUpdate,
    Period,
    ProgressReport,
    RectificationItem,
    RectificationStatus,
    ReportStatus,
)
from taizhang.orgs.models import PARTY_MEMBER_STATUSES, Org

from .fixedpoint import (
    ONE,
    VALUE_SCALE,
    WEIGHT_SCALE,
    attainment_share_sql,
    contribution_scaled,
    points_to_micro,
    scaled,
    scaled_sql,
    to_points,
    truncdiv,
)
from .models import Band, CriterionKind, DeductionKind, EntryKind, ManualEntry, RollupRule, Scheme

SCORED_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
DEFAULT_RATING_SHARES = {"excellent": "1", "good": "0.85", "fair": "0.7", "poor": "0.4"}
MAX_TOTAL = 100 * ONE


def share_from(value: Any) -> int:
    """A share given as a decimal in [0, 1] (scheme params, manual entries) in millionths."""
    return max(0, min(ONE, scaled(Decimal(str(value)), ONE)))


def scored_projects(scheme: Scheme, period: Period):
    """Projects a period scores: approved or later (not terminated), started by its end,
    and not completed before it began."""
    return Project.objects.filter(
        campaign_id=scheme.campaign_id, status__in=SCORED_STATUSES, start_date__lte=period.end_date
    ).exclude(
        # A project completed before the period began owes nothing for it.
        status=ProjectStatus.COMPLETED,
        end_date__lt=period.start_date,
    )


@dataclass
class Inputs:
    """Everything the ledger says about the projects of one period, gathered in bulk."""

    projects: dict[int, dict]
    reports: dict[int, dict]
    goal_sums: dict[int, dict]
    goal_rows: dict[int, list[dict]]
    measure_sums: dict[int, dict]
    measure_current: dict[int, dict]
    inspections: dict[int, dict]
    non_members: dict[int, int]
    paired: dict[int, int]
    benefit_targets: dict[int, Decimal]
    verified: dict[int, Decimal]
    overdue_items: dict[int, int]
    entries: dict[tuple[str, int | None, int], list[ManualEntry]] = field(default_factory=dict)


def gather(scheme: Scheme, period: Period, project_ids: list[int] | None = None) -> Inputs:
    projects_qs = scored_projects(scheme, period)
    if project_ids is not None:
        projects_qs = projects_qs.filter(pk__in=project_ids)
    projects = {
        row["pk"]: row
        for row in projects_qs.values(
            "pk",
            "code",
            "title",
            "org_id",
            "org__path",
            "org__name",
            "lead__name",
            "lead__political_status",
            "project_type__is_benefit",
        )
    }
    # Subqueries, not lists of ids: a whole group is 50,000 projects, and an IN list that
    # long is a 300 kB statement per source that the planner cannot join from.
    ids = projects_qs.values("pk")
    period_reports = ProgressReport.objects.filter(
        project_id__in=ids,
        period=period,
        status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
    )
    reports = {
        row["project_id"]: row
        for row in period_reports.values("pk", "project_id", "is_late", "submitted_at", "status")
    }
    report_ids = period_reports.values("pk")
    readings = IndicatorReading.objects.filter(
        report_id__in=report_ids, goal__deleted_at__isnull=True
    )
    weighted = readings.annotate(
        share=attainment_share_sql("goal__baseline", "goal__target", "actual"),
        w=scaled_sql("goal__weight", WEIGHT_SCALE),
    )
    goal_sums = {
        row["report__project_id"]: row
        for row in weighted.values("report__project_id").annotate(
            ws=Sum(ExpressionWrapper(F("w") * F("share"), output_field=BigIntegerField())),
            w_sum=Sum("w"),
            s_sum=Sum("share"),
            n=Count("pk"),
        )
    }
    goal_rows: dict[int, list[dict]] = defaultdict(list)
    for row in weighted.values(
        "report__project_id",
        "goal_id",
        "goal__name",
        "goal__unit",
        "goal__baseline",
        "goal__target",
        "goal__direction",
        "goal__weight",
        "actual",
        "share",
    ).order_by("goal__order", "goal_id"):
        goal_rows[row["report__project_id"]].append(row)
    measure_sums = {
        row["report__project_id"]: row
        for row in MeasureUpdate.objects.filter(
            report_id__in=report_ids, measure__deleted_at__isnull=True
        )
        .values("report__project_id")
        .annotate(pct=Sum("percent_complete"), n=Count("pk"))
    }
    measure_current = {
        row["project_id"]: row
        for row in Measure.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(pct=Sum("percent_complete"), n=Count("pk"))
    }
    inspections: dict[int, dict] = {}
    for row in (
        Inspection.objects.filter(project_id__in=ids, date__lte=period.end_date)
        .values("pk", "project_id", "date", "rating")
        .order_by("project_id", "date", "pk")
    ):
        inspections[row["project_id"]] = row  # ordered by date: the last one wins
    non_member_q = ~Q(person__political_status__in=PARTY_MEMBER_STATUSES)
    non_members = dict(
        Participant.objects.filter(non_member_q, project_id__in=ids)
        .values("project_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("project_id", "n")
    )
    paired_people = Pairing.objects.filter(campaign_id=scheme.campaign_id).values("colleague_id")
    paired = dict(
        Participant.objects.filter(non_member_q, project_id__in=ids, person_id__in=paired_people)
        .values("project_id")
        .annotate(n=Count("person", distinct=True))
        .values_list("project_id", "n")
    )
    benefit_targets = dict(
        GoalIndicator.objects.filter(
            project_id__in=ids, unit__contains="万元", direction=Direction.HIGHER
        )
        .values("project_id")
        .annotate(t=Max("target"))
        .values_list("project_id", "t")
    )
    verified = dict(
        BenefitClaim.objects.filter(
            project_id__in=ids, status=ClaimStatus.VERIFIED, period__end_date__lte=period.end_date
        )
        .values("project_id")
        .annotate(v=Sum("verified_amount"))
        .values_list("project_id", "v")
    )
    overdue_items = dict(
        RectificationItem.objects.filter(
            inspection__project_id__in=ids,
            status=RectificationStatus.OPEN,
            due_date__lt=period.end_date,
        )
        .values("inspection__project_id")
        .annotate(n=Count("pk"))
        .values_list("inspection__project_id", "n")
    )
    entries: dict[tuple[str, int | None, int], list[ManualEntry]] = defaultdict(list)
    for entry in ManualEntry.objects.filter(scheme=scheme, period=period, project_id__in=ids):
        item_id = entry.criterion_id or entry.deduction_id or entry.bonus_id or entry.veto_id
        entries[(entry.kind, item_id, entry.project_id)].append(entry)
    return Inputs(
        projects=projects,
        reports=reports,
        goal_sums=goal_sums,
        goal_rows=goal_rows,
        measure_sums=measure_sums,
        measure_current=measure_current,
        inspections=inspections,
        non_members=non_members,
        paired=paired,
        benefit_targets={k: v for k, v in benefit_targets.items() if v is not None},
        verified={k: v for k, v in verified.items() if v is not None},
        overdue_items=overdue_items,
        entries=entries,
    )


def criterion_rule(criterion) -> dict[str, Any]:
    """The parameters the criterion's kind reads, with their defaults, parsed once per run:
    the formula and every project's share read the same values."""
    kind = criterion.kind
    params = criterion.params or {}
    if kind == CriterionKind.REPORT_TIMELINESS:
        return {"late_share": share_from(params.get("late_share", "0.5"))}
    if kind == CriterionKind.INSPECTION_RATING:
        return {
            "ratings": {**DEFAULT_RATING_SHARES, **(params.get("ratings") or {})},
            "none_share": share_from(params.get("none_share", "1")),
        }
    if kind == CriterionKind.NON_MEMBER_PARTICIPATION:
        return {"target": max(1, int(params.get("target", 2)))}
    return {}


def criterion_formula(criterion, rule: dict[str, Any]) -> str:
    """How a criterion turns its inputs into a share, in words (the same for every project)."""
    kind = criterion.kind
    if kind == CriterionKind.GOAL_ATTAINMENT:
        return _(
            "Σ(指标权重 × 达成度) ÷ Σ指标权重；达成度 = (实际值 − 基准值) ÷ (目标值 − 基准值)，限定在 0–1"
        )
    if kind == CriterionKind.MEASURE_COMPLETION:
        return _("各项措施完成百分比的平均值")
    if kind == CriterionKind.REPORT_TIMELINESS:
        return _("按时提交得满分，逾期提交得 %(late)s，未提交得 0") % {
            "late": to_share_text(rule["late_share"])
        }
    if kind == CriterionKind.INSPECTION_RATING:
        ratings = rule["ratings"]
        return _(
            "最近一次检查的评价折算：优秀 %(e)s、良好 %(g)s、一般 %(f)s、较差 %(p)s；未检查 %(n)s"
        ) % {
            "e": ratings["excellent"],
            "g": ratings["good"],
            "f": ratings["fair"],
            "p": ratings["poor"],
            "n": to_share_text(rule["none_share"]),
        }
    if kind == CriterionKind.LEAD_IS_MEMBER:
        return _("牵头人是党员得满分")
    if kind == CriterionKind.NON_MEMBER_PARTICIPATION:
        return _("非党员参与人数 ÷ %(n)s，最多为 1") % {"n": rule["target"]}
    if kind == CriterionKind.PAIRING_COVERAGE:
        return _("已结对的非党员参与人员 ÷ 非党员参与人员")
    if kind == CriterionKind.BENEFIT_VS_TARGET:
        return _(
            "累计核定效益 ÷ 效益目标（单位为万元的指标目标值），最多为 1；非创效项目不适用，按满分计"
        )
    if kind == CriterionKind.MANUAL:
        return _("考核人评分（0–1）")
    raise ValueError(kind)  # pragma: no cover - CriterionKind is closed


@dataclass(frozen=True)
class Notes:
    """The notes a breakdown can carry, translated once per scoring run.

    Translating them, and the formulas, per project was a third of the group roll-up's time
    (533,000 gettext calls for 50,000 projects).
    """

    no_report: str
    no_measures: str
    not_benefit: str
    no_benefit_target: str
    not_rated: str

    @classmethod
    def current(cls) -> "Notes":
        return cls(
            no_report=_("本期无已提交的进展报告"),
            no_measures=_("无具体措施"),
            not_benefit=_("非创效项目，不适用"),
            no_benefit_target=_("未设置万元目标"),
            not_rated=_("尚未评分"),
        )


def _criterion_share(
    criterion, rule: dict[str, Any], project_id: int, inputs: Inputs, notes: Notes
) -> tuple[int, dict]:
    """(share in millionths, the inputs it came from) for one criterion and project, with
    the criterion's parameters as criterion_rule() read them."""
    kind = criterion.kind
    report = inputs.reports.get(project_id)
    if kind == CriterionKind.GOAL_ATTAINMENT:
        sums = inputs.goal_sums.get(project_id)
        if not sums:
            return 0, {"report_id": None, "note": notes.no_report}
        if sums["w_sum"]:
            share = truncdiv(sums["ws"], sums["w_sum"])
        else:
            share = truncdiv(sums["s_sum"], sums["n"])
        goals = [
            {
                "goal_id": g["goal_id"],
                "name": g["goal__name"],
                "unit": g["goal__unit"],
                "baseline": str(g["goal__baseline"]),
                "target": str(g["goal__target"]),
                "direction": g["goal__direction"],
                "weight": str(g["goal__weight"]),
                "actual": str(g["actual"]),
                "share": g["share"],
            }
            for g in inputs.goal_rows.get(project_id, [])
        ]
        return share, {"report_id": report["pk"] if report else None, "goals": goals}
    if kind == CriterionKind.MEASURE_COMPLETION:
        sums = inputs.measure_sums.get(project_id)
        source = "report"
        if not sums or not sums["n"]:
            sums, source = inputs.measure_current.get(project_id), "current"
        if not sums or not sums["n"]:
            return 0, {"note": notes.no_measures}
        share = truncdiv(sums["pct"] * (ONE // 100), sums["n"])
        return share, {
            "source": source,
            "percent_sum": sums["pct"],
            "measures": sums["n"],
            "report_id": report["pk"] if report else None,
        }
    if kind == CriterionKind.REPORT_TIMELINESS:
        late_share = rule["late_share"]
        if not report:
            return 0, {"report_id": None, "state": "missing"}
        share = late_share if report["is_late"] else ONE
        return share, {
            "report_id": report["pk"],
            "state": "late" if report["is_late"] else "on_time",
        }
    if kind == CriterionKind.INSPECTION_RATING:
        ratings, none_share = rule["ratings"], rule["none_share"]
        inspection = inputs.inspections.get(project_id)
        if not inspection:
            return none_share, {"inspection_id": None}
        share = share_from(ratings.get(inspection["rating"], "0"))
        return share, {
            "inspection_id": inspection["pk"],
            "date": str(inspection["date"]),
            "rating": inspection["rating"],
        }
    project = inputs.projects[project_id]
    if kind == CriterionKind.LEAD_IS_MEMBER:
        is_member = project["lead__political_status"] in PARTY_MEMBER_STATUSES
        return (ONE if is_member else 0), {
            "lead": project["lead__name"],
            "political_status": project["lead__political_status"],
        }
    if kind == CriterionKind.NON_MEMBER_PARTICIPATION:
        target = rule["target"]
        count = inputs.non_members.get(project_id, 0)
        return min(ONE, truncdiv(count * ONE, target)), {"non_members": count, "target": target}
    if kind == CriterionKind.PAIRING_COVERAGE:
        total = inputs.non_members.get(project_id, 0)
        covered = inputs.paired.get(project_id, 0)
        share = truncdiv(covered * ONE, total) if total else 0
        return share, {"covered": covered, "non_members": total}
    if kind == CriterionKind.BENEFIT_VS_TARGET:
        if not project["project_type__is_benefit"]:
            return ONE, {"note": notes.not_benefit}
        target = inputs.benefit_targets.get(project_id)
        verified = inputs.verified.get(project_id, Decimal(0))
        if not target or target <= 0:
            return 0, {"verified": str(verified), "note": notes.no_benefit_target}
        share = min(
            ONE, max(0, truncdiv(scaled(verified, VALUE_SCALE) * ONE, scaled(target, VALUE_SCALE)))
        )
        return share, {"verified": str(verified), "target": str(target)}
    if kind == CriterionKind.MANUAL:
        found = inputs.entries.get((EntryKind.CRITERION, criterion.pk, project_id), [])
        if not found:
            return 0, {"note": notes.not_rated}
        entry = found[-1]
        return share_from(entry.value), {"entry_id": entry.pk, "note": entry.note}
    raise ValueError(kind)  # pragma: no cover - CriterionKind is closed


def to_share_text(share: int) -> str:
    return f"{Decimal(share) / ONE:.2f}"


def grade_for(score: Decimal, bands: list[Band]) -> str:
    for band in bands:
        if band.min_score <= score <= band.max_score:
            return band.label
    return ""


def capped_grade(grade: str, cap: str, bands: list[Band]) -> str:
    """The lower of two grades, by the bands' order (a veto caps, never lifts)."""
    order = {band.label: band.min_score for band in bands}
    if cap not in order:
        return grade
    if grade not in order or order[cap] < order[grade]:
        return cap
    return grade


@dataclass
class ProjectResult:
    project_id: int
    org_id: int
    org_path: str
    total_micro: int
    bonus_micro: int
    grade: str
    breakdown: dict


def _criterion_parts(criterion) -> tuple[Any, dict[str, Any], int, dict[str, Any], str]:
    """(criterion, its rule, its points scaled, the fixed part of its line, its formula)."""
    rule = criterion_rule(criterion)
    fixed = {
        "id": criterion.pk,
        "name": criterion.name,
        "kind": criterion.kind,
        "points": str(criterion.points),
    }
    return (
        criterion,
        rule,
        scaled(criterion.points, WEIGHT_SCALE),
        fixed,
        criterion_formula(criterion, rule),
    )


def score_projects(
    scheme: Scheme, period: Period, project_ids: list[int] | None = None
) -> list[ProjectResult]:
    """Every scored project's total for the period, with its breakdown."""
    inputs = gather(scheme, period, project_ids)
    dimensions = list(scheme.dimensions.prefetch_related("criteria"))
    deductions = list(scheme.deductions.all())
    bonuses = list(scheme.bonuses.all())
    vetoes = list(scheme.vetoes.all())
    bands = list(scheme.bands.all())
    deadline_passed = period.deadline < timezone.localdate()
    # What is the same for every project is worked out once: the formulas and notes in
    # words, each criterion's points as an integer, and the fixed part of each line.
    notes = Notes.current()
    criteria = [
        (
            dimension,
            [_criterion_parts(c) for c in dimension.criteria.all()],
        )
        for dimension in dimensions
    ]
    deduction_items = [
        (
            d,
            points_to_micro(d.points_each),
            points_to_micro(d.cap),
            {"id": d.pk, "name": d.name, "kind": d.kind},
            {"points_each": str(d.points_each), "cap": str(d.cap)},
        )
        for d in deductions
    ]
    results = []
    for project_id, project in inputs.projects.items():
        report = inputs.reports.get(project_id)
        dims = []
        subtotal = 0
        for dimension, dimension_criteria in criteria:
            lines = []
            for criterion, rule, weight, fixed, formula in dimension_criteria:
                share, used = _criterion_share(criterion, rule, project_id, inputs, notes)
                earned = contribution_scaled(weight, share)
                subtotal += earned
                lines.append(
                    {**fixed, "share": share, "micro": earned, "inputs": used, "formula": formula}
                )
            dims.append(
                {
                    "name": dimension.name,
                    "weight": str(dimension.weight),
                    "criteria": lines,
                    "micro": sum(line["micro"] for line in lines),
                }
            )
        deduction_lines = []
        deducted = 0
        for deduction, each, cap, head, tail in deduction_items:
            count, raw = _deduction_raw(
                deduction, each, project_id, report, inputs, deadline_passed
            )
            micro = min(raw, cap)
            deducted += micro
            deduction_lines.append({**head, "count": count, **tail, "micro": micro})
        bonus_lines = []
        bonus_total = 0
        for bonus in bonuses:
            found = inputs.entries.get((EntryKind.BONUS, bonus.pk, project_id), [])
            micro = min(sum(points_to_micro(e.value) for e in found), points_to_micro(bonus.cap))
            bonus_total += micro
            if found:
                bonus_lines.append(
                    {
                        "id": bonus.pk,
                        "name": bonus.name,
                        "cap": str(bonus.cap),
                        "micro": micro,
                        "notes": [e.note for e in found],
                    }
                )
        total = subtotal - deducted + (bonus_total if scheme.bonus_in_total else 0)
        total = max(0, min(MAX_TOTAL, total))
        grade = grade_for(to_points(total), bands)
        veto_lines = []
        for veto in vetoes:
            found = inputs.entries.get((EntryKind.VETO, veto.pk, project_id), [])
            if found:
                grade = capped_grade(grade, veto.grade_cap, bands)
                veto_lines.append(
                    {
                        "id": veto.pk,
                        "name": veto.name,
                        "grade_cap": veto.grade_cap,
                        "notes": [e.note for e in found],
                    }
                )
        results.append(
            ProjectResult(
                project_id=project_id,
                org_id=project["org_id"],
                org_path=project["org__path"],
                total_micro=total,
                bonus_micro=bonus_total,
                grade=grade,
                breakdown={
                    "project": {
                        "code": project["code"],
                        "title": project["title"],
                        "org": project["org__name"],
                    },
                    "report_id": report["pk"] if report else None,
                    "dimensions": dims,
                    "subtotal_micro": subtotal,
                    "deductions": deduction_lines,
                    "deducted_micro": deducted,
                    "bonuses": bonus_lines,
                    "bonus_micro": bonus_total,
                    "bonus_in_total": scheme.bonus_in_total,
                    "vetoes": veto_lines,
                    "total_micro": total,
                },
            )
        )
    return results


def _deduction_raw(
    deduction, each: int, project_id: int, report, inputs: Inputs, deadline_passed: bool
) -> tuple[int, int]:
    """(occurrences, micro-points before the cap) of one deduction item for one project;
    `each` is its points_each in micro-points."""
    if deduction.kind == DeductionKind.MISSING_REPORT:
        count = 1 if report is None and deadline_passed else 0
    elif deduction.kind == DeductionKind.LATE_REPORT:
        count = 1 if report is not None and report["is_late"] else 0
    elif deduction.kind == DeductionKind.OVERDUE_RECTIFICATION:
        count = inputs.overdue_items.get(project_id, 0)
    else:
        # Manual deductions carry their own points (each with a reason), capped like the rest.
        found = inputs.entries.get((EntryKind.DEDUCTION, deduction.pk, project_id), [])
        return len(found), sum(points_to_micro(e.value) for e in found)
    return count, each * count


def score_year(scheme: Scheme) -> list[ProjectResult]:
    """The year's score per project: 平时 (the mean of the regular periods) and 年终 (the last
    period) combined by the scheme's weights. Without regular scores the year is the final
    score; a project not scored in the last period gets 0 for that part."""
    periods = list(Period.objects.filter(campaign_id=scheme.campaign_id).order_by("start_date"))
    if not periods:
        return []
    final, regular = periods[-1], periods[:-1]
    by_period = {
        period.pk: {r.project_id: r for r in score_projects(scheme, period)} for period in periods
    }
    regular_weight = Fraction(scheme.regular_weight) / 100
    final_weight = Fraction(scheme.final_weight) / 100
    bands = list(scheme.bands.all())
    project_ids = set().union(*(set(results) for results in by_period.values()))
    results = []
    for project_id in project_ids:
        regular_scores = [
            by_period[p.pk][project_id] for p in regular if project_id in by_period[p.pk]
        ]
        final_result = by_period[final.pk].get(project_id)
        final_micro = final_result.total_micro if final_result else 0
        if regular_scores:
            regular_mean = Fraction(sum(r.total_micro for r in regular_scores), len(regular_scores))
            value = regular_weight * regular_mean + final_weight * final_micro
        else:
            value = Fraction(final_micro)
        total = truncdiv(value.numerator, value.denominator)
        any_result = final_result or regular_scores[-1]
        results.append(
            ProjectResult(
                project_id=project_id,
                org_id=any_result.org_id,
                org_path=any_result.org_path,
                total_micro=total,
                bonus_micro=sum(r.bonus_micro for r in regular_scores)
                + (final_result.bonus_micro if final_result else 0),
                grade=grade_for(to_points(total), bands),
                breakdown={
                    "project": any_result.breakdown["project"],
                    "year": True,
                    "regular_weight": str(scheme.regular_weight),
                    "final_weight": str(scheme.final_weight),
                    "regular": [
                        {
                            "period": p.name,
                            "period_id": p.pk,
                            "micro": by_period[p.pk][project_id].total_micro,
                        }
                        for p in regular
                        if project_id in by_period[p.pk]
                    ],
                    "final": {"period": final.name, "period_id": final.pk, "micro": final_micro},
                    "total_micro": total,
                },
            )
        )
    return results


# --------------------------------------------------------------------------- org roll-up


@dataclass
class OrgResult:
    org_id: int
    org_path: str
    depth: int
    value: Fraction  # exact micro-points
    project_count: int
    rank: int | None = None
    grade: str = ""
    breakdown: dict = field(default_factory=dict)
    veto_caps: list[str] = field(default_factory=list)
    adjustments: list[dict] = field(default_factory=list)
    # EXPLICIT_WEIGHTS: each weighted part of the value, for the explanation page.
    parts: list[dict] = field(default_factory=list)

    @property
    def score(self) -> Decimal:
        return to_points(self.value)


DEFAULT_ORG_WEIGHT = WEIGHT_SCALE  # an org without an explicit weight weighs 1 (in hundredths)


def rollup(
    *,
    rule: str,
    root: Org,
    direct: dict[str, tuple[int, int]],
    orgs: dict[str, Org],
    weights: dict[str, int] | None = None,
) -> dict[str, OrgResult]:
    """Org values from per-org (sum of project micro-points, project count), exact.

    `direct` maps an org path to the sums over projects attached to that org itself (one
    GROUP BY in the database). PROJECT_WEIGHTED: every ancestor's value is the mean over all
    projects of its subtree. MEAN_CHILDREN: the mean of its scored child orgs' values, the
    org's own projects counting together as one more child. EXPLICIT_WEIGHTS: the same, but
    a weighted mean, Σ(weight × value) ÷ Σweight over the scored children; `weights` maps an
    org path to its weight in hundredths (the scheme's OrgWeight rows), an org without one
    weighs 1, and so does the org's own projects' part (so with no weights at all the rule
    equals MEAN_CHILDREN). Children without a score (no projects below them) are left out
    of both sums, as under MEAN_CHILDREN.
    """
    step = Org.steplen
    results: dict[str, OrgResult] = {}
    if rule == RollupRule.PROJECT_WEIGHTED:
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for path, (micro_sum, count) in direct.items():
            for end in range(len(root.path), len(path) + 1, step):
                totals[path[:end]][0] += micro_sum
                totals[path[:end]][1] += count
        for path, (micro_sum, count) in totals.items():
            if count and path in orgs:
                results[path] = OrgResult(
                    orgs[path].pk, path, len(path) // step, Fraction(micro_sum, count), count
                )
        return results
    # MEAN_CHILDREN / EXPLICIT_WEIGHTS: deepest first, so children are known before their
    # parent. MEAN_CHILDREN is the weighted mean with every weight 1.
    explicit = rule == RollupRule.EXPLICIT_WEIGHTS
    weight_of = (weights or {}) if explicit else {}
    counts: dict[str, int] = defaultdict(int)
    for path, (_sum, count) in direct.items():
        for end in range(len(root.path), len(path) + 1, step):
            counts[path[:end]] += count
    children: dict[str, list[str]] = defaultdict(list)
    for path in counts:
        if len(path) > len(root.path):
            children[path[:-step]].append(path)
    for path in sorted(counts, key=len, reverse=True):
        # (weight in hundredths, exact value, child path or None for the org's own projects)
        parts: list[tuple[int, Fraction, str | None]] = [
            (weight_of.get(child, DEFAULT_ORG_WEIGHT), results[child].value, child)
            for child in sorted(children.get(path, []))
            if child in results
        ]
        if path in direct and direct[path][1]:
            parts.append((DEFAULT_ORG_WEIGHT, Fraction(direct[path][0], direct[path][1]), None))
        if parts and path in orgs:
            weight_sum = sum(w for w, _v, _c in parts)
            value = sum((w * v for w, v, _c in parts), Fraction(0)) / weight_sum
            result = OrgResult(orgs[path].pk, path, len(path) // step, value, counts[path])
            if explicit:
                result.parts = [
                    {
                        "org_id": orgs[child].pk if child in orgs else None,
                        "name": str(orgs[child]) if child in orgs else "",
                        "own": child is None,
                        "weight": str(Decimal(w) / WEIGHT_SCALE),
                        "weight_hundredths": w,
                        "value_num": v.numerator,
                        "value_den": v.denominator,
                    }
                    for w, v, child in parts
                ]
            results[path] = result
    return results


def apply_org_entries(
    results: dict[str, "OrgResult"], entries: list[ManualEntry], scheme: Scheme
) -> None:
    """Org-level deductions, bonuses and vetoes adjust that org's own score (each deduction
    and bonus item capped as in the scheme); they do not flow further up the tree."""
    by_org: dict[int, list[ManualEntry]] = defaultdict(list)
    for entry in entries:
        by_org[entry.org_id].append(entry)
    caps = {("deduction", d.pk): points_to_micro(d.cap) for d in scheme.deductions.all()}
    caps.update({("bonus", b.pk): points_to_micro(b.cap) for b in scheme.bonuses.all()})
    vetoes = {v.pk: v for v in scheme.vetoes.all()}
    for result in results.values():
        found = by_org.get(result.org_id)
        if not found:
            continue
        sums: dict[tuple[str, int], int] = defaultdict(int)
        lines = []
        for entry in found:
            if entry.kind == EntryKind.VETO:
                result.veto_caps.append(vetoes[entry.veto_id].grade_cap)
                lines.append(
                    {"kind": "veto", "name": vetoes[entry.veto_id].name, "note": entry.note}
                )
                continue
            key = (entry.kind, entry.deduction_id or entry.bonus_id)
            sums[key] += points_to_micro(entry.value)
            lines.append({"kind": entry.kind, "value": str(entry.value), "note": entry.note})
        adjustment = 0
        for (kind, item_id), micro in sums.items():
            capped = min(micro, caps.get((kind, item_id), micro))
            if kind == EntryKind.DEDUCTION:
                adjustment -= capped
            elif scheme.bonus_in_total:
                adjustment += capped
        result.value = min(Fraction(MAX_TOTAL), max(Fraction(0), result.value + adjustment))
        result.adjustments = lines


def rank_siblings(results: dict[str, OrgResult]) -> None:
    """Competition ranking (1, 2, 2, 4) among orgs with the same parent, by rounded score."""
    step = Org.steplen
    groups: dict[str, list[OrgResult]] = defaultdict(list)
    for result in results.values():
        groups[result.org_path[:-step]].append(result)
    for group in groups.values():
        ordered = sorted(group, key=lambda r: (-r.score, r.org_path))
        for position, result in enumerate(ordered, start=1):
            if position > 1 and result.score == ordered[position - 2].score:
                result.rank = ordered[position - 2].rank
            else:
                result.rank = position
