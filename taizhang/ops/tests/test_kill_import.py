"""`kill -9` of the process writing a ledger import leaves the database exactly as before.

A real server (`taizhang runserver --noreload`) runs on a database of its own (a file SQLite
database, or a PostgreSQL copy of the suite's), loaded with the demo. A client logs in,
uploads a ledger of a few hundred new projects (the demo's own export plus copies), confirms
the columns and waits for the dry run, snapshots every table, and asks for the import. Once
the import's transaction has held its write lock (SQLite) or its transaction id
(PostgreSQL) for a while, i.e. rows are being written, the process doing the writing gets
SIGKILL: the web server itself when the import runs in the request, the `db_worker` when it
runs as a background job. Afterwards every table holds exactly the rows of the snapshot
(the job bookkeeping aside, which by design records the job outside the import's
transaction), the database passes its integrity check and the audit chain still verifies.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
import requests
from django.db import connection

from .support import (
    BASE_DIR,
    _pg_admin,
    pg_databases,
    pg_env,
    sqlite_copy_of_suite_db,
    sqlite_env,
    taizhang,
)

pytestmark = pytest.mark.django_db(transaction=True)

NEW_ROWS = 600  # the import writes new projects in bulk: this many keep it writing for seconds
WRITING_FOR = 0.3  # seconds the import's write transaction has been open before the kill
IMPORTER = "sector"  # the demo's campaign owner (org admin of the sector committee)
DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published demo credential
# Written outside the import's transaction on purpose: the job row and the task library's
# row say that a job started (and, after a crash, that it never finished).
JOB_TABLES = ("jobs_job", "django_tasks_database_")


# --------------------------------------------------------------------------- the databases


class SqliteTarget:
    vendor = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self, timeout: float = 30) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=timeout, isolation_level=None)

    def scalar(self, sql: str, params: tuple = ()):
        db = self._connect()
        try:
            row = db.execute(sql, params).fetchone()
        finally:
            db.close()
        return row[0] if row else None

    def snapshot(self) -> dict[str, tuple[int, str]]:
        db = self._connect()
        try:
            db.execute("BEGIN")
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
            result = {t: _digest(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}  # noqa: S608
            db.execute("COMMIT")
        finally:
            db.close()
        return result

    def writing(self) -> bool:
        """Whether some connection holds the write lock (every write transaction takes it
        at BEGIN: transaction_mode IMMEDIATE)."""
        db = self._connect(timeout=0)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError as error:
            assert "locked" in str(error), error
            return True
        finally:
            db.close()

    def settle(self) -> None:
        """Nothing to wait for: the killed process took its locks with it."""

    def check_sound(self) -> None:
        db = self._connect(timeout=0)
        try:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            # Writable again at once: no lock survived the killed process.
            db.execute("BEGIN IMMEDIATE")
            db.execute("ROLLBACK")
        finally:
            db.close()
        import fcntl

        queue = Path(f"{self.path}.writelock")
        if queue.exists():
            with queue.open("rb") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises if still held


class PgTarget:
    vendor = "postgresql"

    def __init__(self, name: str) -> None:
        self.name = name

    def _connect(self):
        import psycopg

        s = connection.settings_dict
        return psycopg.connect(
            host=s.get("HOST") or "127.0.0.1",
            port=s.get("PORT") or 5432,
            user=s.get("USER") or "postgres",
            password=s.get("PASSWORD") or None,
            dbname=self.name,
            autocommit=True,
        )

    def scalar(self, sql: str, params: tuple = ()):
        with self._connect() as db:
            row = db.execute(sql.replace("?", "%s"), params).fetchone()
        return row[0] if row else None

    def snapshot(self) -> dict[str, tuple[int, str]]:
        with self._connect() as db:
            db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            result = {t: _digest(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}  # noqa: S608
            db.execute("ROLLBACK")
        return result

    def _writers(self) -> list[tuple[int, float]]:
        """(pid, seconds open) of the sessions on this database in a transaction that has
        written (a transaction gets its id at its first write)."""
        with _pg_admin() as admin:
            return admin.execute(
                "SELECT pid, EXTRACT(EPOCH FROM now() - xact_start)::float FROM pg_stat_activity "
                "WHERE datname = %s AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()",
                [self.name],
            ).fetchall()

    def writing(self) -> bool:
        return bool(self._writers())

    def settle(self) -> None:
        """The server's session ends (and rolls back) once PostgreSQL notices its client is
        gone; wait for that, so the snapshot after cannot precede a late commit."""
        deadline = time.monotonic() + 15
        while self._writers():
            assert time.monotonic() < deadline, "the killed server's transaction is still open"
            time.sleep(0.05)

    def check_sound(self) -> None:
        with self._connect() as db:
            db.execute("SELECT 1")


def _digest(rows: list[tuple]) -> tuple[int, str]:
    """Row count and a checksum of the rows, independent of their order."""
    digest = hashlib.sha256()
    for line in sorted(repr(row) for row in rows):
        digest.update(line.encode())
    return len(rows), digest.hexdigest()


# --------------------------------------------------------------------------- the client


class _Forms(HTMLParser):
    """The fields a browser would post: inputs, checked boxes, each select's chosen option."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag: str, attrs) -> None:
        a = dict(attrs)
        if tag == "form":
            self._form = {"action": a.get("action") or "", "fields": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "file") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            fields[a["name"]] = a.get("value") or ("on" if kind == "checkbox" else "")
        elif tag == "select":
            self._select, self._first = a.get("name"), None
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self._form is not None:
            self._form["fields"].setdefault(self._select, self._first or "")
            self._select = None
        elif tag == "form":
            self._form = None


