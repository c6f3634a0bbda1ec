"""Personal API tokens and the idempotency keys of retried requests.

Both are bookkeeping of the API layer, not ledger data: no history, no soft delete (a revoked
token keeps its row so the page can show when it was revoked).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import TimeStampedModel


class TokenScope(models.TextChoices):
    READ = "read", _("只读")
    WRITE = "write", _("读写")


class ApiToken(TimeStampedModel):
    """A personal token: `Authorization: Bearer <token>` acts as its user.

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is
    created. `prefix` (the first characters) lets the owner tell tokens apart.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(
        _("权限范围"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.scope == TokenScope.WRITE


class IdempotencyKey(TimeStampedModel):
    """The first successful response to a request sent with `Idempotency-Key`, so a retry
    with the same key gets that response back instead of doing the work again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    # What the key was used for (operation + body digest): the same key with another
    # request is refused rather than answered with an unrelated response.
    fingerprint = models.CharField(max_length=64)
    operation = models.CharField(max_length=100)
    status_code = models.PositiveSmallIntegerField(default=0)
    response = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique"),
            models.CheckConstraint(condition=~Q(key=""), name="idempotency_key_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
