"""Pieces the assessment pages share: number display and the reading of a stored breakdown.

A score's breakdown is the JSON the engine stored with it (engine.score_projects /
score_year, services._write_org_scores); the functions here only turn it into rows for a
template. Numbers: every contribution is an integer of micro-points (millionths of a point),
shown exactly; the total is rounded once, half up, to 2 places (fixedpoint.to_points).
"""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.campaigns.models import Campaign
from taizhang.checkins.models import InspectionRating
from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.permissions import ADMIN_ROLES, visible_org_paths

from ..fixedpoint import ONE, to_points
from ..models import CriterionKind, DeductionKind, EntryKind, RollupRule

MICRO = Decimal("0.000001")


def points(micro: int | Fraction | None) -> Decimal | None:
    """The figure shown: micro-points rounded once, half up, to 2 places."""
    return None if micro is None else to_points(micro)


def exact(micro: int | Fraction) -> Decimal:
    """Micro-points as points with all six decimals (a mean is shown to the micro-point)."""
    value = Fraction(micro)
    with localcontext() as ctx:
        ctx.prec = 40
        number = Decimal(value.numerator) / Decimal(value.denominator) / Decimal(ONE)
    return number.quantize(MICRO, rounding=ROUND_HALF_UP)


def share_text(share: int) -> str:
    """A share in millionths as a percentage: 500000 → "50%", 333333 → "33.3333%"."""
    text = f"{Decimal(share) / Decimal(ONE // 100):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def can_recompute(user, campaign: Campaign) -> bool:
    """Drafts are recomputed by admins of the campaign's org or of any org inside it (a
    group-wide draft is expensive, so not by every reader). No query: grants are cached."""
    paths = visible_org_paths(user, ADMIN_ROLES)
    if paths is None:
        return True
    root = campaign.org.path
    return any(path.startswith(root) or root.startswith(path) for path in paths)


def period_label(period) -> str:
    return period.name if period is not None else _("全年")


# --------------------------------------------------------------------------- project breakdown


def _report_url(report_id: int | None) -> str:
    return reverse("checkins:report_detail", args=[report_id]) if report_id else ""


def _input_rows(kind: str, inputs: dict[str, Any]) -> list[dict[str, str]]:
    """What a criterion's share came from, as (label, value, link) rows."""
    rows: list[dict[str, str]] = []

    def add(label: str, value: Any, url: str = "") -> None:
        rows.append({"label": label, "value": "" if value is None else str(value), "url": url})

    if kind in (CriterionKind.GOAL_ATTAINMENT, CriterionKind.REPORT_TIMELINESS) and inputs.get(
        "report_id"
    ):
        add(_("进展报告"), _("查看本期报告"), _report_url(inputs["report_id"]))
    if kind == CriterionKind.REPORT_TIMELINESS:
        states = {"on_time": _("按时提交"), "late": _("逾期提交"), "missing": _("未提交")}
        add(_("报送情况"), states.get(inputs.get("state", ""), inputs.get("state", "")))
    elif kind == CriterionKind.MEASURE_COMPLETION and "measures" in inputs:
        sources = {
            "report": _("本期进展报告中的措施进度"),
            "current": _("措施当前进度（本期无报告）"),
        }
        add(_("数据来源"), sources.get(inputs.get("source", ""), ""))
        add(_("完成百分比合计"), inputs.get("percent_sum"))
        add(_("措施项数"), inputs.get("measures"))
        if inputs.get("report_id") and inputs.get("source") == "report":
            add(_("进展报告"), _("查看本期报告"), _report_url(inputs["report_id"]))
    elif kind == CriterionKind.INSPECTION_RATING:
        if inputs.get("inspection_id"):
            ratings = dict(InspectionRating.choices)
            add(
                _("最近一次检查"),
                inputs.get("date", ""),
                reverse("checkins:inspection_detail", args=[inputs["inspection_id"]]),
            )
            add(_("检查评价"), ratings.get(inputs.get("rating", ""), inputs.get("rating", "")))
        else:
            add(_("最近一次检查"), _("本期末之前未检查"))
    elif kind == CriterionKind.LEAD_IS_MEMBER:
        statuses = dict(PoliticalStatus.choices)
        add(_("牵头人"), inputs.get("lead"))
        add(_("政治面貌"), statuses.get(inputs.get("political_status", ""), ""))
    elif kind == CriterionKind.NON_MEMBER_PARTICIPATION:
        add(_("非党员参与人数"), inputs.get("non_members"))
        add(_("目标人数"), inputs.get("target"))
    elif kind == CriterionKind.PAIRING_COVERAGE:
        add(_("已结对的非党员参与人员"), inputs.get("covered"))
        add(_("非党员参与人员"), inputs.get("non_members"))
    elif kind == CriterionKind.BENEFIT_VS_TARGET:
        if "verified" in inputs:
            add(_("累计核定效益（万元）"), inputs.get("verified"))
        if "target" in inputs:
            add(_("效益目标（万元）"), inputs.get("target"))
    elif kind == CriterionKind.MANUAL and inputs.get("entry_id"):
        add(_("考核人理由"), inputs.get("note"))
        return rows
    if inputs.get("note"):
        add(_("说明"), inputs["note"])
    return rows


