"""Writes for check-ins: periods, progress reports, lights, benefit claims, inspections.

Each service validates everything first, then writes in one transaction with history.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, Measure, MeasureStatus, Project
from taizhang.campaigns.services import project_event_data, to_decimal
from taizhang.core.exceptions import DomainError
from taizhang.core.history import check_version, save_with_history
from taizhang.core.uploads import check_upload
from taizhang.orgs.models import Org, Person
from taizhang.orgs.permissions import can_manage_org
from taizhang.webhooks.services import emit

from . import permissions as perms
from . import rules
from .models import (
    BenefitClaim,
    BenefitSource,
    ClaimStatus,
    Evidence,
    IndicatorReading,
    Inspection,
    InspectionMethod,
    InspectionRating,
    LightChoices,
    MeasureUpdate,
    Notification,
    OrgWebhook,
    Period,
    ProgressReport,
    RectificationItem,
    RectificationStatus,
    ReportStatus,
    Supervision,
    WebhookKind,
)


def _forbid(message: str) -> DomainError:
    return DomainError(message, "forbidden")


def local_today() -> dt.date:
    """Today in Asia/Shanghai: deadlines are office dates, not UTC dates."""
    return timezone.localdate()


# --------------------------------------------------------------------------- periods


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def period_bounds(campaign: Campaign) -> list[tuple[str, dt.date, dt.date]]:
    """(name, start, end) for each period the campaign's cadence implies, clipped to its dates.

    A custom cadence implies none: the org admin adds its periods one by one.
    """
    if campaign.cadence == "custom":
        return []
    step = 1 if campaign.cadence == "monthly" else 3
    bounds = []
    year, month = campaign.start_date.year, campaign.start_date.month
    if step == 3:
        month = (month - 1) // 3 * 3 + 1
    while dt.date(year, month, 1) <= campaign.end_date:
        end_month = month + step - 1
        start = max(dt.date(year, month, 1), campaign.start_date)
        end = min(_month_end(year, end_month), campaign.end_date)
        if step == 1:
            name = _("%(year)s年%(month)s月") % {"year": year, "month": month}
        else:
            name = _("%(year)s年第%(quarter)s季度") % {
                "year": year,
                "quarter": (month - 1) // 3 + 1,
            }
        bounds.append((name, start, end))
        month += step
        if month > 12:
            year, month = year + 1, month - 12
    return bounds


@transaction.atomic
def periods_generate(*, actor, campaign: Campaign) -> list[Period]:
    """Create the cadence's periods that don't exist yet; running it twice adds nothing."""
    if actor is not None and not perms.can_manage_periods(actor, campaign):
        raise _forbid(_("您无权设置该活动的检查周期。"))
    existing = set(campaign.periods.values_list("start_date", flat=True))
    created = []
    for name, start, end in period_bounds(campaign):
        if start in existing:
            continue
        deadline = end + dt.timedelta(days=campaign.report_deadline_days)
        created.append(
            save_with_history(
                Period(
                    campaign=campaign, name=name, start_date=start, end_date=end, deadline=deadline
                ),
                actor=actor,
                reason=_("按检查周期生成"),
            )
        )
    return created


def _validate_period(period: Period) -> None:
    campaign = period.campaign
    if not (period.name or "").strip():
        raise DomainError(_("请填写周期名称。"), "required", field="name")
    if not period.start_date or not period.end_date or not period.deadline:
        raise DomainError(_("请填写周期的开始、结束和截止日期。"), "required", field="start_date")
    if period.end_date < period.start_date:
        raise DomainError(_("结束日期不能早于开始日期。"), "dates_out_of_order", field="end_date")
    if period.deadline < period.end_date:
        raise DomainError(
            _("报告截止日期不能早于周期结束日期。"), "deadline_before_end", field="deadline"
        )
    if period.start_date < campaign.start_date or period.end_date > campaign.end_date:
        raise DomainError(_("周期必须在活动起止日期之内。"), "out_of_range", field="start_date")
    overlapping = campaign.periods.filter(
        start_date__lte=period.end_date, end_date__gte=period.start_date
    ).exclude(pk=period.pk)
    if overlapping.exists():
        raise DomainError(_("周期与已有周期重叠。"), "overlap", field="start_date")


@transaction.atomic
def period_create(
    *,
    actor,
    campaign: Campaign,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    deadline: dt.date,
) -> Period:
    if not perms.can_manage_periods(actor, campaign):
        raise _forbid(_("您无权设置该活动的检查周期。"))
    period = Period(
        campaign=campaign,
        name=(name or "").strip(),
        start_date=start_date,
        end_date=end_date,
        deadline=deadline,
    )
    _validate_period(period)
    return save_with_history(period, actor=actor, reason=_("新增检查周期"))


@transaction.atomic
def period_update(*, actor, period: Period, **changes: Any) -> Period:
    """Adjust a period's name, dates or deadline, or close/reopen it."""
    if not perms.can_manage_periods(actor, period.campaign):
        raise _forbid(_("您无权设置该活动的检查周期。"))
    allowed = {"name", "start_date", "end_date", "deadline", "is_closed"}
    if set(changes) - allowed:
        raise DomainError(_("不能修改这些字段。"), "invalid")
    # Work on a fresh copy so a refused change leaves the caller's object as it was.
    period = Period.objects.select_related("campaign").get(pk=period.pk)
    for key, value in changes.items():
        setattr(period, key, value.strip() if isinstance(value, str) else value)
    _validate_period(period)
    return save_with_history(period, actor=actor, reason=_("调整检查周期"))


