"""Outgoing webhooks: registering endpoints, queueing events, signing and sending them.

Services of the ledger apps call `emit(event, payload, org)` inside their transaction; the
deliveries are queued only once that transaction commits (`transaction.on_commit`), so a
refused or rolled-back change never announces anything. Sending is done by `taizhang
webhooks` (cron, every minute): it claims the due deliveries, posts each one signed, and
schedules a failed one again with exponential backoff until MAX_ATTEMPTS.

The signature is HMAC-SHA256 over `timestamp + "." + body` with the endpoint's secret, sent
as `X-Taizhang-Signature: sha256=<hex>` with `X-Taizhang-Timestamp` (Unix seconds) and
`X-Taizhang-Event`. A receiver recomputes it and rejects old timestamps (replays).
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError
from taizhang.core.history import check_version, save_with_history
from taizhang.orgs.models import Org

from .models import PING, Delivery, DeliveryStatus, Endpoint, Event
from .permissions import can_manage_endpoints

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_MAX = dt.timedelta(hours=6)
# A claimed delivery is invisible to other runs for this long (a run that died mid-send
# leaves it to be retried, not lost).
CLAIM_LEASE = dt.timedelta(minutes=5)
TIMEOUT_SECONDS = 10.0
USER_AGENT = "Taizhang-Webhooks/1"


def _forbid(message: str) -> DomainError:
    return DomainError(message, "forbidden")


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The X-Taizhang-Signature value for `body` sent at `timestamp`."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    message = str(timestamp).encode("ascii") + b"." + raw
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def backoff(attempts: int) -> dt.timedelta:
    """Delay before the next try after `attempts` failed ones: 1, 2, 4, … minutes, capped."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


# --------------------------------------------------------------------------- endpoints


def _validated_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(
            _("接收地址必须以 http:// 或 https:// 开头。"), "invalid_url", field="url"
        )
    if len(url) > 500:
        raise DomainError(_("接收地址过长。"), "too_long", field="url")
    return url


def _validated_events(events: list[str]) -> list[str]:
    chosen = [e for e in Event.values if e in set(events or [])]
    if not chosen or len(chosen) != len(set(events)):
        raise DomainError(_("请至少选择一个有效的事件。"), "invalid_choice", field="events")
    return chosen


@transaction.atomic
def endpoint_create(
    *, actor, org: Org, url: str, events: list[str], description: str = ""
) -> Endpoint:
    """Register a URL for `events` of `org` and its subtree; only the org's admins may."""
    if not can_manage_endpoints(actor, org):
        raise _forbid(_("您无权为该组织设置外发通知。"))
    endpoint = Endpoint(
        org=org,
        url=_validated_url(url),
        events=_validated_events(events),
        description=(description or "").strip()[:200],
        secret=new_secret(),
        created_by=actor,
    )
    return save_with_history(endpoint, actor=actor, reason=_("新增外发通知地址"))


@transaction.atomic
def endpoint_update(
    *,
    actor,
    endpoint: Endpoint,
    url: str | None = None,
    events: list[str] | None = None,
    description: str | None = None,
    is_active: bool | None = None,
    expected_version: int | None = None,
) -> Endpoint:
    if not can_manage_endpoints(actor, endpoint.org):
        raise _forbid(_("您无权修改该外发通知地址。"))
    check_version(endpoint, expected_version)
    if url is not None:
        endpoint.url = _validated_url(url)
    if events is not None:
        endpoint.events = _validated_events(events)
    if description is not None:
        endpoint.description = description.strip()[:200]
    if is_active is not None:
        endpoint.is_active = is_active
    return save_with_history(endpoint, actor=actor, reason=_("修改外发通知地址"))


@transaction.atomic
def endpoint_rotate_secret(
    *, actor, endpoint: Endpoint, expected_version: int | None = None
) -> Endpoint:
    """A new secret; the old one stops working at once (the receiver must be updated)."""
    if not can_manage_endpoints(actor, endpoint.org):
        raise _forbid(_("您无权修改该外发通知地址。"))
    check_version(endpoint, expected_version)
    endpoint.secret = new_secret()
    return save_with_history(endpoint, actor=actor, reason=_("更换签名密钥"))


@transaction.atomic
def endpoint_delete(*, actor, endpoint: Endpoint, expected_version: int | None = None) -> Endpoint:
    """Soft delete: nothing more is queued for it; pending deliveries are dropped."""
    if not can_manage_endpoints(actor, endpoint.org):
        raise _forbid(_("您无权删除该外发通知地址。"))
    check_version(endpoint, expected_version)
    endpoint.mark_deleted(actor)
    endpoint.is_active = False
    save_with_history(endpoint, actor=actor, reason=_("删除外发通知地址"))
    # Bookkeeping rows, not tracked: a plain update is fine here.
    Delivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.FAILED, next_attempt_at=None, last_error=_("地址已删除")
    )
    return endpoint


# --------------------------------------------------------------------------- events


def _envelope(*, event: str, event_id: uuid.UUID, org: Org, data: dict[str, Any], actor) -> str:
    body = {
        "id": str(event_id),
        "event": event,
        "created_at": timezone.now().isoformat(),
        "org": {"id": org.pk, "name": org.name},
        "actor": (
            {"id": actor.pk, "username": actor.get_username()}
            if actor is not None and getattr(actor, "pk", None)
            else None
        ),
        "data": data,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)


