from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node

from taizhang.core.models import SoftDeleteModel, TimeStampedModel


class OrgKind(models.TextChoices):
    GROUP = "group", _("集团")
    SECTOR = "sector", _("板块")
    COMPANY = "company", _("公司")
    BRANCH = "branch", _("党支部")
    OTHER = "other", _("其他")


class Org(MP_Node, TimeStampedModel):
    """An organisation in a tree of any depth.

    Materialised path (treebeard MP_Node): a subtree is `path LIKE 'prefix%'`, one indexed
    query, which is what visibility filters on every list rely on.
    """

    name = models.CharField(_("名称"), max_length=200)
    short_name = models.CharField(_("简称"), max_length=100, blank=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=OrgKind.choices, default=OrgKind.OTHER
    )
    code = models.CharField(_("编码"), max_length=50, blank=True)
    name_pinyin = models.CharField(_("拼音"), max_length=400, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["path", "depth", "numchild"])

    steplen = 4
    node_order_by: list[str] = []

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def ancestor_paths(self) -> list[str]:
        """Paths of this org and every ancestor, computed from the path without a query."""
        return [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]


class PoliticalStatus(models.TextChoices):
    MEMBER = "member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE = "league", _("共青团员")
    MASSES = "masses", _("群众")


PARTY_MEMBER_STATUSES = (PoliticalStatus.MEMBER, PoliticalStatus.PROBATIONARY)


class Person(SoftDeleteModel):
    name = models.CharField(_("姓名"), max_length=100)
    name_pinyin = models.CharField(_("拼音"), max_length=400, blank=True, editable=False)
    staff_no = models.CharField(_("工号"), max_length=50)
    org = models.ForeignKey(
        Org, verbose_name=_("所属组织"), on_delete=models.PROTECT, related_name="people"
    )
    political_status = models.CharField(
        _("政治面貌"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    position = models.CharField(_("职务"), max_length=100, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["name_pinyin", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["staff_no"],
                condition=models.Q(deleted_at__isnull=True),
                name="person_staff_no_unique_alive",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.political_status in PARTY_MEMBER_STATUSES


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("组织管理员（书记/委员）")
    PROJECT_LEAD = "project_lead", _("项目牵头人")
    PARTICIPANT = "participant", _("参与人员")
    VERIFIER = "verifier", _("效益核定人")
    VIEWER = "viewer", _("上级党委（只读）")


class Membership(TimeStampedModel):
    """A grant: `user` holds `role` in `org` and in every org below it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    org = models.ForeignKey(
        Org, verbose_name=_("组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("授权")
        verbose_name_plural = _("授权")
        constraints = [
            models.UniqueConstraint(fields=["user", "org", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.org}: {self.get_role_display()}"
