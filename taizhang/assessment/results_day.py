"""成果发布: candidates, reviewer scores, and a published ranking with a cap on 优秀."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.services import to_decimal
from taizhang.core.exceptions import DomainError
from taizhang.core.history import save_with_history
from taizhang.orgs.models import Role
from taizhang.orgs.permissions import ADMIN_ROLES, has_role
from taizhang.webhooks.services import emit

from . import permissions as perms
from .models import Award, Candidate, ResultsDay, ResultsDayStatus, Review

CENT = Decimal("0.01")


def can_review(user, day: ResultsDay, project: Project) -> bool:
    """Reviewers are the campaign owner's committee (admins and read-only members), never
    the project's own lead."""
    if project.lead.user_id and project.lead.user_id == getattr(user, "pk", None):
        return False
    return has_role(user, day.campaign.org, ADMIN_ROLES | {Role.VIEWER})


def _validate_criteria(criteria: list[dict]) -> list[dict]:
    cleaned = []
    for item in criteria or []:
        name = str(item.get("name", "")).strip()
        if not name:
            raise DomainError(_("评审指标需要名称。"), "required", field="criteria")
        points = to_decimal(item.get("points"), field="criteria", label=_("评审指标分值"))
        if points <= 0:
            raise DomainError(_("评审指标分值必须大于 0。"), "out_of_range", field="criteria")
        cleaned.append({"name": name, "points": str(points)})
    if not cleaned:
        raise DomainError(_("至少需要一个评审指标。"), "required", field="criteria")
    if len({c["name"] for c in cleaned}) != len(cleaned):
        raise DomainError(_("评审指标名称不能重复。"), "duplicate", field="criteria")
    if sum(Decimal(c["points"]) for c in cleaned) != 100:
        raise DomainError(_("评审指标分值合计应为 100。"), "weights_sum", field="criteria")
    return cleaned


@transaction.atomic
def results_day_create(
    *,
    actor,
    campaign: Campaign,
    name: str,
    date: dt.date,
    criteria: list[dict] | None = None,
    excellent_share_cap: Any = "50",
    excellent_min: Any = "85",
) -> ResultsDay:
    if not perms.can_configure_scheme(actor, campaign):
        raise DomainError(_("只有活动主办组织的管理员可以组织成果发布。"), "forbidden")
    if not (name or "").strip():
        raise DomainError(_("请填写名称。"), "required", field="name")
    if date is None:
        raise DomainError(_("请填写发布日期。"), "required", field="date")
    cap = to_decimal(excellent_share_cap, field="excellent_share_cap", label=_("优秀比例上限"))
    if not 0 <= cap <= 100:
        raise DomainError(
            _("优秀比例上限应在 0 到 100 之间。"), "out_of_range", field="excellent_share_cap"
        )
    minimum = to_decimal(excellent_min, field="excellent_min", label=_("优秀最低分"))
    return save_with_history(
        ResultsDay(
            campaign=campaign,
            name=name.strip(),
            date=date,
            criteria=_validate_criteria(
                criteria if criteria is not None else ResultsDay().criteria
            ),
            excellent_share_cap=cap,
            excellent_min=minimum,
        ),
        actor=actor,
        reason=_("组织成果发布"),
    )


def _check_open(day: ResultsDay) -> None:
    if day.status != ResultsDayStatus.OPEN:
        raise DomainError(_("成果发布结果已公布，不能再修改。"), "published")


@transaction.atomic
def candidate_add(*, actor, day: ResultsDay, project: Project) -> Candidate:
    _check_open(day)
    if not perms.can_configure_scheme(actor, day.campaign):
        raise DomainError(_("只有活动主办组织的管理员可以确定候选项目。"), "forbidden")
    if project.campaign_id != day.campaign_id:
        raise DomainError(_("该项目不属于本活动。"), "invalid", field="project")
    if day.candidates.filter(project=project).exists():
        raise DomainError(_("该项目已是候选项目。"), "duplicate", field="project")
    return save_with_history(
        Candidate(results_day=day, project=project), actor=actor, reason=_("确定候选项目")
    )


