"""The eight benchmarks (issue 7, item 2), run inside one Django process per database.

Every case times its subject against a baseline in the same process and the same database,
alternating rounds (timing.py). A case that crashes is recorded with its error, never left
out: the report and the test both treat a missing figure as a failure.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.test import Client

from taizhang.campaigns.models import Campaign, Project, ProjectStatus
from taizhang.checkins.models import IndicatorReading, Period, ProgressReport, ReportStatus
from taizhang.orgs.models import Org, OrgKind, Person, PoliticalStatus
from taizhang.users.models import User

from .timing import Result, alternate_throughput, alternate_times, profile_excerpt

GROUP_ADMIN = "bench_group_admin"
# A fixed "today" so the dashboard and the summary do not depend on the day of the run.
TODAY = dt.date(2026, 1, 15)


@dataclass
class Options:
    rounds: int = 5
    # Length of one throughput round of P1/P2 (each side).
    min_seconds: float = 1.0
    p8_seconds: float = 60.0
    p8_rounds: int = 5
    p8_clients: int = 8
    import_rows: int = 10_000
    # The environment of the half-size data set (P5 memory, P7), for child processes.
    half_env: dict[str, str] = field(default_factory=dict)
    full_env: dict[str, str] = field(default_factory=dict)
    workdir: Path = Path(tempfile.gettempdir())
    # Fresh processes per data set for P5's peak-memory figure (the median is quoted).
    memory_runs: int = 3
    # A cProfile excerpt of the subject for every missed target (off only in the test).
    profile: bool = True
    only: set[str] = field(default_factory=set)


@dataclass
class World:
    user: User
    campaign: Campaign
    root: Org
    period: Period
    periods: list[Period]

    @classmethod
    def load(cls) -> World:
        user = User.objects.get(username=GROUP_ADMIN)
        campaign = Campaign.objects.order_by("pk").first()
        if campaign is None:
            raise RuntimeError("no campaign: run `taizhang bench-data` first")
        periods = list(Period.objects.filter(campaign=campaign).order_by("start_date"))
        return cls(user, campaign, campaign.org, periods[-1], periods)


def bench_client(user: User) -> Client:
    # An address in ALLOWED_HOSTS: outside the test runner "testserver" is not allowed.
    client = Client(SERVER_NAME="127.0.0.1", HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def _get(client: Client, url: str) -> Callable[[], None]:
    def call() -> None:
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}")
        # Drain a streamed body too, so the whole response is produced.
        _ = response.content if not response.streaming else b"".join(response.streaming_content)

    return call


# --------------------------------------------------------------------------- P1 ledger


def subtree_of(world: World, branches_wanted: int) -> tuple[Org, int]:
    """The org whose subtree holds the number of branches nearest `branches_wanted`."""
    counts: dict[str, int] = defaultdict(int)
    step = Org.steplen
    for path in Org.objects.filter(
        path__startswith=world.root.path, kind=OrgKind.BRANCH
    ).values_list("path", flat=True):
        for end in range(len(world.root.path), len(path), step):
            counts[path[:end]] += 1
    best = min(counts, key=lambda p: (abs(counts[p] - branches_wanted), len(p)))
    return Org.objects.get(path=best), counts[best]


def p1(world: World, opts: Options) -> Result:
    result = Result(
        "P1",
        "ledger page: 50 rows, filtered, a subtree",
        "≥ 0.25× throughput",
        "throughput",
        0.25,
    )
    total_branches = Org.objects.filter(kind=OrgKind.BRANCH).count()
    org, branches = subtree_of(world, max(1, round(500 * total_branches / 5000)))
    url = (
        f"/campaigns/{world.campaign.pk}/ledger/?org={org.pk}"
        f"&status={ProjectStatus.IN_PROGRESS}&per_page=50"
    )
    rows = Project.objects.filter(
        campaign=world.campaign, org__path__startswith=org.path, status=ProjectStatus.IN_PROGRESS
    ).count()
    client = bench_client(world.user)
    result.subject = f"GET {url} (test Client, logged in as {GROUP_ADMIN})"
    result.baseline = "GET /__bench__/bare/ (a view returning b'ok', same middleware, same client)"
    result.extra = {"org": str(org), "subtree_branches": branches, "matching_rows": rows}
    subject, baseline = _get(client, url), _get(client, "/__bench__/bare/")
    result.rounds = alternate_throughput(
        baseline, subject, rounds=opts.rounds, min_seconds=opts.min_seconds
    )
    result.finish([r["ratio"] for r in result.rounds])
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(subject)
    return result


# --------------------------------------------------------------------------- P2 API list


def p2(world: World, opts: Options) -> Result:
    result = Result("P2", "API project list", "≥ 0.3× throughput", "throughput", 0.3)
    url = f"/api/v1/projects?campaign={world.campaign.pk}"
    client = bench_client(world.user)
    result.subject = f"GET {url} (50 rows, session auth)"
    result.baseline = (
        "GET /__bench__/api/constant (a constant ninja endpoint, same auth and renderer)"
    )
    subject, baseline = _get(client, url), _get(client, "/__bench__/api/constant")
    result.rounds = alternate_throughput(
        baseline, subject, rounds=opts.rounds, min_seconds=opts.min_seconds
    )
    result.finish([r["ratio"] for r in result.rounds])
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(subject)
    return result


# --------------------------------------------------------------------------- P3 dashboard


def p3(world: World, opts: Options) -> Result:
    from taizhang.analysis import selectors as analysis

    result = Result("P3", "dashboard aggregates", "≤ 1.2×", "time", 1.2)
    captured: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    def subject() -> None:
        analysis.dashboard_figures(world.user, world.campaign, world.root, world.period, TODAY)

    with connection.execute_wrapper(capture):
        subject()

    def baseline() -> None:
        with connection.cursor() as cursor:
            for sql, params in captured:
                cursor.execute(sql, params)
                cursor.fetchall()

    result.subject = (
        "analysis.selectors.dashboard_figures(group admin, campaign, group root, last period)"
    )
    result.baseline = (
        f"the same {len(captured)} SQL statements, captured from the ORM, run raw "
        "through a cursor (fetchall)"
    )
    result.extra = {"queries": len(captured)}
    result.rounds = alternate_times(baseline, subject, rounds=opts.rounds)
    result.finish([r["ratio"] for r in result.rounds])
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(subject)
    return result


# --------------------------------------------------------------------------- P4 assessment


def group_rollup(world: World) -> int:
    """What draft_compute does for the last period, without the INSERTs: every project
    scored by the engine, then rolled up the whole tree and ranked."""
    from taizhang.assessment import engine
    from taizhang.assessment.selectors import active_scheme

    scheme = active_scheme(world.campaign)
    if scheme is None:
        raise RuntimeError("no active scheme in the bench data")
    results = engine.score_projects(scheme, world.period)
    direct: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for item in results:
        direct[item.org_path][0] += item.total_micro
        direct[item.org_path][1] += 1
    root = world.root
    prefixes = {
        path[:end] for path in direct for end in range(len(root.path), len(path) + 1, Org.steplen)
    }
    orgs = {org.path: org for org in Org.objects.filter(path__in=prefixes)}
    rolled = engine.rollup(
        rule=scheme.rollup_rule,
        root=root,
        direct={k: (v[0], v[1]) for k, v in direct.items()},
        orgs=orgs,
    )
    engine.rank_siblings(rolled)
    return len(rolled)


def p4(world: World, opts: Options) -> Result:
    limit = 1.5 if connection.vendor == "postgresql" else 2.0
    result = Result(
        "P4",
        "full-group assessment roll-up",
        "≤ 1.5× (PostgreSQL), ≤ 2× (SQLite)",
        "time",
        limit,
    )
    r = IndicatorReading._meta.db_table
    p = ProgressReport._meta.db_table
    j = Project._meta.db_table
    sql = (
        f'SELECT pj."org_id", COUNT(*), SUM(rd."actual") FROM "{r}" rd '  # noqa: S608
        f'JOIN "{p}" rp ON rp."id" = rd."report_id" '
        f'JOIN "{j}" pj ON pj."id" = rp."project_id" '
        'WHERE rp."period_id" = %s GROUP BY pj."org_id"'
    )

    def baseline() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [world.period.pk])
            cursor.fetchall()

    def subject() -> None:
        group_rollup(world)

    result.subject = (
        "assessment.engine.score_projects(active scheme, last period) for every project, "
        "then engine.rollup + rank_siblings over the whole tree (draft_compute minus its INSERTs)"
    )
    result.baseline = "one raw GROUP BY over the period's indicator readings (per org: count, sum)"
    result.extra = {
        "readings": IndicatorReading.objects.filter(report__period=world.period).count(),
        "sql": sql,
    }
    result.rounds = alternate_times(baseline, subject, rounds=opts.rounds)
    result.finish([r["ratio"] for r in result.rounds])
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(subject)
    return result


# --------------------------------------------------------------------------- P5 export


def export_ledger(world: World, target: str) -> int:
    from taizhang.campaigns.selectors import LedgerFilters
    from taizhang.exports.ledger_xlsx import write_ledger_xlsx

    return write_ledger_xlsx(
        target, user=world.user, campaign=world.campaign, filters=LedgerFilters()
    )


def capture_cells(world: World, target: str) -> list[tuple[str, str, str, list, list]]:
    """Every sheet the export writes, with its rows materialised in memory (one export run
    with LedgerWorkbook.sheet wrapped)."""
    from taizhang.exports import ledger_xlsx

    sheets: list[tuple[str, str, str, list, list]] = []
    original = ledger_xlsx.LedgerWorkbook.sheet

    def sheet(self, name, title, info, columns, rows, **kwargs):
        rows = list(rows)
        sheets.append((name, title, info, [str(c.label) for c in columns], rows))
        return original(self, name, title, info, columns, rows, **kwargs)

    ledger_xlsx.LedgerWorkbook.sheet = sheet  # type: ignore[method-assign]
    try:
        export_ledger(world, target)
    finally:
        ledger_xlsx.LedgerWorkbook.sheet = original  # type: ignore[method-assign]
    return sheets


def write_cells(target: str, sheets: list[tuple[str, str, str, list, list]]) -> None:
    """The baseline: plain XlsxWriter (constant_memory) writing the same cells by type."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, title, info, labels, rows in sheets:
        ws = book.add_worksheet(name)
        ws.write_string(0, 0, title)
        ws.write_string(1, 0, info)
        ws.write_string(2, 0, "序号")
        for col, label in enumerate(labels, start=1):
            ws.write_string(2, col, label)
        for number, values in enumerate(rows, start=1):
            row = 2 + number
            ws.write_number(row, 0, number)
            for col, value in enumerate(values, start=1):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.datetime):
                    ws.write_datetime(row, col, value.replace(tzinfo=None), date_format)
                elif isinstance(value, dt.date):
                    ws.write_datetime(row, col, value, date_format)
                elif isinstance(value, bool):
                    ws.write_boolean(row, col, value)
                elif isinstance(value, int | float | Decimal):
                    ws.write_number(row, col, float(value))
                else:
                    ws.write_string(row, col, str(value))
    book.close()


