"""`taizhang bench`: build the bench databases, measure on each, write BENCHMARKS.md.

The data always goes to databases of its own: SQLite files under <workdir>/sqlite-full and
<workdir>/sqlite-half (TAIZHANG_VAR_DIR), PostgreSQL databases `taizhang_bench` and
`taizhang_bench_half`; all are dropped and rebuilt on every run, never the dev database.
The half-size data set (the same generator at half the sizes) is what P5's memory check and
P7's "data doubles" compare the full data set with.
"""

from __future__ import annotations

import json
import math
import os
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parents[3]
DEFAULT_PG_URL = "postgresql://postgres:postgres@127.0.0.1:5432/taizhang_bench"


@dataclass
class Plan:
    scale: str = "group"
    rounds: int = 5
    dbs: list[str] = field(default_factory=lambda: ["sqlite", "pg"])
    pg_url: str = DEFAULT_PG_URL
    workdir: Path = BASE_DIR / "var" / "bench"
    out: Path = BASE_DIR / "BENCHMARKS.md"
    min_seconds: float = 1.0
    p8_seconds: float = 60.0
    p8_rounds: int = 5
    import_rows: int | None = None
    sqlite_template: Path | None = None
    only: list[str] = field(default_factory=list)
    memory_runs: int = 3
    profile: bool = True
    command: str = ""
    # With `only`: keep the other benchmarks' results from the last run's summary.json.
    merge: bool = False
    # Each database in a process of its own, at the same time (workdir/<vendor>/).
    parallel: bool = False


