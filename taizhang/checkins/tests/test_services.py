import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.checkins import services
from taizhang.checkins.models import (
    BenefitClaim,
    ClaimStatus,
    IndicatorReading,
    Notification,
    Period,
    ProgressReport,
    RectificationStatus,
    ReportStatus,
    Supervision,
)
from taizhang.checkins.services import MeasureProgress, RectificationInput
from taizhang.core.exceptions import DomainError

SHANGHAI = timezone.get_fixed_timezone(8 * 60)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def pdf(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4 test", content_type="application/pdf")


def test_quarterly_periods_are_generated_once(world, checkin):
    names = [p.name for p in checkin.periods]
    assert names == ["2020年第1季度", "2020年第2季度", "2020年第3季度", "2020年第4季度"]
    q1 = checkin.periods[0]
    assert (q1.start_date, q1.end_date, q1.deadline) == (
        dt.date(2020, 1, 1),
        dt.date(2020, 3, 31),
        dt.date(2020, 4, 10),
    )
    assert services.periods_generate(actor=world.admin_company_a, campaign=world.campaign) == []
    assert Period.objects.filter(campaign=world.campaign).count() == 4


def test_monthly_periods_clip_to_campaign_dates(world):
    campaign = CampaignFactory(
        org=world.company_a,
        cadence="monthly",
        start_date=dt.date(2020, 3, 15),
        end_date=dt.date(2020, 6, 10),
    )
    periods = services.periods_generate(actor=world.admin_company_a, campaign=campaign)
    assert [(p.start_date, p.end_date) for p in periods] == [
        (dt.date(2020, 3, 15), dt.date(2020, 3, 31)),
        (dt.date(2020, 4, 1), dt.date(2020, 4, 30)),
        (dt.date(2020, 5, 1), dt.date(2020, 5, 31)),
        (dt.date(2020, 6, 1), dt.date(2020, 6, 10)),
    ]


def test_period_adjustment_rules(world, checkin):
    q1 = checkin.periods[0]
    with pytest.raises(DomainError) as info:
        services.period_update(actor=world.admin_company_a, period=q1, deadline=dt.date(2020, 3, 1))
    assert info.value.code == "deadline_before_end"
    with pytest.raises(DomainError) as info:
        services.period_update(
            actor=world.admin_company_a,
            period=q1,
            end_date=dt.date(2020, 4, 15),
            deadline=dt.date(2020, 5, 1),
        )
    assert info.value.code == "overlap"
    with pytest.raises(DomainError):
        services.period_update(actor=world.admin_a1, period=q1, deadline=dt.date(2020, 4, 20))
    services.period_update(actor=world.admin_company_a, period=q1, deadline=dt.date(2020, 4, 20))
    q1.refresh_from_db()
    assert q1.deadline == dt.date(2020, 4, 20)


def _fill(world, checkin, period, profit="250", loss="60"):
    report = services.report_start(actor=world.lead_a1, project=checkin.project, period=period)
    services.report_save(
        actor=world.lead_a1,
        report=report,
        progress="完成独居石首单采购",
        problems="运输受阻",
        next_steps="扩大采购",
        actuals={checkin.profit.pk: profit, checkin.loss.pk: loss},
        measures={checkin.measure.pk: MeasureProgress(status="in_progress", percent_complete=40)},
    )
    return report


def test_report_submit_on_time_sets_light_and_updates_measures(world, checkin):
    q2 = checkin.periods[1]
    report = _fill(world, checkin, q2)
    report = services.report_submit(actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 5)))
    assert report.status == ReportStatus.SUBMITTED
    assert report.is_late is False
    # Attainment: profit 250/500 = 0.5 (weight 3), loss (120-60)/120 = 0.5 (weight 1) → 0.5.
    assert report.attainment == Decimal("0.5")
    # Q2 ends 30 June: 181 of 365 days elapsed ≈ 49.6 %, so the project is on plan.
    assert report.computed_light == "green"
    checkin.measure.refresh_from_db()
    assert (checkin.measure.status, checkin.measure.percent_complete) == ("in_progress", 40)


def test_late_submission_and_red_light_open_supervision(world, checkin):
    q2 = checkin.periods[1]
    report = _fill(world, checkin, q2, profit="50", loss="110")
    report = services.report_submit(
        actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 11))
    )
    assert report.is_late is True
    assert report.computed_light == "red"
    supervision = Supervision.objects.get(project=checkin.project, closed_at__isnull=True)
    assert supervision.owner == world.lead_person_a1
    assert supervision.org == world.campaign.org
    # Back on plan next quarter: the 督办 closes.
    q3 = checkin.periods[2]
    report3 = _fill(world, checkin, q3, profit="400", loss="20")
    services.report_submit(actor=world.lead_a1, report=report3, now=at(dt.date(2020, 10, 1)))
    supervision.refresh_from_db()
    assert supervision.closed_at is not None