def _proc_status_kb(key: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def export_memory(world: World, target: str) -> dict[str, Any]:
    """In a fresh process: resident memory before one export and its peak during it
    (`--step p5-memory`).

    Not ru_maxrss: Linux carries it over fork and exec, so a child of the measuring process
    (which holds the captured cells, ~850 MB at group scale) reports the parent's peak and
    every export looks flat. VmHWM belongs to this process's own address space, and writing
    5 to clear_refs resets it to the current size, so the peak is the export's."""
    before = _proc_status_kb("VmRSS")
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        before = None
    if before is None:  # not Linux: the best there is
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    projects = export_ledger(world, target)
    seconds = time.perf_counter() - started
    after = _proc_status_kb("VmHWM") or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "projects": projects,
        "seconds": round(seconds, 3),
        "maxrss_before_kb": before,
        "maxrss_after_kb": after,
        "export_kb": after - before,
        "file_bytes": os.path.getsize(target),
    }


def child(step: str, env: dict[str, str], *args: str, timeout: float = 3600) -> str:
    command = [sys.executable, "-m", "taizhang.manage", "bench", "--step", step, *args,
               "--skip-checks"]  # fmt: skip
    done = subprocess.run(  # noqa: S603 — our own interpreter and command
        command, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        stdin=subprocess.DEVNULL, cwd=Path(__file__).resolve().parents[3],
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"bench --step {step} exited {done.returncode}: {done.stderr[-3000:]}")
    return done.stdout.strip().splitlines()[-1]