def base_env(**extra: str) -> dict[str, str]:
    """This environment minus whatever configures Django or a database, plus `extra`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "TAIZHANG_", "PYTEST_", "PG"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.base"
    env["LOG_LEVEL"] = "WARNING"
    env.update(extra)
    return env


def db_env(var_dir: Path, database_url: str | None = None) -> dict[str, str]:
    extra = {
        "TAIZHANG_VAR_DIR": str(var_dir),
        "TAIZHANG_PRIVATE_ROOT": str(var_dir / "private"),
        "TAIZHANG_MEDIA_ROOT": str(var_dir / "media"),
    }
    if database_url:
        extra["DATABASE_URL"] = database_url
        extra["CONN_MAX_AGE"] = "0"
    return base_env(**extra)


def taizhang(*args: str, env: dict[str, str], log, timeout: float = 7200) -> tuple[str, float]:
    # System checks are not what is measured, and every child would pay for them.
    command = [sys.executable, "-m", "taizhang.manage", *args, "--skip-checks"]
    log("$ " + " ".join(shlex.quote(a) for a in ["taizhang", *args]))
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 — our own interpreter and command
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout,
        check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(
            f"taizhang {' '.join(args)} exited {done.returncode}\n{done.stdout[-3000:]}\n"
            f"{done.stderr[-5000:]}"
        )
    for line in done.stderr.strip().splitlines()[-40:]:
        log("  " + line)
    return done.stdout, seconds


def _pg_admin(url: str):
    import psycopg

    parts = urlparse(url)
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
        autocommit=True,
    )


def _with_db(url: str, name: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def _sqlite_copy(source: Path, target: Path) -> None:
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def prepare_sqlite(plan: Plan, log) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    full_dir, half_dir = plan.workdir / "sqlite-full", plan.workdir / "sqlite-half"
    for folder in (full_dir, half_dir):
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "static").mkdir(parents=True)  # STATIC_ROOT: WhiteNoise warns without it
    full_env, half_env = db_env(full_dir), db_env(half_dir)
    timings: dict[str, Any] = {}
    if plan.sqlite_template:
        _sqlite_copy(plan.sqlite_template, full_dir / "taizhang.sqlite3")
    else:
        _out, timings["migrate_s"] = taizhang("migrate", "--noinput", "-v0", env=full_env, log=log)
    _sqlite_copy(full_dir / "taizhang.sqlite3", half_dir / "taizhang.sqlite3")
    return full_env, half_env, timings


def prepare_pg(plan: Plan, log) -> tuple[dict[str, str], dict[str, str], dict[str, Any]]:
    name = urlparse(plan.pg_url).path.lstrip("/") or "taizhang_bench"
    if name in {"taizhang", "postgres"} or not name.startswith(("taizhang_bench", "tz_bench")):
        raise RuntimeError(f"refusing to rebuild {name!r}: the bench database name must start "
                           "with taizhang_bench")  # fmt: skip
    half = f"{name}_half"
    full_dir, half_dir = plan.workdir / "pg-full", plan.workdir / "pg-half"
    for folder in (full_dir, half_dir):
        shutil.rmtree(folder, ignore_errors=True)
        (folder / "static").mkdir(parents=True)  # STATIC_ROOT: WhiteNoise warns without it
    with _pg_admin(plan.pg_url) as admin:
        for db in (name, half):
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    full_env = db_env(full_dir, plan.pg_url)
    half_env = db_env(half_dir, _with_db(plan.pg_url, half))
    timings: dict[str, Any] = {}
    _out, timings["migrate_s"] = taizhang("migrate", "--noinput", "-v0", env=full_env, log=log)
    with _pg_admin(plan.pg_url) as admin:
        admin.execute(f'CREATE DATABASE "{half}" TEMPLATE "{name}"')
    return full_env, half_env, timings


def import_rows_for(scale: str) -> int:
    from taizhang.ops.benchdata import SCALES

    return min(10_000, max(10, SCALES[scale].projects // 5))


def code_version(outputs: Sequence[Path] = ()) -> str:
    """The commit the measured code is at, "+changes" when the tree differs from it.

    The bench's own output (BENCHMARKS.md, written by the last run) is not a change to the
    code measured: it is left out of the comparison."""
    excludes = []
    for out in {BASE_DIR / "BENCHMARKS.md", *outputs}:
        if out.resolve().is_relative_to(BASE_DIR):
            excludes.append(f":(exclude){out.resolve().relative_to(BASE_DIR)}")
    try:
        head = subprocess.run(  # noqa: S603 — git, read-only
            ["git", "rev-parse", "--short", "HEAD"], cwd=BASE_DIR, capture_output=True,  # noqa: S607
            text=True, check=True,
        ).stdout.strip()  # fmt: skip
        dirty = subprocess.run(  # noqa: S603
            ["git", "status", "--porcelain", "--", ".", *sorted(excludes)], cwd=BASE_DIR,  # noqa: S607
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+changes" if dirty else "")


def previous_summary(plan: Plan) -> dict[str, Any] | None:
    path = plan.workdir / "summary.json"
    if not (plan.merge and plan.only and path.exists()):
        return None
    previous = json.loads(path.read_text())
    if previous.get("scale") != plan.scale:
        raise RuntimeError(
            f"--merge: the last run was at scale {previous.get('scale')!r}, not {plan.scale!r}"
        )
    return previous


def merged_results(previous: dict[str, Any] | None, vendor: str, new: list[dict],
                   only: list[str]) -> list[dict]:  # fmt: skip
    """The new results for `only`, the previous run's for the rest, in P1–P8 order."""
    if previous is None:
        return new
    from .report import KEYS

    by_key = {r["key"]: r for r in previous["runs"].get(vendor, {}).get("results", [])}
    by_key.update({r["key"]: r for r in new if r["key"] in only})
    return [by_key[key] for key in KEYS if key in by_key]


