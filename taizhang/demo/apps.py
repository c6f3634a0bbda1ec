from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data set (`taizhang demo`). It sits on top: it imports orgs and campaigns,
    nothing imports it, and it has no models of its own."""

    name = "taizhang.demo"
    label = "demo"
    verbose_name = _("演示数据")
