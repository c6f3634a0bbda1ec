"""Periods, progress reports, benefit claims and inspections."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from taizhang.campaigns.models import MeasureStatus
from taizhang.checkins.models import (
    BenefitSource,
    ClaimStatus,
    InspectionMethod,
    InspectionRating,
    LightChoices,
    RectificationStatus,
    ReportStatus,
)

from .campaigns import LIST_MAX, MeasureStatusName, PeriodOut
from .common import Filters, Id, Input, Number, PageOut, Version

ReportStatusName = Literal[tuple(ReportStatus.values)]  # type: ignore[valid-type]
LightName = Literal[tuple(LightChoices.values)]  # type: ignore[valid-type]
ClaimStatusName = Literal[tuple(ClaimStatus.values)]  # type: ignore[valid-type]
SourceName = Literal[tuple(BenefitSource.values)]  # type: ignore[valid-type]
MethodName = Literal[tuple(InspectionMethod.values)]  # type: ignore[valid-type]
RatingName = Literal[tuple(InspectionRating.values)]  # type: ignore[valid-type]
RectificationStatusName = Literal[tuple(RectificationStatus.values)]  # type: ignore[valid-type]
# 万元 with two decimals, as claims are stored.
Amount = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False)]


def _light(value: str) -> str | None:
    return value or None


# --------------------------------------------------------------------------- periods


class PeriodFilters(Filters):
    campaign: Id | None = None
    open: bool | None = Field(None, description="true: only periods still open for reports.")


class PeriodPage(PageOut):
    items: list[PeriodOut]


class PeriodIn(Input):
    campaign_id: Id
    name: str = Field(max_length=100)
    start_date: dt.date
    end_date: dt.date
    deadline: dt.date


# --------------------------------------------------------------------------- reports


class ReadingOut(Schema):
    goal_id: int
    goal_name: str
    actual: Decimal

    @staticmethod
    def resolve_goal_name(obj) -> str:
        return obj.goal.name


class MeasureUpdateOut(Schema):
    measure_id: int
    status: MeasureStatusName
    percent_complete: int
    note: str


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    created_at: dt.datetime


class ReportOut(Schema):
    id: int
    project_id: int
    period_id: int
    period_name: str
    status: ReportStatusName
    revision: int
    submitted_at: dt.datetime | None
    is_late: bool
    reviewed_at: dt.datetime | None
    review_comment: str
    attainment: Decimal | None = Field(description="Weighted goal attainment at submission (0–1).")
    elapsed: Decimal | None = Field(description="Share of the project's time elapsed (0–1).")
    light: LightName | None
    override_reason: str
    version: int

    @staticmethod
    def resolve_period_name(obj) -> str:
        return obj.period.name

    @staticmethod
    def resolve_light(obj) -> str | None:
        return _light(obj.light)

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version


class ReportDetailOut(ReportOut):
    progress: str
    problems: str
    next_steps: str
    readings: list[ReadingOut]
    measure_updates: list[MeasureUpdateOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_readings(obj) -> list:
        return list(obj.readings.select_related("goal").order_by("goal__order", "goal_id"))

    @staticmethod
    def resolve_measure_updates(obj) -> list:
        return list(obj.measure_updates.order_by("measure__order", "measure_id"))

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())


class ReportPage(PageOut):
    items: list[ReportOut]


class ReportFilters(Filters):
    campaign: Id | None = None
    project: Id | None = None
    period: Id | None = None
    status: ReportStatusName | None = None
    org: Id | None = Field(None, description="Reports of projects of this org and below it.")


class ReportStartIn(Input):
    period_id: Id


class ActualIn(Input):
    goal_id: Id
    actual: Number


class MeasureProgressIn(Input):
    measure_id: Id
    status: MeasureStatusName = MeasureStatus.IN_PROGRESS.value
    percent_complete: int = Field(ge=0, le=100)
    note: str = Field("", max_length=500)


class ReportSaveIn(Input):
    version: Version
    progress: str = Field("", max_length=20000)
    problems: str = Field("", max_length=20000)
    next_steps: str = Field("", max_length=20000)
    actuals: list[ActualIn] = Field([], max_length=LIST_MAX)
    measures: list[MeasureProgressIn] = Field([], max_length=LIST_MAX)


class VersionIn(Input):
    version: Version


class ReviewIn(Input):
    version: Version
    comment: str = Field("", max_length=5000, description="Required when returning.")


# --------------------------------------------------------------------------- claims


class ClaimOut(Schema):
    id: int
    project_id: int
    period_id: int
    amount: Decimal
    source: SourceName
    description: str
    status: ClaimStatusName
    claimant: str
    verifier: str | None
    verified_at: dt.datetime | None
    verified_amount: Decimal | None
    decision_note: str
    evidence: list[EvidenceOut]
    version: int

    @staticmethod
    def resolve_claimant(obj) -> str:
        return obj.claimant.get_username()

    @staticmethod
    def resolve_verifier(obj) -> str | None:
        return obj.verifier.get_username() if obj.verifier_id else None

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version


class ClaimPage(PageOut):
    items: list[ClaimOut]


class ClaimFilters(Filters):
    campaign: Id | None = None
    project: Id | None = None
    period: Id | None = None
    status: ClaimStatusName | None = None
    org: Id | None = Field(None, description="Claims of projects of this org and below it.")


class ClaimIn(Input):
    period_id: Id
    amount: Amount = Field(description="万元, > 0, two decimals at most.")
    source: SourceName
    description: str = Field("", max_length=5000)


class VerifyIn(Input):
    version: Version
    verified_amount: Amount | None = Field(None, description="Default: the declared amount.")
    note: str = Field("", max_length=5000)


class RejectIn(Input):
    version: Version
    reason: str = Field(max_length=5000)


# --------------------------------------------------------------------------- inspections


class RectificationOut(Schema):
    id: int
    description: str
    owner_id: int
    owner_name: str
    due_date: dt.date
    status: RectificationStatusName
    closing_note: str
    closed_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_owner_name(obj) -> str:
        return obj.owner.name

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version


class InspectionOut(Schema):
    id: int
    campaign_id: int
    inspecting_org_id: int
    project_id: int | None
    target_org_id: int | None
    date: dt.date
    inspectors: str
    methods: list[MethodName]
    findings: str
    rating: RatingName
    items: list[RectificationOut]
    version: int

    @staticmethod
    def resolve_items(obj) -> list:
        return list(obj.items.all())  # the list prefetches items__owner

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version


class InspectionPage(PageOut):
    items: list[InspectionOut]


class InspectionFilters(Filters):
    campaign: Id | None = None
    project: Id | None = None
    org: Id | None = Field(None, description="Inspections made by or of this org's subtree.")
    rating: RatingName | None = None


class RectificationIn(Input):
    description: str = Field(max_length=5000)
    owner_id: Id
    due_date: dt.date


class InspectionIn(Input):
    campaign_id: Id
    inspecting_org_id: Id
    project_id: Id | None = Field(None, description="Either a project…")
    target_org_id: Id | None = Field(None, description="…or a lower org.")
    date: dt.date
    inspectors: str = Field(max_length=300)
    methods: list[MethodName] = Field(min_length=1, max_length=len(InspectionMethod.values))
    findings: str = Field(max_length=20000)
    rating: RatingName
    items: list[RectificationIn] = Field([], max_length=LIST_MAX)
