"""Score runs, org rankings and project scores with their breakdowns."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field

from taizhang.assessment.fixedpoint import to_points
from taizhang.assessment.models import CriterionKind, DeductionKind, EntryKind, RollupRule

from .common import Filters, Id, Input, PageOut, Version

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


# --------------------------------------------------------------------------- schemes

# Weights, points and scores: 2 places, as the scheme stores them.
Points = Annotated[Decimal, Field(max_digits=6, decimal_places=2, allow_inf_nan=False)]
Share = Annotated[Decimal, Field(ge=0, le=1, max_digits=5, decimal_places=4, allow_inf_nan=False)]
Name = Annotated[str, Field(max_length=200)]
CriterionKindIn = Literal[tuple(CriterionKind.values)]  # type: ignore[valid-type]
DeductionKindIn = Literal[tuple(DeductionKind.values)]  # type: ignore[valid-type]
RollupRuleIn = Literal[tuple(RollupRule.values)]  # type: ignore[valid-type]
RatingKey = Literal["excellent", "good", "fair", "poor"]


class CriterionParamsIn(Input):
    """The adjustable parameters a criterion kind reads (others are ignored by it)."""

    target: int | None = Field(
        None, ge=1, le=10000, description="群众参与: non-members for full points."
    )
    late_share: Share | None = Field(None, description="报告及时性: the share for a late report.")
    none_share: Share | None = Field(
        None, description="检查评价: the share when there was no inspection."
    )
    ratings: dict[RatingKey, Share] | None = Field(
        None, description="检查评价: the share per rating."
    )

    def as_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.target is not None:
            params["target"] = self.target
        for key in ("late_share", "none_share"):
            if getattr(self, key) is not None:
                params[key] = str(getattr(self, key))
        if self.ratings:
            params["ratings"] = {k: str(v) for k, v in self.ratings.items()}
        return params


class CriterionIn(Input):
    name: Name
    kind: CriterionKindIn
    points: Points
    params: CriterionParamsIn = Field(default_factory=CriterionParamsIn)


class DimensionIn(Input):
    name: Annotated[str, Field(max_length=100)]
    weight: Points
    criteria: list[CriterionIn] = Field(max_length=50)


class DeductionIn(Input):
    name: Name
    kind: DeductionKindIn
    points_each: Points
    cap: Points


class BonusIn(Input):
    name: Name
    cap: Points


class VetoIn(Input):
    name: Name
    grade_cap: Annotated[str, Field(max_length=50)]


class BandIn(Input):
    label: Annotated[str, Field(max_length=50)]
    min_score: Points
    max_score: Points


class OrgWeightIn(Input):
    org_id: Id
    weight: Points = Field(description="> 0, at most 1000, 2 places.")


class SchemePatchIn(Input):
    """Only the parts sent are changed; each list sent replaces that whole list."""

    version: Version
    name: Name | None = None
    regular_weight: Points | None = None
    final_weight: Points | None = None
    rollup_rule: RollupRuleIn | None = None
    bonus_in_total: bool | None = None
    excellent_share_cap: Points | None = None
    dimensions: list[DimensionIn] | None = Field(None, max_length=30)
    deductions: list[DeductionIn] | None = Field(None, max_length=100)
    bonuses: list[BonusIn] | None = Field(None, max_length=100)
    vetoes: list[VetoIn] | None = Field(None, max_length=100)
    bands: list[BandIn] | None = Field(None, max_length=100)
    org_weights: list[OrgWeightIn] | None = Field(None, max_length=1000)


class SchemeCopyIn(Input):
    source_id: Id = Field(description="A scheme of this campaign or of one that started earlier.")


class CriterionOut(Schema):
    id: int
    name: str
    kind: str
    points: Decimal
    params: dict[str, Any]


class DimensionOut(Schema):
    id: int
    name: str
    weight: Decimal
    criteria: list[CriterionOut]


class DeductionOut(Schema):
    id: int
    name: str
    kind: str
    points_each: Decimal
    cap: Decimal


class BonusOut(Schema):
    id: int
    name: str
    cap: Decimal


class VetoOut(Schema):
    id: int
    name: str
    grade_cap: str


class BandOut(Schema):
    id: int
    label: str
    min_score: Decimal
    max_score: Decimal


class OrgWeightOut(Schema):
    org_id: int
    org_name: str
    weight: Decimal

    @staticmethod
    def resolve_org_name(obj) -> str:
        return str(obj.org)


class SchemeSummaryOut(Schema):
    id: int
    campaign_id: int
    name: str
    scheme_version: int = Field(description="The scheme's version number (v1, v2, …).")
    version: int = Field(description="The record's version, for optimistic concurrency.")
    is_active: bool
    based_on_id: int | None
    rollup_rule: str
    created_at: dt.datetime

    @staticmethod
    def resolve_scheme_version(obj) -> int:
        return obj.version

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version


class SchemeOut(SchemeSummaryOut):
    regular_weight: Decimal
    final_weight: Decimal
    bonus_in_total: bool
    excellent_share_cap: Decimal
    dimensions: list[DimensionOut]
    deductions: list[DeductionOut]
    bonuses: list[BonusOut]
    vetoes: list[VetoOut]
    bands: list[BandOut]
    # Related managers need no resolver: ninja lists a Manager's .all() (the prefetched rows).
    org_weights: list[OrgWeightOut]


class SchemePage(PageOut):
    items: list[SchemeSummaryOut]


# --------------------------------------------------------------------------- manual entries

EntryKindIn = Literal[tuple(EntryKind.values)]  # type: ignore[valid-type]
EntryValue = Annotated[Decimal, Field(max_digits=8, decimal_places=4, allow_inf_nan=False)]
Note = Annotated[str, Field(max_length=5000)]


class EntryFilters(Filters):
    period: Id | None = None
    project: Id | None = None
    org: Id | None = Field(None, description="Entries on this org itself.")
    kind: EntryKindIn | None = None


class EntryIn(Input):
    period_id: Id
    kind: EntryKindIn
    item_id: Id = Field(
        description="The scheme's criterion (kind `manual`), manual deduction, bonus or veto."
    )
    value: EntryValue = Field(
        Decimal(0),
        description="A criterion's share (0–1), a deduction's or bonus's points; 0 for a veto.",
    )
    note: Note = Field(description="The reason (required).")
    project_id: Id | None = Field(None, description="The project assessed, or …")
    org_id: Id | None = Field(None, description="… the org assessed (exactly one of them).")


class EntryUpdateIn(Input):
    version: Version
    note: Note
    value: EntryValue | None = None


class EntryOut(Schema):
    id: int
    version: int
    scheme_id: int
    period_id: int
    kind: str
    item_id: int | None
    item_name: str
    value: Decimal
    note: str
    project_id: int | None
    org_id: int | None
    assessor: str
    has_evidence: bool
    created_at: dt.datetime

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version

    @staticmethod
    def resolve_item_id(obj) -> int | None:
        return obj.criterion_id or obj.deduction_id or obj.bonus_id or obj.veto_id

    @staticmethod
    def resolve_item_name(obj) -> str:
        item = obj.criterion or obj.deduction or obj.bonus or obj.veto
        return str(item) if item is not None else ""

    @staticmethod
    def resolve_assessor(obj) -> str:
        return obj.assessor.get_username()

    @staticmethod
    def resolve_has_evidence(obj) -> bool:
        return bool(obj.evidence)


class EntryPage(PageOut):
    items: list[EntryOut]


# --------------------------------------------------------------------------- results day


class ReviewCriterionIn(Input):
    name: Annotated[str, Field(max_length=100)]
    points: Points


class ResultsDayIn(Input):
    name: Name
    date: dt.date
    criteria: list[ReviewCriterionIn] | None = Field(
        None, max_length=20, description="Default: 实效 50 / 创新 25 / 可操作 25."
    )
    excellent_share_cap: Points = Decimal(50)
    excellent_min: Points = Decimal(85)


class ReviewCriterionOut(Schema):
    name: str
    points: Decimal


class ResultsDayOut(Schema):
    id: int
    campaign_id: int
    name: str
    date: dt.date
    criteria: list[ReviewCriterionOut]
    excellent_share_cap: Decimal
    excellent_min: Decimal
    status: Literal["open", "published"]
    published_at: dt.datetime | None
    published_by: str | None

    @staticmethod
    def resolve_published_by(obj) -> str | None:
        return obj.published_by.get_username() if obj.published_by_id else None


class ResultsDayPage(PageOut):
    items: list[ResultsDayOut]


class CandidateOut(Schema):
    id: int
    results_day_id: int
    project_id: int
    code: str
    title: str
    review_count: int
    mean_score: Decimal | None = Field(description="Filled when the day is published.")
    rank: int | None
    award: str

    @staticmethod
    def resolve_code(obj) -> str:
        return obj.project.code

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.project.title

    @staticmethod
    def resolve_review_count(obj) -> int:
        return len(obj.reviews.all())


class ResultsDayDetailOut(ResultsDayOut):
    candidates: list[CandidateOut] = Field(description="The candidates inside your scope.")

    @staticmethod
    def resolve_candidates(obj) -> list:
        # Filtered by the caller's scope in the router (permissions.candidates_visible_to).
        return obj.candidates_out


class CandidateIn(Input):
    project_id: Id


class CandidateReviewIn(Input):
    scores: dict[Annotated[str, Field(max_length=100)], Points] = Field(
        max_length=20, description="Points per review criterion, by its name."
    )
    comment: Annotated[str, Field(max_length=5000)] = ""


class ReviewOut(Schema):
    id: int
    candidate_id: int
    reviewer: str
    scores: dict[str, Decimal]
    total: Decimal
    comment: str

    @staticmethod
    def resolve_reviewer(obj) -> str:
        return obj.reviewer.get_username()