def _goal_rows(goals: list[dict]) -> list[dict[str, Any]]:
    directions = {"higher": _("越大越好"), "lower": _("越小越好")}
    return [
        {
            **goal,
            "direction_label": directions.get(goal.get("direction", ""), ""),
            "share_text": share_text(goal.get("share", 0)),
        }
        for goal in goals
    ]


def explain_project(breakdown: dict) -> dict[str, Any]:
    """The stored breakdown of one project's period score, ready for the template."""
    kinds = dict(CriterionKind.choices)
    dimensions = []
    for dim in breakdown.get("dimensions", []):
        criteria = []
        for line in dim.get("criteria", []):
            inputs = line.get("inputs") or {}
            criteria.append(
                {
                    "name": line["name"],
                    "kind": line["kind"],
                    "kind_label": kinds.get(line["kind"], line["kind"]),
                    "formula": line.get("formula", ""),
                    "points": line["points"],
                    "share_text": share_text(line.get("share", 0)),
                    "exact": exact(line["micro"]),
                    "inputs": _input_rows(line["kind"], inputs),
                    "goals": _goal_rows(inputs.get("goals") or []),
                    "report_url": _report_url(inputs.get("report_id")),
                }
            )
        dimensions.append(
            {
                "name": dim["name"],
                "weight": dim["weight"],
                "criteria": criteria,
                "exact": exact(dim["micro"]),
            }
        )
    deduction_kinds = dict(DeductionKind.choices)
    deductions = []
    for line in breakdown.get("deductions", []):
        amount = exact(line["micro"])
        deductions.append(
            {
                **line,
                "kind_label": deduction_kinds.get(line["kind"], line["kind"]),
                "is_manual": line["kind"] == DeductionKind.MANUAL,
                "exact": amount,
                # The item reached its cap (what the occurrences add up to may be more).
                "at_cap": bool(line["count"]) and amount >= Decimal(line["cap"]) > 0,
            }
        )
    bonuses = [{**line, "exact": exact(line["micro"])} for line in breakdown.get("bonuses", [])]
    total = breakdown.get("total_micro", 0)
    return {
        "report_url": _report_url(breakdown.get("report_id")),
        "dimensions": dimensions,
        "subtotal": exact(breakdown.get("subtotal_micro", 0)),
        "deductions": deductions,
        "deducted": exact(breakdown.get("deducted_micro", 0)),
        "bonuses": bonuses,
        "bonus": exact(breakdown.get("bonus_micro", 0)),
        "bonus_in_total": breakdown.get("bonus_in_total", False),
        "vetoes": breakdown.get("vetoes", []),
        "total_exact": exact(total),
        "total": points(total),
    }


