"""Writes for assessment: schemes (validated, versioned, copied), manual entries, score runs
and publication. A published run is never written again."""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.services import to_decimal
from taizhang.checkins.models import Period
from taizhang.core.exceptions import DomainError
from taizhang.core.history import check_version, save_with_history
from taizhang.core.uploads import check_upload
from taizhang.orgs.models import Org
from taizhang.webhooks.services import emit

from . import engine
from . import permissions as perms
from .fixedpoint import WEIGHT_SCALE, scaled, truncdiv
from .models import (
    MAX_ORG_WEIGHT,
    Band,
    Bonus,
    Criterion,
    CriterionKind,
    Deduction,
    DeductionKind,
    Dimension,
    EntryKind,
    ManualEntry,
    OrgScore,
    OrgWeight,
    ProjectScore,
    RollupRule,
    RunKind,
    Scheme,
    ScoreRun,
    Veto,
)

HUNDRED = Decimal(100)


def _forbid(message: str) -> DomainError:
    return DomainError(message, "forbidden")


# --------------------------------------------------------------------------- scheme definition


@dataclass(frozen=True)
class CriterionSpec:
    name: str
    kind: str
    points: Any
    params: dict | None = None


@dataclass(frozen=True)
class DimensionSpec:
    name: str
    weight: Any
    criteria: list[CriterionSpec]


@dataclass(frozen=True)
class DeductionSpec:
    name: str
    kind: str
    points_each: Any
    cap: Any


@dataclass(frozen=True)
class BonusSpec:
    name: str
    cap: Any


@dataclass(frozen=True)
class VetoSpec:
    name: str
    grade_cap: str


@dataclass(frozen=True)
class BandSpec:
    label: str
    min_score: Any
    max_score: Any


@dataclass(frozen=True)
class OrgWeightSpec:
    """An org's weight in its parent's score (used by RollupRule.EXPLICIT_WEIGHTS)."""

    org_id: int
    weight: Any


@dataclass(frozen=True)
class SchemeSpec:
    name: str
    dimensions: list[DimensionSpec]
    bands: list[BandSpec]
    deductions: list[DeductionSpec] = ()  # type: ignore[assignment]
    bonuses: list[BonusSpec] = ()  # type: ignore[assignment]
    vetoes: list[VetoSpec] = ()  # type: ignore[assignment]
    regular_weight: Any = "10"
    final_weight: Any = "90"
    rollup_rule: str = RollupRule.PROJECT_WEIGHTED
    bonus_in_total: bool = False
    excellent_share_cap: Any = "50"
    org_weights: list[OrgWeightSpec] = ()  # type: ignore[assignment]


def default_scheme_spec() -> SchemeSpec:
    """基础工作 50 / 工作落实 30 / 工作创新 20, bands 优秀/达标/不达标: the common shape."""
    return SchemeSpec(
        name=_("“两带两创”考核方案"),
        dimensions=[
            DimensionSpec(
                _("基础工作"),
                "50",
                [
                    CriterionSpec(_("目标达成"), CriterionKind.GOAL_ATTAINMENT, "30"),
                    CriterionSpec(_("报告及时"), CriterionKind.REPORT_TIMELINESS, "10"),
                    CriterionSpec(_("党员牵头"), CriterionKind.LEAD_IS_MEMBER, "10"),
                ],
            ),
            DimensionSpec(
                _("工作落实"),
                "30",
                [
                    CriterionSpec(_("措施完成"), CriterionKind.MEASURE_COMPLETION, "15"),
                    CriterionSpec(_("检查评价"), CriterionKind.INSPECTION_RATING, "10"),
                    CriterionSpec(
                        _("群众参与"), CriterionKind.NON_MEMBER_PARTICIPATION, "5", {"target": 2}
                    ),
                ],
            ),
            DimensionSpec(
                _("工作创新"),
                "20",
                [
                    CriterionSpec(_("创效成果"), CriterionKind.BENEFIT_VS_TARGET, "10"),
                    CriterionSpec(_("1+N 结对覆盖"), CriterionKind.PAIRING_COVERAGE, "5"),
                    CriterionSpec(_("创新亮点（考核人评分）"), CriterionKind.MANUAL, "5"),
                ],
            ),
        ],
        deductions=[
            DeductionSpec(_("缺报进展报告"), DeductionKind.MISSING_REPORT, "2", "6"),
            DeductionSpec(_("逾期提交报告"), DeductionKind.LATE_REPORT, "0.5", "2"),
            DeductionSpec(_("整改逾期未销号"), DeductionKind.OVERDUE_RECTIFICATION, "0.2", "2"),
            DeductionSpec(_("其他扣分"), DeductionKind.MANUAL, "0", "10"),
        ],
        bonuses=[BonusSpec(_("获上级表彰"), "5")],
        vetoes=[VetoSpec(_("发生安全环保责任事故"), _("不达标"))],
        bands=[
            BandSpec(_("优秀"), "90", "100"),
            BandSpec(_("达标"), "60", "89.99"),
            BandSpec(_("不达标"), "0", "59.99"),
        ],
    )


