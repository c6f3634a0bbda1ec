from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.models import SoftDeleteModel, TimeStampedModel
from taizhang.orgs.models import Org, Person

DEFAULT_PROJECT_TYPES = [("党组织带党员创效", "创效"), ("党员带群众创新", "创新")]
DEFAULT_FOCUS_AREAS = ["资源整合", "生产经营", "贸易营销", "提质增效", "党建工作", "安全环保"]


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    CUSTOM = "custom", _("自定义周期")


class Campaign(SoftDeleteModel):
    org = models.ForeignKey(
        Org, verbose_name=_("主办组织"), on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("活动名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    cadence = models.CharField(
        _("检查周期"), max_length=20, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    description = models.TextField(_("说明"), blank=True)
    # Check-in settings (see checkins.rules): when reports fall due and how lights are set.
    report_deadline_days = models.PositiveSmallIntegerField(
        _("报告截止（周期结束后天数）"), default=10, validators=[MaxValueValidator(90)]
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        _("截止前几天提醒"), default=3, validators=[MaxValueValidator(30)]
    )
    amber_after = models.DecimalField(
        _("黄灯阈值（落后百分点）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("10"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    red_after = models.DecimalField(
        _("红灯阈值（落后百分点）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("30"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="campaign_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(red_after__gte=F("amber_after")), name="campaign_thresholds_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ProjectType(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="project_types")
    name = models.CharField(_("项目类型"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    is_benefit = models.BooleanField(
        _("创效类"), default=False, help_text=_("创效类项目申报效益（万元）。")
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目类型")
        verbose_name_plural = _("项目类型")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="project_type_unique")
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class FocusArea(TimeStampedModel):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="focus_areas")
    name = models.CharField(_("中心工作"), max_length=100)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("中心工作")
        verbose_name_plural = _("中心工作")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="focus_area_unique")
        ]

    def __str__(self) -> str:
        return self.name


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已申报")
    APPROVED = "approved", _("已立项")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已结项")
    TERMINATED = "terminated", _("已终止")


class Project(SoftDeleteModel):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="projects"
    )
    org = models.ForeignKey(
        Org, verbose_name=_("责任组织"), on_delete=models.PROTECT, related_name="projects"
    )
    code = models.CharField(_("项目编号"), max_length=50)
    title = models.CharField(_("项目名称"), max_length=300)
    project_type = models.ForeignKey(
        ProjectType, verbose_name=_("项目类型"), on_delete=models.PROTECT, related_name="projects"
    )
    focus_area = models.ForeignKey(
        FocusArea, verbose_name=_("中心工作"), on_delete=models.PROTECT, related_name="projects"
    )
    rationale = models.TextField(_("选题依据"), blank=True)
    plan = models.TextField(_("实施方案"), blank=True)
    lead = models.ForeignKey(
        Person, verbose_name=_("牵头人"), on_delete=models.PROTECT, related_name="led_projects"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("完成时限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProjectStatus.choices,
        default=ProjectStatus.DRAFT,
        db_index=True,
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "code"],
                condition=Q(deleted_at__isnull=True),
                name="project_code_unique_in_campaign",
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="project_dates_ordered"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "org"], name="project_campaign_org")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class ProjectTransition(models.Model):
    """Append-only log of lifecycle moves: who moved the project, when, from what, and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("操作"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=20, choices=ProjectStatus.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=ProjectStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"), blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_status} → {self.to_status}"


def attachment_path(instance: "ProjectAttachment", filename: str) -> str:
    return f"projects/{instance.project_id}/{filename}"


class ProjectAttachment(SoftDeleteModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    name = models.CharField(_("文件名"), max_length=255)
    size = models.PositiveBigIntegerField(_("大小"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.name


class ParticipantRole(models.TextChoices):
    CORE = "core", _("骨干成员")
    MEMBER = "member", _("成员")
    ADVISOR = "advisor", _("指导")
    LIAISON = "liaison", _("联络员")


class Participant(SoftDeleteModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        Person, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="participations"
    )
    role = models.CharField(
        _("角色"), max_length=20, choices=ParticipantRole.choices, default=ParticipantRole.MEMBER
    )
    duty = models.CharField(_("分工"), max_length=200, blank=True)
    can_report = models.BooleanField(
        _("可填报进展"), default=False, help_text=_("允许该参与人员代牵头人填写进展报告。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("参与人员")
        verbose_name_plural = _("参与人员")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "person"],
                condition=Q(deleted_at__isnull=True),
                name="participant_unique_alive",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)


class Direction(models.TextChoices):
    HIGHER = "higher", _("越高越好")
    LOWER = "lower", _("越低越好")


DECIMAL_KW = {"max_digits": 18, "decimal_places": 4}


class GoalIndicator(SoftDeleteModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="goals")
    name = models.CharField(_("指标名称"), max_length=200)
    unit = models.CharField(_("单位"), max_length=30, blank=True)
    baseline = models.DecimalField(_("基准值"), **DECIMAL_KW)
    target = models.DecimalField(_("目标值"), **DECIMAL_KW)
    direction = models.CharField(
        _("方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    weight = models.DecimalField(
        _("权重"),
        max_digits=7,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(0)],
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标指标")
        verbose_name_plural = _("目标指标")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="goal_weight_nonnegative")
        ]

    def __str__(self) -> str:
        return self.name


class MeasureStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未开始")
    IN_PROGRESS = "in_progress", _("进行中")
    DONE = "done", _("已完成")
    DELAYED = "delayed", _("滞后")
    CANCELLED = "cancelled", _("已取消")


class Measure(SoftDeleteModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    description = models.TextField(_("具体措施"))
    owner = models.ForeignKey(
        Person,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
    )
    start_date = models.DateField(_("开始日期"), null=True, blank=True)
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=MeasureStatus.choices, default=MeasureStatus.NOT_STARTED
    )
    percent_complete = models.PositiveSmallIntegerField(
        _("完成百分比"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("具体措施")
        verbose_name_plural = _("具体措施")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percent_complete__gte=0) & Q(percent_complete__lte=100),
                name="measure_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="measure_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]


class Pairing(SoftDeleteModel):
    """1+N 结对: a Party member leads a non-member colleague in a campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="pairings")
    member = models.ForeignKey(
        Person, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="pairings_led"
    )
    colleague = models.ForeignKey(
        Person, verbose_name=_("结对群众"), on_delete=models.PROTECT, related_name="pairings_joined"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("1+N 结对")
        verbose_name_plural = _("1+N 结对")
        ordering = ["member__name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "colleague"],
                condition=Q(deleted_at__isnull=True),
                name="pairing_colleague_once_per_campaign",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.colleague}"
