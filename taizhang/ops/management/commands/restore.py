"""`taizhang restore <file>`: replace the database with a backup made by `taizhang backup`."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError
from taizhang.ops.backup import restore


class Command(BaseCommand):
    help = _(
        "用备份文件替换整个数据库（先停止应用）。SQLite 先检查备份文件的完整性，"
        "PostgreSQL 用 pg_restore --clean 在一个事务内恢复。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=_("备份文件路径。"))
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("数据库别名。"))
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=_("不询问确认。"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        using = options["database"]
        name = connections[using].settings_dict["NAME"]
        if options["interactive"]:
            answer = input(
                _("这会用 %(file)s 替换数据库 %(name)s 中的全部数据。请输入 yes 继续：")
                % {"file": options["file"], "name": name}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("已取消恢复。"))
        try:
            restore(options["file"], using=using)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已从 %(file)s 恢复数据库 %(name)s。") % {"file": options["file"], "name": name}
            )
        )