def _num(
    value: Any, *, field: str, label: str, minimum: Decimal = Decimal(0), maximum: Decimal = HUNDRED
) -> Decimal:
    number = to_decimal(value, field=field, label=label)
    if number < minimum or number > maximum:
        raise DomainError(
            _("%(label)s应在 %(lo)s 到 %(hi)s 之间。")
            % {"label": label, "lo": minimum, "hi": maximum},
            "out_of_range",
            field=field,
        )
    if number != number.quantize(Decimal("0.01")):
        raise DomainError(_("%(label)s最多两位小数。") % {"label": label}, "precision", field=field)
    return number


def validate_spec(spec: SchemeSpec) -> None:
    """Weights sum to 100, criteria fill their dimension, bands don't overlap, every
    criterion has a known source, every deduction a reason-bearing name and a cap."""
    if not (spec.name or "").strip():
        raise DomainError(_("请填写方案名称。"), "required", field="name")
    if not spec.dimensions:
        raise DomainError(_("至少需要一个考核维度。"), "required", field="dimensions")
    total = Decimal(0)
    for dimension in spec.dimensions:
        if not (dimension.name or "").strip():
            raise DomainError(_("考核维度需要名称。"), "required", field="dimensions")
        weight = _num(dimension.weight, field="dimensions", label=_("维度分值"))
        total += weight
        if not dimension.criteria:
            raise DomainError(
                _("维度“%(name)s”没有考核内容。") % {"name": dimension.name},
                "required",
                field="dimensions",
            )
        points = Decimal(0)
        for criterion in dimension.criteria:
            if not (criterion.name or "").strip():
                raise DomainError(_("考核内容需要名称。"), "required", field="dimensions")
            if criterion.kind not in CriterionKind.values:
                raise DomainError(
                    _("考核内容“%(name)s”没有有效的数据来源。") % {"name": criterion.name},
                    "criterion_source",
                    field="dimensions",
                )
            points += _num(criterion.points, field="dimensions", label=_("考核内容分值"))
        if points != weight:
            raise DomainError(
                _("维度“%(name)s”的考核内容分值合计 %(sum)s，应等于维度分值 %(weight)s。")
                % {"name": dimension.name, "sum": points, "weight": weight},
                "criteria_sum",
                field="dimensions",
            )
    if total != HUNDRED:
        raise DomainError(
            _("各维度分值合计为 %(sum)s，应为 100。") % {"sum": total},
            "weights_sum",
            field="dimensions",
        )
    regular = _num(spec.regular_weight, field="regular_weight", label=_("平时成绩权重"))
    final = _num(spec.final_weight, field="final_weight", label=_("年终成绩权重"))
    if regular + final != HUNDRED:
        raise DomainError(_("平时与年终权重合计应为 100。"), "weights_sum", field="regular_weight")
    _num(spec.excellent_share_cap, field="excellent_share_cap", label=_("优秀比例上限"))
    if spec.rollup_rule not in RollupRule.values:
        raise DomainError(_("汇总规则无效。"), "invalid_choice", field="rollup_rule")
    for deduction in spec.deductions:
        if not (deduction.name or "").strip():
            raise DomainError(
                _("扣分项需要名称（扣分理由）。"), "reason_required", field="deductions"
            )
        if deduction.kind not in DeductionKind.values:
            raise DomainError(_("扣分项类型无效。"), "invalid_choice", field="deductions")
        _num(deduction.points_each, field="deductions", label=_("每次扣分"))
        _num(deduction.cap, field="deductions", label=_("扣分上限"))
    for bonus in spec.bonuses:
        if not (bonus.name or "").strip():
            raise DomainError(_("加分项需要名称。"), "required", field="bonuses")
        _num(bonus.cap, field="bonuses", label=_("加分上限"))
    if not spec.bands:
        raise DomainError(_("至少需要一个等次。"), "required", field="bands")
    ranges = []
    labels = set()
    for band in spec.bands:
        if not (band.label or "").strip():
            raise DomainError(_("等次需要名称。"), "required", field="bands")
        if band.label in labels:
            raise DomainError(_("等次名称不能重复。"), "duplicate", field="bands")
        labels.add(band.label)
        low = _num(band.min_score, field="bands", label=_("最低分"))
        high = _num(band.max_score, field="bands", label=_("最高分"))
        if high < low:
            raise DomainError(
                _("等次“%(label)s”的最高分低于最低分。") % {"label": band.label},
                "band_order",
                field="bands",
            )
        ranges.append((low, high, band.label))
    ranges.sort()
    for (_low_a, high_a, label_a), (low_b, _high_b, label_b) in zip(
        ranges, ranges[1:], strict=False
    ):
        if low_b <= high_a:
            raise DomainError(
                _("等次“%(a)s”和“%(b)s”的分数区间重叠。") % {"a": label_a, "b": label_b},
                "bands_overlap",
                field="bands",
            )
    for veto in spec.vetoes:
        if not (veto.name or "").strip():
            raise DomainError(_("否决项需要名称。"), "required", field="vetoes")
        if veto.grade_cap not in labels:
            raise DomainError(
                _("否决项“%(name)s”的最高等次必须是已定义的等次。") % {"name": veto.name},
                "invalid_choice",
                field="vetoes",
            )