# --------------------------------------------------------------------------- reports


def _check_period_open(period: Period) -> None:
    if period.is_closed:
        raise DomainError(
            _("检查周期“%(name)s”已关闭，不能再填报。") % {"name": period.name}, "period_closed"
        )


@transaction.atomic
def report_start(*, actor, project: Project, period: Period) -> ProgressReport:
    """Open (or return the existing) report of `project` for `period`."""
    if period.campaign_id != project.campaign_id:
        raise DomainError(_("该周期不属于项目所在的活动。"), "invalid", field="period")
    if not perms.can_write_report(actor, project):
        raise _forbid(_("只有牵头人或被授权的参与人员可以填写实施中项目的进展报告。"))
    existing = ProgressReport.objects.filter(project=project, period=period).first()
    if existing:
        return existing
    _check_period_open(period)
    return save_with_history(
        ProgressReport(project=project, period=period), actor=actor, reason=_("开始填写进展报告")
    )


@dataclass(frozen=True)
class MeasureProgress:
    status: str
    percent_complete: Any
    note: str = ""


def _check_report_editable(actor, report: ProgressReport) -> None:
    if report.status not in (ReportStatus.DRAFT, ReportStatus.RETURNED):
        raise DomainError(_("报告已提交，不能修改；如需修改请由审核人退回。"), "report_locked")
    _check_period_open(report.period)
    if not perms.can_write_report(actor, report.project):
        raise _forbid(_("您不能填写该项目的进展报告。"))