def _form_fields(html: str, action: str) -> dict[str, str]:
    """The fields of the page's form that posts to `action` (or to the page itself)."""
    parser = _Forms()
    parser.feed(html)
    for form in parser.forms:
        if form["action"] in ("", action):
            return dict(form["fields"])
    raise AssertionError(f"no form posting to {action}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "taizhang.manage", *args, "--skip-checks"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def _wait_until(condition, *, what: str, timeout: float, process: subprocess.Popen | None = None):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{what}: the process exited\n{process.stderr.read()}")
        assert time.monotonic() < deadline, f"timed out waiting: {what}"
        time.sleep(0.05)


def _big_ledger(session: requests.Session, base: str, campaign_id: int) -> bytes:
    """The demo's own ledger export, its project sheet extended with NEW_ROWS new projects
    (copies of the demo's rows under new codes)."""
    response = session.get(f"{base}/exports/ledger/{campaign_id}/")
    assert response.status_code == 200, response.status_code
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    for name in book.sheetnames[1:]:
        del book[name]
    sheet = book["项目"]
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True) if r[1]]
    assert len(rows) >= 5
    for index in range(NEW_ROWS):
        row = list(rows[index % len(rows)])
        row[0], row[1], row[2] = len(rows) + index + 1, f"KILL-{index:04d}", f"{row[2]}（{index}）"
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------- the test


def _load_demo(env: dict[str, str]) -> None:
    taizhang("demo", "--password", DEMO_PASSWORD, env=env)


