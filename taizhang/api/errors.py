"""The one JSON error shape of the API, and every exception handler, registered in one place.

    {"error": {"code": "stale", "message": "该记录已被他人修改…", "fields": {}, "details": {}}}

`code` is a stable machine code (a DomainError's code, or one of the codes below), `message`
is translated into the request's language, `fields` maps an input field to its messages, and
`details` carries what a client needs to recover (the current version on a 409, say).
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from taizhang.core.exceptions import DomainError

logger = logging.getLogger(__name__)


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}
    details: dict[str, Any] = {}


class ErrorOut(Schema):
    error: ErrorDetail


class ApiError(HttpError):
    """An error the API layer itself raises (auth, scope, idempotency), already translated."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        *,
        fields: dict[str, list[str]] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.fields = fields or {}
        self.details = details or {}


# DomainError codes → HTTP status. Everything not listed is a rule about the input: 422.
FORBIDDEN_CODES = frozenset({"forbidden", "self_verification"})
NOT_FOUND_CODES = frozenset({"not_found"})
CONFLICT_CODES = frozenset(
    {
        "stale",
        "invalid_transition",
        "report_locked",
        "period_closed",
        "published",
        "in_use",
        "inactive_scheme",
        "idempotency_in_progress",
    }
)


def status_for(code: str) -> int:
    if code in FORBIDDEN_CODES:
        return 403
    if code in NOT_FOUND_CODES:
        return 404
    if code in CONFLICT_CODES or code.startswith("duplicate"):
        return 409
    return 422


def error_body(
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "error": {
            "code": code,
            "message": str(message),
            "fields": fields or {},
            "details": details or {},
        }
    }


def _respond(api: NinjaAPI, request: HttpRequest, status: int, body: dict) -> HttpResponse:
    return api.create_response(request, body, status=status)


# Pydantic's own messages are English only; the common ones are said again in the user's
# language. Anything else keeps pydantic's text (still precise, if not translated).
def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    messages = {
        "missing": _("必填。"),
        "extra_forbidden": _("不允许的字段。"),
        "int_parsing": _("必须是整数。"),
        "int_type": _("必须是整数。"),
        "int_from_float": _("必须是整数。"),
        "float_parsing": _("必须是数字。"),
        "float_type": _("必须是数字。"),
        "decimal_parsing": _("必须是数字。"),
        "decimal_type": _("必须是数字。"),
        "bool_parsing": _("必须是 true 或 false。"),
        "bool_type": _("必须是 true 或 false。"),
        "string_type": _("必须是文本。"),
        "list_type": _("必须是列表。"),
        "dict_type": _("必须是对象。"),
        "model_type": _("必须是对象。"),
        "model_attributes_type": _("必须是对象。"),
        "date_parsing": _("日期格式应为 YYYY-MM-DD。"),
        "date_from_datetime_parsing": _("日期格式应为 YYYY-MM-DD。"),
        "date_type": _("日期格式应为 YYYY-MM-DD。"),
        "literal_error": _("不是可选的值。"),
        "enum": _("不是可选的值。"),
        "string_too_long": _("不能超过 %(n)s 个字。") % {"n": ctx.get("max_length", "?")},
        "string_too_short": _("不能为空。"),
        "too_long": _("条目过多（最多 %(n)s 个）。") % {"n": ctx.get("max_length", "?")},
        "greater_than_equal": _("不能小于 %(n)s。") % {"n": ctx.get("ge", "?")},
        "greater_than": _("必须大于 %(n)s。") % {"n": ctx.get("gt", "?")},
        "less_than_equal": _("不能大于 %(n)s。") % {"n": ctx.get("le", "?")},
        "less_than": _("必须小于 %(n)s。") % {"n": ctx.get("lt", "?")},
        "decimal_max_digits": _("数字位数过多。"),
        "decimal_max_places": _("小数位数过多。"),
        "decimal_whole_digits": _("数值过大。"),
        "finite_number": _("必须是有限的数字。"),
        "string_pattern_mismatch": _("格式不正确。"),
        "json_invalid": _("不是有效的 JSON。"),
    }
    if kind == "value_error":
        # Raised by our own validators with a translated message ("Value error, …").
        return str(ctx.get("error") or error.get("msg", ""))
    return str(messages.get(kind) or error.get("msg", ""))


