"""Shapes every part of the API shares: strict inputs, ids, versions, pages."""

from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, field_validator

# Database keys are 64-bit; a larger number cannot name a row (and SQLite refuses it).
MAX_ID = 2**63 - 1
MAX_LIMIT = 200
DEFAULT_LIMIT = 50

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Version = Annotated[
    int,
    Field(
        ge=1,
        le=2**31 - 1,
        description="The record's `version` as last read; a stale one answers 409.",
    ),
]
# Amounts and goal values: at most 18 digits, 4 after the point (as the ledger stores them).
Number = Annotated[Decimal, Field(max_digits=18, decimal_places=4, allow_inf_nan=False)]


def _check_text(value: Any) -> Any:
    """Refuse text no database stores faithfully: NUL characters (PostgreSQL rejects them)
    and lone surrogates (not encodable as UTF-8)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(_("不能包含空字符（\\u0000）。"))
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ValueError(_("包含无效的字符。")) from exc
    elif isinstance(value, list):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    return value


class Input(BaseModel):
    """A request body: unknown fields are refused (422), text is checked for characters the
    database cannot keep."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _check_text(value)


class Filters(Schema):
    """Query-string filters of a list."""

    @field_validator("*", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return _check_text(value)


class Page(Schema):
    limit: int = Field(
        DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Rows per page (1–{MAX_LIMIT})."
    )
    offset: int = Field(0, ge=0, le=2**31 - 1, description="Rows to skip.")


def paginate(queryset: QuerySet | list, page: Page) -> dict[str, Any]:
    """`{"count", "limit", "offset", "items"}`; the count is one COUNT query."""
    count = queryset.count() if isinstance(queryset, QuerySet) else len(queryset)
    items = list(queryset[page.offset : page.offset + page.limit])
    return {"count": count, "limit": page.limit, "offset": page.offset, "items": items}


class PageOut(Schema):
    count: int
    limit: int
    offset: int


class Message(Schema):
    detail: str


class Ref(Schema):
    """A related record named by id and label."""

    id: int
    name: str
