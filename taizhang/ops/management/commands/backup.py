"""`taizhang backup <file>`: a consistent copy of the database, safe while writes go on."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError
from taizhang.ops.backup import backup


class Command(BaseCommand):
    help = _(
        "备份整个数据库到一个文件：SQLite 用在线备份接口（写入照常进行），"
        "PostgreSQL 用 pg_dump 自定义格式。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help=_("备份文件路径。"))
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help=_("数据库别名。"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup(options["file"], using=options["database"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("已备份到 %(path)s（%(vendor)s，%(size)s 字节，用时 %(seconds).1f 秒）。")
                % {
                    "path": result.path,
                    "vendor": result.vendor,
                    "size": result.size,
                    "seconds": result.seconds,
                }
            )
        )
        if result.audit_hash:
            # Kept beside the backup, the head hash anchors the audit chain outside the
            # database (see taizhang.core.audit).
            self.stdout.write(
                _("备份时的审计链头：第 %(seq)s 条，哈希 %(hash)s")
                % {"seq": result.audit_seq, "hash": result.audit_hash}
            )
