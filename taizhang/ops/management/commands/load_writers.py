"""`taizhang load-writers`: concurrent service-level writers, then a check of every write."""

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taizhang.ops.loadtest import KINDS, run_writers


class Command(BaseCommand):
    help = _(
        "负载测试：多个写入线程（各用自己的数据库连接）通过业务服务并发写入指定秒数，"
        "随后逐条核对每个成功的写入是否都在，并校验审计链。需要先运行 bench-data。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--writers", type=int, default=16, help=_("并发写入线程数。"))
        parser.add_argument("--seconds", type=float, default=60.0, help=_("持续秒数。"))
        parser.add_argument(
            "--kinds",
            default=",".join(KINDS),
            help=_("写入种类，逗号分隔：goal（新增指标）、title（修改项目名称）。"),
        )
        parser.add_argument("--seed", type=int, default=1, help=_("随机种子。"))
        parser.add_argument("--json", dest="json_path", help=_("把结果写成 JSON 文件。"))

    def handle(self, *args: Any, **options: Any) -> None:
        kinds = tuple(k.strip() for k in options["kinds"].split(",") if k.strip())
        if not kinds or set(kinds) - set(KINDS):
            raise CommandError(_("写入种类只能是 goal 或 title。"))
        try:
            report = run_writers(
                writers=options["writers"],
                seconds=options["seconds"],
                kinds=kinds,
                seed=options["seed"],
            )
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        data = report.as_dict()
        if options["json_path"]:
            Path(options["json_path"]).write_text(
                json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self.stdout.write(
            f"load-writers on {report.vendor}: {report.writers} writers, {report.seconds} s, "
            f"{report.accepted} accepted ({report.writes_per_second}/s), "
            f"{len(report.errors)} errors ({report.locked_errors} 'database is locked'), "
            f"{len(report.missing)} missing, audit {'OK' if report.audit_ok else 'BROKEN'}; "
            f"latency p50 {report.latency_ms_p50} ms, p99 {report.latency_ms_p99} ms, "
            f"max {report.latency_ms_max} ms"
        )
        for line in (report.errors + report.missing + report.audit_problems)[:50]:
            self.stdout.write(f"  {line}")
        if not report.ok:
            raise CommandError(_("负载测试未通过。"), returncode=1)