def explain_year(breakdown: dict) -> dict[str, Any]:
    """The year: the regular periods' mean and the final period, with the scheme's weights."""
    regular = [{**row, "exact": exact(row["micro"])} for row in breakdown.get("regular", [])]
    mean = Fraction(sum(row["micro"] for row in regular), len(regular)) if regular else None
    final = breakdown.get("final") or {}
    return {
        "regular": regular,
        "regular_mean": exact(mean) if mean is not None else None,
        "regular_weight": breakdown.get("regular_weight"),
        "final": {**final, "exact": exact(final.get("micro", 0))},
        "final_weight": breakdown.get("final_weight"),
        "total_exact": exact(breakdown.get("total_micro", 0)),
        "total": points(breakdown.get("total_micro", 0)),
    }


# --------------------------------------------------------------------------- org breakdown

RULE_EXPLANATIONS = {
    RollupRule.PROJECT_WEIGHTED: gettext_lazy(
        "本组织及全部下级组织的项目得分之和 ÷ 项目数（按项目数加权的平均）。"
    ),
    RollupRule.MEAN_CHILDREN: gettext_lazy(
        "各下级组织得分的平均值；本组织直属项目的平均分作为一个“下级”参与平均。"
    ),
    RollupRule.EXPLICIT_WEIGHTS: gettext_lazy(
        "Σ(权重 × 下级组织得分) ÷ Σ权重，只计已有得分的下级组织；未设置权重的下级组织按 1 计，"
        "本组织直属项目的平均分作为一个权重为 1 的“下级”参与加权。"
    ),
}


def _weighted_parts(
    parts: list[dict],
) -> tuple[list[dict[str, Any]], Decimal | None, Decimal | None]:
    """Each part's weight, exact score and contribution weight × score ÷ Σweight (the
    contributions add up to the org's exact value)."""
    weight_sum = sum(int(part.get("weight_hundredths", 0)) for part in parts)
    rows = []
    value_sum = Fraction(0)
    for part in parts:
        value = Fraction(part.get("value_num", 0), part.get("value_den", 1) or 1)
        weight = int(part.get("weight_hundredths", 0))
        value_sum += value * weight
        rows.append(
            {
                "org_id": part.get("org_id"),
                "name": part.get("name") or "",
                "own": bool(part.get("own")),
                "weight": part.get("weight"),
                "score_exact": exact(value),
                "share_text": share_text(weight * ONE // weight_sum) if weight_sum else "",
                "contribution": exact(value * weight / weight_sum) if weight_sum else None,
            }
        )
    if not weight_sum:
        return rows, None, None
    # Before the org's own deductions and bonuses, which apply after the weighted mean.
    return rows, Decimal(weight_sum) / 100, exact(value_sum / weight_sum)


def explain_org(breakdown: dict) -> dict[str, Any]:
    value = Fraction(breakdown.get("value_num", 0), breakdown.get("value_den", 1) or 1)
    direct_sum, direct_count = (breakdown.get("direct") or [0, 0])[:2]
    kinds = dict(EntryKind.choices)
    adjustments = [
        {**line, "kind_label": kinds.get(line.get("kind", ""), line.get("kind", ""))}
        for line in breakdown.get("adjustments", [])
    ]
    rules = dict(RollupRule.choices)
    rule = breakdown.get("rule", "")
    parts, weight_sum, parts_total = _weighted_parts(breakdown.get("parts") or [])
    return {
        "parts": parts,
        "weight_sum": weight_sum,
        "parts_total": parts_total,
        "rule": rule,
        "rule_label": rules.get(rule, rule),
        "rule_text": str(RULE_EXPLANATIONS.get(rule, "")),
        "exact": exact(value),
        "score": breakdown.get("score"),
        "direct_count": direct_count,
        "direct_mean": exact(Fraction(direct_sum, direct_count)) if direct_count else None,
        "adjustments": adjustments,
    }
