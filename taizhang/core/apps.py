from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from simple_history.signals import post_create_historical_record

        from . import audit

        # Every historical record becomes a link of the audit chain (see core.audit).
        post_create_historical_record.connect(
            audit.on_historical_record, dispatch_uid="taizhang.core.audit"
        )