def _kill_mid_import(
    target, env: dict[str, str], *, in_worker: bool, load_demo: Callable | None = _load_demo
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # In the request (the web server writes) or always in a background job (the worker does).
    env = {**env, "TAIZHANG_IMPORT_INLINE_MAX_ROWS": "0" if in_worker else "100000"}
    server = _start("runserver", "--noreload", f"127.0.0.1:{port}", env=env)
    worker = _start("db_worker", "--no-reload", "--interval", "0.1", env=env) if in_worker else None
    try:
        if load_demo is not None:  # while the server starts
            load_demo(env)
        campaign_id = target.scalar("SELECT MIN(id) FROM campaigns_campaign")
        session = requests.Session()

        def login_page():
            try:
                return session.get(f"{base}/accounts/login/", timeout=5)
            except requests.ConnectionError:
                return None

        page = _wait_until(login_page, what="the server to listen", timeout=30, process=server)
        fields = _form_fields(page.text, "/accounts/login/")
        fields.update(username=IMPORTER, password=DEMO_PASSWORD)
        response = session.post(f"{base}/accounts/login/", data=fields, timeout=30)
        assert "/accounts/login/" not in response.url, "login failed"

        upload_url = f"{base}/imports/campaigns/{campaign_id}/"
        fields = _form_fields(session.get(upload_url, timeout=30).text, "")
        files = {"file": ("台账-批量.xlsx", _big_ledger(session, base, campaign_id))}
        response = session.post(upload_url, data=fields, files=files, allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]
        mapping_url = base + response.headers["Location"]
        import_id = int(re.search(r"/imports/(\d+)/columns/", mapping_url).group(1))
        fields = _form_fields(session.get(mapping_url, timeout=30).text, "")
        response = session.post(mapping_url, data=fields, allow_redirects=False, timeout=60)
        assert response.status_code == 302, response.text[:2000]

        def dry_run_done():
            return target.scalar(
                "SELECT status FROM imports_ledgerimport WHERE id = ?", (import_id,)
            )

        _wait_until(lambda: dry_run_done() == "checked", what="the dry run", timeout=60)
        report_url = f"{base}/imports/{import_id}/"
        report = session.get(report_url, timeout=30).text
        assert re.search(rf"<dt>新增项目</dt><dd>{NEW_ROWS}</dd>", report), "dry run count"
        assert re.search(r"<dt>错误行</dt><dd>0</dd>", report)
        apply_url = f"{report_url}apply/"
        fields = _form_fields(report, f"/imports/{import_id}/apply/")

        before = target.snapshot()
        assert not target.writing()
        # The web server answers the import only when it is done: post it from a thread
        # and watch the database meanwhile.
        applying = threading.Thread(target=_post_quietly, args=(session, apply_url, fields))
        applying.start()
        try:
            writer = worker if in_worker else server
            started = None
            deadline = time.monotonic() + 60
            while True:
                now = time.monotonic()
                if target.writing():
                    started = started or now
                    if now - started >= WRITING_FOR:
                        break
                else:
                    started = None
                assert writer.poll() is None, writer.stderr.read()
                assert now < deadline, "the import never held a write transaction that long"
                time.sleep(0.02)
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
        finally:
            applying.join(timeout=30)
    finally:
        for process in (server, worker):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        if server.stderr:
            server.stderr.close()
        if worker is not None and worker.stderr:
            worker.stderr.close()

    target.settle()
    after = target.snapshot()
    assert target.scalar("SELECT status FROM imports_ledgerimport WHERE id = ?", (import_id,)) == (
        "checked"
    ), "the import finished before the kill: nothing was tested"
    kept = {t: v for t, v in after.items() if not (in_worker and t.startswith(JOB_TABLES))}
    assert set(after) == set(before)
    assert kept == {t: before[t] for t in kept}
    assert (
        target.scalar("SELECT COUNT(*) FROM campaigns_project WHERE code LIKE ?", ("KILL-%",)) == 0
    )
    target.check_sound()
    verified = taizhang("audit-verify", env=env)
    assert verified.stdout.startswith("OK: ")


_SQLITE_DEMO: dict[str, Path] = {}


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy through SQLite's online backup (the source may be open)."""
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


def _post_quietly(session: requests.Session, url: str, data: dict[str, str]) -> None:
    """The client's half of clicking 导入; the server may die before it answers."""
    with contextlib.suppress(requests.RequestException):
        session.post(url, data=data, allow_redirects=False, timeout=120)


@pytest.mark.parametrize("in_worker", [False, True], ids=["web-server", "db-worker"])
def test_sqlite_kill_during_import_leaves_the_database_as_before(
    tmp_path, tmp_path_factory, in_worker
):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant (a file database)")
    path = sqlite_copy_of_suite_db(tmp_path / "var")
    # The demo is loaded once (6-9 s in a child process), then copied for the next test.
    cached = _SQLITE_DEMO.get("path")
    load_demo = None
    if cached is not None:
        _sqlite_copy(cached, path)
    else:

        def load_demo(env: dict[str, str]) -> None:
            _load_demo(env)
            _SQLITE_DEMO["path"] = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
            _sqlite_copy(path, _SQLITE_DEMO["path"])

    target = SqliteTarget(path)
    _kill_mid_import(target, sqlite_env(tmp_path / "var"), in_worker=in_worker, load_demo=load_demo)


@pytest.mark.parametrize("in_worker", [False, True], ids=["web-server", "db-worker"])
def test_postgresql_kill_during_import_leaves_the_database_as_before(tmp_path, in_worker):
    if connection.vendor != "postgresql":
        pytest.skip("the PostgreSQL variant")
    with pg_databases(1, from_suite=[True]) as (name,):
        # The uploaded file goes to the private storage under the var directory.
        env = {**pg_env(name), "TAIZHANG_VAR_DIR": str(tmp_path / "var")}
        _kill_mid_import(PgTarget(name), env, in_worker=in_worker)
