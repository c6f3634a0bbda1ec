"""The audit chain: every historical record, from every simple-history table, is one link.

Each `AuditEntry` stores a digest of its historical row's content and the hash of the entry
before it, so editing a historical row, deleting one, or editing, deleting or reordering an
entry breaks the chain at that point; `taizhang audit-verify` (`verify_chain`) finds it.

Rules the code relies on:

- An entry is written in the same transaction as its historical row: single saves through
  simple-history's `post_create_historical_record` signal, bulk writes through
  `core.history.bulk_create_tracked` / `bulk_update_tracked` (simple-history's bulk path
  sends no signal). A write outside `transaction.atomic` (never a service) commits its
  historical row a moment before its entry.
- Appends are serialised on the head row (`AuditHead`, pk 1, locked with select_for_update;
  on SQLite the IMMEDIATE transaction already holds the write lock), so two writers cannot
  link to the same predecessor. On PostgreSQL the lock is held to commit: every writing
  transaction queues there for the moment it takes to append.
- The digest is computed from the row as the database returns it (re-read after insert), so
  the same function applied at verification gives the same answer on either database.
- The digest covers the fields of the `AuditSchema` the entry names, not the model's current
  fields: a migration that adds a column leaves older entries valid. Renaming or dropping a
  tracked column is reported, because the recorded content can then no longer be checked.
- `history_user_id` is left out of the digest and kept as `actor_id` instead, since deleting
  a user sets it to NULL in the historical rows (simple-history's SET_NULL); verification
  accepts NULL there but no other change.
- Without an anchor outside the database, someone able to rewrite every row after a point
  could rebuild the chain from there; `audit-verify` prints the head hash so an operator can
  record it elsewhere (for example with each backup).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps as global_apps
from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

GENESIS = "0" * 64
HEAD_PK = 1
# simple-history sets history_user to NULL when the user is deleted: kept out of the digest.
ACTOR_FIELD = "history_user_id"


# --------------------------------------------------------------------------- canonical form


def canonical(value: Any) -> Any:
    """A JSON-ready value that is the same whichever database returned `value`."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        # 10, 10.0 and 10.0000 are one number: the column's scale is not content.
        return "D" + format(value.normalize(), "f") if value.is_finite() else "D" + str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return "T" + value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return "T" + value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return "B" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    return str(value)


