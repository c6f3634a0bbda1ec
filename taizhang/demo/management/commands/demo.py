"""`taizhang demo`: load the source case of PRODUCT.md as demo data and print the logins."""

import unicodedata
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError
from taizhang.demo.loader import DEFAULT_PASSWORD, DemoLogin, demo_load
from taizhang.orgs.models import Org


class Command(BaseCommand):
    # argparse needs real strings, not lazy ones; commands load after translations are ready.
    help = _("载入演示数据：2020年“两带两创”活动，取材于中稀(四川)稀土有限公司党支部的实践。")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=_("数据库中已有任何组织时什么也不做（供 make run 使用）。"),
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=_("所有演示账号的密码（默认 %(default)s）。"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Org.objects.exists():
            # `make run` calls this on every start; an existing database is left untouched.
            self.stdout.write(_("数据库中已有组织，跳过载入演示数据。"))
            return
        password: str = options["password"]
        try:
            result = demo_load(password=password)
        except DomainError as exc:
            # demo_load is one transaction: a refusal or a broken rule leaves nothing behind.
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "已载入演示数据：%(orgs)s 个组织、%(people)s 名人员、活动《%(campaign)s》、"
                    "%(projects)s 个项目、%(pairings)s 对 1+N 结对。"
                )
                % {
                    "orgs": result.orgs,
                    "people": result.people,
                    "campaign": result.campaign.name,
                    "projects": result.projects,
                    "pairings": result.pairings,
                }
            )
        )
        self.stdout.write("")
        self.stdout.write(_("演示账号："))
        self.stdout.write(login_table(result.logins, password))


def _width(text: str) -> int:
    """Columns the text takes in a terminal: CJK characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def login_table(logins: list[DemoLogin], password: str) -> str:
    """A plain-text table (username, role, org, person, password) aligned for CJK text."""
    header = [_("账号"), _("角色"), _("组织"), _("人员"), _("密码")]
    rows = [[x.username, x.role, x.org, x.person, password] for x in logins]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
