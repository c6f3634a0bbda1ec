"""An uploaded ledger on its way in: the file, where its table is, the column mapping the
user confirmed, and the dry run's report. Nothing here is ledger data yet."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from taizhang.campaigns.models import Campaign
from taizhang.core.models import TimeStampedModel
from taizhang.jobs.storage import private_storage


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("待确认列")
    CHECKED = "checked", _("已预检")
    APPLIED = "applied", _("已导入")


def import_path(instance: "LedgerImport", filename: str) -> str:
    return f"imports/{uuid.uuid4().hex}.xlsx"


class LedgerImport(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="+"
    )
    file = models.FileField(
        _("文件"), storage=private_storage, upload_to=import_path, max_length=300
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    file_size = models.PositiveBigIntegerField(_("大小"), default=0)
    # Where the tables are (sheet, header row, labels, guessed fields, sample rows).
    layout = models.JSONField(default=dict, blank=True)
    # What the user confirmed: {"columns": {"<index>": "<field>"}, "default_org": id, ...}.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    report = models.JSONField(_("预检结果"), default=dict, blank=True)
    report_digest = models.CharField(max_length=64, blank=True)
    is_clean = models.BooleanField(_("无错误"), default=False)
    checked_at = models.DateTimeField(_("预检时间"), null=True, blank=True)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    result = models.JSONField(_("导入结果"), default=dict, blank=True)

    class Meta:
        verbose_name = _("台账导入")
        verbose_name_plural = _("台账导入")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def estimated_rows(self) -> int | None:
        return self.layout.get("estimated_rows")
