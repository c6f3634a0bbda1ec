"""Backup and restore of the whole database, safe while the application keeps writing.

SQLite: the online backup API (sqlite3.Connection.backup) copies the database in one step
inside one read transaction, so the copy is a consistent snapshot even while other
connections write (WAL lets writers go on meanwhile); the copy is then switched to a
rollback journal so the backup is one self-contained file, and checked with
`PRAGMA integrity_check` before it replaces any earlier file of that name.

PostgreSQL: `pg_dump --format=custom` (one snapshot, concurrent writes allowed) and
`pg_restore --clean --if-exists --single-transaction` (all or nothing).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    size: int
    seconds: float
    audit_seq: int | None
    audit_hash: str | None


def _audit_head(using: str) -> tuple[int | None, str | None]:
    from taizhang.core.models import AuditHead

    head = AuditHead.objects.using(using).filter(pk=1).values_list("seq", "hash").first()
    return head if head else (None, None)


def integrity_check(path: Path) -> str:
    """SQLite's own check of a database file: "ok", or what is wrong with it."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute("PRAGMA integrity_check").fetchall()
    finally:
        db.close()
    return "\n".join(str(row[0]) for row in rows)


def _sqlite_name(using: str) -> str:
    conn = connections[using]
    if conn.is_in_memory_db():
        raise DomainError(_("内存数据库无法备份或恢复。"), "in_memory")
    return str(conn.settings_dict["NAME"])


def _part(path: Path) -> Path:
    return path.with_name(path.name + ".part")


def backup(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> BackupResult:
    """Write a consistent copy of the database to `path` (replacing it only when complete)."""
    path = Path(path)
    if path.is_dir():
        raise DomainError(_("%(path)s 是一个目录，请给出文件名。") % {"path": path}, "is_dir")
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = connections[using].vendor
    started = time.perf_counter()
    audit_seq, audit_hash = _audit_head(using)
    if vendor == "sqlite":
        _backup_sqlite(path, using)
    elif vendor == "postgresql":
        _backup_postgresql(path, using)
    else:
        raise DomainError(
            _("不支持备份 %(vendor)s 数据库。") % {"vendor": vendor}, "unsupported_database"
        )
    return BackupResult(
        path=path,
        vendor=vendor,
        size=path.stat().st_size,
        seconds=time.perf_counter() - started,
        audit_seq=audit_seq,
        audit_hash=audit_hash,
    )


def _backup_sqlite(path: Path, using: str) -> None:
    name = _sqlite_name(using)
    part = _part(path)
    part.unlink(missing_ok=True)
    source = sqlite3.connect(name, timeout=30)
    target = sqlite3.connect(part)
    try:
        # pages=-1 (the default): everything in one step, so the copy is one snapshot; a
        # stepwise copy would restart whenever another connection writes.
        source.backup(target)
        # A WAL database's copy says WAL in its header; a backup file should stand alone.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
        source.close()
    verdict = integrity_check(part)
    if verdict != "ok":
        part.unlink(missing_ok=True)
        raise DomainError(
            _("备份文件完整性检查未通过：%(detail)s") % {"detail": verdict}, "integrity"
        )
    os.replace(part, path)


def restore(path: Path | str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the whole database with the backup at `path`. Stop the application first:
    a restore is not meant to run beside live writes."""
    path = Path(path)
    if not path.is_file():
        raise DomainError(_("找不到备份文件 %(path)s。") % {"path": path}, "not_found")
    vendor = connections[using].vendor
    if vendor == "sqlite":
        _restore_sqlite(path, using)
    elif vendor == "postgresql":
        _restore_postgresql(path, using)
    else:
        raise DomainError(
            _("不支持恢复 %(vendor)s 数据库。") % {"vendor": vendor}, "unsupported_database"
        )


def _restore_sqlite(path: Path, using: str) -> None:
    try:
        verdict = integrity_check(path)
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            is_ours = source.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'django_migrations'"
            ).fetchone()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        raise DomainError(
            _("%(path)s 不是 SQLite 数据库文件：%(error)s") % {"path": path, "error": exc},
            "not_a_backup",
        ) from exc
    if verdict != "ok":
        raise DomainError(
            _("备份文件完整性检查未通过，未做恢复：%(detail)s") % {"detail": verdict},
            "integrity",
        )
    if not is_ours:
        raise DomainError(_("%(path)s 不是台账数据库的备份。") % {"path": path}, "not_a_backup")
    name = _sqlite_name(using)
    connections[using].close()
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    target = sqlite3.connect(name, timeout=30)
    try:
        # The backup API writes the target under its write lock, page by page, as one
        # transaction: a failure leaves the old database in place.
        source.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        target.close()
        source.close()
    verdict = integrity_check(Path(name))
    if verdict != "ok":
        raise DomainError(
            _("恢复后的数据库完整性检查未通过：%(detail)s") % {"detail": verdict}, "integrity"
        )


# --------------------------------------------------------------------------- PostgreSQL


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise DomainError(
            _(
                "找不到 %(tool)s：PostgreSQL 的备份和恢复需要 PostgreSQL 客户端工具"
                "（Debian：apt-get install postgresql-client，版本不低于服务器）。"
            )
            % {"tool": name},
            "missing_tool",
        )
    return found


def _pg_args_and_env(using: str) -> tuple[list[str], dict[str, str]]:
    settings = connections[using].settings_dict
    args = []
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    args += ["--dbname", str(settings["NAME"])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        # The environment, not the command line: `ps` shows arguments to every user.
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(  # noqa: S603 — a fixed tool with arguments we built
        command, env=env, capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL
    )
    if result.returncode != 0:
        raise DomainError(
            _("%(what)s失败（退出码 %(code)s）：%(detail)s")
            % {"what": what, "code": result.returncode, "detail": result.stderr.strip()[-2000:]},
            "tool_failed",
        )


def _backup_postgresql(path: Path, using: str) -> None:
    tool = _pg_tool("pg_dump")
    args, env = _pg_args_and_env(using)
    part = _part(path)
    part.unlink(missing_ok=True)
    try:
        _run([tool, "--format=custom", "--no-password", "--file", str(part), *args], env, "pg_dump")
    except DomainError:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, path)


def _restore_postgresql(path: Path, using: str) -> None:
    tool = _pg_tool("pg_restore")
    args, env = _pg_args_and_env(using)
    connections[using].close()
    _run(
        [
            tool,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            *args,
            str(path),
        ],
        env,
        "pg_restore",
    )