def p5(world: World, opts: Options) -> Result:
    result = Result(
        "P5",
        "xlsx export of the group's projects",
        "≤ 1.5×, and peak memory flat when rows double",
        "time",
        1.5,
    )
    tmp = Path(tempfile.mkdtemp(prefix="p5-", dir=opts.workdir))
    subject_file, baseline_file = str(tmp / "export.xlsx"), str(tmp / "baseline.xlsx")
    sheets = capture_cells(world, subject_file)
    cells = sum(len(rows) * (len(labels) + 1) for _n, _t, _i, labels, rows in sheets)
    projects = len(sheets[0][4]) if sheets else 0
    result.subject = (
        "exports.ledger_xlsx.write_ledger_xlsx (all sheets, group admin, no filter) to a file"
    )
    result.baseline = (
        "XlsxWriter constant_memory writing the same cells (captured in memory from one export "
        "run) by type, to a file"
    )
    result.rounds = alternate_times(
        lambda: write_cells(baseline_file, sheets),
        lambda: export_ledger(world, subject_file),
        rounds=opts.rounds,
        # capture_cells above was a whole export already: no unrecorded pair is needed,
        # and at group scale one pair costs three and a half minutes.
        warmup=0,
    )
    sheets.clear()
    result.finish([r["ratio"] for r in result.rounds])
    result.extra = {"projects": projects, "cells": cells}
    # Memory: one export per fresh process, on the half-size and on the full data set.
    memory: dict[str, Any] = {}
    if opts.half_env and opts.full_env:
        for label, env in (("half", opts.half_env), ("full", opts.full_env)):
            runs = [
                json.loads(child("p5-memory", env, "--target", str(tmp / f"mem-{label}.xlsx")))
                for _ in range(opts.memory_runs)
            ]
            memory[label] = runs
        half_kb = sorted(r["maxrss_after_kb"] for r in memory["half"])[opts.memory_runs // 2]
        full_kb = sorted(r["maxrss_after_kb"] for r in memory["full"])[opts.memory_runs // 2]
        memory["peak_ratio_full_over_half"] = round(full_kb / half_kb, 3)
        memory["rows_ratio_full_over_half"] = round(
            memory["full"][0]["projects"] / max(memory["half"][0]["projects"], 1), 3
        )
        # "Flat": doubling the rows adds at most a tenth to the process's peak.
        memory["flat"] = memory["peak_ratio_full_over_half"] <= 1.10
        result.extra["memory"] = memory
        if not memory["flat"]:
            result.passed = False
            result.notes.append("peak memory is not flat when the rows double")
    else:
        result.notes.append("memory not measured (no half-size data set)")
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(lambda: export_ledger(world, subject_file))
    for path in tmp.iterdir():
        path.unlink()
    tmp.rmdir()
    return result


# --------------------------------------------------------------------------- P6 import


# The import template's headers (imports.headers recognises each of them).
HEADERS = ["序号", "项目编号", "项目名称", "项目类型", "中心工作", "责任组织", "牵头人", "参与人员", "预期目标", "具体措施", "开始日期", "完成时限", "状态"]  # fmt: skip


def import_file(world: World, rows: int) -> bytes:
    """A ledger of `rows` new projects in the import template's columns, for branches whose
    names are unique in the campaign, led by their Party members as 姓名(工号)."""
    import openpyxl

    names = org_name_counts(world.root)
    branches = [
        org
        for org in Org.objects.filter(
            path__startswith=world.root.path, kind=OrgKind.BRANCH
        ).order_by("path")
        if names[org.name] == 1
    ]
    members: dict[int, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(
        org__in=branches, political_status=PoliticalStatus.MEMBER
    ).order_by("pk"):
        members[person.org_id].append(person)
    branches = [b for b in branches if members[b.pk]]
    if not branches:
        raise RuntimeError("no branch with a unique name and a Party member")
    types = list(world.campaign.project_types.order_by("order"))
    areas = list(world.campaign.focus_areas.order_by("order"))
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("项目台账")
    ws.append(["压测导入台账"])
    ws.append(HEADERS)
    for n in range(1, rows + 1):
        org = branches[n % len(branches)]
        people = members[org.pk]
        lead = people[n % len(people)]
        values = {
            "序号": n,
            "项目编号": f"BI-{n:06d}",
            "项目名称": f"压测导入项目{n}",
            "项目类型": types[n % len(types)].name,
            "中心工作": areas[n % len(areas)].name,
            "责任组织": org.name,
            "牵头人": f"{lead.name}({lead.staff_no})",
            "参与人员": "",
            "预期目标": "目标利润500万元",
            "具体措施": "1.拓展渠道；2.月度复盘",
            "开始日期": "2025-01-01",
            "完成时限": "2025-12-31",
            "状态": "草稿",
        }
        ws.append([values[h] for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def org_name_counts(root: Org) -> dict[str, int]:
    return dict(
        Org.objects.filter(path__startswith=root.path)
        .values_list("name")
        .annotate(n=Count("pk"))
        .values_list("name", "n")
    )


def run_import(world: World, data: bytes) -> dict:
    """Upload, mapping, dry run and import through the import services; rolled back, so
    every round imports into the same ledger."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from taizhang.imports import services

    with transaction.atomic():
        upload = SimpleUploadedFile("bench.xlsx", data)
        ledger_import = services.ledger_import_parse(
            actor=world.user, campaign=world.campaign, upload=upload
        )
        columns = {int(k): v for k, v in ledger_import.mapping["columns"].items()}
        services.ledger_import_set_mapping(
            actor=world.user, ledger_import=ledger_import, columns=columns
        )
        report = services.ledger_import_dry_run(actor=world.user, ledger_import=ledger_import)
        if report.get("errors"):
            raise RuntimeError(f"the bench file has bad rows: {report['errors'][:3]}")
        counts = services.ledger_import_apply(actor=world.user, ledger_import=ledger_import)
        path = ledger_import.file.name
        storage = ledger_import.file.storage
        transaction.set_rollback(True)
    if path:
        storage.delete(path)
    return counts


def parse_only(data: bytes) -> int:
    from taizhang.imports.reader import Workbook

    rows = 0
    with Workbook(io.BytesIO(data)) as book:
        for sheet in book.sheet_names:
            for _number, _values in book.rows(sheet):
                rows += 1
    return rows


def p6(world: World, opts: Options) -> Result:
    result = Result("P6", "import of a project file", "≤ 4×", "time", 4.0)
    data = import_file(world, opts.import_rows)
    counts = run_import(world, data)
    if counts.get("created") != opts.import_rows:
        raise RuntimeError(f"import created {counts}, expected {opts.import_rows}")
    result.subject = (
        f"imports.services: parse + set_mapping + dry_run + apply of {opts.import_rows} new "
        "projects (each with a goal and two measures), in a transaction rolled back after"
    )
    result.baseline = "imports.reader.Workbook reading every row of the same file (openpyxl)"
    result.extra = {"rows": opts.import_rows, "file_bytes": len(data), "counts": counts}
    result.rounds = alternate_times(
        lambda: parse_only(data), lambda: run_import(world, data), rounds=opts.rounds, warmup=0
    )
    result.finish([r["ratio"] for r in result.rounds])
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(lambda: run_import(world, data))
    return result


# --------------------------------------------------------------------------- P7 summary


def build_group_summary(world: World) -> int:
    from taizhang.exports.docx_summary import build_summary

    return len(
        build_summary(
            world.user, campaign=world.campaign, org=world.root, period=world.period, today=TODAY
        )
    )


class Worker:
    """`taizhang bench --step worker` on another data set, driven line by line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "taizhang.manage", "bench", "--step", "worker",
             "--skip-checks"],
            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            cwd=Path(__file__).resolve().parents[3],
        )  # fmt: skip

    def call(self, op: str) -> dict:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(op + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the bench worker died")
        answer = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"bench worker: {answer['error']}")
        return answer

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def worker_loop(world: World) -> None:
    for line in sys.stdin:
        op = line.strip()
        try:
            if op == "p7":
                started = time.perf_counter()
                size = build_group_summary(world)
                answer = {"seconds": time.perf_counter() - started, "bytes": size,
                          "projects": Project.objects.filter(campaign=world.campaign).count()}  # fmt: skip
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as exc:  # noqa: BLE001 — reported to the parent
            answer = {"error": repr(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


def p7(world: World, opts: Options) -> Result:
    result = Result(
        "P7",
        "the group's Word summary (分析总结)",
        "time; ≤ 2.3× when the data doubles",
        "time",
        2.3,
    )
    if not opts.half_env:
        raise RuntimeError("P7 needs the half-size data set")
    worker = Worker(opts.half_env)
    try:
        half_seconds: list[dict] = []

        def baseline() -> None:
            half_seconds.append(worker.call("p7"))

        sizes: list[int] = []
        result.rounds = alternate_times(
            baseline, lambda: sizes.append(build_group_summary(world)), rounds=opts.rounds
        )
    finally:
        worker.close()
    # The baseline's own figure is what the worker timed (without the pipe's round trip).
    for r, answer in zip(result.rounds, half_seconds[-len(result.rounds) :], strict=True):
        r["baseline_s"] = round(answer["seconds"], 6)
        r["ratio"] = round(r["subject_s"] / r["baseline_s"], 4)
    result.finish([r["ratio"] for r in result.rounds])
    projects = Project.objects.filter(campaign=world.campaign).count()
    result.subject = (
        f"exports.docx_summary.build_summary for the group root, last period ({projects} projects)"
    )
    result.baseline = (
        f"the same on the half-size data set ({half_seconds[-1]['projects']} projects), "
        "in a worker process on the same database server"
    )
    subject_times = sorted(r["subject_s"] for r in result.rounds)
    result.extra = {
        "summary_seconds_median": subject_times[len(subject_times) // 2],
        "projects": projects,
        "half_projects": half_seconds[-1]["projects"],
        "docx_bytes": sizes[-1],
    }
    if opts.profile and not result.passed:
        result.profile = profile_excerpt(lambda: build_group_summary(world))
    return result


# --------------------------------------------------------------------------- P8 writers


class _Client(threading.Thread):
    """One client: submits its reports (as each report's lead) and has them returned (as the
    group admin), in turn, through the services."""

    def __init__(self, number: int, reviewer_id: int, reports: list[tuple[int, int]]):
        super().__init__(name=f"bench-client-{number}", daemon=True)
        self.number = number
        self.reviewer_id = reviewer_id
        self.reports = reports  # (report id, the lead's user id)
        self.deadline = 0.0
        self.go = threading.Event()
        self.ready = threading.Event()
        self.ops = 0
        self.submits = 0
        self.errors: list[str] = []

    def run(self) -> None:
        from taizhang.checkins import services

        try:
            users = {uid: User.objects.get(pk=uid) for _rid, uid in self.reports}
            reviewer = User.objects.get(pk=self.reviewer_id)
            self.ready.set()
            self.go.wait()
            index = 0
            while time.monotonic() < self.deadline:
                report_id, user_id = self.reports[index % len(self.reports)]
                index += 1
                try:
                    report = ProgressReport.objects.get(pk=report_id)
                    if report.status in (ReportStatus.DRAFT, ReportStatus.RETURNED):
                        services.report_submit(actor=users[user_id], report=report)
                        self.submits += 1
                    else:
                        services.report_return(
                            actor=reviewer, report=report, comment="压测：请补充材料。"
                        )
                    self.ops += 1
                except Exception as exc:  # noqa: BLE001 — every failure is counted
                    self.errors.append(repr(exc))
        except Exception as exc:  # noqa: BLE001
            self.errors.append(f"setup: {exc!r}")
            self.ready.set()
        finally:
            connection.close()


def p8_clients(world: World, count: int, per_client: int = 4) -> list[list[tuple[int, int]]]:
    """`count` disjoint sets of open reports of the last period; each report's lead is
    given a login (bench data has logins for a few people only)."""
    candidates = list(
        ProgressReport.objects.filter(
            period=world.period,
            status__in=(ReportStatus.DRAFT, ReportStatus.SUBMITTED, ReportStatus.RETURNED),
            project__status=ProjectStatus.IN_PROGRESS,
        )
        .order_by("pk")
        .values_list("pk", "project__lead_id")[: count * per_client]
    )
    if len(candidates) < count:
        raise RuntimeError(f"only {len(candidates)} open reports, {count} needed")
    users: dict[int, int] = {}
    for lead_id in sorted({lead for _rid, lead in candidates}):
        person = Person.objects.get(pk=lead_id)
        if person.user_id is None:
            user, _created = User.objects.get_or_create(
                username=f"bench_client_{lead_id}", defaults={"display_name": person.name}
            )
            Person.objects.filter(pk=lead_id).update(user=user)
            users[lead_id] = user.pk
        else:
            users[lead_id] = person.user_id
    clients: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    for n, (report_id, lead_id) in enumerate(candidates):
        clients[n % count].append((report_id, users[lead_id]))
    return clients


def p8_round(clients: list[list[tuple[int, int]]], reviewer_id: int, seconds: float) -> dict:
    connection.close()
    threads = [_Client(n, reviewer_id, reports) for n, reports in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.ready.wait(timeout=60)
    began = time.monotonic()
    for thread in threads:
        thread.deadline = began + seconds
        thread.go.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    ops = sum(t.ops for t in threads)
    errors = [e for t in threads for e in t.errors]
    return {
        "clients": len(threads),
        "seconds": round(elapsed, 3),
        "ops": ops,
        "submits": sum(t.submits for t in threads),
        "per_s": round(ops / elapsed, 2),
        "errors": len(errors),
        "error_samples": errors[:5],
    }


def p8(world: World, opts: Options) -> Result:
    result = Result(
        "P8",
        f"{opts.p8_clients} concurrent clients submitting reports vs 1 client (SQLite)",
        "0 errors, ≥ 0.8× throughput",
        "throughput",
        0.8,
    )
    if connection.vendor != "sqlite":
        result.notes.append("not run: the target is SQLite's single writer")
        return result
    clients = p8_clients(world, opts.p8_clients)
    reviewer = world.user.pk
    result.subject = (
        f"{opts.p8_clients} threads (one connection each), each with its own reports: "
        "checkins.services.report_submit as the report's lead, then report_return as the "
        "group admin, in turn (an op is one of these transitions), "
        f"for {opts.p8_seconds:g} s"
    )
    result.baseline = "the same with 1 client (the first lead) for the same time"
    rounds = []
    for number in range(1, opts.p8_rounds + 1):
        one = p8_round(clients[:1], reviewer, opts.p8_seconds)
        many = p8_round(clients, reviewer, opts.p8_seconds)
        rounds.append(
            {
                "round": number,
                "baseline_ops": one["ops"],
                "baseline_s": one["seconds"],
                "baseline_per_s": one["per_s"],
                "baseline_errors": one["errors"],
                "subject_ops": many["ops"],
                "subject_s": many["seconds"],
                "subject_per_s": many["per_s"],
                "subject_errors": many["errors"],
                "ratio": round(many["per_s"] / one["per_s"], 4) if one["per_s"] else 0.0,
                "error_samples": one["error_samples"] + many["error_samples"],
            }
        )
    result.rounds = rounds
    result.finish([r["ratio"] for r in rounds])
    errors = sum(r["baseline_errors"] + r["subject_errors"] for r in rounds)
    result.extra = {"errors": errors, "clients": opts.p8_clients}
    if errors:
        result.passed = False
        result.notes.append(f"{errors} errors")
    return result


CASES: dict[str, Callable[[World, Options], Result]] = {
    "P1": p1, "P2": p2, "P3": p3, "P4": p4, "P5": p5, "P6": p6, "P7": p7, "P8": p8,
}  # fmt: skip
TITLES = {
    "P1": "ledger page", "P2": "API project list", "P3": "dashboard aggregates",
    "P4": "assessment roll-up", "P5": "xlsx export", "P6": "import", "P7": "Word summary",
    "P8": "concurrent report submission",
}  # fmt: skip


TARGETS = {
    "P1": "≥ 0.25× throughput", "P2": "≥ 0.3× throughput", "P3": "≤ 1.2×",
    "P4": "≤ 1.5× (PostgreSQL), ≤ 2× (SQLite)", "P5": "≤ 1.5×, and peak memory flat when rows double",
    "P6": "≤ 4×", "P7": "time; ≤ 2.3× when the data doubles", "P8": "0 errors, ≥ 0.8× throughput",
}  # fmt: skip


def run_cases(opts: Options, log: Callable[[str], None]) -> list[dict]:
    world = World.load()
    out = []
    for key, case in CASES.items():
        if opts.only and key not in opts.only:
            continue
        started = time.perf_counter()
        log(f"{key} {TITLES[key]} …")
        try:
            result = case(world, opts)
        except Exception as exc:  # noqa: BLE001 — a crash is a result, reported as such
            result = Result(key, TITLES[key], TARGETS[key], "time", 0.0)
            result.error = f"{exc!r}\n{traceback.format_exc()[-4000:]}"
            result.passed = False
        result.extra["case_seconds"] = round(time.perf_counter() - started, 1)
        log(
            f"{key} ratio {result.ratio} passed {result.passed} "
            f"({result.extra['case_seconds']} s){' ERROR ' + result.error[:200] if result.error else ''}"
        )
        out.append(result.as_dict())
    return out
