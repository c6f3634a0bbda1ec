from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from taizhang.webhooks import services


class Command(BaseCommand):
    help = _("发送到期的外发通知（含失败后的重试）；适合 cron 每分钟运行，可重复运行。")

    def add_arguments(self, parser):
        parser.add_argument(
            "--limit", type=int, default=500, help=_("本次最多发送多少条（默认 500）。")
        )

    def handle(self, *args, **options):
        result = services.deliver_due(limit=max(1, options["limit"]))
        self.stdout.write(
            _("外发通知：送达 %(ok)s 条，待重试 %(retry)s 条，失败 %(failed)s 条。")
            % {"ok": result.delivered, "retry": result.retrying, "failed": result.failed}
        )