def validate_org_weights(spec: SchemeSpec, campaign: Campaign) -> None:
    """Each weight is a positive number (2 places, at most 1000) for an org strictly inside
    the campaign's org (the campaign's own org has no parent to be weighed in), once each."""
    if spec.rollup_rule == RollupRule.EXPLICIT_WEIGHTS and not spec.org_weights:
        # Without any weight the rule is the plain mean; say so rather than save a no-op.
        raise DomainError(
            _("“按指定权重”的汇总规则至少需要为一个下级组织设置权重。"),
            "required",
            field="org_weights",
        )
    ids = []
    for item in spec.org_weights:
        try:
            ids.append(int(item.org_id))
        except (TypeError, ValueError):
            raise DomainError(
                _("请选择要设置权重的组织。"), "required", field="org_weights"
            ) from None
        number = _num(
            item.weight,
            field="org_weights",
            label=_("组织权重"),
            minimum=Decimal("0"),
            maximum=MAX_ORG_WEIGHT,
        )
        if number <= 0:
            raise DomainError(_("组织权重应大于 0。"), "out_of_range", field="org_weights")
    if len(set(ids)) != len(ids):
        raise DomainError(_("同一个组织只能设置一个权重。"), "duplicate", field="org_weights")
    root = campaign.org
    inside = set(
        Org.objects.filter(
            pk__in=ids, path__startswith=root.path, depth__gt=root.depth
        ).values_list("pk", flat=True)
    )
    if len(inside) != len(ids):
        raise DomainError(
            _("只能为活动主办组织的下级组织设置权重。"), "invalid_choice", field="org_weights"
        )


def _dec(value: Any) -> Decimal:
    """The same parsing validation used ("1,00" is 1.00), so what passed is what is saved."""
    return to_decimal(value, field="", label="")


