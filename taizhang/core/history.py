"""Helpers that make every write path leave a history record with who and why."""

from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db import models
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .exceptions import DomainError

M = TypeVar("M", bound=models.Model)


def save_with_history(obj: M, *, actor, reason: str = "", **save_kwargs) -> M:
    """Save `obj` so that its historical record names `actor` and `reason`.

    simple-history reads `_history_user` and `_change_reason` from the instance; setting them
    here keeps services independent of the request middleware (commands and tasks have none).
    """
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]
    if obj.pk is not None and hasattr(obj, "lock_version"):
        obj.lock_version += 1
    obj.full_clean()
    obj.save(**save_kwargs)
    return obj


def check_version(obj: models.Model, expected: int | None) -> None:
    """Refuse a write based on a stale read: `expected` is the version the writer saw.

    None means the caller does not take part (internal writes); every form and API write
    passes the version it showed, so two people editing one record cannot overwrite each
    other silently.
    """
    if expected is None:
        return
    current = (
        type(obj)._base_manager.filter(pk=obj.pk).values_list("lock_version", flat=True).first()
    )
    if current is not None and int(expected) != current:
        raise DomainError(
            _(
                "该记录已被他人修改（当前版本 %(current)s，您打开的是版本 %(expected)s），请刷新后再试。"
            )
            % {"current": current, "expected": expected},
            "stale",
            extra={"current_version": current, "expected_version": int(expected)},
        )


def bulk_create_tracked(
    model: type[M], objs: Sequence[M], *, actor, reason: str = "", batch_size: int = 1000
) -> list[M]:
    """bulk_create that also writes one historical row per object (plain bulk_create skips
    simple-history's signals, so a bulk import would otherwise leave no trace)."""
    return bulk_create_with_history(
        list(objs),
        model,
        batch_size=batch_size,
        default_user=actor,
        default_change_reason=reason,
    )


def bulk_update_tracked(
    model: type[M], objs: Iterable[M], fields: list[str], *, actor, reason: str = ""
) -> int:
    """bulk_update with a historical row per object; QuerySet.update() must not be used on
    tracked models because it bypasses history."""
    rows = list(objs)
    if "lock_version" in {f.name for f in model._meta.get_fields()}:
        for row in rows:
            row.lock_version += 1
        fields = [*fields, "lock_version"] if "lock_version" not in fields else fields
    return bulk_update_with_history(
        rows, model, fields, default_user=actor, default_change_reason=reason
    )