def test_two_ambers_in_a_row_make_red(world, checkin):
    q2, q3 = checkin.periods[1], checkin.periods[2]
    # Q2 ≈ 49.6 % elapsed; 30 % attained → ~20 points behind → amber.
    first = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, q2, profit="150", loss="84"),
        now=at(dt.date(2020, 7, 1)),
    )
    assert first.computed_light == "amber"
    # Q3 ≈ 75 % elapsed; 55 % attained → ~20 behind → amber again → red.
    second = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, q3, profit="275", loss="54"),
        now=at(dt.date(2020, 10, 1)),
    )
    assert second.computed_light == "red"


@pytest.mark.parametrize("bad", ["abc", "十二", "NaN", "1e20"])
def test_non_numeric_actual_is_refused_and_nothing_saved(world, checkin, bad):
    report = services.report_start(
        actor=world.lead_a1, project=checkin.project, period=checkin.periods[0]
    )
    with pytest.raises(DomainError) as info:
        services.report_save(
            actor=world.lead_a1,
            report=report,
            progress="新的进展",
            actuals={checkin.profit.pk: "10", checkin.loss.pk: bad},
        )
    assert info.value.code in {"not_a_number", "out_of_range"}
    report.refresh_from_db()
    assert report.progress == ""
    assert not IndicatorReading.objects.filter(report=report).exists()


def test_submit_requires_every_actual(world, checkin):
    report = services.report_start(
        actor=world.lead_a1, project=checkin.project, period=checkin.periods[0]
    )
    services.report_save(
        actor=world.lead_a1, report=report, progress="x", actuals={checkin.profit.pk: "10"}
    )
    with pytest.raises(DomainError) as info:
        services.report_submit(actor=world.lead_a1, report=report)
    assert info.value.code == "actuals_required"
    assert "经营亏损" in info.value.message


def test_closed_period_refuses_reports(world, checkin):
    q1 = checkin.periods[0]
    q1 = services.period_update(actor=world.admin_company_a, period=q1, is_closed=True)
    with pytest.raises(DomainError) as info:
        services.report_start(actor=world.lead_a1, project=checkin.project, period=q1)
    assert info.value.code == "period_closed"
    assert not ProgressReport.objects.exists()


def test_return_and_resubmit_keeps_every_version(world, checkin):
    q2 = checkin.periods[1]
    report = services.report_submit(
        actor=world.lead_a1, report=_fill(world, checkin, q2), now=at(dt.date(2020, 7, 2))
    )
    with pytest.raises(DomainError):
        services.report_return(actor=world.lead_a1, report=report, comment="自己退回")
    with pytest.raises(DomainError) as info:
        services.report_return(actor=world.admin_a1, report=report, comment="")
    assert info.value.code == "reason_required"
    services.report_return(actor=world.admin_a1, report=report, comment="请补充利润数据来源")
    assert Notification.objects.filter(user=world.lead_a1, kind="report_returned").count() == 1
    services.report_save(
        actor=world.lead_a1,
        report=report,
        progress="补充了数据来源",
        actuals={checkin.profit.pk: "260", checkin.loss.pk: "60"},
    )
    report = services.report_submit(actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 8)))
    assert report.revision == 2
    services.report_accept(actor=world.admin_a1, report=report, comment="同意")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    statuses = list(report.history.order_by("history_id").values_list("status", flat=True))
    assert "returned" in statuses and statuses.count("submitted") >= 2
    with pytest.raises(DomainError) as info:
        services.report_save(actor=world.lead_a1, report=report, progress="改")
    assert info.value.code == "report_locked"


def test_only_lead_or_delegated_participant_writes(world, checkin):
    with pytest.raises(DomainError):
        services.report_start(
            actor=world.participant_a1, project=checkin.project, period=checkin.periods[0]
        )
    from taizhang.campaigns.tests.factories import ParticipantFactory

    ParticipantFactory(project=checkin.project, person=world.participant_a1.person, can_report=True)
    report = services.report_start(
        actor=world.participant_a1, project=checkin.project, period=checkin.periods[0]
    )
    assert report.pk


def test_light_override_needs_reason_and_is_kept(world, checkin):
    report = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, checkin.periods[1], profit="50", loss="110"),
        now=at(dt.date(2020, 7, 1)),
    )
    assert report.light == "red"
    with pytest.raises(DomainError):
        services.report_override_light(actor=world.lead_a1, report=report, light="amber", reason="")
    services.report_override_light(
        actor=world.lead_a1, report=report, light="amber", reason="合同已签，款项下季度到账"
    )
    report.refresh_from_db()
    assert report.light == "amber" and report.computed_light == "red"
    assert report.history.latest().history_change_reason == "合同已签，款项下季度到账"


