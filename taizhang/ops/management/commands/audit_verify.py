"""`taizhang audit-verify`: walk the audit chain and recompute every link (core.audit)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from taizhang.core.audit import verify_chain


class Command(BaseCommand):
    help = _(
        "校验审计哈希链：逐条重算历史记录摘要和链接，发现被修改或删除的记录时以退出码 1 结束。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("数据库别名。"))
        parser.add_argument(
            "--limit", type=int, default=200, help=_("最多列出多少个问题（默认 200）。")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = verify_chain(using=options["database"], limit=options["limit"])
        if result.ok:
            # The first line is fixed English so scripts can test for it.
            self.stdout.write(f"OK: {result.entries} entries")
            self.stdout.write(
                _("审计链完整，共 %(n)s 条；链头哈希 %(hash)s（可与备份一同另行保存）。")
                % {"n": result.entries, "hash": result.head_hash}
            )
            return
        for problem in result.problems:
            self.stdout.write(f"{problem.code}: {problem.message}")
        total = len(result.problems) + result.hidden
        if result.hidden:
            self.stdout.write(_("……另有 %(n)s 个问题未列出。") % {"n": result.hidden})
        raise CommandError(
            _("审计链校验失败：共 %(entries)s 条记录，发现 %(n)s 个问题。")
            % {"entries": result.entries, "n": total},
            returncode=1,
        )
