"""Campaigns, projects with their goals, measures and participants, and 1+N pairings."""

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

from taizhang.campaigns.models import (
    Cadence,
    Direction,
    MeasureStatus,
    ParticipantRole,
    ProjectStatus,
)
from taizhang.campaigns.services import TRANSITIONS

from .common import Filters, Id, Input, Number, PageOut, Version

CadenceName = Literal[tuple(Cadence.values)]  # type: ignore[valid-type]
DirectionName = Literal[tuple(Direction.values)]  # type: ignore[valid-type]
MeasureStatusName = Literal[tuple(MeasureStatus.values)]  # type: ignore[valid-type]
ParticipantRoleName = Literal[tuple(ParticipantRole.values)]  # type: ignore[valid-type]
ProjectStatusName = Literal[tuple(ProjectStatus.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]

LIST_MAX = 100


def _version(obj) -> int:
    return obj.lock_version


# --------------------------------------------------------------------------- campaigns


class ProjectTypeOut(Schema):
    id: int
    name: str
    short_name: str
    is_benefit: bool


class FocusAreaOut(Schema):
    id: int
    name: str


class PeriodOut(Schema):
    id: int
    campaign_id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    deadline: dt.date
    is_closed: bool


class CampaignOut(Schema):
    id: int
    org_id: int
    org_name: str
    name: str
    year: int
    start_date: dt.date
    end_date: dt.date
    cadence: CadenceName
    description: str
    version: int

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)

    @staticmethod
    def resolve_version(obj) -> int:
        return _version(obj)


class CampaignDetailOut(CampaignOut):
    report_deadline_days: int
    reminder_days_before: int
    amber_after: Decimal
    red_after: Decimal
    project_types: list[ProjectTypeOut]
    focus_areas: list[FocusAreaOut]
    periods: list[PeriodOut]

    @staticmethod
    def resolve_project_types(obj) -> list:
        return list(obj.project_types.all())

    @staticmethod
    def resolve_focus_areas(obj) -> list:
        return list(obj.focus_areas.all())

    @staticmethod
    def resolve_periods(obj) -> list:
        return list(obj.periods.order_by("start_date"))


class CampaignPage(PageOut):
    items: list[CampaignOut]


class CampaignFilters(Filters):
    org: Id | None = Field(None, description="Campaigns launched by this org or below it.")
    year: int | None = Field(None, ge=1900, le=2999)
    q: str | None = Field(None, max_length=100, description="Name contains.")


class ProjectTypeIn(Input):
    name: str = Field(min_length=1, max_length=100)
    short_name: str = Field("", max_length=20)


class CampaignCreateIn(Input):
    org_id: Id
    name: str = Field(max_length=200)
    year: int = Field(ge=1900, le=2999)
    start_date: dt.date
    end_date: dt.date
    cadence: CadenceName = Cadence.QUARTERLY.value
    description: str = Field("", max_length=5000)
    project_types: list[ProjectTypeIn] | None = Field(
        None, max_length=20, description="Default: 党组织带党员创效 and 党员带群众创新."
    )
    focus_areas: list[str] | None = Field(
        None, max_length=30, description="Default: the six central tasks."
    )


class CampaignUpdateIn(Input):
    version: Version
    name: str | None = Field(None, max_length=200)
    year: int | None = Field(None, ge=1900, le=2999)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    cadence: CadenceName | None = None
    description: str | None = Field(None, max_length=5000)
    project_types: list[ProjectTypeIn] | None = Field(None, max_length=20)
    focus_areas: list[str] | None = Field(None, max_length=30)


# --------------------------------------------------------------------------- project children


class GoalOut(Schema):
    id: int
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    direction: DirectionName
    weight: Decimal
    order: int
    version: int

    @staticmethod
    def resolve_version(obj) -> int:
        return _version(obj)


class GoalIn(Input):
    name: str = Field(max_length=200)
    unit: str = Field("", max_length=30)
    baseline: Number = Decimal("0")
    target: Number
    direction: DirectionName = Direction.HIGHER.value
    weight: Number = Decimal("1")


class GoalUpdateIn(Input):
    version: Version
    name: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=30)
    baseline: Number | None = None
    target: Number | None = None
    direction: DirectionName | None = None
    weight: Number | None = None


class MeasureOut(Schema):
    id: int
    description: str
    owner_id: int | None
    owner_name: str | None
    start_date: dt.date | None
    due_date: dt.date | None
    status: MeasureStatusName
    percent_complete: int
    order: int
    version: int

    @staticmethod
    def resolve_owner_name(obj) -> str | None:
        return obj.owner.name if obj.owner_id else None

    @staticmethod
    def resolve_version(obj) -> int:
        return _version(obj)


class MeasureIn(Input):
    description: str = Field(max_length=5000)
    owner_id: Id | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    status: MeasureStatusName = MeasureStatus.NOT_STARTED.value
    percent_complete: int = Field(0, ge=0, le=100)


class MeasureUpdateIn(Input):
    version: Version
    description: str | None = Field(None, max_length=5000)
    owner_id: Id | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    status: MeasureStatusName | None = None
    percent_complete: int | None = Field(None, ge=0, le=100)