def _locked(report: ProgressReport) -> ProgressReport:
    """Re-read the report under a row lock, so two reviewers cannot both act on one state."""
    return (
        ProgressReport.objects.select_for_update()
        .select_related("project", "project__lead", "project__org", "project__campaign", "period")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_save(
    *,
    actor,
    report: ProgressReport,
    progress: str = "",
    problems: str = "",
    next_steps: str = "",
    actuals: dict[int, Any] | None = None,
    measures: dict[int, MeasureProgress] | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """Save a draft: texts, each goal's actual value and each measure's progress."""
    report = _locked(report)
    _check_report_editable(actor, report)
    check_version(report, expected_version)
    goals = {g.pk: g for g in report.project.goals.all()}
    project_measures = {m.pk: m for m in report.project.measures.all()}
    parsed: dict[int, Decimal] = {}
    for goal_id, raw in (actuals or {}).items():
        goal = goals.get(int(goal_id))
        if goal is None:
            raise DomainError(_("指标不属于该项目。"), "invalid", field="actuals")
        value = to_decimal(raw, field=f"actual_{goal.pk}", label=goal.name, required=False)
        if value is not None:
            parsed[goal.pk] = value
    updates: dict[int, tuple[str, int, str]] = {}
    for measure_id, item in (measures or {}).items():
        measure = project_measures.get(int(measure_id))
        if measure is None:
            raise DomainError(_("措施不属于该项目。"), "invalid", field="measures")
        if item.status not in MeasureStatus.values:
            raise DomainError(_("措施状态无效。"), "invalid_choice", field=f"measure_{measure.pk}")
        try:
            percent = int(str(item.percent_complete).strip() or 0)
        except ValueError as exc:
            raise DomainError(
                _("完成百分比必须是 0 到 100 的整数。"),
                "out_of_range",
                field=f"measure_{measure.pk}",
            ) from exc
        if not 0 <= percent <= 100:
            raise DomainError(
                _("完成百分比必须是 0 到 100 的整数。"),
                "out_of_range",
                field=f"measure_{measure.pk}",
            )
        updates[measure.pk] = (item.status, percent, (item.note or "").strip()[:500])

    report.progress = (progress or "").strip()
    report.problems = (problems or "").strip()
    report.next_steps = (next_steps or "").strip()
    save_with_history(report, actor=actor, reason=_("保存进展报告"))
    for goal_id, value in parsed.items():
        reading = IndicatorReading.objects.filter(report=report, goal_id=goal_id).first()
        reading = reading or IndicatorReading(report=report, goal_id=goal_id)
        reading.actual = value
        save_with_history(reading, actor=actor)
    for measure_id, (status, percent, note) in updates.items():
        update = MeasureUpdate.objects.filter(report=report, measure_id=measure_id).first()
        update = update or MeasureUpdate(report=report, measure_id=measure_id)
        update.status, update.percent_complete, update.note = status, percent, note
        save_with_history(update, actor=actor)
    return report


def previous_light(report: ProgressReport) -> str | None:
    """The light of the project's latest submitted report for an earlier period."""
    earlier = (
        ProgressReport.objects.filter(
            project_id=report.project_id,
            period__start_date__lt=report.period.start_date,
            status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
        )
        .order_by("-period__start_date")
        .first()
    )
    return earlier.light if earlier else None


def report_figures(report: ProgressReport) -> tuple[Decimal | None, Decimal]:
    """(weighted goal attainment, share of the project's time elapsed at the period's end)."""
    readings = {r.goal_id: r.actual for r in report.readings.all()}
    pairs = [
        (rules.attainment(baseline=g.baseline, target=g.target, actual=readings[g.pk]), g.weight)
        for g in report.project.goals.all()
        if g.pk in readings
    ]
    elapsed = rules.elapsed_share(
        start=report.project.start_date, end=report.project.end_date, as_of=report.period.end_date
    )
    return rules.weighted_attainment(pairs), elapsed


def thresholds_for(campaign: Campaign) -> rules.Thresholds:
    return rules.Thresholds(amber_after=campaign.amber_after, red_after=campaign.red_after)


@transaction.atomic
def report_submit(
    *,
    actor,
    report: ProgressReport,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """Submit for review: on time or late against the period's deadline, with its light."""
    report = _locked(report)
    _check_report_editable(actor, report)
    check_version(report, expected_version)
    goal_ids = set(report.project.goals.values_list("pk", flat=True))
    read_ids = set(report.readings.values_list("goal_id", flat=True))
    missing = goal_ids - read_ids
    if missing:
        names = "、".join(
            report.project.goals.filter(pk__in=missing).values_list("name", flat=True)
        )
        raise DomainError(
            _("请填写以下指标的实际值：%(names)s") % {"names": names}, "actuals_required"
        )
    if not report.progress:
        raise DomainError(_("请填写进展情况。"), "required", field="progress")
    now = now or timezone.now()
    attained, elapsed = report_figures(report)
    light = rules.status_light(
        attainment_share=attained,
        elapsed=elapsed,
        previous=previous_light(report),
        thresholds=thresholds_for(report.project.campaign),
    )
    report.status = ReportStatus.SUBMITTED
    report.revision += 1
    report.submitted_at = now
    report.submitted_by = actor
    report.is_late = timezone.localtime(now).date() > report.period.deadline
    places = Decimal("0.0001")
    report.attainment = attained.quantize(places) if attained is not None else None
    report.elapsed = elapsed.quantize(places)
    report.computed_light = light
    save_with_history(report, actor=actor, reason=_("提交进展报告"))
    # The measures' current state is what the latest report says.
    for update in report.measure_updates.select_related("measure"):
        measure: Measure = update.measure
        if (measure.status, measure.percent_complete) != (update.status, update.percent_complete):
            measure.status, measure.percent_complete = update.status, update.percent_complete
            save_with_history(measure, actor=actor, reason=_("随进展报告更新"))
    _sync_supervision(report, actor=actor, now=now)
    emit("report.submitted", report_event_data(report), report.project.org, actor=actor)
    return report


def report_event_data(report: ProgressReport) -> dict[str, Any]:
    """How a report appears in a webhook payload."""
    return {
        "report": {
            "id": report.pk,
            "status": report.status,
            "revision": report.revision,
            "period_id": report.period_id,
            "period": report.period.name,
            "is_late": report.is_late,
            "light": report.light,
            "review_comment": report.review_comment,
            "version": report.lock_version,
        },
        "project": project_event_data(report.project),
    }


def _sync_supervision(report: ProgressReport, *, actor, now: dt.datetime | None = None) -> None:
    """Open a 督办 when a project turns red, close it when it turns green again."""
    project = report.project
    open_item = Supervision.objects.filter(project=project, closed_at__isnull=True).first()
    if report.light == rules.Light.RED and open_item is None:
        today = timezone.localdate(now) if now is not None else None
        supervision_open(project=project, actor=actor, report=report, today=today)
        emit("project.turned_red", report_event_data(report), project.org, actor=actor)
    elif report.light == rules.Light.GREEN and open_item is not None:
        open_item.closed_at = now or timezone.now()
        open_item.close_reason = _("已转为绿灯")
        save_with_history(open_item, actor=actor, reason=_("已转为绿灯"))


def supervision_open(
    *,
    project: Project,
    actor,
    report: ProgressReport | None = None,
    today: dt.date | None = None,
) -> Supervision:
    """Put a project on the campaign owner's 督办 board, owned by its lead, due in 30 days
    (from `today`, the office date of the report that turned it red; default: now)."""
    existing = Supervision.objects.filter(project=project, closed_at__isnull=True).first()
    if existing:
        return existing
    return save_with_history(
        Supervision(
            project=project,
            org=project.campaign.org,
            owner=project.lead,
            deadline=(today or local_today()) + dt.timedelta(days=30),
            opened_by_report=report,
        ),
        actor=actor,
        reason=_("项目亮红灯，列入督办"),
    )


@transaction.atomic
def report_accept(
    *,
    actor,
    report: ProgressReport,
    comment: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    report = _locked(report)
    check_version(report, expected_version)
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(_("只能审核已提交的报告。"), "invalid_transition")
    if not perms.can_review_report(actor, report):
        raise _forbid(_("您无权审核该报告。"))
    report.status = ReportStatus.ACCEPTED
    report.reviewed_at = now or timezone.now()
    report.reviewed_by = actor
    report.review_comment = (comment or "").strip()
    return save_with_history(report, actor=actor, reason=_("审核通过"))


@transaction.atomic
def report_return(
    *,
    actor,
    report: ProgressReport,
    comment: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> ProgressReport:
    """Send a report back with a comment; it reopens for the lead and is resubmitted."""
    report = _locked(report)
    check_version(report, expected_version)
    if report.status != ReportStatus.SUBMITTED:
        raise DomainError(_("只能退回已提交的报告。"), "invalid_transition")
    if not perms.can_review_report(actor, report):
        raise _forbid(_("您无权审核该报告。"))
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("退回时请填写意见。"), "reason_required", field="comment")
    report.status = ReportStatus.RETURNED
    report.reviewed_at = now or timezone.now()
    report.reviewed_by = actor
    report.review_comment = comment
    save_with_history(report, actor=actor, reason=comment)
    lead_user = report.project.lead.user
    if lead_user is not None:
        notify(
            user=lead_user,
            key=f"returned:{report.pk}:{report.revision}",
            kind="report_returned",
            title=_("进展报告被退回：%(project)s（%(period)s）")
            % {"project": report.project.title, "period": report.period.name},
            body=comment,
            url=f"/checkins/reports/{report.pk}/",
        )
    emit("report.returned", report_event_data(report), report.project.org, actor=actor)
    return report


@transaction.atomic
def report_override_light(
    *, actor, report: ProgressReport, light: str, reason: str
) -> ProgressReport:
    """A lead may set the light by hand, with a written reason shown beside it."""
    report = _locked(report)
    if not perms.can_override_light(actor, report):
        raise _forbid(_("您无权调整该项目的灯号。"))
    if light and light not in LightChoices.values:
        raise DomainError(_("灯号无效。"), "invalid_choice", field="light")
    reason = (reason or "").strip()
    if light and not reason:
        raise DomainError(_("调整灯号必须填写理由。"), "reason_required", field="reason")
    report.override_light = light or ""
    report.override_reason = reason if light else ""
    report.override_by = actor if light else None
    save_with_history(report, actor=actor, reason=reason or _("取消灯号调整"))
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
        _sync_supervision(report, actor=actor)
    return report


# --------------------------------------------------------------------------- evidence


@transaction.atomic
def evidence_add(
    *,
    actor,
    upload,
    report: ProgressReport | None = None,
    claim: BenefitClaim | None = None,
    rectification: RectificationItem | None = None,
) -> Evidence:
    """Attach a file to exactly one report, claim or rectification item."""
    owners = [o for o in (report, claim, rectification) if o is not None]
    if len(owners) != 1:
        raise DomainError(_("佐证材料必须属于一个报告、成果或整改事项。"), "invalid")
    if report is not None:
        _check_report_editable(actor, report)
    elif claim is not None:
        if claim.status != ClaimStatus.DECLARED or not perms.can_declare_claim(
            actor, claim.project
        ):
            raise _forbid(_("您不能为该成果补充材料。"))
    elif rectification is not None and (
        rectification.status != RectificationStatus.OPEN
        or not perms.can_close_rectification(actor, rectification)
    ):
        raise _forbid(_("您不能为该整改事项上传材料。"))
    check_upload(upload)
    evidence = Evidence(
        report=report,
        claim=claim,
        rectification=rectification,
        file=upload,
        name=(upload.name or "")[:255],
        size=upload.size,
        uploaded_by=actor,
    )
    evidence._history_user = actor  # type: ignore[attr-defined]
    evidence.save()
    return evidence


# --------------------------------------------------------------------------- benefit claims


@transaction.atomic
def claim_declare(
    *,
    actor,
    project: Project,
    period: Period,
    amount: Any,
    source: str,
    description: str = "",
) -> BenefitClaim:
    """Declare a 创效 amount (万元) for one period; a project claims a period only once."""
    if not project.project_type.is_benefit:
        raise DomainError(_("只有创效类项目可以申报创效成果。"), "not_benefit_project")
    if not perms.can_declare_claim(actor, project):
        raise _forbid(_("您无权为该项目申报成果。"))
    if period.campaign_id != project.campaign_id:
        raise DomainError(_("该周期不属于项目所在的活动。"), "invalid", field="period")
    _check_period_open(period)
    value = to_decimal(amount, field="amount", label=_("金额"))
    if value <= 0:
        raise DomainError(_("金额必须大于 0。"), "out_of_range", field="amount")
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("金额最多保留两位小数（万元）。"), "precision", field="amount")
    if source not in BenefitSource.values:
        raise DomainError(_("请选择成果来源。"), "invalid_choice", field="source")
    if BenefitClaim.objects.filter(project=project, period=period).exists():
        raise DomainError(
            _("该项目在“%(period)s”已申报过成果，同一成果不能重复申报。") % {"period": period.name},
            "duplicate_claim",
            field="period",
        )
    return save_with_history(
        BenefitClaim(
            project=project,
            period=period,
            amount=value,
            source=source,
            description=(description or "").strip(),
            claimant=actor,
        ),
        actor=actor,
        reason=_("申报创效成果"),
    )


def _check_can_decide(actor, claim: BenefitClaim) -> None:
    if claim.status != ClaimStatus.DECLARED:
        raise DomainError(_("该成果已处理过。"), "invalid_transition")
    if claim.claimant_id == getattr(actor, "pk", None):
        raise DomainError(_("不能核定自己申报的成果。"), "self_verification")
    if not perms.can_verify_claim(actor, claim):
        raise _forbid(_("您没有效益核定权限。"))


@transaction.atomic
def claim_verify(
    *,
    actor,
    claim: BenefitClaim,
    verified_amount: Any = None,
    note: str = "",
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> BenefitClaim:
    """核定: a verifier who is not the claimant confirms the amount (or a lower one)."""
    _check_can_decide(actor, claim)
    check_version(claim, expected_version)
    if not claim.evidence.exists():
        raise DomainError(_("核定前请先上传佐证材料。"), "evidence_required")
    amount = claim.amount
    if verified_amount not in (None, ""):
        amount = to_decimal(verified_amount, field="verified_amount", label=_("核定金额"))
        if amount <= 0 or amount > claim.amount:
            raise DomainError(
                _("核定金额必须大于 0 且不超过申报金额。"), "out_of_range", field="verified_amount"
            )
    claim.status = ClaimStatus.VERIFIED
    claim.verified_amount = amount
    claim.verifier = actor
    claim.verified_at = now or timezone.now()
    claim.decision_note = (note or "").strip()
    return save_with_history(claim, actor=actor, reason=_("核定成果"))


@transaction.atomic
def claim_reject(
    *,
    actor,
    claim: BenefitClaim,
    reason: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> BenefitClaim:
    _check_can_decide(actor, claim)
    check_version(claim, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("驳回时请填写理由。"), "reason_required", field="reason")
    claim.status = ClaimStatus.REJECTED
    claim.verifier = actor
    claim.verified_at = now or timezone.now()
    claim.decision_note = reason
    return save_with_history(claim, actor=actor, reason=reason)


# --------------------------------------------------------------------------- inspections


@dataclass(frozen=True)
class RectificationInput:
    description: str
    owner: Person | None
    due_date: dt.date | None


def _validated_item(inspection: Inspection, data: RectificationInput) -> RectificationItem:
    if not (data.description or "").strip():
        raise DomainError(_("请填写整改事项。"), "required", field="items")
    if data.owner is None:
        raise DomainError(_("请指定整改责任人。"), "required", field="items")
    if data.due_date is None:
        raise DomainError(_("请填写整改时限。"), "required", field="items")
    if data.due_date < inspection.date:
        raise DomainError(_("整改时限不能早于检查日期。"), "dates_out_of_order", field="items")
    if not data.owner.org.path.startswith(inspection.subject_org.path):
        raise DomainError(_("整改责任人应属于被检查单位。"), "out_of_scope", field="items")
    return RectificationItem(
        inspection=inspection,
        description=data.description.strip(),
        owner=data.owner,
        due_date=data.due_date,
    )


@transaction.atomic
def inspection_create(
    *,
    actor,
    campaign: Campaign,
    inspecting_org: Org,
    date: dt.date,
    inspectors: str,
    methods: list[str],
    findings: str,
    rating: str,
    project: Project | None = None,
    target_org: Org | None = None,
    items: list[RectificationInput] | None = None,
) -> Inspection:
    """Record an inspection of a project or a lower org, with its rectification items."""
    if (project is None) == (target_org is None):
        raise DomainError(
            _("请选择被检查的项目或下级组织（二选一）。"), "required", field="project"
        )
    subject = project.org if project is not None else target_org
    if project is not None and project.campaign_id != campaign.pk:
        raise DomainError(_("该项目不属于本活动。"), "invalid", field="project")
    if not perms.can_inspect(actor, inspecting_org, subject):
        raise _forbid(_("只能由本组织或上级组织的管理员检查本组织的项目或下级组织。"))
    if not date:
        raise DomainError(_("请填写检查日期。"), "required", field="date")
    if not (inspectors or "").strip():
        raise DomainError(_("请填写检查人员。"), "required", field="inspectors")
    if not methods or any(m not in InspectionMethod.values for m in methods):
        raise DomainError(_("请选择检查方式。"), "invalid_choice", field="methods")
    if not (findings or "").strip():
        raise DomainError(_("请填写检查发现。"), "required", field="findings")
    if rating not in InspectionRating.values:
        raise DomainError(_("请选择评价。"), "invalid_choice", field="rating")
    inspection = Inspection(
        campaign=campaign,
        inspecting_org=inspecting_org,
        project=project,
        target_org=target_org,
        date=date,
        inspectors=inspectors.strip(),
        methods=sorted(set(methods), key=InspectionMethod.values.index),
        findings=findings.strip(),
        rating=rating,
        created_by=actor,
    )
    rows = [_validated_item(inspection, item) for item in items or []]
    save_with_history(inspection, actor=actor, reason=_("记录检查"))
    for row in rows:
        row.inspection = inspection
        save_with_history(row, actor=actor, reason=_("下达整改事项"))
    return inspection


@transaction.atomic
def rectification_add(
    *, actor, inspection: Inspection, data: RectificationInput
) -> RectificationItem:
    if not perms.can_inspect(actor, inspection.inspecting_org, inspection.subject_org):
        raise _forbid(_("您无权为该检查下达整改事项。"))
    return save_with_history(
        _validated_item(inspection, data), actor=actor, reason=_("下达整改事项")
    )


@transaction.atomic
def rectification_close(
    *,
    actor,
    item: RectificationItem,
    closing_note: str,
    now: dt.datetime | None = None,
    expected_version: int | None = None,
) -> RectificationItem:
    """销号: only with evidence and a closing note."""
    if item.status != RectificationStatus.OPEN:
        raise DomainError(_("该整改事项已销号。"), "invalid_transition")
    if not perms.can_close_rectification(actor, item):
        raise _forbid(_("您无权为该整改事项销号。"))
    check_version(item, expected_version)
    closing_note = (closing_note or "").strip()
    if not closing_note:
        raise DomainError(_("销号时请填写整改情况说明。"), "reason_required", field="closing_note")
    if not item.evidence.exists():
        raise DomainError(_("销号前请上传整改佐证材料。"), "evidence_required", field="file")
    item.status = RectificationStatus.CLOSED
    item.closing_note = closing_note
    item.closed_at = now or timezone.now()
    item.closed_by = actor
    return save_with_history(item, actor=actor, reason=_("整改销号"))


# --------------------------------------------------------------------------- notifications


def notify(*, user, key: str, kind: str, title: str, body: str = "", url: str = "") -> bool:
    """Put a message in the user's inbox once per key; True when it is new."""
    _notification, created = Notification.objects.get_or_create(
        user=user,
        key=key[:200],
        defaults={"kind": kind, "title": title[:300], "body": body, "url": url},
    )
    return created


@transaction.atomic
def notification_mark_read(*, user, notification: Notification) -> Notification:
    if notification.user_id != user.pk:
        raise _forbid(_("这不是您的通知。"))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


@transaction.atomic
def org_webhook_create(*, actor, org: Org, kind: str, url: str) -> OrgWebhook:
    """Register a WeCom/DingTalk group robot for an org's reminders (http or https only)."""
    if not can_manage_org(actor, org):
        raise _forbid(_("您无权为该组织设置群机器人。"))
    if kind not in WebhookKind.values:
        raise DomainError(_("请选择机器人类型。"), "invalid_choice", field="kind")
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DomainError(
            _("机器人地址必须以 http:// 或 https:// 开头。"), "invalid_url", field="url"
        )
    if len(url) > 500:
        raise DomainError(_("机器人地址过长。"), "too_long", field="url")
    return save_with_history(
        OrgWebhook(org=org, kind=kind, url=url), actor=actor, reason=_("设置群机器人")
    )


@transaction.atomic
def notifications_mark_all_read(*, user) -> int:
    """Mark every unread inbox entry of `user` read; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now()
    )
