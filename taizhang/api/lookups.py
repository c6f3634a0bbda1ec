"""Turning ids in a request body into records, through the caller's visible querysets.

A record in the URL that the caller may not see is a 404 (`access_*`). An id in the *body*
that names nothing the caller may use is a field error (422): the request is wrong, the
resource it addresses exists.
"""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .errors import ApiError

M = TypeVar("M", bound=Model)


def pick(queryset: QuerySet[M], pk: int, *, field: str) -> M:
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ApiError(
            422,
            "invalid_reference",
            _("所选记录不存在或不在您的范围内。"),
            fields={field: [_("编号 %(id)s 不存在或不在您的范围内。") % {"id": pk}]},
        )
    return obj


def pick_optional(queryset: QuerySet[M], pk: int | None, *, field: str) -> M | None:
    return None if pk is None else pick(queryset, pk, field=field)


def actor(request: HttpRequest):
    """The authenticated user (a token's owner or the session's user)."""
    return request.auth  # type: ignore[attr-defined]
