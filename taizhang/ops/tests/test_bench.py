"""`taizhang bench` end to end on tiny data: every benchmark P1–P8 runs and is reported with
numeric figures; a crashed or missing benchmark fails the run and this test."""

import json
import re
import secrets

import pytest
from django.db import connection

from taizhang.ops.bench.report import KEYS

from .support import BASE_DIR, child_env, sqlite_copy_of_suite_db, taizhang

pytestmark = pytest.mark.django_db(transaction=True)

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def drop_databases(*names: str) -> None:
    with connection.cursor() as cursor:
        for name in names:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_quick_harness_reports_every_benchmark_with_figures(tmp_path, request):
    args = [
        # Three rounds, no profiles, one memory probe: the whole path in well under a minute
        # (P7's charts alone cost a second or two per round); `make bench` runs five.
        "bench", "--scale", "tiny", "--dbs", "sqlite", "--rounds", "3", "--no-profile",
        "--workdir", str(tmp_path / "bench"), "--out", str(tmp_path / "BENCHMARKS.md"),
        "--min-seconds", "0.02", "--p8-seconds", "0.3", "--memory-runs", "1",
    ]  # fmt: skip
    vendor = "sqlite" if connection.vendor == "sqlite" else "pg"
    if vendor == "sqlite":
        # A copy of the suite's migrated database instead of a migrate in the child.
        template = sqlite_copy_of_suite_db(tmp_path / "template")
        args += ["--sqlite-template", str(template)]
    else:
        # PostgreSQL goes the way `make bench` goes: --parallel, a child per database and
        # one report combined from their summaries, on bench databases of its own.
        db = connection.settings_dict
        name = f"taizhang_bench_t{secrets.token_hex(3)}"
        url = f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        url += f"{db['PORT'] or 5432}/{name}"
        args[args.index("sqlite")] = "pg"
        args += ["--parallel", "--pg-url", url]
        request.addfinalizer(lambda: drop_databases(name, f"{name}_half"))
    # The bench databases are its own: nothing may land in the dev var/ folder.
    dev_db = BASE_DIR / "var" / "taizhang.sqlite3"
    dev_mtime = dev_db.stat().st_mtime if dev_db.exists() else None
    result = taizhang(*args, env=child_env(), timeout=240, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    summary = json.loads((tmp_path / "bench" / "summary.json").read_text())
    results = {r["key"]: r for r in summary["runs"][vendor]["results"]}
    assert sorted(results) == list(KEYS)
    measured = {k: r for k, r in results.items() if not (vendor == "pg" and k == "P8")}
    for key, r in measured.items():
        assert not r["error"], (key, r["error"])
        assert isinstance(r["ratio"], float), key
        assert r["passed"] in (True, False), key
        assert len(r["rounds"]) == 3, key
        for row in r["rounds"]:
            assert row["baseline_s"] > 0 and row["subject_s"] > 0, (key, row)
    if vendor == "sqlite":
        assert results["P8"]["extra"]["errors"] == 0
    else:  # P8's target is SQLite's single writer: recorded as not run, with its reason
        assert results["P8"]["notes"] == ["not run: the target is SQLite's single writer"]
        assert summary["parallel"] is True
    assert results["P5"]["extra"]["memory"]["rows_ratio_full_over_half"] == 2.0

    report = (tmp_path / "BENCHMARKS.md").read_text()
    for key in KEYS:
        rows = [line for line in report.splitlines() if line.startswith(f"| {key} |")]
        assert len(rows) == 1, key
        cells = [c.strip() for c in rows[0].strip("|").split("|")]
        # | key | title | target | ratio | verdict |
        if key in measured:
            assert NUMBER.match(cells[3]), rows[0]
            assert cells[4] in ("pass", "**miss**"), rows[0]
        else:
            assert cells[3:5] == ["—", "not run"], rows[0]
    assert "## Machine" in report and "nproc" in report
    assert "What the subject does beyond the baseline" in report
    # `--step report` renders the same file again from the run's summary alone.
    again = tmp_path / "again.md"
    taizhang("bench", "--step", "report", "--workdir", str(tmp_path / "bench"),
             "--out", str(again), env=child_env())  # fmt: skip
    assert again.read_text() == report
    assert (dev_db.stat().st_mtime if dev_db.exists() else None) == dev_mtime


def test_a_missed_target_gets_a_profile_excerpt():
    from taizhang.ops.bench.timing import profile_excerpt

    def slow() -> int:
        return sum(i * i for i in range(20_000))

    text = profile_excerpt(slow)
    assert "sorted by cumulative" in text and "sorted by tottime" in text
    assert "slow" in text
    # The layer table leads, and this test module's own code is counted as Taizhang's.
    assert text.startswith("own time by layer")
    assert "Taizhang code" in text.split("sorted by cumulative")[0]


def test_profile_layers_name_the_library_that_spends_the_time():
    from taizhang.ops.bench.timing import layer_of

    cases = {
        ("~", "<method 'execute' of 'sqlite3.Cursor' objects>"): "SQL in the database driver",
        ("/v/lib/psycopg/cursor.py", "execute"): "SQL in the database driver",
        ("/v/lib/django/template/base.py", "render"): "Django templates",
        ("/v/lib/django/db/models/query.py", "_fetch_all"): "Django ORM (query building, "
        "model instances)",
        ("/v/lib/xlsxwriter/worksheet.py", "write"): "XlsxWriter",
        ("/w/taizhang/assessment/engine.py", "gather"): "Taizhang code",
        ("/usr/lib/python3.11/decimal.py", "quantize"): "Python, other (stdlib, builtins)",
    }
    assert {key: layer_of(*key) for key in cases} == cases


def test_a_crashing_benchmark_fails_the_run_and_shows_in_the_report():
    """The report never hides a crash: the row says so and there is no ratio."""
    from taizhang.ops.bench.report import render

    summary = {
        "scale": "tiny", "rounds": 5, "command": "taizhang bench", "total_s": 1.0,
        "plan": {"min_seconds": 1, "p8_seconds": 1, "p8_rounds": 5, "import_rows": 10},
        "machine": {"nproc": "2", "cpu": "x", "memory": "1 GiB", "os": "Linux",
                    "python": "3.11", "django": "5.2", "sqlite": "3"},
        "runs": {"sqlite": {"results": [
            {"key": "P1", "title": "ledger page", "target": "≥ 0.25×", "kind": "time", "limit": 0,
             "ratio": None, "passed": False, "rounds": [], "extra": {}, "notes": [],
             "profile": "", "error": "RuntimeError('boom')", "subject": "", "baseline": ""},
        ]}},
    }  # fmt: skip
    report = render(summary)
    assert "| P1 | ledger page | ≥ 0.25× | — | **crashed** |" in report
    assert "| P2 |  |  | — | **missing** |" in report
    assert "boom" in report


def test_runs_of_one_database_each_combine_into_one_report(tmp_path):
    """`--step report --combine`: the last SQLite and PostgreSQL runs in one file, each
    result keeping its commit; a benchmark one run skipped shows as missing, not passed."""
    from taizhang.ops.bench.orchestrate import combine
    from taizhang.ops.bench.report import render

    def result(key: str, code: str) -> dict:
        return {"key": key, "title": f"t{key}", "target": "≤ 2×", "kind": "time", "limit": 2.0,
                "ratio": 1.5, "passed": True, "rounds": [], "extra": {}, "notes": [],
                "profile": "", "error": "", "subject": "s", "baseline": "b", "code": code}  # fmt: skip

    for vendor, keys, code in (("sqlite", KEYS, "aaa1111"), ("pg", ("P1", "P2"), "bbb2222")):
        (tmp_path / vendor).mkdir()
        summary = {
            "scale": "group", "rounds": 5, "command": f"taizhang bench --dbs {vendor}",
            "total_s": 10.0, "plan": {"min_seconds": 1, "p8_seconds": 60, "p8_rounds": 5,
                                      "import_rows": 10000},
            "runs": {vendor: {"vendor": vendor, "results": [result(k, code) for k in keys]}},
        }  # fmt: skip
        (tmp_path / vendor / "summary.json").write_text(json.dumps(summary))
    combined = combine(tmp_path)
    assert set(combined["runs"]) == {"sqlite", "pg"}
    assert combined["commands"] == ["taizhang bench --dbs sqlite", "taizhang bench --dbs pg"]
    report = render(combined)
    assert "Combined from the last run of each database" in report
    assert "commit aaa1111:" in report and "commit bbb2222: P1 PostgreSQL, P2 PostgreSQL" in report
    p3 = next(line for line in report.splitlines() if line.startswith("| P3 |"))
    assert p3.endswith("| 1.500 | pass | — | **missing** |"), p3
    assert "### P3 on PostgreSQL: missing (not measured by the commands above)" in report


def _child_summary(vendor: str, code: str) -> dict:
    result = {"key": "P3", "title": "tP3", "target": "≤ 1.2×", "kind": "time", "limit": 1.2,
              "ratio": 1.1, "passed": True, "rounds": [], "extra": {}, "notes": [],
              "profile": "", "error": "", "subject": "s", "baseline": "b", "code": code}  # fmt: skip
    return {
        "scale": "group", "rounds": 5, "command": f"taizhang bench --dbs {vendor}",
        "total_s": 10.0, "plan": {"min_seconds": 1, "p8_seconds": 60, "p8_rounds": 5,
                                  "import_rows": 10000},
        "runs": {vendor: {"vendor": vendor, "results": [result]}},
    }  # fmt: skip


def test_parallel_run_reports_a_child_without_a_new_summary_as_an_error(tmp_path, monkeypatch):
    """`--parallel` joins what its children wrote during this run: a child that died before
    writing its summary is an error in the report, not the last run's figures."""
    import os
    import time

    from taizhang.ops.bench import orchestrate

    (tmp_path / "pg").mkdir()
    stale = tmp_path / "pg" / "summary.json"
    stale.write_text(json.dumps(_child_summary("pg", "old0000")))
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))

    class Child:
        def __init__(self, args, **kwargs):
            self.vendor = args[args.index("--dbs") + 1]
            if self.vendor == "sqlite":  # this one finishes and writes its summary
                path = tmp_path / "sqlite" / "summary.json"
                path.write_text(json.dumps(_child_summary("sqlite", "new1111")))

        def wait(self) -> int:
            return 0 if self.vendor == "sqlite" else 1

    monkeypatch.setattr(orchestrate.subprocess, "Popen", Child)
    plan = orchestrate.Plan(workdir=tmp_path, out=tmp_path / "BENCHMARKS.md")
    plan.command = "taizhang bench --parallel"
    summary = orchestrate.run_parallel(plan, log=lambda *a: None)

    assert summary["runs"]["sqlite"]["results"][0]["code"] == "new1111"
    assert "results" not in summary["runs"]["pg"]
    assert "the pg run exited 1 without a summary" in summary["runs"]["pg"]["error"]
    assert summary["commands"] == [
        "taizhang bench --parallel", "  (child) taizhang bench --dbs sqlite"
    ]  # fmt: skip
    assert summary["parallel"] is True and not summary["combined"]
    report = (tmp_path / "BENCHMARKS.md").read_text()
    assert "old0000" not in report and "new1111" in report


def test_code_version_ignores_the_bench_output_but_not_code_changes(tmp_path, monkeypatch):
    import subprocess

    from taizhang.ops.bench import orchestrate

    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)  # noqa: S603, S607

    git("init", "-q")
    (tmp_path / "BENCHMARKS.md").write_text("old figures\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "c")
    monkeypatch.setattr(orchestrate, "BASE_DIR", tmp_path)
    head = orchestrate.code_version()
    assert head and "+" not in head and head != "unknown"

    (tmp_path / "BENCHMARKS.md").write_text("new figures\n")
    (tmp_path / "other-out.md").write_text("a report written elsewhere\n")
    assert orchestrate.code_version([tmp_path / "other-out.md"]) == head
    (tmp_path / "code.py").write_text("x = 2\n")
    assert orchestrate.code_version([tmp_path / "other-out.md"]) == head + "+changes"
