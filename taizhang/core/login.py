"""Login with throttling: repeated failures for one username from one address lock it out.

After `TAIZHANG_LOGIN_MAX_FAILURES` failed attempts (default 5) within
`TAIZHANG_LOGIN_FAILURE_WINDOW` seconds (900) for the same username from the same client
address, that pair is refused for `TAIZHANG_LOGIN_LOCKOUT` seconds (900), even with the
right password, and the password is not checked meanwhile. A success clears the count.

Counts live in Django's cache: per process in development (LocMemCache), in the database
in production (config/settings/production.py), so every worker sees the same counts.

Keying on username *and* address means a guesser cannot lock a person out from everywhere,
and one address cannot try one account endlessly. Behind a reverse proxy every request comes
from the proxy's address; set `TAIZHANG_CLIENT_IP_HEADER` (for example
`HTTP_X_FORWARDED_FOR`) to the header the proxy sets, and only then, since a client could
forge it otherwise.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("taizhang.security")


def now() -> float:
    return time.time()


def _limits() -> tuple[int, int, int]:
    return (
        int(getattr(settings, "TAIZHANG_LOGIN_MAX_FAILURES", 5)),
        int(getattr(settings, "TAIZHANG_LOGIN_FAILURE_WINDOW", 900)),
        int(getattr(settings, "TAIZHANG_LOGIN_LOCKOUT", 900)),
    )


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    header = getattr(settings, "TAIZHANG_CLIENT_IP_HEADER", None)
    if header and request.META.get(header):
        # The proxy appends the address it saw: the last entry is the one it vouches for.
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _keys(username: str, ip: str) -> tuple[str, str]:
    digest = hashlib.sha256(f"{username.strip().casefold()}|{ip}".encode()).hexdigest()
    return f"taizhang:login-failures:{digest}", f"taizhang:login-locked:{digest}"


def seconds_locked(username: str, ip: str) -> int:
    """Seconds until the pair may try again; 0 when it is not locked."""
    _failures, locked = _keys(username, ip)
    until = cache.get(locked)
    if until is None:
        return 0
    return max(0, math.ceil(until - now()))


def record_failure(username: str, ip: str) -> None:
    limit, window, lockout = _limits()
    failures, locked = _keys(username, ip)
    cache.add(failures, 0, timeout=window)
    try:
        count = cache.incr(failures)
    except ValueError:  # expired between add and incr
        cache.set(failures, 1, timeout=window)
        count = 1
    if count >= limit:
        cache.set(locked, now() + lockout, timeout=lockout)
        cache.delete(failures)
        logger.warning(
            "login locked for %s s after %s failures (username %r, address %s)",
            lockout,
            count,
            username,
            ip,
        )


def clear_failures(username: str, ip: str) -> None:
    cache.delete_many(list(_keys(username, ip)))


class ThrottledAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("登录失败次数过多，已暂时锁定。请在 %(minutes)s 分钟后再试。"),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if username:
            wait = seconds_locked(username, ip)
            if wait:
                raise ValidationError(
                    self.error_messages["locked"],
                    code="locked",
                    params={"minutes": max(1, math.ceil(wait / 60))},
                )
        try:
            cleaned = super().clean()
        except ValidationError:
            if username:
                record_failure(username, ip)
            raise
        clear_failures(username, ip)
        return cleaned


class LoginView(auth_views.LoginView):
    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", code="locked"):
            # 429 Too Many Requests: what scripts and monitoring recognise as throttling.
            response.status_code = 429
        return response
