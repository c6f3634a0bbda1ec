"""`taizhang backup` while writes go on, `taizhang restore` into a fresh database.

The restored database must hold exactly the rows the live one held at the moment of the
backup. That moment is pinned down without stopping the writer: the writer only adds goals
(each write adds the same rows: a goal, its historical row, its audit entry), so with
consistent row counts once the writer is writing (S), in the restored copy (B) and after it
stopped (F), every table must satisfy B = S + (kB - kS) * d with d = (F - S) / (kF - kS),
where kS, kB and kF count the writer's goals.
"""

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from taizhang.core.exceptions import DomainError
from taizhang.ops import backup as backup_module

from .support import (
    pg_counts,
    pg_databases,
    pg_env,
    sqlite_copy_of_suite_db,
    sqlite_counts,
    sqlite_env,
    taizhang,
    taizhang_background,
)

GOALS = "campaigns_goalindicator"
WRITER_SECONDS = "4"


def _writer_goals(counts: dict[str, int], base: dict[str, int]) -> int:
    return counts[GOALS] - base[GOALS]


def _backup_during_writes(
    env: dict[str, str], backup_file: Path, counts: Callable[[], dict[str, int]]
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Start a writer, take a backup once it is writing; return (before, base, after) counts
    where `base` is the state before the writer started."""
    taizhang("bench-data", "--scale", "tiny", env=env)
    base = counts()
    writer = taizhang_background(
        "load-writers", "--writers", "1", "--seconds", WRITER_SECONDS, "--kinds", "goal",
        env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _writer_goals(counts(), base) < 3:
            assert writer.poll() is None, writer.communicate()
            assert time.monotonic() < deadline, "the writer did not start writing"
            time.sleep(0.05)
        before = counts()
        result = taizhang("backup", str(backup_file), env=env)
        assert backup_file.exists()
        assert "审计链头" in result.stdout or "audit" in result.stdout.lower()
        stdout, stderr = writer.communicate(timeout=120)
    finally:
        if writer.poll() is None:
            writer.kill()
    assert writer.returncode == 0, stdout + stderr
    after = counts()
    return base, before, after


def _assert_restored_as_of_backup(
    base: dict[str, int], before: dict[str, int], after: dict[str, int], restored: dict[str, int]
) -> None:
    k_before, k_backup, k_after = (
        _writer_goals(before, base),
        _writer_goals(restored, base),
        _writer_goals(after, base),
    )
    # Taken while writing: the writer wrote both before and after the backup's snapshot.
    assert 0 < k_before <= k_backup < k_after
    assert set(restored) == set(after)
    # Measured from `before` (the writer's first write also adds one-off rows, such as the
    # audit field set of the goal history table).
    for table in after:
        footprint, remainder = divmod(after[table] - before[table], k_after - k_before)
        assert remainder == 0, f"{table}: {after[table] - before[table]} rows"
        expected = before[table] + (k_backup - k_before) * footprint
        assert restored[table] == expected, table


@pytest.mark.django_db(transaction=True)
def test_sqlite_backup_while_writing_restores_into_a_fresh_database(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant (online backup API)")
    live = sqlite_copy_of_suite_db(tmp_path / "live")
    env = sqlite_env(tmp_path / "live")
    backup_file = tmp_path / "backups" / "taizhang.backup.sqlite3"
    base, before, after = _backup_during_writes(env, backup_file, lambda: sqlite_counts(live))

    fresh_var = tmp_path / "fresh"
    fresh_env = sqlite_env(fresh_var)
    taizhang("restore", str(backup_file), "--noinput", env=fresh_env)
    restored_db = fresh_var / "taizhang.sqlite3"
    assert backup_module.integrity_check(restored_db) == "ok"
    _assert_restored_as_of_backup(base, before, after, sqlite_counts(restored_db))
    verified = taizhang("audit-verify", env=fresh_env)
    assert verified.stdout.startswith("OK: ")


@pytest.mark.django_db(transaction=True)
def test_postgresql_backup_while_writing_restores_into_a_fresh_database(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL variant (pg_dump / pg_restore)")
    with pg_databases(2, from_suite=[True, False]) as (live, fresh):
        env = pg_env(live)
        backup_file = tmp_path / "taizhang.dump"
        base, before, after = _backup_during_writes(env, backup_file, lambda: pg_counts(live))
        restored = taizhang("restore", str(backup_file), "--noinput", env=pg_env(fresh))
        assert "已从" in restored.stdout or restored.returncode == 0
        _assert_restored_as_of_backup(base, before, after, pg_counts(fresh))
        verified = taizhang("audit-verify", env=pg_env(fresh))
        assert verified.stdout.startswith("OK: ")


# --------------------------------------------------------------------------- refusals


def test_restore_refuses_a_file_that_is_not_a_sound_backup(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite file checks")
    garbage = tmp_path / "not-a-backup.sqlite3"
    garbage.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    with pytest.raises(DomainError):
        backup_module._restore_sqlite(garbage, "default")
    missing = tmp_path / "missing.sqlite3"
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(missing), "--noinput")


@pytest.mark.django_db
def test_an_in_memory_database_cannot_be_backed_up(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the suite's SQLite database is in memory")
    with pytest.raises(CommandError, match="内存数据库"):
        call_command("backup", str(tmp_path / "x.sqlite3"))


def test_missing_postgresql_tools_give_a_clear_message(monkeypatch):
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    with pytest.raises(DomainError, match="postgresql-client") as info:
        backup_module._pg_tool("pg_dump")
    assert info.value.code == "missing_tool"
