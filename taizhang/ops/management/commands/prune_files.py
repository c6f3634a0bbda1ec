"""`taizhang prune-files`: remove background jobs' files past their retention (jobs.services)."""

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taizhang.jobs.services import job_files_prune


class Command(BaseCommand):
    help = _(
        "删除超过保存期限的后台任务文件（如导出的台账），任务记录保留；"
        "建议每天运行一次（例如用 cron）。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=_("保存天数（默认取设置 TAIZHANG_JOB_FILE_DAYS）。"),
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("只列出将删除的数量，不删除任何文件。")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is None:
            days = settings.TAIZHANG_JOB_FILE_DAYS
        if days < 1:
            raise CommandError(_("保存天数必须是不小于 1 的整数。"))
        result = job_files_prune(older_than=dt.timedelta(days=days), dry_run=options["dry_run"])
        message = _(
            "完成已超过 %(days)s 天的任务文件 %(expired)s 个、无任务对应的文件 %(orphans)s 个，"
            "共 %(mb).1f MB。"
        ) % {
            "days": days,
            "expired": result.expired,
            "orphans": result.orphans,
            "mb": result.bytes / 1_000_000,
        }
        prefix = _("将删除：") if options["dry_run"] else _("已删除：")
        self.stdout.write(prefix + message)