def _write_spec(scheme: Scheme, spec: SchemeSpec, *, actor) -> None:
    for order, dimension in enumerate(spec.dimensions):
        dim = save_with_history(
            Dimension(
                scheme=scheme,
                name=dimension.name.strip(),
                weight=_dec(dimension.weight),
                order=order,
            ),
            actor=actor,
        )
        for c_order, criterion in enumerate(dimension.criteria):
            save_with_history(
                Criterion(
                    dimension=dim,
                    name=criterion.name.strip(),
                    kind=criterion.kind,
                    points=_dec(criterion.points),
                    params=criterion.params or {},
                    order=c_order,
                ),
                actor=actor,
            )
    for item in spec.deductions:
        save_with_history(
            Deduction(
                scheme=scheme,
                name=item.name.strip(),
                kind=item.kind,
                points_each=_dec(item.points_each),
                cap=_dec(item.cap),
            ),
            actor=actor,
        )
    for item in spec.bonuses:
        save_with_history(
            Bonus(scheme=scheme, name=item.name.strip(), cap=_dec(item.cap)), actor=actor
        )
    for item in spec.vetoes:
        save_with_history(
            Veto(scheme=scheme, name=item.name.strip(), grade_cap=item.grade_cap), actor=actor
        )
    for item in spec.bands:
        save_with_history(
            Band(
                scheme=scheme,
                label=item.label.strip(),
                min_score=_dec(item.min_score),
                max_score=_dec(item.max_score),
            ),
            actor=actor,
        )
    for item in spec.org_weights:
        save_with_history(
            OrgWeight(scheme=scheme, org_id=int(item.org_id), weight=_dec(item.weight)),
            actor=actor,
        )


def spec_of(scheme: Scheme) -> SchemeSpec:
    """The scheme as a plain spec, to copy or to edit into a new version."""
    return SchemeSpec(
        name=scheme.name,
        dimensions=[
            DimensionSpec(
                d.name,
                d.weight,
                [
                    CriterionSpec(c.name, c.kind, c.points, dict(c.params or {}))
                    for c in d.criteria.all()
                ],
            )
            for d in scheme.dimensions.prefetch_related("criteria")
        ],
        deductions=[
            DeductionSpec(x.name, x.kind, x.points_each, x.cap) for x in scheme.deductions.all()
        ],
        bonuses=[BonusSpec(x.name, x.cap) for x in scheme.bonuses.all()],
        vetoes=[VetoSpec(x.name, x.grade_cap) for x in scheme.vetoes.all()],
        bands=[BandSpec(x.label, x.min_score, x.max_score) for x in scheme.bands.all()],
        regular_weight=scheme.regular_weight,
        final_weight=scheme.final_weight,
        rollup_rule=scheme.rollup_rule,
        bonus_in_total=scheme.bonus_in_total,
        excellent_share_cap=scheme.excellent_share_cap,
        org_weights=[
            OrgWeightSpec(w.org_id, w.weight) for w in scheme.org_weights.order_by("org__path")
        ],
    )


@transaction.atomic
def scheme_create(
    *,
    actor,
    campaign: Campaign,
    spec: SchemeSpec,
    based_on: Scheme | None = None,
    activate: bool = True,
) -> Scheme:
    """Save `spec` as the campaign's next scheme version (and make it the active one)."""
    if not perms.can_configure_scheme(actor, campaign):
        raise _forbid(_("只有活动主办组织的管理员可以设置考核方案。"))
    validate_spec(spec)
    validate_org_weights(spec, campaign)
    version = (
        Scheme.all_objects.filter(campaign=campaign).aggregate(v=Max("version"))["v"] or 0
    ) + 1
    if activate:
        for old in Scheme.objects.filter(campaign=campaign, is_active=True):
            old.is_active = False
            save_with_history(old, actor=actor, reason=_("新版本启用"))
    scheme = save_with_history(
        Scheme(
            campaign=campaign,
            name=spec.name.strip(),
            version=version,
            based_on=based_on,
            is_active=activate,
            regular_weight=Decimal(str(spec.regular_weight)),
            final_weight=Decimal(str(spec.final_weight)),
            rollup_rule=spec.rollup_rule,
            bonus_in_total=spec.bonus_in_total,
            excellent_share_cap=Decimal(str(spec.excellent_share_cap)),
            created_by=actor,
        ),
        actor=actor,
        reason=_("保存考核方案"),
    )
    _write_spec(scheme, spec, actor=actor)
    return scheme


