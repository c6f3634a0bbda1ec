"""Writes of the API layer: personal tokens (create, revoke, mark used)."""

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError

from .models import ApiToken, TokenScope

TOKEN_PREFIX = "tz_"  # noqa: S105 - a marker, not a secret
PREFIX_SHOWN = len(TOKEN_PREFIX) + 8
MAX_ACTIVE_TOKENS = 20
# last_used_at is written at most this often per token: a busy integration would otherwise
# turn every read into a write.
TOUCH_EVERY = dt.timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, actor, name: str, scope: str = TokenScope.READ) -> tuple[ApiToken, str]:
    """A new personal token for `actor`; the raw token is returned once and never stored."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise DomainError(_("请先登录。"), "forbidden")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("请填写令牌名称。"), "required", field="name")
    if len(name) > 100:
        raise DomainError(_("令牌名称不能超过 100 个字。"), "too_long", field="name")
    if scope not in TokenScope.values:
        raise DomainError(_("权限范围无效。"), "invalid_choice", field="scope")
    active = ApiToken.objects.filter(user=actor, revoked_at__isnull=True)
    if active.count() >= MAX_ACTIVE_TOKENS:
        raise DomainError(
            _("有效令牌最多 %(n)s 个，请先撤销不用的令牌。") % {"n": MAX_ACTIVE_TOKENS},
            "too_many",
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, scope=scope, prefix=raw[:PREFIX_SHOWN], token_hash=hash_token(raw)
    )
    return token, raw


@transaction.atomic
def token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens; it stops working at once (401)."""
    if token.user_id != getattr(actor, "pk", None):
        raise DomainError(_("这不是您的令牌。"), "forbidden")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def token_for(raw: str) -> ApiToken | None:
    """The active token `raw` stands for, with its user, or None (unknown, revoked, or
    its user deactivated)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token


def token_touch(token: ApiToken, *, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
