from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A login. The person it belongs to (name, org, political status) is `orgs.Person`;
    `is_superuser` marks the system admin (IT), who manages accounts and orgs."""

    display_name = models.CharField(_("显示名称"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username
