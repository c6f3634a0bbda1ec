from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.campaigns.models import Campaign, GoalIndicator, Measure, MeasureStatus, Project
from taizhang.core.models import SoftDeleteModel, TimeStampedModel
from taizhang.orgs.models import Org, Person

from .rules import Light

AMOUNT_KW = {"max_digits": 14, "decimal_places": 2}


class LightChoices(models.TextChoices):
    GREEN = Light.GREEN, _("绿灯")
    AMBER = Light.AMBER, _("黄灯")
    RED = Light.RED, _("红灯")


class Period(TimeStampedModel):
    """A check-in period of a campaign (a month, a quarter, or one the admin defines)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="periods")
    name = models.CharField(_("周期名称"), max_length=100)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    deadline = models.DateField(_("报告截止日期"))
    is_closed = models.BooleanField(_("已关闭"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查周期")
        verbose_name_plural = _("检查周期")
        ordering = ["campaign", "start_date"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "start_date"], name="period_unique_start"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="period_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gte=F("end_date")), name="period_deadline_after_end"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    ACCEPTED = "accepted", _("已通过")
    RETURNED = "returned", _("已退回")


class ProgressReport(SoftDeleteModel):
    """进展报告: one per project and period, written by the lead, reviewed by the org admin."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(
        _("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    progress = models.TextField(_("进展情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步计划"), blank=True)
    revision = models.PositiveSmallIntegerField(_("提交次数"), default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_late = models.BooleanField(_("逾期提交"), default=False)
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(_("审核意见"), blank=True)
    # Derived at submission (checkins.rules) and kept, so the board and history show what
    # the light was at the time, not what it would be today.
    attainment = models.DecimalField(
        _("目标达成度"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    elapsed = models.DecimalField(
        _("时间进度"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    computed_light = models.CharField(
        _("计算灯号"), max_length=10, choices=LightChoices.choices, blank=True
    )
    override_light = models.CharField(
        _("调整灯号"), max_length=10, choices=LightChoices.choices, blank=True
    )
    override_reason = models.TextField(_("调整理由"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")
        ordering = ["period__start_date", "project__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                condition=Q(deleted_at__isnull=True),
                name="report_unique_per_period",
            )
        ]
        indexes = [models.Index(fields=["period", "status"], name="report_period_status")]

    def __str__(self) -> str:
        return f"{self.project.code} · {self.period.name}"

    @property
    def light(self) -> str:
        return self.override_light or self.computed_light

    def get_light_display(self) -> str:
        return str(LightChoices(self.light).label) if self.light else ""


class IndicatorReading(TimeStampedModel):
    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="readings")
    goal = models.ForeignKey(GoalIndicator, on_delete=models.PROTECT, related_name="readings")
    actual = models.DecimalField(_("实际值"), max_digits=18, decimal_places=4)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("指标实际值")
        verbose_name_plural = _("指标实际值")
        constraints = [models.UniqueConstraint(fields=["report", "goal"], name="reading_unique")]


class MeasureUpdate(TimeStampedModel):
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="measure_updates"
    )
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(_("状态"), max_length=20, choices=MeasureStatus.choices)
    percent_complete = models.PositiveSmallIntegerField(_("完成百分比"))
    note = models.CharField(_("说明"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("措施进展")
        verbose_name_plural = _("措施进展")
        constraints = [
            models.UniqueConstraint(fields=["report", "measure"], name="measure_update_unique"),
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="measure_update_percent_range",
            ),
        ]


def evidence_path(instance: "Evidence", filename: str) -> str:
    return f"evidence/{instance.content_key}/{filename}"


class Evidence(SoftDeleteModel):
    """An uploaded file backing a report, a benefit claim or a rectification item."""

    report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    claim = models.ForeignKey(
        "BenefitClaim", null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    rectification = models.ForeignKey(
        "RectificationItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="evidence",
    )
    file = models.FileField(_("文件"), upload_to=evidence_path)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(report__isnull=False, claim__isnull=True, rectification__isnull=True)
                    | Q(report__isnull=True, claim__isnull=False, rectification__isnull=True)
                    | Q(report__isnull=True, claim__isnull=True, rectification__isnull=False)
                ),
                name="evidence_has_one_owner",
            )
        ]

    @property
    def content_key(self) -> str:
        if self.report_id:
            return f"report-{self.report_id}"
        if self.claim_id:
            return f"claim-{self.claim_id}"
        return f"rectification-{self.rectification_id}"


class BenefitSource(models.TextChoices):
    TRADE_PROFIT = "trade_profit", _("贸易利润")
    COST_REDUCTION = "cost_reduction", _("降本节支")
    NEW_REVENUE = "new_revenue", _("新增收入")
    LOSS_REDUCTION = "loss_reduction", _("减亏")
    OTHER = "other", _("其他")


class ClaimStatus(models.TextChoices):
    DECLARED = "declared", _("已申报")
    VERIFIED = "verified", _("已核定")
    REJECTED = "rejected", _("已驳回")


class BenefitClaim(SoftDeleteModel):
    """创效成果: a benefit in 万元 declared by the project, verified by someone else."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="benefit_claims")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="benefit_claims")
    amount = models.DecimalField(_("金额（万元）"), **AMOUNT_KW)
    source = models.CharField(_("来源"), max_length=30, choices=BenefitSource.choices)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ClaimStatus.choices, default=ClaimStatus.DECLARED
    )
    claimant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("核定时间"), null=True, blank=True)
    verified_amount = models.DecimalField(_("核定金额（万元）"), null=True, blank=True, **AMOUNT_KW)
    decision_note = models.TextField(_("核定意见"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("创效成果")
        verbose_name_plural = _("创效成果")
        ordering = ["period__start_date", "id"]
        constraints = [
            # One benefit is counted once: a project claims at most once per period.
            models.UniqueConstraint(
                fields=["project", "period"],
                condition=Q(deleted_at__isnull=True),
                name="claim_once_per_project_period",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="claim_amount_positive"),
        ]


class InspectionMethod(models.TextChoices):
    BRIEFING = "briefing", _("听汇报")
    DOCUMENTS = "documents", _("查资料")
    INTERVIEW = "interview", _("访谈座谈")
    SITE = "site", _("现场查看")


class InspectionRating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class Inspection(SoftDeleteModel):
    """检查: an org inspects one of its projects or a lower org."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="inspections")
    inspecting_org = models.ForeignKey(
        Org, on_delete=models.PROTECT, related_name="inspections_made"
    )
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections"
    )
    target_org = models.ForeignKey(
        Org, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections_received"
    )
    date = models.DateField(_("检查日期"))
    inspectors = models.CharField(_("检查人员"), max_length=300)
    methods = models.JSONField(_("检查方式"), default=list)
    findings = models.TextField(_("检查发现"))
    rating = models.CharField(_("评价"), max_length=20, choices=InspectionRating.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("检查")
        verbose_name_plural = _("检查")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(target_org__isnull=False),
                name="inspection_has_target",
            )
        ]

    @property
    def subject_org(self) -> Org:
        return self.project.org if self.project_id else self.target_org

    def method_labels(self) -> list[str]:
        labels = dict(InspectionMethod.choices)
        return [str(labels.get(m, m)) for m in self.methods]


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已销号")


class RectificationItem(SoftDeleteModel):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="items")
    description = models.TextField(_("整改事项"))
    owner = models.ForeignKey(
        Person, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField(_("整改时限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=RectificationStatus.choices,
        default=RectificationStatus.OPEN,
    )
    closing_note = models.TextField(_("销号说明"), blank=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["due_date", "id"]


class Supervision(TimeStampedModel):
    """督办: a red project on the supervising org's board until it turns green or closes."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="supervisions")
    org = models.ForeignKey(
        Org, verbose_name=_("督办组织"), on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        Person, verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("办结时限"))
    opened_by_report = models.ForeignKey(
        ProgressReport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["deadline", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project"], condition=Q(closed_at__isnull=True), name="one_open_supervision"
            )
        ]


class Notification(TimeStampedModel):
    """An in-app inbox entry. `key` makes reminders idempotent: one key is sent once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(max_length=200)
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="notification_unique_key")
        ]


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")


class OrgWebhook(TimeStampedModel):
    """A group-robot URL an org wants its reminders posted to."""

    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="robot_webhooks")
    kind = models.CharField(_("类型"), max_length=20, choices=WebhookKind.choices)
    url = models.URLField(_("地址"), max_length=500)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("群机器人")
        verbose_name_plural = _("群机器人")


class WebhookDelivery(TimeStampedModel):
    """One post of one reminder to one robot; `key` keeps a re-run from posting it twice."""

    webhook = models.ForeignKey(OrgWebhook, on_delete=models.CASCADE, related_name="deliveries")
    key = models.CharField(max_length=200)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    delivered = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webhook", "key"], name="webhook_delivery_unique")
        ]