class ParticipantOut(Schema):
    id: int
    person_id: int
    person_name: str
    role: ParticipantRoleName
    duty: str
    can_report: bool
    version: int

    @staticmethod
    def resolve_person_name(obj) -> str:
        return obj.person.name

    @staticmethod
    def resolve_version(obj) -> int:
        return _version(obj)


class ParticipantIn(Input):
    person_id: Id
    role: ParticipantRoleName = ParticipantRole.MEMBER.value
    duty: str = Field("", max_length=200)


class ParticipantUpdateIn(Input):
    version: Version
    role: ParticipantRoleName | None = None
    duty: str | None = Field(None, max_length=200)


# --------------------------------------------------------------------------- projects


class ProjectOut(Schema):
    id: int
    campaign_id: int
    org_id: int
    org_name: str
    code: str
    title: str
    project_type_id: int
    project_type: str
    focus_area_id: int
    focus_area: str
    lead_id: int
    lead_name: str
    start_date: dt.date
    end_date: dt.date
    status: ProjectStatusName
    version: int
    updated_at: dt.datetime

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)

    @staticmethod
    def resolve_project_type(obj) -> str:
        return obj.project_type.name

    @staticmethod
    def resolve_focus_area(obj) -> str:
        return obj.focus_area.name

    @staticmethod
    def resolve_lead_name(obj) -> str:
        return obj.lead.name

    @staticmethod
    def resolve_version(obj) -> int:
        return _version(obj)


class TransitionLogOut(Schema):
    action: str
    from_status: ProjectStatusName
    to_status: ProjectStatusName
    actor: str
    reason: str
    at: dt.datetime

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor.get_username()


class ProjectDetailOut(ProjectOut):
    rationale: str
    plan: str
    goals: list[GoalOut]
    measures: list[MeasureOut]
    participants: list[ParticipantOut]
    actions: list[ActionName] = Field(description="Lifecycle actions the caller may take now.")
    transitions: list[TransitionLogOut]

    @staticmethod
    def resolve_goals(obj) -> list:
        return list(obj.goals.all())

    @staticmethod
    def resolve_measures(obj) -> list:
        return list(obj.measures.select_related("owner"))

    @staticmethod
    def resolve_participants(obj) -> list:
        return list(obj.participants.select_related("person"))

    @staticmethod
    def resolve_transitions(obj) -> list:
        return list(obj.transitions.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_actions(obj) -> list[str]:
        return list(getattr(obj, "api_actions", []))


class ProjectPage(PageOut):
    items: list[ProjectOut]


class ProjectFilters(Filters):
    campaign: Id | None = None
    type: Id | None = Field(None, description="Project type id (see the campaign).")
    area: Id | None = Field(None, description="Focus area id (see the campaign).")
    status: ProjectStatusName | None = None
    org: Id | None = Field(None, description="Projects of this org and the orgs below it.")
    lead: Id | None = Field(None, description="The lead's person id.")
    q: str | None = Field(None, max_length=100, description="Title, code or lead's name contains.")
    sort: Literal[
        "code", "-code", "title", "-title", "status", "-status", "end_date", "-end_date"
    ] = "code"


class ProjectCreateIn(Input):
    campaign_id: Id
    org_id: Id
    code: str = Field(max_length=50)
    title: str = Field(max_length=300)
    project_type_id: Id
    focus_area_id: Id
    lead_id: Id = Field(description="A Party member's person id (党员带头).")
    start_date: dt.date
    end_date: dt.date
    rationale: str = Field("", max_length=20000)
    plan: str = Field("", max_length=50000)
    goals: list[GoalIn] = Field([], max_length=LIST_MAX)
    measures: list[MeasureIn] = Field([], max_length=LIST_MAX)
    participants: list[ParticipantIn] = Field([], max_length=LIST_MAX)


class ProjectUpdateIn(Input):
    version: Version
    reason: str = Field("", max_length=500, description="Kept in the project's history.")
    org_id: Id | None = None
    code: str | None = Field(None, max_length=50)
    title: str | None = Field(None, max_length=300)
    project_type_id: Id | None = None
    focus_area_id: Id | None = None
    lead_id: Id | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    rationale: str | None = Field(None, max_length=20000)
    plan: str | None = Field(None, max_length=50000)


class TransitionIn(Input):
    action: ActionName
    reason: str = Field("", max_length=2000)
    version: Version | None = None


# --------------------------------------------------------------------------- pairings


class PairingOut(Schema):
    id: int
    campaign_id: int
    member_id: int
    member_name: str
    colleague_id: int
    colleague_name: str
    version: int

    @staticmethod
    def resolve_member_name(obj) -> str:
        return obj.member.name

    @staticmethod
    def resolve_colleague_name(obj) -> str:
        return obj.colleague.name

    @staticmethod
    def resolve_version(obj) -> int:
        return _version(obj)


class PairingPage(PageOut):
    items: list[PairingOut]


class PairingFilters(Filters):
    campaign: Id | None = None
    member: Id | None = Field(None, description="The Party member's person id.")
    org: Id | None = Field(None, description="Members of this org and the orgs below it.")


class PairingIn(Input):
    campaign_id: Id
    member_id: Id
    colleague_id: Id
