from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: bench data, backup and restore, audit-chain verification, load tests."""

    name = "taizhang.ops"
    label = "ops"
    verbose_name = _("运维")