def _dumps(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_digest(label: str, fields: Sequence[str], row: dict[str, Any]) -> str:
    """Digest of one historical row over `fields` (names included, so dropping one shows)."""
    return _sha256(_dumps([label, [[name, canonical(row[name])] for name in fields]]))


def entry_hash(
    *,
    prev_hash: str,
    seq: int,
    at: dt.datetime,
    model: str,
    history_id: int,
    actor_id: int | None,
    schema_id: int,
    digest: str,
) -> str:
    payload = [seq, canonical(at), model, history_id, actor_id, schema_id, digest]
    return _sha256(prev_hash + "|" + _dumps(payload))


def is_historical_model(model: type[models.Model]) -> bool:
    """simple-history's generated models (in the app registry or in a migration's state)."""
    names = {f.name for f in model._meta.concrete_fields}
    return {"history_id", "history_date", "history_type"} <= names and model.__name__.startswith(
        "Historical"
    )


def historical_models(app_registry=global_apps) -> list[type[models.Model]]:
    return sorted(
        (m for m in app_registry.get_models() if is_historical_model(m)),
        key=lambda m: m._meta.label,
    )


def digest_fields(model: type[models.Model]) -> list[str]:
    return sorted(f.attname for f in model._meta.concrete_fields if f.attname != ACTOR_FIELD)


# --------------------------------------------------------------------------- appending


@dataclass
class _Tables:
    """The audit models to write: the real ones, or a migration's state versions."""

    entry: type[models.Model]
    head: type[models.Model]
    schema: type[models.Model]

    @classmethod
    def current(cls) -> _Tables:
        from .models import AuditEntry, AuditHead, AuditSchema

        return cls(AuditEntry, AuditHead, AuditSchema)


def _schema_cache(using: str) -> dict[tuple, int]:
    """Schema ids read or written in the current transaction, for as long as it lasts.

    Django replaces `connection.run_on_commit` with a new list when a transaction commits
    or rolls back, when a savepoint rolls back and when the connection closes, and at no
    other time; tied to that list object, the cache never outlives a row it names (a schema
    row inserted under a savepoint that rolls back takes the cache with it, and nothing is
    carried into the next transaction, where a flush could have removed the row). It saves
    one query per record on single saves: one lookup per model and transaction instead.
    """
    connection = connections[using]
    cached = getattr(connection, "_taizhang_audit_schemas", None)
    if cached is None or cached[0] is not connection.run_on_commit:
        cached = (connection.run_on_commit, {})
        connection._taizhang_audit_schemas = cached  # type: ignore[attr-defined]
    return cached[1]


def _schema_id(tables: _Tables, label: str, fields: Sequence[str], using: str) -> int:
    text = ",".join(fields)
    fingerprint = _sha256(label + "|" + text)
    cache = _schema_cache(using)
    key = (tables.schema, label, fingerprint)
    if key in cache:
        return cache[key]
    cache[key] = _schema_lookup(tables, label, fingerprint, text, using)
    return cache[key]


def _schema_lookup(tables: _Tables, label: str, fingerprint: str, text: str, using: str) -> int:
    found = (
        tables.schema._base_manager.using(using)
        .filter(model=label, fingerprint=fingerprint)
        .values_list("pk", flat=True)
        .first()
    )
    if found is not None:
        return found
    # Two first writers of a model may race here on PostgreSQL: the loser's insert is
    # ignored and it reads the winner's row.
    tables.schema._base_manager.using(using).bulk_create(
        [tables.schema(model=label, fingerprint=fingerprint, fields=text)], ignore_conflicts=True
    )
    return (
        tables.schema._base_manager.using(using)
        .filter(model=label, fingerprint=fingerprint)
        .values_list("pk", flat=True)
        .get()
    )


def _lock_head(tables: _Tables, using: str):
    manager = tables.head._base_manager.using(using)
    head = manager.select_for_update().filter(pk=HEAD_PK).first()
    if head is not None:
        return head
    # No head yet (a new database, or one whose tables were flushed): start it where the
    # entries end, so a lost head row cannot restart the sequence over existing entries.
    last = (
        tables.entry._base_manager.using(using).order_by("-seq").values_list("seq", "hash").first()
    )
    seq, last_hash = last if last else (0, GENESIS)
    manager.bulk_create([tables.head(pk=HEAD_PK, seq=seq, hash=last_hash)], ignore_conflicts=True)
    return manager.select_for_update().get(pk=HEAD_PK)


def chain_records(
    model: type[models.Model],
    history_ids: Iterable[int],
    *,
    using: str | None = None,
    tables: _Tables | None = None,
    skip_chained: bool = False,
) -> int:
    """Append an entry for each of `model`'s historical rows `history_ids`, in that order.

    Rows that no longer exist (rolled back with a savepoint) are skipped, and so are rows
    already chained when `skip_chained` (the backfill; elsewhere the unique constraint on
    (model, history_id) refuses a second entry). Returns the number of entries written.
    """
    ids = list(dict.fromkeys(int(i) for i in history_ids))
    if not ids:
        return 0
    tables = tables or _Tables.current()
    using = using or router.db_for_write(model) or DEFAULT_DB_ALIAS
    label = model._meta.label
    fields = digest_fields(model)
    written = 0
    # No savepoint of its own: if appending fails, the write it records must fail too.
    with transaction.atomic(using=using, savepoint=False):
        schema_id = _schema_id(tables, label, fields, using)
        for start in range(0, len(ids), 2000):
            batch = ids[start : start + 2000]
            rows = {
                row["history_id"]: row
                for row in model._base_manager.using(using)
                .filter(pk__in=batch)
                .values(*fields, ACTOR_FIELD)
            }
            done: set[int] = set()
            if skip_chained:
                done = set(
                    tables.entry._base_manager.using(using)
                    .filter(model=label, history_id__in=batch)
                    .values_list("history_id", flat=True)
                )
            todo = [i for i in batch if i in rows and i not in done]
            if not todo:
                continue
            head = _lock_head(tables, using)
            now = timezone.now()
            entries = []
            seq, prev = head.seq, head.hash
            for history_id in todo:
                row = rows[history_id]
                seq += 1
                digest = record_digest(label, fields, row)
                values = {
                    "seq": seq,
                    "at": now,
                    "model": label,
                    "history_id": history_id,
                    "actor_id": row[ACTOR_FIELD],
                    "schema_id": schema_id,
                    "digest": digest,
                }
                current = entry_hash(prev_hash=prev, **values)
                entries.append(tables.entry(prev_hash=prev, hash=current, **values))
                prev = current
            tables.entry._base_manager.using(using).bulk_create(entries, batch_size=1000)
            head.seq, head.hash = seq, prev
            head.save(using=using, update_fields=["seq", "hash"])
            written += len(entries)
    return written


def on_historical_record(sender, history_instance, using=None, **kwargs) -> None:
    """simple-history's post_create_historical_record receiver (connected in CoreConfig).

    A signal rather than a service call because this is infrastructure under every write
    path: services, the admin, demo loading and any future code that saves a tracked model
    all produce historical rows, and each must be chained without each caller remembering.
    """
    chain_records(sender, [history_instance.pk], using=using)


# --------------------------------------------------------------------------- verifying


@dataclass
class Problem:
    code: str
    message: str
    seq: int | None = None


@dataclass
class VerifyResult:
    entries: int = 0
    head_hash: str = GENESIS
    problems: list[Problem] = field(default_factory=list)
    # More problems than this are counted but not listed (a wholesale edit would list
    # millions of lines).
    limit: int = 200
    hidden: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.hidden

    def add(self, code: str, message: str, seq: int | None = None) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(Problem(code, message, seq))
        else:
            self.hidden += 1


def _entries(tables: _Tables, using: str, chunk: int) -> Iterator[list]:
    last = -1
    manager = tables.entry._base_manager.using(using)
    while True:
        batch = list(manager.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield batch
        last = batch[-1].seq


def _fetch_rows(
    model: type[models.Model], fields: list[str], ids: list[int], using: str
) -> dict[int, dict[str, Any]]:
    return {
        row["history_id"]: row
        for row in model._base_manager.using(using).filter(pk__in=ids).values(*fields, ACTOR_FIELD)
    }


def verify_chain(
    *,
    using: str = DEFAULT_DB_ALIAS,
    chunk: int = 5000,
    app_registry=global_apps,
    limit: int = 200,
    progress: Callable[[int], None] | None = None,
) -> VerifyResult:
    """Walk the chain and recompute every link and every historical row's digest."""
    tables = _Tables.current()
    result = VerifyResult(limit=limit)
    schemas = {
        s.pk: (s.model, s.fields.split(",") if s.fields else [])
        for s in tables.schema._base_manager.using(using).all()
    }
    # A model whose table is not there (its migration not applied yet) has no rows to check.
    with connections[using].cursor() as cursor:
        tables_present = set(connections[using].introspection.table_names(cursor))
    models_by_label = {
        m._meta.label: m
        for m in historical_models(app_registry)
        if m._meta.db_table in tables_present
    }
    expected_seq, prev = 1, GENESIS
    for batch in _entries(tables, using, chunk):
        wanted: dict[tuple[str, int], list[int]] = defaultdict(list)
        for entry in batch:
            wanted[(entry.model, entry.schema_id)].append(entry.history_id)
        rows: dict[tuple[str, int], dict[int, dict[str, Any]]] = {}
        unreadable: dict[tuple[str, int], str] = {}
        for (label, schema_id), ids in wanted.items():
            model = models_by_label.get(label)
            schema = schemas.get(schema_id)
            if model is None:
                unreadable[(label, schema_id)] = _("历史表 %(model)s 已不存在") % {"model": label}
                continue
            if schema is None or schema[0] != label:
                unreadable[(label, schema_id)] = _("字段集 %(id)s 缺失或不属于该表") % {
                    "id": schema_id
                }
                continue
            try:
                rows[(label, schema_id)] = _fetch_rows(model, schema[1], ids, using)
            except (FieldError, FieldDoesNotExist):
                unreadable[(label, schema_id)] = _("历史表 %(model)s 的字段已改名或删除") % {
                    "model": label
                }
        for entry in batch:
            result.entries += 1
            if entry.seq != expected_seq:
                result.add(
                    "gap",
                    _("审计记录 %(first)s 至 %(last)s 缺失（已被删除）。")
                    % {"first": expected_seq, "last": entry.seq - 1},
                    expected_seq,
                )
            elif entry.prev_hash != prev:
                result.add(
                    "broken_link",
                    _("第 %(seq)s 条审计记录与前一条的链接断开。") % {"seq": entry.seq},
                    entry.seq,
                )
            recomputed = entry_hash(
                prev_hash=entry.prev_hash,
                seq=entry.seq,
                at=entry.at,
                model=entry.model,
                history_id=entry.history_id,
                actor_id=entry.actor_id,
                schema_id=entry.schema_id,
                digest=entry.digest,
            )
            if recomputed != entry.hash:
                result.add(
                    "entry_edited",
                    _("第 %(seq)s 条审计记录被修改（哈希不符）。") % {"seq": entry.seq},
                    entry.seq,
                )
            key = (entry.model, entry.schema_id)
            label_id = {"seq": entry.seq, "model": entry.model, "id": entry.history_id}
            if key in unreadable:
                result.add(
                    "unreadable",
                    _("第 %(seq)s 条审计记录无法核对：%(why)s。")
                    % {"seq": entry.seq, "why": unreadable[key]},
                    entry.seq,
                )
            else:
                row = rows[key].get(entry.history_id)
                if row is None:
                    result.add(
                        "record_deleted",
                        _("第 %(seq)s 条审计记录对应的历史记录 %(model)s #%(id)s 已被删除。")
                        % label_id,
                        entry.seq,
                    )
                else:
                    if record_digest(entry.model, schemas[entry.schema_id][1], row) != (
                        entry.digest
                    ):
                        result.add(
                            "record_edited",
                            _("历史记录 %(model)s #%(id)s 被修改（第 %(seq)s 条审计记录）。")
                            % label_id,
                            entry.seq,
                        )
                    actor = row[ACTOR_FIELD]
                    if actor is not None and actor != entry.actor_id:
                        result.add(
                            "actor_edited",
                            _(
                                "历史记录 %(model)s #%(id)s 的操作人被修改（第 %(seq)s 条审计记录）。"
                            )
                            % label_id,
                            entry.seq,
                        )
            prev, expected_seq = entry.hash, entry.seq + 1
        if progress:
            progress(result.entries)
    result.head_hash = prev
    _check_head(tables, using, result, expected_seq - 1, prev)
    _check_unchained(tables, using, result, models_by_label)
    return result


def _check_head(tables: _Tables, using: str, result: VerifyResult, seq: int, last: str) -> None:
    head = tables.head._base_manager.using(using).filter(pk=HEAD_PK).first()
    if head is None:
        if seq:
            result.add("head_missing", _("审计链头记录缺失。"))
        return
    if head.seq != seq or head.hash != last:
        result.add(
            "tail_deleted",
            _("审计链头指向第 %(head)s 条，但链只到第 %(seq)s 条：末尾的记录被删除或修改。")
            % {"head": head.seq, "seq": seq},
        )


def _check_unchained(
    tables: _Tables, using: str, result: VerifyResult, models_by_label: dict
) -> None:
    """Historical rows without an entry: written around the chain, or an entry deleted."""
    entries = tables.entry._base_manager.using(using)
    for label, model in models_by_label.items():
        # NOT EXISTS (an anti-join) rather than NOT IN: it stays linear on large tables.
        missing = model._base_manager.using(using).filter(
            ~Exists(entries.filter(model=label, history_id=OuterRef("pk")))
        )
        count = missing.count()
        if count:
            sample = list(missing.order_by("pk").values_list("pk", flat=True)[:5])
            result.add(
                "unchained",
                _("%(model)s 中有 %(n)s 条历史记录不在审计链中（例如 #%(ids)s）。")
                % {"model": label, "n": count, "ids": ", #".join(str(i) for i in sample)},
            )


def backfill(app_registry, using: str) -> int:
    """Chain every historical row not chained yet, oldest first (for databases that had
    history before the chain existed; a data migration calls it with its state apps)."""
    tables = _Tables(
        app_registry.get_model("core", "AuditEntry"),
        app_registry.get_model("core", "AuditHead"),
        app_registry.get_model("core", "AuditSchema"),
    )
    pending: list[tuple[Any, str, int, type[models.Model]]] = []
    for model in historical_models(app_registry):
        for history_id, history_date in model._base_manager.using(using).values_list(
            "history_id", "history_date"
        ):
            pending.append((history_date, model._meta.label, history_id, model))
    pending.sort(key=lambda item: (item[0], item[1], item[2]))
    written = 0
    # Consecutive runs of one model go in one call, keeping the global date order.
    run: list[int] = []
    run_model: type[models.Model] | None = None
    for _date, _label, history_id, model in pending:
        if model is not run_model and run:
            written += chain_records(
                run_model,  # type: ignore[arg-type]
                run,
                using=using,
                tables=tables,
                skip_chained=True,
            )
            run = []
        run_model = model
        run.append(history_id)
    if run and run_model is not None:
        written += chain_records(run_model, run, using=using, tables=tables, skip_chained=True)
    return written
