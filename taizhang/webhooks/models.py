"""Outgoing webhooks: URLs an org admin registers for ledger events, and the delivery log.

An endpoint on an org receives the events of that org and of every org below it, like a
membership grants a role in a subtree. Each event becomes one `Delivery` per endpoint; the
delivery keeps the exact body that is signed, so a retry sends the same bytes.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from taizhang.core.models import SoftDeleteModel, TimeStampedModel
from taizhang.orgs.models import Org


class Event(models.TextChoices):
    PROJECT_APPROVED = "project.approved", _("项目立项")
    REPORT_SUBMITTED = "report.submitted", _("进展报告提交")
    REPORT_RETURNED = "report.returned", _("进展报告退回")
    PROJECT_TURNED_RED = "project.turned_red", _("项目亮红灯")
    RESULTS_PUBLISHED = "results.published", _("结果发布")


# The test-send button posts this event; endpoints need not subscribe to it.
PING = "ping"


class Endpoint(SoftDeleteModel):
    org = models.ForeignKey(
        Org, verbose_name=_("组织"), on_delete=models.PROTECT, related_name="webhook_endpoints"
    )
    url = models.URLField(_("接收地址"), max_length=500)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    events = models.JSONField(_("订阅事件"), default=list)
    # The shared secret the receiver verifies signatures with. Stored as is: signing needs it.
    secret = models.CharField(_("签名密钥"), max_length=100, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["secret"])

    class Meta:
        verbose_name = _("外发通知地址")
        verbose_name_plural = _("外发通知地址")
        ordering = ["org__path", "id"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(name, name)) for name in self.events]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("发送失败")


class Delivery(TimeStampedModel):
    """One event posted to one endpoint, with every attempt's outcome (bookkeeping: no
    history; this row *is* the log)."""

    endpoint = models.ForeignKey(Endpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(_("事件"), max_length=50)
    event_id = models.UUIDField(_("事件编号"), default=uuid.uuid4)
    body = models.TextField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次重试"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("状态码"), null=True, blank=True)
    last_error = models.CharField(_("错误"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id}"

    def get_event_display(self) -> str:
        if self.event == PING:
            return str(_("测试"))
        return str(dict(Event.choices).get(self.event, self.event))