@transaction.atomic
def review_submit(
    *, actor, candidate: Candidate, scores: dict[str, Any], comment: str = ""
) -> Review:
    """One reviewer's scores for one candidate (re-submitting replaces them until publication)."""
    day = candidate.results_day
    _check_open(day)
    if not can_review(actor, day, candidate.project):
        raise DomainError(_("您不能评审该项目。"), "forbidden")
    parsed: dict[str, str] = {}
    total = Decimal(0)
    for criterion in day.criteria:
        name = criterion["name"]
        value = to_decimal(scores.get(name), field=f"score_{name}", label=name)
        if not 0 <= value <= Decimal(criterion["points"]):
            raise DomainError(
                _("“%(name)s”得分应在 0 到 %(max)s 之间。")
                % {"name": name, "max": criterion["points"]},
                "out_of_range",
                field=f"score_{name}",
            )
        parsed[name] = str(value)
        total += value
    unknown = set(scores) - set(parsed)
    if unknown:
        raise DomainError(_("未知的评审指标。"), "invalid", field="scores")
    review = Review.objects.filter(candidate=candidate, reviewer=actor).first() or Review(
        candidate=candidate, reviewer=actor
    )
    review.scores, review.total, review.comment = parsed, total, (comment or "").strip()
    return save_with_history(review, actor=actor, reason=_("评审打分"))


@transaction.atomic
def results_day_publish(*, actor, day: ResultsDay) -> ResultsDay:
    """Rank candidates by mean reviewer score; at most the cap's share of them (rounded down)
    and only those at or above the minimum are rated 优秀; the rest 入选. Then freeze."""
    day = ResultsDay.objects.select_for_update().get(pk=day.pk)
    _check_open(day)
    if not perms.can_publish_results_day(actor, day):
        raise DomainError(_("只有活动主办组织的管理员可以公布结果。"), "forbidden")
    candidates = list(day.candidates.prefetch_related("reviews"))
    if not candidates:
        raise DomainError(_("还没有候选项目。"), "empty")
    unreviewed = [c for c in candidates if not c.reviews.all()]
    if unreviewed:
        raise DomainError(
            _("以下项目尚无评审打分：%(names)s")
            % {"names": "、".join(str(c.project) for c in unreviewed)},
            "unreviewed",
        )
    for candidate in candidates:
        totals = [r.total for r in candidate.reviews.all()]
        candidate.mean_score = (sum(totals) / len(totals)).quantize(CENT, rounding=ROUND_HALF_UP)
    candidates.sort(key=lambda c: (-c.mean_score, c.project.code))
    quota = int(len(candidates) * day.excellent_share_cap / 100)
    previous = None
    for position, candidate in enumerate(candidates, start=1):
        candidate.rank = (
            previous.rank if previous and previous.mean_score == candidate.mean_score else position
        )
        previous = candidate
    excellent = 0
    groups: dict[Decimal, list[Candidate]] = {}
    for candidate in candidates:  # already best first
        groups.setdefault(candidate.mean_score, []).append(candidate)
    for score, group in groups.items():
        # A tie is rated together: if the whole tie does not fit under the cap, none of it is 优秀.
        is_excellent = score >= day.excellent_min and excellent + len(group) <= quota
        for candidate in group:
            candidate.award = Award.EXCELLENT if is_excellent else Award.SELECTED
        if is_excellent:
            excellent += len(group)
    for candidate in candidates:
        save_with_history(candidate, actor=actor, reason=_("公布成果发布结果"))
    day.status = ResultsDayStatus.PUBLISHED
    day.published_by = actor
    day.published_at = timezone.now()
    save_with_history(day, actor=actor, reason=_("公布成果发布结果"))
    emit(
        "results.published",
        {
            "kind": "results_day",
            "campaign_id": day.campaign_id,
            "results_day_id": day.pk,
            "name": day.name,
            "excellent": [c.project_id for c in candidates if c.award == Award.EXCELLENT],
        },
        day.campaign.org,
        actor=actor,
    )
    return day
