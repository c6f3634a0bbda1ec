"""Run `taizhang` commands in child processes against a database of their own.

The suite's database is in memory (SQLite) or a per-worker test database (PostgreSQL);
load and backup tests need a real file or a database other processes can reach. Both start
from a copy of the suite's migrated, empty database, so no test pays for `migrate`:
SQLite through the online backup API, PostgreSQL with CREATE DATABASE ... TEMPLATE.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection, connections

BASE_DIR = Path(settings.BASE_DIR)


def child_env(**extra: str) -> dict[str, str]:
    """The environment minus whatever configures Django or the database, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "TAIZHANG_", "PYTEST_", "PG"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    env.update(extra)
    return env


def taizhang(
    *args: str, env: dict[str, str], timeout: float = 120, check: bool = True
) -> subprocess.CompletedProcess:
    """`taizhang <args>` in a child process (system checks skipped: they are not what these
    tests are about, and every child would pay for them)."""
    command = [sys.executable, "-m", "taizhang.manage", *args]
    if args and not args[0].startswith("-"):
        command.append("--skip-checks")
    result = subprocess.run(  # noqa: S603 — our own interpreter and command
        command,
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"taizhang {' '.join(args)} exited {result.returncode}\n"
            f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def taizhang_background(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "taizhang.manage", *args, "--skip-checks"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )


# --------------------------------------------------------------------------- SQLite


def sqlite_copy_of_suite_db(var_dir: Path) -> Path:
    """A file database under `var_dir` (where config.settings.base looks) holding the
    suite's migrated schema and nothing else."""
    assert connection.vendor == "sqlite"
    var_dir.mkdir(parents=True, exist_ok=True)
    target = var_dir / "taizhang.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    return target


def sqlite_env(var_dir: Path) -> dict[str, str]:
    return child_env(TAIZHANG_VAR_DIR=str(var_dir))


def sqlite_counts(path: Path) -> dict[str, int]:
    """Row counts of every table, read in one transaction (one consistent snapshot)."""
    db = sqlite3.connect(path, timeout=30, isolation_level=None)
    try:
        db.execute("BEGIN")
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        db.execute("COMMIT")
    finally:
        db.close()
    return counts


# --------------------------------------------------------------------------- PostgreSQL


def _pg_url(name: str) -> str:
    s = connection.settings_dict
    auth = quote(str(s["USER"] or "postgres"))
    if s.get("PASSWORD"):
        auth += ":" + quote(str(s["PASSWORD"]))
    host = s.get("HOST") or "127.0.0.1"
    port = s.get("PORT") or "5432"
    return f"postgresql://{auth}@{host}:{port}/{name}"


def _pg_admin():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        user=s.get("USER") or "postgres",
        password=s.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )


@contextmanager
def pg_databases(count: int, *, from_suite: list[bool]) -> Iterator[list[str]]:
    """`count` new databases, each a copy of the suite's migrated database (True) or empty
    (False); dropped afterwards. The suite's own connection is closed first, since a
    template database must have no other session."""
    assert connection.vendor == "postgresql"
    template = connection.settings_dict["NAME"]
    connections.close_all()
    names = [f"taizhang_ops_{secrets.token_hex(4)}" for _ in range(count)]
    with _pg_admin() as admin:
        # Connections left by other threads of this test session (the live server of the
        # browser tests, WSGI calls of the API tests) would block the copy: end them. Django
        # reconnects any of them that is used again.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [template],
        )
        try:
            for name, copy in zip(names, from_suite, strict=True):
                if copy:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
                else:
                    admin.execute(f'CREATE DATABASE "{name}"')
            yield names
        finally:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_env(name: str) -> dict[str, str]:
    return child_env(DATABASE_URL=_pg_url(name), CONN_MAX_AGE="0")


def pg_counts(name: str) -> dict[str, int]:
    import psycopg

    s = connection.settings_dict
    with psycopg.connect(
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        user=s.get("USER") or "postgres",
        password=s.get("PASSWORD") or None,
        dbname=name,
        autocommit=True,
    ) as db:
        db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        tables = [
            row[0]
            for row in db.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            )
        ]
        counts = {
            t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]  # noqa: S608
            for t in tables
        }
        db.execute("ROLLBACK")
    return counts
