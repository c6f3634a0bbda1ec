"""Orgs, people and memberships."""

from typing import Literal

from ninja import Schema
from pydantic import Field

from taizhang.orgs.models import OrgKind, PoliticalStatus, Role

from .common import Filters, Id, Input, PageOut, Version

OrgKindName = Literal[tuple(OrgKind.values)]  # type: ignore[valid-type]
PoliticalStatusName = Literal[tuple(PoliticalStatus.values)]  # type: ignore[valid-type]
RoleName = Literal[tuple(Role.values)]  # type: ignore[valid-type]


class OrgOut(Schema):
    id: int
    name: str
    short_name: str
    kind: OrgKindName
    code: str
    depth: int
    parent_id: int | None = None

    @staticmethod
    def resolve_parent_id(obj) -> int | None:
        return getattr(obj, "parent_id", None)


class OrgPage(PageOut):
    items: list[OrgOut]


class OrgFilters(Filters):
    under: Id | None = Field(None, description="Only this org and the orgs below it.")
    parent: Id | None = Field(None, description="Only the direct children of this org.")
    kind: OrgKindName | None = None
    q: str | None = Field(None, max_length=100, description="Name, short name or code contains.")


class PersonOut(Schema):
    id: int
    name: str
    staff_no: str
    org_id: int
    org_name: str
    political_status: PoliticalStatusName
    position: str
    has_login: bool
    version: int

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)

    @staticmethod
    def resolve_has_login(obj) -> bool:
        return obj.user_id is not None

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version


class PersonPage(PageOut):
    items: list[PersonOut]


class PersonFilters(Filters):
    org: Id | None = Field(None, description="People of this org and the orgs below it.")
    political_status: PoliticalStatusName | None = None
    q: str | None = Field(None, max_length=100, description="Name, pinyin or staff number.")


class PersonCreateIn(Input):
    org_id: Id
    name: str = Field(max_length=100)
    staff_no: str = Field(max_length=50)
    political_status: PoliticalStatusName = PoliticalStatus.MASSES.value
    position: str = Field("", max_length=100)


class PersonUpdateIn(Input):
    version: Version
    org_id: Id | None = None
    name: str | None = Field(None, max_length=100)
    staff_no: str | None = Field(None, max_length=50)
    political_status: PoliticalStatusName | None = None
    position: str | None = Field(None, max_length=100)
    reason: str = Field("", max_length=500, description="Kept in the record's history.")


class MembershipOut(Schema):
    id: int
    user_id: int
    username: str
    org_id: int
    org_name: str
    role: RoleName

    @staticmethod
    def resolve_username(obj) -> str:
        return obj.user.get_username()

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)


class MembershipPage(PageOut):
    items: list[MembershipOut]


class MembershipFilters(Filters):
    org: Id | None = Field(None, description="Grants on this org and the orgs below it.")
    username: str | None = Field(None, max_length=150)
    role: RoleName | None = None


class MembershipIn(Input):
    username: str = Field(max_length=150, description="The login to grant the role to.")
    org_id: Id
    role: RoleName


class TokenInfo(Schema):
    name: str
    scope: Literal["read", "write"]


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    is_system_admin: bool
    person: PersonOut | None
    memberships: list[MembershipOut]
    token: TokenInfo | None
