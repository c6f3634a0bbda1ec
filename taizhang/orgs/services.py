"""Writes to the org tree, people and grants."""

from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from taizhang.core.exceptions import DomainError
from taizhang.core.history import check_version, save_with_history

from .models import Membership, Org, OrgKind, Person, PoliticalStatus, Role
from .permissions import can_manage_org, forget_grants, is_system_admin


def pinyin_key(text: str) -> str:
    """Sort key that orders Chinese names as a Chinese office expects (by pinyin)."""
    return " ".join(lazy_pinyin(text or "")).lower()[:400]


@transaction.atomic
def org_create(
    *,
    actor,
    name: str,
    parent: Org | None = None,
    kind: str = OrgKind.OTHER,
    short_name: str = "",
    code: str = "",
) -> Org:
    """Add an org under `parent` (a new root only for the system admin)."""
    name = (name or "").strip()
    if not name:
        raise DomainError(_("组织名称不能为空。"), "required", field="name")
    if kind not in OrgKind.values:
        raise DomainError(_("组织类型无效。"), "invalid_choice", field="kind")
    if parent is None:
        if actor is not None and not is_system_admin(actor):
            raise DomainError(_("只有系统管理员可以创建顶级组织。"), "forbidden")
    elif actor is not None and not can_manage_org(actor, parent):
        raise DomainError(_("您无权在该组织下新增组织。"), "forbidden")
    fields = {
        "name": name,
        "short_name": short_name.strip(),
        "kind": kind,
        "code": code.strip(),
        "name_pinyin": pinyin_key(name),
    }
    node = Org(**fields)
    node._history_user = actor  # type: ignore[attr-defined]
    if parent is None:
        return Org.objects.add_root(instance=node)
    # Re-read the parent: treebeard needs its current numchild to pick the next path.
    return Org.objects.add_child(Org.objects.get(pk=parent.pk), instance=node)


def _validate_person_fields(name: str, staff_no: str, political_status: str) -> None:
    if not (name or "").strip():
        raise DomainError(_("姓名不能为空。"), "required", field="name")
    if not (staff_no or "").strip():
        raise DomainError(_("工号不能为空。"), "required", field="staff_no")
    if political_status not in PoliticalStatus.values:
        raise DomainError(_("政治面貌无效。"), "invalid_choice", field="political_status")


@transaction.atomic
def person_create(
    *,
    actor,
    org: Org,
    name: str,
    staff_no: str,
    political_status: str = PoliticalStatus.MASSES,
    position: str = "",
    user=None,
) -> Person:
    """Register a person in `org`; staff numbers are unique among people not deleted."""
    if actor is not None and not can_manage_org(actor, org):
        raise DomainError(_("您无权在该组织登记人员。"), "forbidden")
    _validate_person_fields(name, staff_no, political_status)
    staff_no = staff_no.strip()
    if Person.objects.filter(staff_no=staff_no).exists():
        raise DomainError(
            _("工号 %(no)s 已被使用。") % {"no": staff_no}, "duplicate", field="staff_no"
        )
    person = Person(
        org=org,
        name=name.strip(),
        name_pinyin=pinyin_key(name.strip()),
        staff_no=staff_no,
        political_status=political_status,
        position=position.strip(),
        user=user,
    )
    return save_with_history(person, actor=actor, reason=_("登记人员"))


@transaction.atomic
def person_update(
    *, actor, person: Person, reason: str = "", expected_version: int | None = None, **changes
) -> Person:
    """Change a person's name, staff number, status, position or org."""
    allowed = {"name", "staff_no", "political_status", "position", "org"}
    unknown = set(changes) - allowed
    if unknown:
        raise DomainError(
            _("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, "invalid"
        )
    if actor is not None and not can_manage_org(actor, person.org):
        raise DomainError(_("您无权修改该人员。"), "forbidden")
    check_version(person, expected_version)
    new_org = changes.get("org", person.org)
    if actor is not None and not can_manage_org(actor, new_org):
        raise DomainError(_("您无权把人员调入该组织。"), "forbidden", field="org")
    for key, value in changes.items():
        setattr(person, key, value.strip() if isinstance(value, str) else value)
    _validate_person_fields(person.name, person.staff_no, person.political_status)
    if Person.objects.filter(staff_no=person.staff_no).exclude(pk=person.pk).exists():
        raise DomainError(
            _("工号 %(no)s 已被使用。") % {"no": person.staff_no}, "duplicate", field="staff_no"
        )
    person.name_pinyin = pinyin_key(person.name)
    return save_with_history(person, actor=actor, reason=reason or _("修改人员信息"))


@transaction.atomic
def membership_grant(*, actor, user, org: Org, role: str) -> Membership:
    """Grant `role` in `org` (and so in its subtree) to `user`."""
    if role not in Role.values:
        raise DomainError(_("角色无效。"), "invalid_choice", field="role")
    if actor is not None and not can_manage_org(actor, org):
        raise DomainError(_("您无权在该组织授权。"), "forbidden")
    membership = Membership.objects.filter(user=user, org=org, role=role).first()
    if membership is None:
        membership = save_with_history(
            Membership(user=user, org=org, role=role), actor=actor, reason=_("授权")
        )
    forget_grants(user)
    return membership


@transaction.atomic
def membership_revoke(*, actor, membership: Membership) -> None:
    if actor is not None and not can_manage_org(actor, membership.org):
        raise DomainError(_("您无权撤销该授权。"), "forbidden")
    membership._history_user = actor  # type: ignore[attr-defined]
    membership.delete()
    forget_grants(membership.user)
