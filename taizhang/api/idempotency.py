"""`Idempotency-Key`: a retried request gets the first response back and does nothing again.

The key row is inserted in the same transaction as the work. A second request with the same
key either finds the stored response (the first one committed), or waits on the unique index
until the first commits and then finds it; if the work failed, the row was rolled back with
it and the retry runs afresh (nothing had been done). Keys are per user and kept for
KEY_TTL; the same key with a different request is refused (422).
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.responses import NinjaJSONEncoder

from .errors import ApiError
from .models import IdempotencyKey

KEY_TTL = dt.timedelta(hours=24)
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"
KEY_DESCRIPTION = (
    "Any unique string (e.g. a UUID). A retry with the same key returns the first response "
    "and does nothing again; the same key with a different request answers 422. Keys are "
    "kept for 24 hours."
)


def fingerprint(operation: str, payload: Any) -> str:
    text = json.dumps([operation, payload], sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _response(status: int, body: Any, *, replayed: bool = False) -> HttpResponse:
    """The JSON response itself: a replay must be the first answer as it was sent, so it is
    not run through the response schema again."""
    response = HttpResponse(
        json.dumps(body, cls=NinjaJSONEncoder, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return response


def _replay(record: IdempotencyKey, digest: str) -> HttpResponse:
    if record.fingerprint != digest:
        raise ApiError(
            422,
            "idempotency_key_reused",
            _("该幂等键已用于另一个请求，请换一个新的 Idempotency-Key。"),
        )
    return _response(record.status_code, record.response, replayed=True)


def _existing(user, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(
        user=user, key=key, created_at__gte=timezone.now() - KEY_TTL
    ).first()


def run_idempotent(
    *,
    user,
    key: str | None,
    operation: str,
    payload: Any,
    action: Callable[[], tuple[int, Any]],
) -> HttpResponse:
    """Run `action` (which returns status and a JSON-ready body) at most once per key."""
    if not key:
        return _response(*action())
    digest = fingerprint(operation, payload)
    found = _existing(user, key)
    if found is not None:
        return _replay(found, digest)
    try:
        with transaction.atomic():
            # The user's expired keys are no longer a promise (and one with this key would
            # block the insert): drop them, so the table holds about a day of keys per user.
            IdempotencyKey.objects.filter(
                user=user, created_at__lt=timezone.now() - KEY_TTL
            ).delete()
            record = IdempotencyKey.objects.create(
                user=user, key=key, fingerprint=digest, operation=operation
            )
            status, body = action()
            record.status_code = status
            record.response = body
            record.save(update_fields=["status_code", "response", "updated_at"])
            return _response(status, body)
    except IntegrityError:
        # Lost the race to a concurrent request with the same key, which has committed.
        found = _existing(user, key)
        if found is None:
            raise
        return _replay(found, digest)
