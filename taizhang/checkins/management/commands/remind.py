import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from taizhang.checkins import reminders


class Command(BaseCommand):
    help = _("发送到期、逾期、退回、整改和待核定提醒（适合 cron 定时运行，可重复运行）。")

    def add_arguments(self, parser):
        parser.add_argument("--date", help=_("按指定日期计算（YYYY-MM-DD），默认今天。"))

    def handle(self, *args, **options):
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(_("日期格式应为 YYYY-MM-DD。")) from exc
        result = reminders.run(today)
        self.stdout.write(
            _(
                "站内通知 %(n)s 条，邮件 %(e)s 封，群机器人 %(w)s 条（失败 %(f)s），新增督办 %(s)s 项。"
            )
            % {
                "n": result.notifications,
                "e": result.emails,
                "w": result.webhooks,
                "f": result.webhook_failures,
                "s": result.supervisions,
            }
        )
