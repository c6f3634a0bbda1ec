"""`taizhang bench`: the P1–P8 benchmarks on SQLite and PostgreSQL, written to BENCHMARKS.md.

A developer tool (its output is English, like the report it writes). `--step all` (the
default) builds the bench databases and runs the other steps in child processes, each
against its own database:

  half-data   the bench data at half the sizes (P5's memory check, P7's doubling)
  measure     the eight benchmarks against this process's database, results as JSON
  worker      answers P7 timings on another data set, line by line (used by measure)
  p5-memory   one ledger export in a fresh process, with its peak RSS
  report      BENCHMARKS.md again from the last run's summary.json (no measuring)
"""

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from taizhang.ops.bench import orchestrate


class Command(BaseCommand):
    help = "Benchmarks P1–P8 (issue 7) on bench databases of their own; writes BENCHMARKS.md."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--step",
            choices=["all", "half-data", "measure", "worker", "p5-memory", "report"],
            default="all",
        )
        parser.add_argument("--scale", default=None, help="group (default), company or tiny")
        parser.add_argument("--quick", action="store_true",
                            help="company scale, 5 rounds, short P8 (5 s per side)")  # fmt: skip
        parser.add_argument("--rounds", type=int, default=None)
        parser.add_argument("--dbs", default="sqlite,pg", help="sqlite,pg (default both)")
        parser.add_argument("--pg-url", default=orchestrate.DEFAULT_PG_URL)
        parser.add_argument("--workdir", default=str(orchestrate.BASE_DIR / "var" / "bench"))
        parser.add_argument("--out", default=None)
        parser.add_argument("--min-seconds", type=float, default=None)
        parser.add_argument("--p8-seconds", type=float, default=None)
        parser.add_argument("--p8-rounds", type=int, default=None)
        parser.add_argument("--import-rows", type=int, default=None)
        parser.add_argument("--only", default="", help="e.g. P1,P3")
        parser.add_argument("--combine", action="store_true",
                            help="with --step report: one report from workdir/sqlite and "
                            "workdir/pg, each the last run of that database")  # fmt: skip
        parser.add_argument("--parallel", action="store_true",
                            help="both databases at once, one process each (workdir/<db>/)")  # fmt: skip
        parser.add_argument("--merge", action="store_true",
                            help="with --only: keep the other results of the last run "
                            "(same workdir and scale) and rewrite the whole report")  # fmt: skip
        parser.add_argument("--sqlite-template", default=None,
                            help="a migrated, empty SQLite file to copy instead of migrating")  # fmt: skip
        parser.add_argument("--memory-runs", type=int, default=3,
                            help="fresh processes per data set for P5's peak memory")  # fmt: skip
        parser.add_argument("--no-profile", action="store_true",
                            help="no cProfile excerpt for missed targets (faster)")  # fmt: skip
        parser.add_argument("--env-file", default=None)
        parser.add_argument("--target", default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        step = options["step"]
        if step == "all":
            self._all(options)
        elif step == "report":
            # BENCHMARKS.md again from the last run's figures (after a change to the report).
            from taizhang.ops.bench.report import render

            workdir = Path(options["workdir"])
            summary = (
                orchestrate.combine(workdir)
                if options["combine"]
                else json.loads((workdir / "summary.json").read_text())
            )
            out = Path(options["out"] or orchestrate.BASE_DIR / "BENCHMARKS.md")
            out.write_text(render(summary), encoding="utf-8")
            self.stdout.write(f"wrote {out}")
        elif step == "half-data":
            self._half_data(options)
        elif step == "measure":
            self._measure(options)
        elif step == "worker":
            from taizhang.ops.bench.cases import World, worker_loop

            worker_loop(World.load())
        elif step == "p5-memory":
            from taizhang.ops.bench.cases import World, export_memory

            target = options["target"] or str(Path(options["workdir"]) / "p5-memory.xlsx")
            self.stdout.write(json.dumps(export_memory(World.load(), target)))

    def _all(self, options: dict) -> None:
        quick = options["quick"]
        scale = options["scale"] or ("company" if quick else "group")
        defaults = {"min_seconds": 0.3 if quick else 1.0, "p8_seconds": 5.0 if quick else 60.0}
        plan = orchestrate.Plan(
            scale=scale,
            rounds=options["rounds"] or 5,
            dbs=[d.strip() for d in options["dbs"].split(",") if d.strip()],
            pg_url=options["pg_url"],
            workdir=Path(options["workdir"]),
            out=Path(options["out"] or orchestrate.BASE_DIR / "BENCHMARKS.md"),
            min_seconds=options["min_seconds"] or defaults["min_seconds"],
            p8_seconds=options["p8_seconds"] or defaults["p8_seconds"],
            p8_rounds=options["p8_rounds"] or options["rounds"] or 5,
            import_rows=options["import_rows"],
            sqlite_template=Path(options["sqlite_template"])
            if options["sqlite_template"]
            else None,
            only=[k.strip().upper() for k in options["only"].split(",") if k.strip()],
            memory_runs=options["memory_runs"],
            profile=not options["no_profile"],
            merge=options["merge"],
            parallel=options["parallel"],
        )
        if plan.merge and not plan.only:
            raise CommandError("--merge needs --only")
        if set(plan.dbs) - {"sqlite", "pg"}:
            raise CommandError("--dbs takes sqlite and/or pg")
        plan.command = "taizhang bench " + " ".join(
            part
            for part in (
                f"--scale {plan.scale}",
                f"--rounds {plan.rounds}",
                f"--dbs {','.join(plan.dbs)}",
                f"--p8-seconds {plan.p8_seconds:g}",
                f"--p8-rounds {plan.p8_rounds}",
                f"--min-seconds {plan.min_seconds:g}",
                f"--only {','.join(plan.only)}" if plan.only else "",
                "--merge" if plan.merge else "",
                "--parallel" if plan.parallel else "",
            )
            if part
        )
        runner = orchestrate.run_parallel if plan.parallel else orchestrate.run
        summary = runner(plan, log=lambda line: self.stdout.write(line))
        failed = [
            f"{vendor} {r['key']}"
            for vendor, entry in summary["runs"].items()
            for r in entry.get("results", [])
            if r.get("error")
        ] + [f"{vendor}: {e['error']}" for vendor, e in summary["runs"].items() if e.get("error")]
        if failed:
            # The report is written either way; the exit status says something crashed.
            raise CommandError("benchmarks crashed: " + "; ".join(failed))

    def _half_data(self, options: dict) -> None:
        from taizhang.ops.benchdata import BenchDataGenerator

        scale = orchestrate.half_scale(options["scale"] or "group")
        started = time.perf_counter()
        BenchDataGenerator(scale).run()
        self.stdout.write(
            f"bench-data {scale.name} ({scale.branches} branches, {scale.projects} projects) "
            f"on {connection.vendor}: {time.perf_counter() - started:.1f} s"
        )

    def _measure(self, options: dict) -> None:
        from taizhang.ops.bench.cases import Options, run_cases

        envs = json.loads(Path(options["env_file"]).read_text()) if options["env_file"] else {}
        opts = Options(
            rounds=options["rounds"] or 5,
            min_seconds=options["min_seconds"] or 1.0,
            p8_seconds=options["p8_seconds"] or 60.0,
            p8_rounds=options["p8_rounds"] or 5,
            import_rows=options["import_rows"] or 10_000,
            memory_runs=options["memory_runs"],
            profile=not options["no_profile"],
            half_env=envs.get("half", {}),
            full_env=envs.get("full", {}),
            workdir=Path(options["workdir"]),
            only={k.strip().upper() for k in options["only"].split(",") if k.strip()},
        )
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                version = cursor.fetchone()[0]
            else:
                cursor.execute("SELECT sqlite_version()")
                version = cursor.fetchone()[0]

        def log(line: str) -> None:
            self.stderr.write(line)
            self.stderr.flush()

        with override_settings(ROOT_URLCONF="taizhang.ops.bench.urls"):
            results = run_cases(opts, log)
        out = {"db_version": version, "results": results}
        Path(options["out"]).write_text(json.dumps(out, ensure_ascii=False, default=str))
