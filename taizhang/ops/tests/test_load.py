"""16 concurrent writers through the services: no "database is locked", nothing lost.

The short form runs in the suite (TAIZHANG_LOAD_SECONDS, default 8 s of writing); the long
form is the same test with TAIZHANG_LOAD_SECONDS=60, or `taizhang load-writers` by hand.
"""

import json
import os
import sqlite3

import pytest
from django.db import connection

from .support import (
    pg_databases,
    pg_env,
    sqlite_copy_of_suite_db,
    sqlite_env,
    taizhang,
)

LOAD_SECONDS = os.environ.get("TAIZHANG_LOAD_SECONDS", "8")

pytestmark = pytest.mark.django_db(transaction=True)


def _check(report: dict) -> None:
    assert report["locked_errors"] == 0, report["errors"]
    assert report["errors"] == []
    assert report["missing"] == []
    assert report["audit_ok"], report["audit_problems"]
    assert report["accepted"] >= report["writers"]
    assert set(report["by_kind"]) == {"goal", "title"}


def test_sixteen_writers_on_a_file_sqlite_database(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock is the subject; PostgreSQL has its own test below")
    database = sqlite_copy_of_suite_db(tmp_path / "var")
    env = sqlite_env(tmp_path / "var")
    taizhang("bench-data", "--scale", "tiny", env=env)
    out = tmp_path / "load.json"
    run = taizhang(
        "load-writers", "--writers", "16", "--seconds", LOAD_SECONDS, "--json", str(out), env=env,
        timeout=float(LOAD_SECONDS) + 120,
    )  # fmt: skip
    report = json.loads(out.read_text(encoding="utf-8"))
    _check(report)
    assert report["vendor"] == "sqlite"
    assert "0 'database is locked'" in run.stdout

    # Seen from a connection of our own: a WAL file database holding exactly what was
    # accepted, and sound.
    db = sqlite3.connect(database)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        stored = db.execute(
            "SELECT COUNT(*) FROM campaigns_goalindicator WHERE name LIKE '压测指标 %'"
        ).fetchone()[0]
        assert stored == report["by_kind"]["goal"]
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def test_concurrent_writers_on_postgresql_lock_rows_and_lose_nothing(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL variant (select_for_update)")
    with pg_databases(1, from_suite=[True]) as (name,):
        env = pg_env(name)
        taizhang("bench-data", "--scale", "tiny", env=env)
        out = tmp_path / "load.json"
        taizhang(
            "load-writers", "--writers", "16", "--seconds", LOAD_SECONDS, "--json", str(out),
            env=env, timeout=float(LOAD_SECONDS) + 120,
        )  # fmt: skip
        report = json.loads(out.read_text(encoding="utf-8"))
    _check(report)
    assert report["vendor"] == "postgresql"
