"""BENCHMARKS.md from a run's summary (orchestrate.run)."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path
from typing import Any

KEYS = ("P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8")
NAMES = {"sqlite": "SQLite", "pg": "PostgreSQL"}


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def machine(runs: dict[str, Any]) -> dict[str, str]:
    import django

    cpu = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
         if line.startswith("model name")),
        platform.processor() or "unknown",
    )  # fmt: skip
    mem = next(
        (line.split(":", 1)[1].strip() for line in _read("/proc/meminfo").splitlines()
         if line.startswith("MemTotal")),
        "unknown",
    )  # fmt: skip
    if mem.endswith(" kB"):
        mem = f"{int(mem[:-3]) / 1024 / 1024:.1f} GiB"
    os_name = next(
        (line.split("=", 1)[1].strip('"') for line in _read("/etc/os-release").splitlines()
         if line.startswith("PRETTY_NAME=")),
        platform.platform(),
    )  # fmt: skip
    info = {
        "nproc": str(os.cpu_count()),
        "memory": mem,
        "cpu": cpu,
        "os": f"{os_name} (kernel {platform.release()})",
        "python": platform.python_version(),
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
    }
    for vendor, entry in runs.items():
        if entry.get("db_version"):
            info[f"{vendor}_server"] = entry["db_version"]
    return info


# What each subject does beyond its baseline: the structure a miss comes from. Statements
# about the code only, never about figures (those come from the run and its profile).
WHAT_IT_DOES = {
    "P1": "The baseline returns two bytes through the same middleware (sessions, auth, CSRF, "
    "locale, htmx, history). The page counts the filtered subtree for its pager, reads the "
    "50 rows with their org, lead, type and area and a participant count, reads the filters' "
    "option lists, and renders the table, the filters and the pager through Django templates. "
    "≥ 0.25× would leave a whole page within four times a no-op request.",
    "P2": "The baseline is a constant through the same ninja router, auth and renderer. The "
    "list counts the user's visible projects of the campaign (the whole group for this user) "
    "for its `count`, reads one page and validates every row through its pydantic schema.",
    "P3": "The same statements both ways: the difference is the ORM building them and turning "
    "rows into Python values.",
    "P4": "The baseline is one GROUP BY over the period's readings. The subject scores every "
    "project of the group for the period with its explainable breakdown (each criterion's "
    "share, inputs and formula, what a published result keeps), from one aggregate query per "
    "evidence source, then rolls the totals up the whole tree and ranks siblings: the "
    "per-project assembly runs in Python.",
    "P5": "Both sides write the same cells with XlsxWriter in constant_memory mode. The export "
    "also reads each sheet's rows from the database and turns them into cells: dates and "
    "numbers typed, labels translated, text written so it can never become a formula.",
    "P6": "The baseline reads the file once. The subject checks the upload (size, container, "
    "macros), reads and plans every row for the dry run, reads and plans it again at apply "
    "(the ledger may have changed since the dry run), then writes each project with its goal "
    "and measures, their historical rows and audit-chain entries, in one transaction.",
    "P7": "The baseline is the same summary on the half-size data set, in another process. "
    "The tables of the summary grow with the data; its charts cost about the same at any "
    "size.",
    "P8": "SQLite has one writer at a time: eight clients queue on the write lock "
    "(taizhang.core.db.sqlite3) instead of failing; the ratio is what queueing costs.",
}


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.1f}"
    return str(value)


def _verdict(result: dict | None) -> str:
    if result is None:
        return "**missing**"
    if result.get("error"):
        return "**crashed**"
    if result.get("passed") is None:
        return "not run"
    return "pass" if result["passed"] else "**miss**"


def _by_key(entry: dict) -> dict[str, dict]:
    return {r["key"]: r for r in entry.get("results", [])}


def _codes(runs: dict[str, Any]) -> str:
    """Which commit each benchmark was measured at (one, unless a run was merged)."""
    keys_by_code: dict[str, list[str]] = {}
    for vendor, entry in runs.items():
        for r in entry.get("results", []):
            label = f"{r['key']} {NAMES.get(vendor, vendor)}"
            keys_by_code.setdefault(r.get("code") or "unknown", []).append(label)
    if len(keys_by_code) == 1:
        return f"commit {next(iter(keys_by_code))} for every benchmark"
    return "; ".join(f"commit {code}: {', '.join(keys)}" for code, keys in keys_by_code.items())


def render(summary: dict[str, Any]) -> str:
    runs = summary["runs"]
    m = summary["machine"]
    plan = summary["plan"]
    lines = [
        "# Benchmarks",
        "",
        f"Issue 7, item 2. Scale **{summary['scale']}** (`taizhang bench-data --scale "
        f"{summary['scale']}`), {summary['rounds']} alternated rounds per benchmark "
        "(baseline, subject, baseline, subject …, after unrecorded warm-up calls: three pairs "
        "for P1 and P2, one for P3, P4 and P7, none for P5 and P6, each of whose calls is a "
        "whole export or a fresh import); the "
        "figure is the **median of the per-round ratios**, each ratio taken between the two "
        "halves of one round in the same process against the same database server.",
        "",
        "The machine was shared with other work while this ran (other sessions' tests and "
        "servers on the same two cores): absolute times are noisy, the ratios much less so, "
        "since load in a round slows both of its sides. Raw figures for every round are below.",
        "",
        *(
            [
                "Combined from the last run of each database (`taizhang bench --step report "
                "--combine`); the commands below are each run's, in order, and each result "
                "names the commit it was measured at.",
                "",
            ]
            if summary.get("combined")
            else []
        ),
        *(
            [
                "The two databases were measured at the same time, each in a process of its "
                "own (`--parallel`): every round still alternates baseline and subject within "
                "one process, so both halves of a ratio ran under the same load.",
                "",
            ]
            if summary.get("parallel")
            else []
        ),
        "## Machine",
        "",
        f"- CPUs (nproc): {m['nproc']}; CPU: {m['cpu']}; memory: {m['memory']}",
        f"- OS: {m['os']}",
        f"- Python {m['python']}, Django {m['django']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['pg_server']}" if m.get("pg_server") else ""),
        "",
        "## Commands",
        "",
        "```",
        "make bench            # = .venv/bin/taizhang bench --parallel (scale group, both databases)",
        "make bench BENCH_ARGS=--quick   # company scale, short P8",
        *summary.get("commands", [summary["command"]]),
        "```",
        "",
        f"Code measured: {_codes(runs)}.",
        "",
        "Each database is rebuilt from nothing: SQLite under `var/bench/sqlite-full` and "
        "`var/bench/sqlite-half` (`TAIZHANG_VAR_DIR`), PostgreSQL databases `taizhang_bench` and "
        "`taizhang_bench_half`; then `taizhang migrate`, `taizhang bench-data --scale "
        f"{summary['scale']}` (full) and `taizhang bench --step half-data` (the same generator "
        "at half the sizes, for P5's memory check and P7's doubling), then `taizhang bench "
        "--step measure` in one process per database. "
        f"P6 imports {plan['import_rows']} projects; P8 runs {plan['p8_rounds']} rounds of "
        f"{plan['p8_seconds']:g} s per side; P1/P2 rounds last {plan['min_seconds']:g} s per side.",
        "",
        f"Whole run: {summary['total_s']:.0f} s. "
        + "; ".join(
            f"{NAMES.get(v, v)}: {e.get('total_s', 0):.0f} s ("
            + ", ".join(f"{k} {val:.0f} s" for k, val in e.get("timings", {}).items())
            + ")"
            for v, e in runs.items()
        ),
        "",
    ]
    for vendor, entry in runs.items():
        if entry.get("bench_data_line"):
            lines.append(f"- {NAMES.get(vendor, vendor)} data: `{entry['bench_data_line']}`; "
                         f"half: `{entry.get('half_data_line', '')}`")  # fmt: skip
        if entry.get("error"):
            lines.append(f"- **{NAMES.get(vendor, vendor)} run failed:** `{entry['error'][:500]}`")
    lines += ["", "## Results", ""]
    header = "| # | benchmark | target |"
    rule = "| --- | --- | --- |"
    for vendor in runs:
        header += f" {NAMES.get(vendor, vendor)} ratio | {NAMES.get(vendor, vendor)} |"
        rule += " ---: | --- |"
    lines += [header, rule]
    titles: dict[str, tuple[str, str]] = {}
    for entry in runs.values():
        for key, r in _by_key(entry).items():
            titles.setdefault(key, (r["title"], r.get("target", "")))
    for key in KEYS:
        title, target = titles.get(key, ("", ""))
        row = f"| {key} | {title} | {target} |"
        for entry in runs.values():
            r = _by_key(entry).get(key)
            row += f" {_fmt(r.get('ratio') if r else None)} | {_verdict(r)} |"
        lines.append(row)
    lines.append("")
    lines.append(
        "Ratios: for throughput (P1, P2, P8) subject ÷ baseline requests per second, higher is "
        "better; for times (P3–P7) subject ÷ baseline seconds, lower is better."
    )
    lines.append("")
    for key in KEYS:
        lines += _detail(key, runs)
    return "\n".join(lines).rstrip() + "\n"


def _detail(key: str, runs: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for vendor, entry in runs.items():
        r = _by_key(entry).get(key)
        name = NAMES.get(vendor, vendor)
        if r is None:
            if not out:
                out += [f"## {key}", ""]
            out += [f"### {key} on {name}: missing (not measured by the commands above)", ""]
            continue
        if not out:
            out += [f"## {key} {r['title']}", "", f"Target: {r.get('target') or '—'}.", ""]
            if WHAT_IT_DOES.get(key):
                out += [f"What the subject does beyond the baseline: {WHAT_IT_DOES[key]}", ""]
        out += [f"### {name}: ratio {_fmt(r.get('ratio'))} — {_verdict(r)}", ""]
        if r.get("code"):
            out.append(f"- code: {r['code']}")
        if r.get("subject"):
            out.append(f"- subject: {r['subject']}")
        if r.get("baseline"):
            out.append(f"- baseline: {r['baseline']}")
        extra = {k: v for k, v in r.get("extra", {}).items() if k != "memory"}
        if extra:
            out.append("- " + ", ".join(f"{k}: {v}" for k, v in extra.items()))
        for note in r.get("notes", []):
            out.append(f"- note: {note}")
        out.append("")
        if r.get("error"):
            out += ["Crashed:", "", "```", r["error"].strip()[-3000:], "```", ""]
        if r.get("rounds"):
            columns = [c for c in r["rounds"][0] if c != "error_samples"]
            out.append("| " + " | ".join(columns) + " |")
            out.append("|" + " ---: |" * len(columns))
            for row in r["rounds"]:
                out.append("| " + " | ".join(_fmt(row.get(c)) for c in columns) + " |")
            out.append("")
            samples = [s for row in r["rounds"] for s in row.get("error_samples", [])]
            if samples:
                out += ["Errors (first few):", "", "```", *samples[:5], "```", ""]
        memory = r.get("extra", {}).get("memory")
        if memory:
            out.append(
                f"Peak memory (VmHWM, a fresh process per export, median of "
                f"{len(memory['full'])}): full ÷ half "
                f"= {memory['peak_ratio_full_over_half']} for "
                f"{memory['rows_ratio_full_over_half']}× the projects — "
                f"{'flat' if memory['flat'] else '**not flat**'} (limit 1.10)."
            )
            out.append("")
            out.append(
                "| data | projects | seconds | resident before export (KiB) | peak during export (KiB) |"
            )
            out.append("| --- | ---: | ---: | ---: | ---: |")
            for label in ("half", "full"):
                for run in memory[label]:
                    out.append(f"| {label} | {run['projects']} | {run['seconds']} | "
                               f"{run['maxrss_before_kb']} | {run['maxrss_after_kb']} |")  # fmt: skip
            out.append("")
        if r.get("profile"):
            out += [
                "Missed: the profile of one subject call (cProfile) shows where the time goes:",
                "",
                "```",
                r["profile"][:6000],
                "```",
                "",
            ]
    return out