@transaction.atomic
def scheme_copy(*, actor, source: Scheme, campaign: Campaign, activate: bool = True) -> Scheme:
    """Copy a scheme (from this or an earlier campaign) as a new version of `campaign`'s.
    Org weights come along for the orgs inside `campaign`'s org; weights of orgs outside it
    (a scheme of another owner) have no parent here and are dropped; if none is left, an
    explicit-weights scheme falls back to the plain mean of child orgs."""
    spec = spec_of(source)
    if source.campaign_id != campaign.pk:
        root = campaign.org
        inside = set(
            Org.objects.filter(
                pk__in=[w.org_id for w in spec.org_weights],
                path__startswith=root.path,
                depth__gt=root.depth,
            ).values_list("pk", flat=True)
        )
        weights = [w for w in spec.org_weights if w.org_id in inside]
        rule = spec.rollup_rule
        if rule == RollupRule.EXPLICIT_WEIGHTS and not weights:
            rule = RollupRule.MEAN_CHILDREN
        spec = replace(spec, org_weights=weights, rollup_rule=rule)
    return scheme_create(
        actor=actor, campaign=campaign, spec=spec, based_on=source, activate=activate
    )


@transaction.atomic
def scheme_update(
    *, actor, scheme: Scheme, spec: SchemeSpec, expected_version: int | None = None
) -> Scheme:
    """Edit the active scheme. One that has published results keeps them: the edit becomes
    a new version; an unpublished one is replaced in place (with history). An older version
    is not edited (copy it instead): publications made with it must stay explainable."""
    if not perms.can_configure_scheme(actor, scheme.campaign):
        raise _forbid(_("只有活动主办组织的管理员可以设置考核方案。"))
    check_version(scheme, expected_version)
    if not scheme.is_active:
        raise DomainError(
            _("只能修改当前启用的版本；如需沿用旧版本，请先复制它。"), "inactive_scheme"
        )
    validate_spec(spec)
    validate_org_weights(spec, scheme.campaign)
    if scheme.runs.filter(kind=RunKind.PUBLISHED).exists():
        return scheme_create(actor=actor, campaign=scheme.campaign, spec=spec, based_on=scheme)
    for related in (
        scheme.dimensions.all(),
        scheme.deductions.all(),
        scheme.bonuses.all(),
        scheme.vetoes.all(),
        scheme.bands.all(),
        scheme.org_weights.all(),
    ):
        for item in related:
            item._history_user = actor  # type: ignore[attr-defined]
            item.delete()
    scheme.runs.filter(kind=RunKind.DRAFT).delete()
    for key in ("regular_weight", "final_weight", "excellent_share_cap"):
        setattr(scheme, key, Decimal(str(getattr(spec, key))))
    scheme.name = spec.name.strip()
    scheme.rollup_rule = spec.rollup_rule
    scheme.bonus_in_total = spec.bonus_in_total
    save_with_history(scheme, actor=actor, reason=_("修改考核方案"))
    _write_spec(scheme, spec, actor=actor)
    return scheme


# --------------------------------------------------------------------------- manual entries


def is_published(scheme: Scheme, period: Period) -> bool:
    return ScoreRun.objects.filter(
        scheme__campaign=scheme.campaign, period=period, kind=RunKind.PUBLISHED
    ).exists()


@transaction.atomic
def entry_add(
    *,
    actor,
    scheme: Scheme,
    period: Period,
    kind: str,
    item_id: int,
    note: str,
    value: Any = "0",
    project: Project | None = None,
    org: Org | None = None,
    evidence=None,
) -> ManualEntry:
    """An assessor's score, deduction, bonus or veto, always with a reason."""
    if (project is None) == (org is None):
        raise DomainError(_("请选择考核对象（项目或组织）。"), "required", field="project")
    if period.campaign_id != scheme.campaign_id:
        raise DomainError(_("该周期不属于本活动。"), "invalid", field="period")
    subject_org = project.org if project is not None else org
    if project is not None and project.campaign_id != scheme.campaign_id:
        raise DomainError(_("该项目不属于本活动。"), "invalid", field="project")
    if not perms.can_assess_org(actor, subject_org):
        raise _forbid(_("考核对象不在您的管理范围内。"))
    if is_published(scheme, period):
        raise DomainError(
            _("“%(period)s”的考核结果已发布，不能再录入。") % {"period": period.name},
            "published",
            field="period",
        )
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写理由。"), "reason_required", field="note")
    lookup = {
        EntryKind.CRITERION: (
            Criterion,
            {"dimension__scheme": scheme, "kind": CriterionKind.MANUAL},
        ),
        EntryKind.DEDUCTION: (Deduction, {"scheme": scheme, "kind": DeductionKind.MANUAL}),
        EntryKind.BONUS: (Bonus, {"scheme": scheme}),
        EntryKind.VETO: (Veto, {"scheme": scheme}),
    }
    if kind not in lookup:
        raise DomainError(_("录入类型无效。"), "invalid_choice", field="kind")
    model, filters = lookup[kind]
    item = model.objects.filter(pk=item_id, **filters).first()
    if item is None:
        raise DomainError(_("请选择本方案中可人工录入的项目。"), "invalid_choice", field="item")
    number = _entry_value(kind, value)
    entry = ManualEntry(
        scheme=scheme,
        period=period,
        project=project,
        org=org,
        kind=kind,
        value=number,
        note=note,
        assessor=actor,
        **{f"{kind}": item},
    )
    if evidence is not None:
        check_upload(evidence, field="evidence")
        entry.evidence = evidence
    return save_with_history(entry, actor=actor, reason=note)


