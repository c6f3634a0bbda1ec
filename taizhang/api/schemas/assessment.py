"""Score runs, org rankings and project scores with their breakdowns."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from taizhang.assessment.fixedpoint import to_points

from .common import Filters, Id, Input, PageOut

PERIOD_PATTERN = r"^(year|[1-9][0-9]{0,17})$"
PeriodKey = Field(
    None,
    pattern=PERIOD_PATTERN,
    description="A period id, or `year` for the year's results. Default: as the web page picks "
    "it (the latest publication's period, else the latest period already started).",
)


def _org_points(obj) -> Decimal:
    stored = (obj.breakdown or {}).get("score")
    return Decimal(stored) if stored is not None else to_points(obj.score_micro)


class ScoreRunOut(Schema):
    id: int
    campaign_id: int
    scheme_id: int
    scheme: str
    kind: Literal["draft", "published"]
    version: int = Field(description="Publication number (0 for a draft).")
    period_id: int | None
    period: str
    published_at: dt.datetime | None
    published_by: str | None

    @staticmethod
    def resolve_campaign_id(obj) -> int:
        return obj.scheme.campaign_id

    @staticmethod
    def resolve_scheme(obj) -> str:
        return str(obj.scheme)

    @staticmethod
    def resolve_period(obj) -> str:
        return obj.period.name if obj.period_id else _("全年")

    @staticmethod
    def resolve_published_by(obj) -> str | None:
        return obj.published_by.get_username() if obj.published_by_id else None


class ScoreRunPage(PageOut):
    items: list[ScoreRunOut]


class ScoreRunFilters(Filters):
    campaign: Id | None = None
    period: str | None = PeriodKey
    kind: Literal["draft", "published"] | None = None


class OrgScoreOut(Schema):
    org_id: int
    org_name: str
    depth: int
    score: Decimal = Field(description="Points, rounded half up to 2 places.")
    project_count: int
    rank: int | None = Field(description="Rank among its sibling orgs.")
    grade: str

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)

    @staticmethod
    def resolve_score(obj) -> Decimal:
        return _org_points(obj)


class OrgScoreDetailOut(OrgScoreOut):
    breakdown: dict[str, Any]


class OrgScorePage(PageOut):
    items: list[OrgScoreOut]


class OrgScoreFilters(Filters):
    org: Id | None = Field(None, description="This org and the orgs below it.")
    parent: Id | None = Field(None, description="Only the direct children of this org (ranked).")


class ProjectScoreOut(Schema):
    project_id: int
    code: str
    title: str
    org_id: int
    org_name: str
    total: Decimal = Field(description="Points, rounded half up to 2 places.")
    bonus: Decimal
    grade: str

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.project.title

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)

    @staticmethod
    def resolve_total(obj) -> Decimal:
        return to_points(obj.total_micro)

    @staticmethod
    def resolve_bonus(obj) -> Decimal:
        return to_points(obj.bonus_micro)


class ProjectScoreDetailOut(ProjectScoreOut):
    run: ScoreRunOut
    breakdown: dict[str, Any] = Field(
        description="Every contribution in micro-points (1 point = 1,000,000) with its inputs."
    )


class ProjectScorePage(PageOut):
    items: list[ProjectScoreOut]


class ProjectScoreFilters(Filters):
    org: Id | None = Field(None, description="Projects of this org and the orgs below it.")


class ScoresQuery(Filters):
    period: str | None = PeriodKey
    run: str | None = Field(
        None,
        pattern=r"^(draft|published|[1-9][0-9]{0,17})$",
        description="`draft`, `published` (the latest publication) or a run id. "
        "Default: the latest publication, else the draft.",
    )
    org: Id | None = Field(
        None, description="Whose score. Default: the campaign's org, or the top of your scope."
    )


class ScoresOut(Schema):
    run: ScoreRunOut | None
    org: OrgScoreOut | None = Field(description="The selected org's score and rank.")


class ScoreActionIn(Input):
    period: str = Field(pattern=PERIOD_PATTERN, description="A period id, or `year`.")