# Locations that name the parameter holder rather than the field ("body", "payload", …).
_HOLDERS = frozenset({"body", "query", "path", "header", "cookie", "form", "file", "payload"})


def _field_name(loc: Iterable[Any]) -> str:
    parts = [str(p) for p in loc]
    # A missing upload is located ("file", "file"): the last part is the field's own name.
    while len(parts) > 1 and parts[0] in _HOLDERS:
        parts.pop(0)
    if parts and parts[0] in ("body", "payload"):
        parts.pop(0)
    while parts and parts[0] in ("filters", "page", "data"):
        parts.pop(0)
    return ".".join(parts) or "__all__"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        fields.setdefault(_field_name(error.get("loc", ())), []).append(_pydantic_message(error))
    return fields


def register_error_handlers(api: NinjaAPI) -> None:
    """Map every exception the API can meet onto the one error shape."""

    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        fields = {exc.field: [exc.message]} if exc.field else {}
        details = {k: v for k, v in exc.extra.items() if isinstance(k, str)}
        return _respond(
            api,
            request,
            status_for(exc.code),
            error_body(exc.code, exc.message, fields=fields, details=details),
        )

    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return _respond(
            api,
            request,
            422,
            error_body(
                "validation_error",
                _("请求数据无效，请按字段说明修改。"),
                fields=validation_fields(exc.errors),
            ),
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc, ApiError):
            response = _respond(
                api,
                request,
                exc.status_code,
                error_body(exc.code, exc.message, fields=exc.fields, details=exc.details),
            )
            if exc.status_code == 401:
                response["WWW-Authenticate"] = 'Bearer realm="taizhang"'
            return response
        status = exc.status_code
        if isinstance(exc, AuthenticationError) or status == 401:
            body = error_body(
                "unauthenticated",
                _("请先登录，或在 Authorization 请求头中提供有效的令牌（Bearer）。"),
            )
            response = _respond(api, request, 401, body)
            response["WWW-Authenticate"] = 'Bearer realm="taizhang"'
            return response
        if status == 400:
            return _respond(
                api, request, 400, error_body("malformed_request", _("请求正文不是有效的 JSON。"))
            )
        if status == 403:
            return _respond(api, request, 403, error_body("forbidden", _("您没有权限执行此操作。")))
        if status == 429:
            return _respond(
                api, request, 429, error_body("throttled", _("请求过于频繁，请稍后再试。"))
            )
        return _respond(api, request, status, error_body("http_error", str(exc)))

    def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _respond(api, request, 404, error_body("not_found", _("记录不存在或您无权查看。")))

    def permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _respond(api, request, 403, error_body("forbidden", _("您没有权限执行此操作。")))

    def too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _respond(api, request, 413, error_body("payload_too_large", _("请求正文过大。")))

    def suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _respond(api, request, 400, error_body("bad_request", _("请求无效。")))

    def django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            fields = {
                name: [str(m) for m in messages] for name, messages in exc.message_dict.items()
            }
        else:
            fields = {"__all__": [str(m) for m in exc.messages]}
        return _respond(
            api,
            request,
            422,
            error_body("invalid", _("请求数据无效，请按字段说明修改。"), fields=fields),
        )

    def integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # A uniqueness race lost to a concurrent writer: nothing was saved.
        logger.warning("integrity error on %s: %s", request.path, exc)
        return _respond(
            api,
            request,
            409,
            error_body("conflict", _("与其他人同时提交的修改冲突，请刷新后重试。")),
        )

    def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return _respond(
            api, request, 500, error_body("server_error", _("服务器内部错误，请稍后再试。"))
        )

    api.add_exception_handler(DomainError, domain_error)
    api.add_exception_handler(ValidationError, validation_error)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(RequestDataTooBig, too_big)
    api.add_exception_handler(SuspiciousOperation, suspicious)
    api.add_exception_handler(DjangoValidationError, django_validation)
    api.add_exception_handler(IntegrityError, integrity)
    api.add_exception_handler(Exception, server_error)