def _entry_value(kind: str, value: Any) -> Decimal:
    """A criterion's share in [0, 1], or the points of a deduction or bonus (0–100]."""
    if kind == EntryKind.VETO:
        return Decimal(0)
    number = to_decimal(value, field="value", label=_("分值"))
    if kind == EntryKind.CRITERION and not Decimal(0) <= number <= Decimal(1):
        raise DomainError(_("评分应在 0 到 1 之间（得分比例）。"), "out_of_range", field="value")
    if kind in (EntryKind.DEDUCTION, EntryKind.BONUS) and not Decimal(0) < number <= HUNDRED:
        raise DomainError(_("分值应大于 0 且不超过 100。"), "out_of_range", field="value")
    if number != number.quantize(Decimal("0.0001")):
        raise DomainError(_("分值最多四位小数。"), "precision", field="value")
    return number


@transaction.atomic
def entry_update(
    *, actor, entry: ManualEntry, note: str, value: Any = None, expected_version: int | None = None
) -> ManualEntry:
    """Correct an assessor's entry (its value and reason) while the period is unpublished,
    by an assessor of its subject; the history keeps what it said before."""
    subject_org = entry.project.org if entry.project_id else entry.org
    if not perms.can_assess_org(actor, subject_org):
        raise _forbid(_("考核对象不在您的管理范围内。"))
    check_version(entry, expected_version)
    if is_published(entry.scheme, entry.period):
        raise DomainError(
            _("“%(period)s”的考核结果已发布，不能再录入。") % {"period": entry.period.name},
            "published",
            field="period",
        )
    note = (note or "").strip()
    if not note:
        raise DomainError(_("请填写理由。"), "reason_required", field="note")
    entry.value = _entry_value(entry.kind, entry.value if value is None else value)
    entry.note = note
    return save_with_history(entry, actor=actor, reason=note)


# --------------------------------------------------------------------------- runs


def _write_run(run: ScoreRun, results: list[engine.ProjectResult], scheme: Scheme) -> None:
    ProjectScore.objects.bulk_create(
        [
            ProjectScore(
                run=run,
                project_id=r.project_id,
                org_id=r.org_id,
                org_path=r.org_path,
                total_micro=r.total_micro,
                bonus_micro=r.bonus_micro,
                grade=r.grade,
                breakdown=r.breakdown,
            )
            for r in results
        ],
        batch_size=2000,
    )
    _write_org_scores(run, scheme)


