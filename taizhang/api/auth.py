"""Who is calling: a personal token (`Authorization: Bearer …`) or the browser session.

A token is tried first; a header that is present but wrong answers 401 at once (never falls
back to the session). A read-only token may only read: any other method answers 403. The
session path enforces CSRF on every unsafe method, as the HTML forms do.
"""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from . import services
from .errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class TokenAuth(HttpBearer):
    """`reads=True` marks an operation that only reads although it is a POST (starting an
    export job): a read-only token may call it. Everything else keeps the method rule."""

    def __init__(self, *, reads: bool = False) -> None:
        super().__init__()
        self.reads = reads

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _sep, raw = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise ApiError(401, "invalid_token", _("Authorization 请求头应为“Bearer <令牌>”。"))
        return self.authenticate(request, raw.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = services.token_for(token)
        if found is None:
            raise ApiError(401, "invalid_token", _("令牌无效或已被撤销。"))
        if request.method not in SAFE_METHODS and not found.can_write and not self.reads:
            raise ApiError(403, "read_only_token", _("只读令牌不能修改数据。"))
        services.token_touch(found)
        # Everything below (permissions, services, history) reads request.user.
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class SessionAuth(APIKeyCookie):
    """The logged-in browser session (what the interactive docs use)."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # `csrf` tells the docs page to send the CSRF token with its requests.
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                _("CSRF 校验失败：用浏览器会话修改数据时须带 X-CSRFToken 请求头。"),
            )
        return user
