"""考核: a versioned 100-point scheme per campaign, its manual entries, and score runs.

Scores are kept in integer micro-points (1 point = 1,000,000) from the database aggregates to
the final figure, so SQLite (floats) and PostgreSQL (numeric) agree to the last digit; the
figure shown is rounded once, half up, to 2 places (see engine.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.campaigns.models import Campaign, Project
from taizhang.checkins.models import Period
from taizhang.core.models import SoftDeleteModel, TimeStampedModel
from taizhang.orgs.models import Org

POINTS_KW = {"max_digits": 6, "decimal_places": 2}


class RollupRule(models.TextChoices):
    PROJECT_WEIGHTED = "project_weighted", _("按项目数加权（子树内全部项目平均）")
    MEAN_CHILDREN = "mean_children", _("下级组织平均")
    EXPLICIT_WEIGHTS = "explicit_weights", _("下级组织按指定权重加权平均")


class Scheme(SoftDeleteModel):
    """One version of a campaign's scheme. Only the active version scores; older versions
    stay for the publications made with them."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="schemes")
    name = models.CharField(_("方案名称"), max_length=200)
    version = models.PositiveIntegerField(_("版本"), default=1)
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("复制自"),
    )
    is_active = models.BooleanField(_("启用"), default=False)
    regular_weight = models.DecimalField(
        _("平时成绩权重（%）"),
        default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **POINTS_KW,
    )
    final_weight = models.DecimalField(
        _("年终成绩权重（%）"),
        default=Decimal("90"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **POINTS_KW,
    )
    rollup_rule = models.CharField(
        _("汇总规则"),
        max_length=30,
        choices=RollupRule.choices,
        default=RollupRule.PROJECT_WEIGHTED,
    )
    bonus_in_total = models.BooleanField(_("加分计入总分"), default=False)
    excellent_share_cap = models.DecimalField(
        _("成果发布优秀比例上限（%）"),
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **POINTS_KW,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核方案")
        verbose_name_plural = _("考核方案")
        ordering = ["campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "version"], name="scheme_version_unique"),
            models.UniqueConstraint(
                fields=["campaign"],
                condition=Q(is_active=True, deleted_at__isnull=True),
                name="one_active_scheme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Dimension(TimeStampedModel):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="dimensions")
    name = models.CharField(_("考核维度"), max_length=100)
    weight = models.DecimalField(_("分值"), validators=[MinValueValidator(0)], **POINTS_KW)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核维度")
        verbose_name_plural = _("考核维度")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class CriterionKind(models.TextChoices):
    GOAL_ATTAINMENT = "goal_attainment", _("目标达成度（按指标权重）")
    MEASURE_COMPLETION = "measure_completion", _("措施完成率")
    REPORT_TIMELINESS = "report_timeliness", _("报告及时性")
    INSPECTION_RATING = "inspection_rating", _("检查评价")
    LEAD_IS_MEMBER = "lead_is_member", _("党员牵头")
    NON_MEMBER_PARTICIPATION = "non_member_participation", _("群众参与")
    PAIRING_COVERAGE = "pairing_coverage", _("1+N 结对覆盖")
    BENEFIT_VS_TARGET = "benefit_vs_target", _("核定效益 / 目标")
    MANUAL = "manual", _("考核人评分")


class Criterion(TimeStampedModel):
    """A scored line: its `points` times a share in [0, 1] from its source."""

    dimension = models.ForeignKey(Dimension, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("考核内容"), max_length=200)
    kind = models.CharField(_("数据来源"), max_length=40, choices=CriterionKind.choices)
    points = models.DecimalField(_("分值"), validators=[MinValueValidator(0)], **POINTS_KW)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核内容")
        verbose_name_plural = _("考核内容")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class DeductionKind(models.TextChoices):
    MISSING_REPORT = "missing_report", _("缺报进展报告")
    LATE_REPORT = "late_report", _("逾期提交报告")
    OVERDUE_RECTIFICATION = "overdue_rectification", _("整改逾期未销号")
    MANUAL = "manual", _("考核人扣分")


class Deduction(TimeStampedModel):
    """扣分: `points_each` per occurrence, never more than `cap` for the item."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="deductions")
    name = models.CharField(_("扣分项"), max_length=200)
    kind = models.CharField(_("类型"), max_length=40, choices=DeductionKind.choices)
    points_each = models.DecimalField(_("每次扣分"), validators=[MinValueValidator(0)], **POINTS_KW)
    cap = models.DecimalField(_("最多扣分"), validators=[MinValueValidator(0)], **POINTS_KW)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("扣分项")
        verbose_name_plural = _("扣分项")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Bonus(TimeStampedModel):
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="bonuses")
    name = models.CharField(_("加分项"), max_length=200)
    cap = models.DecimalField(_("最多加分"), validators=[MinValueValidator(0)], **POINTS_KW)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("加分项")
        verbose_name_plural = _("加分项")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Veto(TimeStampedModel):
    """否决项: when entered, the grade can be no better than `grade_cap`."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="vetoes")
    name = models.CharField(_("否决项"), max_length=200)
    grade_cap = models.CharField(_("最高等次"), max_length=50)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("否决项")
        verbose_name_plural = _("否决项")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Band(TimeStampedModel):
    """A grade band [min_score, max_score]; bands of a scheme must not overlap."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="bands")
    label = models.CharField(_("等次"), max_length=50)
    min_score = models.DecimalField(_("最低分"), **POINTS_KW)
    max_score = models.DecimalField(_("最高分"), **POINTS_KW)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("等次")
        verbose_name_plural = _("等次")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return self.label


MAX_ORG_WEIGHT = Decimal("1000")


class OrgWeight(TimeStampedModel):
    """An org's weight in its parent's score under RollupRule.EXPLICIT_WEIGHTS.

    Kept per scheme version (copied with it), so a publication made with one version keeps
    the weights it was computed with. An org without a row weighs 1, as under MEAN_CHILDREN.
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="org_weights")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    weight = models.DecimalField(
        _("权重"),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MAX_ORG_WEIGHT)],
        **POINTS_KW,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("下级组织权重")
        verbose_name_plural = _("下级组织权重")
        ordering = ["org__path"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "org"], name="org_weight_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="org_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.weight}"


class EntryKind(models.TextChoices):
    CRITERION = "criterion", _("评分")
    DEDUCTION = "deduction", _("扣分")
    BONUS = "bonus", _("加分")
    VETO = "veto", _("否决")


class ManualEntry(SoftDeleteModel):
    """An assessor's entry for a project (or an org) in a period, with reason and evidence."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="entries")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    org = models.ForeignKey(Org, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类型"), max_length=20, choices=EntryKind.choices)
    criterion = models.ForeignKey(
        Criterion, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    deduction = models.ForeignKey(
        Deduction, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    bonus = models.ForeignKey(
        Bonus, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    veto = models.ForeignKey(
        Veto, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # A share in [0, 1] for a criterion; points for a deduction or bonus; unused for a veto.
    value = models.DecimalField(_("分值"), max_digits=8, decimal_places=4, default=Decimal("0"))
    note = models.TextField(_("理由"))
    evidence = models.FileField(_("佐证材料"), upload_to="assessment/", blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("考核录入")
        verbose_name_plural = _("考核录入")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(org__isnull=False), name="entry_has_subject"
            )
        ]


class RunKind(models.TextChoices):
    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ScoreRun(TimeStampedModel):
    """The scores of one scheme for one period (or the year, period = None).

    A draft run is recomputed on demand; publishing copies it into a published run that is
    never written again (publishing again makes a new version and keeps the old one).
    """

    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="runs")
    period = models.ForeignKey(
        Period, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=RunKind.choices, default=RunKind.DRAFT)
    version = models.PositiveIntegerField(default=0)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("考核结果")
        verbose_name_plural = _("考核结果")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "period"],
                condition=Q(kind="draft"),
                name="one_draft_per_scheme_period",
            ),
            models.UniqueConstraint(
                fields=["scheme", "period", "version"],
                condition=Q(kind="published"),
                name="published_version_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} · {self.period or _('全年')} · {self.get_kind_display()} {self.version or ''}"


class ProjectScore(models.Model):
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="project_scores")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255, db_index=True)
    total_micro = models.BigIntegerField()
    bonus_micro = models.BigIntegerField(default=0)
    grade = models.CharField(max_length=50, blank=True)
    breakdown = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "project"], name="project_score_unique")
        ]
        indexes = [models.Index(fields=["run", "org_path"], name="project_score_run_path")]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.total_micro}"


class OrgScore(models.Model):
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="org_scores")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField()
    score_micro = models.BigIntegerField()
    project_count = models.PositiveIntegerField()
    rank = models.PositiveIntegerField(null=True, blank=True)
    grade = models.CharField(max_length=50, blank=True)
    breakdown = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "org"], name="org_score_unique")]
        indexes = [models.Index(fields=["run", "org_path"], name="org_score_run_path")]

    def __str__(self) -> str:
        return f"{self.org_id}: {self.score_micro}"


class ResultsDayStatus(models.TextChoices):
    OPEN = "open", _("评审中")
    PUBLISHED = "published", _("已发布")


def default_review_criteria() -> list[dict]:
    return [
        {"name": "实效", "points": 50},
        {"name": "创新", "points": 25},
        {"name": "可操作", "points": 25},
    ]


class ResultsDay(TimeStampedModel):
    """成果发布: reviewers score candidate projects; the best are rated 优秀, within a cap."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="results_days")
    name = models.CharField(_("名称"), max_length=200)
    date = models.DateField(_("发布日期"))
    criteria = models.JSONField(_("评审指标"), default=default_review_criteria)
    excellent_share_cap = models.DecimalField(
        _("优秀比例上限（%）"),
        default=Decimal("50"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **POINTS_KW,
    )
    excellent_min = models.DecimalField(_("优秀最低分"), default=Decimal("85"), **POINTS_KW)
    status = models.CharField(
        _("状态"), max_length=20, choices=ResultsDayStatus.choices, default=ResultsDayStatus.OPEN
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成果发布")
        verbose_name_plural = _("成果发布")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.name


class Award(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    SELECTED = "selected", _("入选")


class Candidate(TimeStampedModel):
    results_day = models.ForeignKey(ResultsDay, on_delete=models.CASCADE, related_name="candidates")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    # Filled when the day is published, then never changed.
    mean_score = models.DecimalField(_("平均得分"), null=True, blank=True, **POINTS_KW)
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    award = models.CharField(_("评定"), max_length=20, choices=Award.choices, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("候选项目")
        verbose_name_plural = _("候选项目")
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["results_day", "project"], name="candidate_unique")
        ]

    def __str__(self) -> str:
        return str(self.project)


class Review(TimeStampedModel):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scores = models.JSONField(_("各项得分"), default=dict)
    total = models.DecimalField(_("合计"), **POINTS_KW)
    comment = models.TextField(_("评语"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审打分")
        verbose_name_plural = _("评审打分")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "reviewer"], name="review_once")
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.total}"
