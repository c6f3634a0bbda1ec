"""Helpers that make every write path leave a history record with who and why."""

from collections.abc import Iterable, Sequence
from typing import TypeVar

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

M = TypeVar("M", bound=models.Model)


def save_with_history(obj: M, *, actor, reason: str = "", **save_kwargs) -> M:
    """Save `obj` so that its historical record names `actor` and `reason`.

    simple-history reads `_history_user` and `_change_reason` from the instance; setting them
    here keeps services independent of the request middleware (commands and tasks have none).
    """
    obj._history_user = actor  # type: ignore[attr-defined]
    obj._change_reason = reason  # type: ignore[attr-defined]
    obj.full_clean()
    obj.save(**save_kwargs)
    return obj


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
    return bulk_update_with_history(
        list(objs), model, fields, default_user=actor, default_change_reason=reason
    )
