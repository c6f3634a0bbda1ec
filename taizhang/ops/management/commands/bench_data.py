"""`taizhang bench-data --scale group|company|tiny [--seed N]`: deterministic bench data."""

import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, Project
from taizhang.ops.benchdata import DEFAULT_PASSWORD, SCALES, BenchDataGenerator
from taizhang.orgs.models import Org, Person


class Command(BaseCommand):
    help = _(
        "生成确定性的压测数据（同一种子得到同样的数据），批量写入：group 为集团规模（5000 个党支部、"
        "15 万人、5 万个项目、15 万个指标、25 万项措施、20 万份季度报告及其指标实际值），company 约为其"
        " 1/50，tiny 供测试。为求速度不写历史记录（simple-history），因此这些数据没有修改历史，"
        "也不进入审计链。数据库非空时拒绝运行，除非加 --force。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale", choices=sorted(SCALES), default="company", help=_("数据规模。")
        )
        parser.add_argument("--seed", type=int, default=1, help=_("随机种子（默认 1）。"))
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=_("压测账号的密码（默认 %(default)s）。"),
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=_("数据库中已有数据时仍然追加生成（编号加前缀以免冲突）。"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["force"] and (
            Org.objects.exists()
            or Person.all_objects.exists()
            or Campaign.all_objects.exists()
            or Project.all_objects.exists()
        ):
            raise CommandError(
                _("数据库不是空的，拒绝生成压测数据。确需在现有数据旁追加时请加 --force。")
            )
        scale = SCALES[options["scale"]]
        started = time.perf_counter()
        generator = BenchDataGenerator(
            scale,
            seed=options["seed"],
            password=options["password"],
            log=lambda message: self.stdout.write(
                f"  {time.perf_counter() - started:7.1f}s  {message}"
            ),
        )
        self.stdout.write(
            _("生成 %(scale)s 规模压测数据（种子 %(seed)s，数据库 %(vendor)s）……")
            % {"scale": scale.name, "seed": options["seed"], "vendor": connection.vendor}
        )
        counts = generator.run()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            _(
                "组织 %(orgs)s、人员 %(people)s、项目 %(projects)s、目标指标 %(goals)s、"
                "具体措施 %(measures)s、参与人员 %(participants)s、检查周期 %(periods)s、"
                "进展报告 %(reports)s、指标实际值 %(readings)s。"
            )
            % {
                "orgs": counts.orgs,
                "people": counts.people,
                "projects": counts.projects,
                "goals": counts.goals,
                "measures": counts.measures,
                "participants": counts.participants,
                "periods": counts.periods,
                "reports": counts.reports,
                "readings": counts.readings,
            }
        )
        steps = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in counts.timings.items())
        self.stdout.write(_("各步用时：%(steps)s") % {"steps": steps})
        self.stdout.write(_("压测账号（密码 %(password)s）：") % {"password": options["password"]})
        for login in generator.logins:
            self.stdout.write(f"  {login.username:<22} {login.role}  {login.org}")
        # Fixed English last line, for scripts and BENCHMARKS.md.
        self.stdout.write(
            self.style.SUCCESS(
                f"bench-data {scale.name} seed={options['seed']} on {connection.vendor}: "
                f"{elapsed:.1f} s"
            )
        )