def subscribed_endpoints(event: str, org: Org) -> list[Endpoint]:
    """Active endpoints on `org` or an ancestor that subscribe to `event` (one query; the
    event filter runs in Python because SQLite cannot search inside JSON lists portably)."""
    candidates = Endpoint.objects.filter(is_active=True, org__path__in=org.ancestor_paths)
    return [endpoint for endpoint in candidates if event in endpoint.events]


def queue(event: str, data: dict[str, Any], org: Org, *, actor=None) -> list[Delivery]:
    """Create the pending deliveries of one event now (emit calls this after commit)."""
    endpoints = subscribed_endpoints(event, org)
    if not endpoints:
        return []
    event_id = uuid.uuid4()
    body = _envelope(event=event, event_id=event_id, org=org, data=data, actor=actor)
    now = timezone.now()
    return Delivery.objects.bulk_create(
        [
            Delivery(
                endpoint=endpoint, event=event, event_id=event_id, body=body, next_attempt_at=now
            )
            for endpoint in endpoints
        ]
    )


def emit(event: str, data: dict[str, Any], org: Org, *, actor=None) -> None:
    """Announce `event` about `org` to the endpoints subscribed on it or above, once the
    caller's transaction commits (nothing is sent for a change that is rolled back)."""
    if event not in Event.values:
        raise ValueError(f"unknown webhook event {event!r}")
    transaction.on_commit(partial(queue, event, data, org, actor=actor))


# --------------------------------------------------------------------------- sending


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not an instruction: following it would re-post the signed
    body somewhere the admin never registered."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST and return (status code, error text); a connection failure has no code."""
    request = urllib.request.Request(  # noqa: S310 - the scheme is validated as http(s) on save
        url, data=body, headers=headers, method="POST"
    )
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code} {exc.reason}"[:500]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return None, str(reason)[:500] or exc.__class__.__name__


def attempt(delivery: Delivery) -> Delivery:
    """Send one delivery now and record the outcome (runs outside any transaction: a slow
    receiver must not hold the database's write lock)."""
    endpoint = delivery.endpoint
    timestamp = int(time.time())
    body = delivery.body.encode("utf-8")
    status, error = _post(
        endpoint.url,
        body,
        {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Taizhang-Event": delivery.event,
            "X-Taizhang-Delivery": str(delivery.pk),
            "X-Taizhang-Timestamp": str(timestamp),
            "X-Taizhang-Signature": sign(endpoint.secret, timestamp, body),
        },
    )
    now = timezone.now()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    if status is not None and 200 <= status < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        delivery.last_error = ""
    else:
        delivery.last_error = error or f"HTTP {status}"
        if delivery.attempts >= MAX_ATTEMPTS or delivery.event == PING:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + backoff(delivery.attempts)
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_error",
            "updated_at",
        ]
    )
    if delivery.status != DeliveryStatus.DELIVERED:
        logger.warning(
            "webhook delivery %s to %s failed (attempt %s): %s",
            delivery.pk,
            endpoint.url,
            delivery.attempts,
            delivery.last_error,
        )
    return delivery


def _claim(now: dt.datetime, limit: int) -> list[Delivery]:
    """Take up to `limit` due deliveries for this run: locked and leased in one short
    transaction, so two cron runs never post the same delivery at the same time."""
    with transaction.atomic():
        due = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")[:limit]
        )
        if due:
            Delivery.objects.filter(pk__in=[d.pk for d in due]).update(
                next_attempt_at=now + CLAIM_LEASE
            )
    ids = [d.pk for d in due]
    return list(
        Delivery.objects.filter(pk__in=ids).select_related("endpoint").order_by("created_at", "id")
    )


@dataclass
class SendResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0

    @property
    def attempted(self) -> int:
        return self.delivered + self.retrying + self.failed


def deliver_due(*, now: dt.datetime | None = None, limit: int = 500) -> SendResult:
    """Send every delivery whose time has come (what `taizhang webhooks` runs)."""
    result = SendResult()
    for delivery in _claim(now or timezone.now(), limit):
        if not delivery.endpoint.is_active or delivery.endpoint.is_deleted:
            continue
        attempt(delivery)
        if delivery.status == DeliveryStatus.DELIVERED:
            result.delivered += 1
        elif delivery.status == DeliveryStatus.FAILED:
            result.failed += 1
        else:
            result.retrying += 1
    return result


def endpoint_test(*, actor, endpoint: Endpoint) -> Delivery:
    """The test-send button: post a signed `ping` now and show the receiver's answer."""
    if not can_manage_endpoints(actor, endpoint.org):
        raise _forbid(_("您无权测试该外发通知地址。"))
    event_id = uuid.uuid4()
    delivery = Delivery.objects.create(
        endpoint=endpoint,
        event=PING,
        event_id=event_id,
        body=_envelope(
            event=PING,
            event_id=event_id,
            org=endpoint.org,
            data={"message": _("这是一条测试消息。")},
            actor=actor,
        ),
    )
    return attempt(delivery)


@transaction.atomic
def delivery_retry(*, actor, delivery: Delivery) -> Delivery:
    """Send a failed delivery again at the next run (attempts start over)."""
    if not can_manage_endpoints(actor, delivery.endpoint.org):
        raise _forbid(_("您无权重发该通知。"))
    if delivery.status != DeliveryStatus.FAILED or delivery.event == PING:
        raise DomainError(_("只能重发发送失败的通知。"), "invalid_transition")
    delivery.status = DeliveryStatus.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    return delivery