def test_benefit_claim_verification_rules(world, checkin):
    q2 = checkin.periods[1]
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=q2,
        amount="120.5",
        source="trade_profit",
    )
    with pytest.raises(DomainError) as info:
        services.claim_declare(
            actor=world.lead_a1,
            project=checkin.project,
            period=q2,
            amount="10",
            source="trade_profit",
        )
    assert info.value.code == "duplicate_claim"
    with pytest.raises(DomainError) as info:
        services.claim_declare(
            actor=world.lead_a1,
            project=checkin.project,
            period=checkin.periods[2],
            amount="-5",
            source="trade_profit",
        )
    assert info.value.code == "out_of_range"
    with pytest.raises(DomainError) as info:
        services.claim_verify(actor=checkin.verifier, claim=claim)
    assert info.value.code == "evidence_required"
    services.evidence_add(actor=world.lead_a1, upload=pdf(), claim=claim)
    with pytest.raises(DomainError) as info:
        services.claim_verify(actor=world.lead_a1, claim=claim)
    assert info.value.code == "self_verification"
    with pytest.raises(DomainError) as info:
        services.claim_verify(actor=world.admin_a1, claim=claim)
    assert info.value.code == "forbidden"
    services.claim_verify(actor=checkin.verifier, claim=claim, verified_amount="100")
    claim.refresh_from_db()
    assert (claim.status, claim.verified_amount) == (ClaimStatus.VERIFIED, Decimal("100.00"))
    assert BenefitClaim.objects.count() == 1


def test_innovation_project_cannot_claim(world, checkin):
    project = checkin.project
    project.project_type = world.campaign.project_types.get(short_name="创新")
    project.save()
    with pytest.raises(DomainError) as info:
        services.claim_declare(
            actor=world.lead_a1,
            project=project,
            period=checkin.periods[0],
            amount="1",
            source="other",
        )
    assert info.value.code == "not_benefit_project"


def test_evidence_file_checks(world, checkin, settings):
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[0],
        amount="1",
        source="other",
    )
    with pytest.raises(DomainError) as info:
        services.evidence_add(
            actor=world.lead_a1, upload=SimpleUploadedFile("x.exe", b"MZ"), claim=claim
        )
    assert info.value.code == "file_type"
    settings.TAIZHANG_ATTACHMENT_MAX_BYTES = 5
    with pytest.raises(DomainError) as info:
        services.evidence_add(actor=world.lead_a1, upload=pdf(), claim=claim)
    assert info.value.code == "file_too_large"
    assert not claim.evidence.exists()


def test_inspection_and_rectification_closure(world, checkin):
    inspection = services.inspection_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        inspecting_org=world.company_a,
        project=checkin.project,
        date=dt.date(2020, 9, 20),
        inspectors="张书记、李委员",
        methods=["documents", "briefing"],
        findings="台账记录不全",
        rating="good",
        items=[
            RectificationInput(
                description="补齐三季度台账",
                owner=world.lead_person_a1,
                due_date=dt.date(2020, 10, 31),
            )
        ],
    )
    assert inspection.methods == ["briefing", "documents"]
    item = inspection.items.get()
    with pytest.raises(DomainError) as info:
        services.rectification_close(actor=world.lead_a1, item=item, closing_note="已补齐")
    assert info.value.code == "evidence_required"
    services.evidence_add(actor=world.lead_a1, upload=pdf("台账.pdf"), rectification=item)
    services.rectification_close(actor=world.lead_a1, item=item, closing_note="已补齐")
    item.refresh_from_db()
    assert item.status == RectificationStatus.CLOSED


def test_a_branch_cannot_inspect_its_sibling_or_parent(world, checkin):
    kwargs = dict(
        campaign=world.campaign,
        date=dt.date(2020, 9, 1),
        inspectors="x",
        methods=["site"],
        findings="y",
        rating="fair",
    )
    with pytest.raises(DomainError):
        services.inspection_create(
            actor=world.admin_a2, inspecting_org=world.branch_a2, project=checkin.project, **kwargs
        )
    with pytest.raises(DomainError):
        services.inspection_create(
            actor=world.admin_a1,
            inspecting_org=world.branch_a1,
            target_org=world.company_a,
            **kwargs,
        )
    with pytest.raises(DomainError):
        services.inspection_create(
            actor=world.admin_company_a, inspecting_org=world.company_a, **kwargs
        )
