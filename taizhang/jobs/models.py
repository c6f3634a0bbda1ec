"""A record per background job, so the owner can follow it and fetch its result."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import TimeStampedModel

from .storage import private_storage


class JobKind(models.TextChoices):
    LEDGER_EXPORT = "ledger_export", _("导出台账")
    LEDGER_IMPORT_CHECK = "ledger_import_check", _("台账导入预检")
    LEDGER_IMPORT_APPLY = "ledger_import_apply", _("导入台账")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


FINISHED_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED)


def job_result_path(instance: "Job", filename: str) -> str:
    # A random folder per file: the name a user sees stays readable (result_name), the path
    # cannot be guessed from the job id.
    return f"jobs/{uuid.uuid4().hex}/{filename}"


class Job(TimeStampedModel):
    """Bookkeeping, not ledger data: no history, and progress is written with update()."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.CASCADE,
        related_name="jobs",
    )
    kind = models.CharField(_("类型"), max_length=40, choices=JobKind.choices)
    title = models.CharField(_("标题"), max_length=300)
    status = models.CharField(
        _("状态"), max_length=20, choices=JobStatus.choices, default=JobStatus.QUEUED, db_index=True
    )
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    message = models.CharField(_("当前步骤"), max_length=300, blank=True)
    # Only ids and plain values: the task runs in another process, maybe on another machine.
    params = models.JSONField(_("参数"), default=dict, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    task_backend = models.CharField(max_length=64, blank=True)
    result_file = models.FileField(
        _("结果文件"),
        storage=private_storage,
        upload_to=job_result_path,
        blank=True,
        max_length=300,
    )
    result_name = models.CharField(_("文件名"), max_length=255, blank=True)
    result_url = models.CharField(_("结果页面"), max_length=500, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="job_progress_range")
        ]
        indexes = [models.Index(fields=["owner", "-created_at"], name="job_owner_created")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def file_expired(self) -> bool:
        """It made a file that has since been removed (`taizhang prune-files`)."""
        return (
            self.status == JobStatus.SUCCEEDED and bool(self.result_name) and not self.result_file
        )
