"""Helpers that make every write path leave a history record with who and why."""

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.utils.translation import gettext as _
from simple_history.utils import get_history_manager_for_model

from . import audit
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


def clean_batch(objs: Sequence[models.Model], *, chunk: int = 500) -> None:
    """full_clean for many new objects of one model in one query per foreign key, where
    full_clean runs one per key and object.

    Each object's fields are validated as full_clean does (type, length, choices, blank,
    null, validators, decimal places) and its clean() runs; each foreign key's values are
    checked to exist for the whole batch at once, through the related model's base manager
    as ForeignKey.validate does. Unique and check constraints are not evaluated (that is a
    query per constraint and object): a caller using this states those rules itself, and
    the database enforces them on insert. Raises ValidationError like full_clean.
    """
    rows = list(objs)
    if not rows:
        return
    model = type(rows[0])
    keys = [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.many_to_one and not f.remote_field.parent_link
    ]
    skip = {f.name for f in keys}
    for obj in rows:
        # Model.full_clean's steps, with the foreign keys' lookups taken out.
        errors: dict[str, list] = {}
        try:
            obj.clean_fields(exclude=skip)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for f in keys:
            raw = getattr(obj, f.attname)
            if f.blank and raw in f.empty_values:
                continue
            try:
                # ForeignKey.clean without ForeignKey.validate's query: choices, null, blank.
                value = f.to_python(raw)
                models.Field.validate(f, value, obj)
                f.run_validators(value)
            except ValidationError as error:
                errors[f.name] = error.error_list
        try:
            obj.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)
    for f in keys:
        values = sorted({getattr(obj, f.attname) for obj in rows} - {None})
        related = f.remote_field.model
        target = f.remote_field.field_name
        found: set = set()
        using = router.db_for_read(related)
        for start in range(0, len(values), chunk):
            found.update(
                related._base_manager.using(using)
                .filter(**{f"{target}__in": values[start : start + chunk]})
                .complex_filter(f.get_limit_choices_to())
                .order_by()
                .values_list(target, flat=True)
            )
        missing = [v for v in values if v not in found]
        if missing:
            raise ValidationError(
                {
                    f.name: ValidationError(
                        f.error_messages["invalid"],
                        code="invalid",
                        params={
                            "model": related._meta.verbose_name,
                            "pk": missing[0],
                            "field": target,
                            "value": missing[0],
                        },
                    )
                }
            )


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
            extra={
                "current_version": current,
                "expected_version": int(expected),
                "latest_change": latest_change(obj),
            },
        )


# Bookkeeping fields that change on every save and say nothing to the reader of a diff.
_DIFF_IGNORED = frozenset({"lock_version", "updated_at", "created_at"})


def latest_change(obj: models.Model) -> dict[str, Any] | None:
    """Who made the record's latest change, when, and which fields it changed (raw values
    as strings): what a writer holding a stale version needs to see before trying again."""
    history = getattr(type(obj), "history", None)
    if history is None or obj.pk is None:
        return None
    records = list(
        history.filter(**{type(obj)._meta.pk.attname: obj.pk})
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:2]
    )
    if not records:
        return None
    latest = records[0]
    changes = []
    if len(records) == 2:
        delta = latest.diff_against(records[1])
        changes = [
            {
                "field": change.field,
                "old": None if change.old is None else str(change.old),
                "new": None if change.new is None else str(change.new),
            }
            for change in delta.changes
            if change.field not in _DIFF_IGNORED
        ]
    user = latest.history_user
    return {
        "at": latest.history_date.isoformat(),
        "by": str(user) if user is not None else None,
        "reason": latest.history_change_reason or "",
        "changes": changes,
    }


def _history_and_audit(
    model: type[M], rows: list[M], *, actor, reason: str, update: bool, batch_size: int
) -> None:
    """One historical row per object, each chained into the audit log (simple-history's
    bulk path sends no post_create_historical_record signal, so the chain is fed here)."""
    manager = get_history_manager_for_model(model)
    history = manager.bulk_history_create(
        rows,
        batch_size=batch_size,
        update=update,
        default_user=actor,
        default_change_reason=reason,
    )
    if history is None:  # SIMPLE_HISTORY_ENABLED = False
        return
    ids = [h.pk for h in history]
    if any(pk is None for pk in ids):
        # PostgreSQL and SQLite >= 3.35 return the new keys from a bulk insert.
        raise RuntimeError("the database did not return the keys of the historical rows")
    audit.chain_records(manager.model, ids)


def bulk_create_tracked(
    model: type[M], objs: Sequence[M], *, actor, reason: str = "", batch_size: int = 1000
) -> list[M]:
    """bulk_create that also writes one historical row per object and its audit entry
    (plain bulk_create skips simple-history's signals, so a bulk import would otherwise leave
    no trace), all in one transaction."""
    with transaction.atomic(using=router.db_for_write(model)):
        created = model._default_manager.bulk_create(list(objs), batch_size=batch_size)
        if created and any(obj.pk is None for obj in created):
            raise RuntimeError("the database did not return the keys of the new rows")
        _history_and_audit(
            model, created, actor=actor, reason=reason, update=False, batch_size=batch_size
        )
    return created


def bulk_update_tracked(
    model: type[M],
    objs: Iterable[M],
    fields: list[str],
    *,
    actor,
    reason: str = "",
    batch_size: int = 1000,
) -> int:
    """bulk_update with a historical row and audit entry per object; QuerySet.update() must
    not be used on tracked models because it bypasses history."""
    rows = list(objs)
    if "lock_version" in {f.name for f in model._meta.get_fields()}:
        for row in rows:
            row.lock_version += 1
        fields = [*fields, "lock_version"] if "lock_version" not in fields else fields
    with transaction.atomic(using=router.db_for_write(model)):
        updated = model._default_manager.bulk_update(rows, fields, batch_size=batch_size)
        _history_and_audit(
            model, rows, actor=actor, reason=reason, update=True, batch_size=batch_size
        )
    return updated