def run(plan: Plan, log=print) -> dict[str, Any]:
    plan.workdir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    previous = previous_summary(plan)
    version = code_version([plan.out])
    runs: dict[str, Any] = {}
    for vendor in plan.dbs:
        vendor_started = time.perf_counter()
        entry: dict[str, Any] = {"vendor": vendor}
        runs[vendor] = entry
        try:
            prepare = prepare_sqlite if vendor == "sqlite" else prepare_pg
            full_env, half_env, timings = prepare(plan, log)
            entry["timings"] = timings
            out, timings["bench_data_s"] = taizhang(
                "bench-data", "--scale", plan.scale, env=full_env, log=log
            )
            entry["bench_data_line"] = out.strip().splitlines()[-1]
            log("  " + entry["bench_data_line"])
            out, timings["half_data_s"] = taizhang(
                "bench", "--step", "half-data", "--scale", plan.scale, env=half_env, log=log
            )
            entry["half_data_line"] = out.strip().splitlines()[-1]
            log("  " + entry["half_data_line"])
            env_file = plan.workdir / f"env-{vendor}.json"
            env_file.write_text(json.dumps({"full": full_env, "half": half_env}))
            results_file = plan.workdir / f"results-{vendor}.json"
            results_file.unlink(missing_ok=True)
            args = [
                "bench", "--step", "measure", "--out", str(results_file),
                "--env-file", str(env_file), "--rounds", str(plan.rounds),
                "--min-seconds", str(plan.min_seconds), "--p8-seconds", str(plan.p8_seconds),
                "--p8-rounds", str(plan.p8_rounds),
                "--import-rows", str(plan.import_rows or import_rows_for(plan.scale)),
                "--workdir", str(plan.workdir), "--memory-runs", str(plan.memory_runs),
            ]  # fmt: skip
            if plan.only:
                args += ["--only", ",".join(plan.only)]
            if not plan.profile:
                args.append("--no-profile")
            _out, timings["measure_s"] = taizhang(*args, env=full_env, log=log)
            measured = json.loads(results_file.read_text())
            for result in measured["results"]:
                result["code"] = version
            measured["results"] = merged_results(previous, vendor, measured["results"], plan.only)
            entry.update(measured)
        except Exception as exc:  # noqa: BLE001 — the report says what broke
            entry["error"] = repr(exc)
            log(f"{vendor}: {exc}")
        entry["total_s"] = round(time.perf_counter() - vendor_started, 1)
        # Each finished database is written out at once: a run cut short keeps what it has.
        (plan.workdir / "runs.json").write_text(json.dumps(runs, ensure_ascii=False, indent=1))
    if previous is not None:
        for vendor, entry in previous["runs"].items():
            runs.setdefault(vendor, entry)
    summary = {
        "scale": plan.scale,
        "rounds": plan.rounds,
        "command": plan.command,
        # A merged report was measured by more than one command: all of them, in order.
        "commands": [*(previous.get("commands") or [previous["command"]]), plan.command]
        if previous is not None
        else [plan.command],
        "total_s": round(time.perf_counter() - started, 1),
        "runs": runs,
        "plan": {
            "min_seconds": plan.min_seconds,
            "p8_seconds": plan.p8_seconds,
            "p8_rounds": plan.p8_rounds,
            "import_rows": plan.import_rows or import_rows_for(plan.scale),
        },
    }
    from .report import machine, render

    summary["machine"] = machine(runs)
    (plan.workdir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    plan.out.write_text(render(summary), encoding="utf-8")
    log(f"wrote {plan.out} ({summary['total_s']} s)")
    return summary


def child_args(plan: Plan, vendor: str) -> list[str]:
    """`taizhang bench` arguments that run `plan` for one database in workdir/<vendor>."""
    workdir = plan.workdir / vendor
    args = [
        "bench", "--scale", plan.scale, "--dbs", vendor, "--rounds", str(plan.rounds),
        "--pg-url", plan.pg_url, "--workdir", str(workdir),
        "--out", str(workdir / "BENCHMARKS.md"), "--min-seconds", str(plan.min_seconds),
        "--p8-seconds", str(plan.p8_seconds), "--p8-rounds", str(plan.p8_rounds),
        "--memory-runs", str(plan.memory_runs),
    ]  # fmt: skip
    if plan.import_rows:
        args += ["--import-rows", str(plan.import_rows)]
    if plan.only:
        args += ["--only", ",".join(plan.only)]
    if plan.merge:
        args.append("--merge")
    if not plan.profile:
        args.append("--no-profile")
    if plan.sqlite_template:
        args += ["--sqlite-template", str(plan.sqlite_template)]
    return args


def run_parallel(plan: Plan, log=print) -> dict[str, Any]:
    """Both databases at once, one child process each (the two cores each take one), then
    one report from the two summaries. Each child keeps its own alternated rounds, so a
    ratio still compares two halves of one round under the same load."""
    started, started_at = time.perf_counter(), time.time()
    children = {}
    for vendor in plan.dbs:
        workdir = plan.workdir / vendor
        workdir.mkdir(parents=True, exist_ok=True)
        args = child_args(plan, vendor)
        log("$ taizhang " + " ".join(shlex.quote(a) for a in args) + f"  > {workdir}/log.txt")
        with (workdir / "log.txt").open("w") as out:
            children[vendor] = subprocess.Popen(  # noqa: S603 — our own interpreter and command
                [sys.executable, "-m", "taizhang.manage", *args, "--skip-checks"],
                cwd=BASE_DIR, env=base_env(), stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )  # fmt: skip
    codes = {vendor: process.wait() for vendor, process in children.items()}
    fresh, errors = [], {}
    for vendor, code in codes.items():
        path = plan.workdir / vendor / "summary.json"
        # A summary older than this run is the last run's (a child that failed early wrote none).
        if path.exists() and path.stat().st_mtime >= started_at:
            fresh.append(vendor)
            log(f"{vendor}: exited {code}")
        else:
            errors[vendor] = (
                f"the {vendor} run exited {code} without a summary "
                f"(see {plan.workdir / vendor / 'log.txt'})"
            )
    summary = combine(plan.workdir, fresh, errors) if fresh else None
    if summary is None:
        from .report import machine

        runs = {vendor: {"vendor": vendor, "error": error} for vendor, error in errors.items()}
        summary = {
            "scale": plan.scale, "rounds": plan.rounds, "commands": [], "runs": runs,
            "plan": {
                "min_seconds": plan.min_seconds, "p8_seconds": plan.p8_seconds,
                "p8_rounds": plan.p8_rounds, "import_rows": plan.import_rows or 0,
            },
            "machine": machine(runs),
        }  # fmt: skip
    summary.update(
        command=plan.command,
        commands=[plan.command, *(f"  (child) {c}" for c in summary["commands"])],
        parallel=True,
        combined=False,
        total_s=round(time.perf_counter() - started, 1),
    )
    from .report import render

    (plan.workdir / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    plan.out.write_text(render(summary), encoding="utf-8")
    log(f"wrote {plan.out} ({summary['total_s']} s)")
    return summary


def combine(
    workdir: Path, vendors: Sequence[str] = ("sqlite", "pg"), errors: dict[str, str] | None = None
) -> dict[str, Any]:
    """One summary from the per-database runs under workdir/<db>/: what `run_parallel`
    writes when its children end, and `--step report --combine` for runs made one database
    at a time (e.g. one re-run after a fix). `errors` are databases that wrote no summary."""
    runs: dict[str, Any] = {}
    commands: list[str] = []
    children = []
    for vendor in vendors:
        path = workdir / vendor / "summary.json"
        if path.exists():
            child = json.loads(path.read_text())
            children.append(child)
            runs[vendor] = child["runs"][vendor]
            commands += child.get("commands") or [child["command"]]
    if not children:
        raise RuntimeError(f"no summary.json under {workdir}/sqlite or {workdir}/pg")
    if len({child["scale"] for child in children}) != 1:
        raise RuntimeError("the runs to combine were made at different scales")
    for vendor, error in (errors or {}).items():
        runs[vendor] = {"vendor": vendor, "error": error}
    from .report import machine

    return {
        "scale": children[0]["scale"],
        "rounds": children[0]["rounds"],
        "command": commands[0],
        "commands": commands,
        "parallel": all(child.get("parallel") for child in children),
        "combined": True,
        "total_s": round(sum(child["total_s"] for child in children), 1),
        "runs": runs,
        "plan": children[0]["plan"],
        "machine": machine(runs),
    }


def half_scale(name: str):
    """The same generator at half the sizes (the tree keeps its sectors and depths)."""
    from taizhang.ops.benchdata import SCALES, Scale

    s = SCALES[name]
    half = math.ceil
    return Scale(
        f"{s.name}-half", half(s.branches / 2), half(s.people / 2), half(s.projects / 2),
        half(s.goals / 2), half(s.measures / 2), half(s.participants / 2), s.sectors,
        max(1, s.companies // 2),
    )  # fmt: skip