def _write_org_scores(run: ScoreRun, scheme: Scheme) -> None:
    """Roll the run's project scores up the tree: one GROUP BY, then exact sums per org."""
    root = scheme.campaign.org
    direct = {
        row["org_path"]: (row["s"], row["n"])
        for row in ProjectScore.objects.filter(run=run)
        .values("org_path")
        .annotate(s=Sum("total_micro"), n=Count("id"))
    }
    prefixes = {
        path[:end] for path in direct for end in range(len(root.path), len(path) + 1, Org.steplen)
    }
    orgs = {org.path: org for org in Org.objects.filter(path__in=prefixes)}
    weights = None
    if scheme.rollup_rule == RollupRule.EXPLICIT_WEIGHTS:
        # Weights in hundredths (integers), so the weighted mean stays exact.
        weights = {
            path: scaled(weight, WEIGHT_SCALE)
            for path, weight in OrgWeight.objects.filter(
                scheme=scheme, org__path__in=prefixes
            ).values_list("org__path", "weight")
        }
    results = engine.rollup(
        rule=scheme.rollup_rule, root=root, direct=direct, orgs=orgs, weights=weights
    )
    if run.period_id is not None:
        entries = list(
            ManualEntry.objects.filter(scheme=scheme, period_id=run.period_id, org__isnull=False)
        )
        engine.apply_org_entries(results, entries, scheme)
    engine.rank_siblings(results)
    bands = list(scheme.bands.all())
    OrgScore.objects.bulk_create(
        [
            OrgScore(
                run=run,
                org_id=r.org_id,
                org_path=r.org_path,
                depth=r.depth,
                # Stored truncated to the micro-point; the exact mean is in the breakdown.
                score_micro=truncdiv(r.value.numerator, r.value.denominator),
                project_count=r.project_count,
                rank=r.rank,
                grade=_org_grade(r, bands),
                breakdown={
                    "value_num": r.value.numerator,
                    "value_den": r.value.denominator,
                    "score": str(r.score),
                    "rule": scheme.rollup_rule,
                    "direct": list(direct.get(r.org_path, (0, 0))),
                    "adjustments": r.adjustments,
                    "parts": r.parts,
                },
            )
            for r in results.values()
        ],
        batch_size=2000,
    )


def _org_grade(result: engine.OrgResult, bands: list[Band]) -> str:
    grade = engine.grade_for(result.score, bands)
    for cap in result.veto_caps:
        grade = engine.capped_grade(grade, cap, bands)
    return grade


def compute(scheme: Scheme, period: Period | None) -> list[engine.ProjectResult]:
    """A period's results, or the year's (period None)."""
    if period is None:
        return engine.score_year(scheme)
    return engine.score_projects(scheme, period)


@transaction.atomic
def draft_compute(*, scheme: Scheme, period: Period | None) -> ScoreRun:
    """Recompute the draft scores of a period or the year (drafts are disposable)."""
    if period is not None and period.campaign_id != scheme.campaign_id:
        raise DomainError(_("该周期不属于本活动。"), "invalid", field="period")
    ScoreRun.objects.filter(scheme=scheme, period=period, kind=RunKind.DRAFT).delete()
    run = ScoreRun.objects.create(scheme=scheme, period=period, kind=RunKind.DRAFT)
    _write_run(run, compute(scheme, period), scheme)
    return run


@transaction.atomic
def assessment_publish(*, actor, scheme: Scheme, period: Period | None) -> ScoreRun:
    """Freeze a period's results: a new published version; earlier versions are kept."""
    if not perms.can_publish(actor, scheme):
        raise _forbid(_("只有活动主办组织的管理员可以发布考核结果。"))
    if not scheme.is_active:
        raise DomainError(_("只能用当前启用的方案发布结果。"), "inactive_scheme")
    version = (
        ScoreRun.objects.filter(
            scheme__campaign=scheme.campaign, period=period, kind=RunKind.PUBLISHED
        ).aggregate(v=Max("version"))["v"]
        or 0
    ) + 1
    run = ScoreRun.objects.create(
        scheme=scheme,
        period=period,
        kind=RunKind.PUBLISHED,
        version=version,
        published_by=actor,
        published_at=timezone.now(),
    )
    _write_run(run, compute(scheme, period), scheme)
    emit(
        "results.published",
        {
            "kind": "scores",
            "campaign_id": scheme.campaign_id,
            "run_id": run.pk,
            "version": run.version,
            "period_id": period.pk if period is not None else None,
            "period": period.name if period is not None else None,
        },
        scheme.campaign.org,
        actor=actor,
    )
    return run


def latest_published(scheme_or_campaign, period: Period) -> ScoreRun | None:
    campaign = getattr(scheme_or_campaign, "campaign", scheme_or_campaign)
    return (
        ScoreRun.objects.filter(scheme__campaign=campaign, period=period, kind=RunKind.PUBLISHED)
        .order_by("-version")
        .first()
    )
