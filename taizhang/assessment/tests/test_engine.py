import datetime as dt
from decimal import Decimal

import pytest

from taizhang.assessment import engine, services
from taizhang.assessment.fixedpoint import ONE, to_points
from taizhang.assessment.models import CriterionKind, DeductionKind, EntryKind, RunKind
from taizhang.assessment.services import BandSpec, BonusSpec, DeductionSpec, VetoSpec
from taizhang.assessment.tests.conftest import single_criterion_spec, submit_report
from taizhang.campaigns.tests.factories import MeasureFactory, PairingFactory, ParticipantFactory
from taizhang.checkins.models import (
    BenefitClaim,
    Inspection,
    MeasureUpdate,
    Period,
    RectificationItem,
)
from taizhang.core.exceptions import DomainError
from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import OrgFactory, PersonFactory

D = Decimal


def _scheme(world, kind, **extra):
    return services.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        spec=single_criterion_spec(kind, **extra),
    )


def _score(scheme, period, project) -> Decimal:
    [result] = engine.score_projects(scheme, period, [project.pk])
    return to_points(result.total_micro)


def test_goal_attainment_weighted_and_lower_is_better(world, q3, running):
    scheme = _scheme(world, CriterionKind.GOAL_ATTAINMENT)
    project, (profit, loss) = running(goals=((0, 500, 3), (120, 0, 1)))
    submit_report(project, q3, {profit: 250, loss: 30})  # 0.5 (w3) and 0.75 (w1)
    assert _score(scheme, q3, project) == D("56.25")
    [result] = engine.score_projects(scheme, q3, [project.pk])
    goals = result.breakdown["dimensions"][0]["criteria"][0]["inputs"]["goals"]
    assert [(g["name"], g["actual"], g["share"]) for g in goals] == [
        (profit.name, "250.0000", ONE // 2),
        (loss.name, "30.0000", ONE * 3 // 4),
    ]


def test_goal_attainment_without_report_is_zero(world, q3, running):
    scheme = _scheme(world, CriterionKind.GOAL_ATTAINMENT)
    project, _goals = running()
    assert _score(scheme, q3, project) == D("0.00")


def test_measure_completion_from_report_then_current(world, q3, running):
    scheme = _scheme(world, CriterionKind.MEASURE_COMPLETION)
    project, (goal,) = running()
    first = MeasureFactory(project=project, percent_complete=10)
    second = MeasureFactory(project=project, percent_complete=20)
    assert _score(scheme, q3, project) == D("15.00")  # no report: the measures' current state
    report = submit_report(project, q3, {goal: 10})
    MeasureUpdate.objects.create(
        report=report, measure=first, status="in_progress", percent_complete=60
    )
    MeasureUpdate.objects.create(report=report, measure=second, status="done", percent_complete=100)
    assert _score(scheme, q3, project) == D("80.00")


def test_report_timeliness(world, q3, running):
    scheme = _scheme(world, CriterionKind.REPORT_TIMELINESS, params={"late_share": "0.4"})
    on_time, (g1,) = running()
    late, (g2,) = running()
    missing, _g = running()
    submit_report(on_time, q3, {g1: 1})
    submit_report(late, q3, {g2: 1}, late=True)
    assert [_score(scheme, q3, p) for p in (on_time, late, missing)] == [
        D("100.00"),
        D("40.00"),
        D("0.00"),
    ]


def test_inspection_rating_uses_latest_inspection_up_to_period_end(world, q3, running):
    scheme = _scheme(world, CriterionKind.INSPECTION_RATING, params={"none_share": "0.8"})
    project, _g = running()
    assert _score(scheme, q3, project) == D("80.00")
    common = dict(
        campaign=world.campaign,
        inspecting_org=world.company_a,
        project=project,
        inspectors="x",
        methods=["site"],
        findings="y",
        created_by=world.admin_company_a,
    )
    Inspection.objects.create(date=dt.date(2020, 8, 1), rating="fair", **common)
    Inspection.objects.create(date=dt.date(2020, 9, 1), rating="good", **common)
    Inspection.objects.create(date=dt.date(2020, 11, 1), rating="poor", **common)  # after Q3
    assert _score(scheme, q3, project) == D("85.00")


def test_three_level_participation_criteria(world, q3, running):
    lead_scheme = _scheme(world, CriterionKind.LEAD_IS_MEMBER)
    member_led, _g = running()
    legacy, _g = running(lead=world.masses_a1)  # imported before the rule existed
    assert [_score(lead_scheme, q3, p) for p in (member_led, legacy)] == [D("100.00"), D("0.00")]

    masses = [
        PersonFactory(org=world.branch_a1, political_status=PoliticalStatus.MASSES)
        for _ in range(3)
    ]
    for person in masses:
        ParticipantFactory(project=member_led, person=person)
    ParticipantFactory(project=member_led, person=world.member_a1)  # a member: not counted
    PairingFactory(campaign=world.campaign, member=world.member_a1, colleague=masses[0])
    participation = services.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        spec=single_criterion_spec(CriterionKind.NON_MEMBER_PARTICIPATION, params={"target": 4}),
    )
    assert _score(participation, q3, member_led) == D("75.00")
    coverage = services.scheme_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        spec=single_criterion_spec(CriterionKind.PAIRING_COVERAGE),
    )
    assert _score(coverage, q3, member_led) == D("33.33")


def test_benefit_against_target(world, q3, running):
    scheme = _scheme(world, CriterionKind.BENEFIT_VS_TARGET)
    project, (goal,) = running(
        goals=((0, 500, 1),), project_type=world.campaign.project_types.get(short_name="创效")
    )
    q2 = Period.objects.create(
        campaign=world.campaign,
        name="Q2",
        start_date=dt.date(2020, 4, 1),
        end_date=dt.date(2020, 6, 30),
        deadline=dt.date(2020, 7, 10),
    )
    q4 = Period.objects.create(
        campaign=world.campaign,
        name="Q4",
        start_date=dt.date(2020, 10, 1),
        end_date=dt.date(2020, 12, 31),
        deadline=dt.date(2021, 1, 10),
    )
    for period, amount, status in (
        (q2, "100", "verified"),
        (q3, "150", "verified"),
        (q4, "200", "verified"),
    ):
        BenefitClaim.objects.create(
            project=project,
            period=period,
            amount=D(amount),
            verified_amount=D(amount),
            status=status,
            source="trade_profit",
            claimant=world.lead_a1,
        )
    BenefitClaim.objects.filter(period=q3).update(status="declared", verified_amount=None)
    assert _score(scheme, q3, project) == D("20.00")  # only Q2's 100 of 500 is verified by Q3
    innovation, _g = running(project_type=world.campaign.project_types.get(short_name="创新"))
    assert _score(scheme, q3, innovation) == D("100.00")  # not applicable: full marks


def test_manual_criterion_needs_reason_and_counts(world, q3, running):
    scheme = _scheme(world, CriterionKind.MANUAL)
    project, _g = running()
    criterion = scheme.dimensions.get().criteria.get()
    with pytest.raises(DomainError) as info:
        services.entry_add(
            actor=world.admin_a1,
            scheme=scheme,
            period=q3,
            kind=EntryKind.CRITERION,
            item_id=criterion.pk,
            value="0.9",
            note=" ",
            project=project,
        )
    assert info.value.code == "reason_required"
    with pytest.raises(DomainError):
        services.entry_add(
            actor=world.admin_a2,
            scheme=scheme,
            period=q3,
            kind=EntryKind.CRITERION,
            item_id=criterion.pk,
            value="0.9",
            note="越权",
            project=project,
        )
    services.entry_add(
        actor=world.admin_a1,
        scheme=scheme,
        period=q3,
        kind=EntryKind.CRITERION,
        item_id=criterion.pk,
        value="0.9",
        note="创新做法突出",
        project=project,
    )
    assert _score(scheme, q3, project) == D("90.00")


def test_deductions_are_capped_per_item(world, q3, running):
    spec = single_criterion_spec(
        CriterionKind.LEAD_IS_MEMBER,
        deductions=[
            DeductionSpec("缺报", DeductionKind.MISSING_REPORT, "2", "6"),
            DeductionSpec("整改逾期", DeductionKind.OVERDUE_RECTIFICATION, "0.2", "0.5"),
            DeductionSpec("其他", DeductionKind.MANUAL, "0", "1"),
        ],
    )
    scheme = services.scheme_create(actor=world.admin_company_a, campaign=world.campaign, spec=spec)
    project, _g = running()
    inspection = Inspection.objects.create(
        campaign=world.campaign,
        inspecting_org=world.company_a,
        project=project,
        date=dt.date(2020, 7, 1),
        inspectors="x",
        methods=["site"],
        findings="y",
        rating="good",
        created_by=world.admin_company_a,
    )
    for _ in range(4):  # 4 × 0.2 = 0.8, capped at 0.5
        RectificationItem.objects.create(
            inspection=inspection,
            description="z",
            owner=world.lead_person_a1,
            due_date=dt.date(2020, 8, 1),
        )
    manual = scheme.deductions.get(kind=DeductionKind.MANUAL)
    for points in ("0.6", "0.7"):  # 1.3, capped at 1
        services.entry_add(
            actor=world.admin_a1,
            scheme=scheme,
            period=q3,
            kind=EntryKind.DEDUCTION,
            item_id=manual.pk,
            value=points,
            note="台账不规范",
            project=project,
        )
    # Q3's deadline (2020-10-10) has passed, no report: missing −2.
    assert _score(scheme, q3, project) == D("96.50")
    [result] = engine.score_projects(scheme, q3, [project.pk])
    assert [
        (d["name"], d["count"], to_points(d["micro"])) for d in result.breakdown["deductions"]
    ] == [
        ("缺报", 1, D("2.00")),
        ("整改逾期", 4, D("0.50")),
        ("其他", 2, D("1.00")),
    ]


@pytest.mark.parametrize(("in_total", "expected"), [(False, D("80.00")), (True, D("83.00"))])
def test_bonus_in_or_out_of_total(world, q3, running, in_total, expected):
    spec = single_criterion_spec(
        CriterionKind.MANUAL, bonuses=[BonusSpec("表彰", "3")], bonus_in_total=in_total
    )
    scheme = services.scheme_create(actor=world.admin_company_a, campaign=world.campaign, spec=spec)
    project, _g = running()
    criterion = scheme.dimensions.get().criteria.get()
    services.entry_add(
        actor=world.admin_a1,
        scheme=scheme,
        period=q3,
        kind=EntryKind.CRITERION,
        item_id=criterion.pk,
        value="0.8",
        note="评分",
        project=project,
    )
    services.entry_add(
        actor=world.admin_a1,
        scheme=scheme,
        period=q3,
        kind=EntryKind.BONUS,
        item_id=scheme.bonuses.get().pk,
        value="5",
        note="获集团表彰",
        project=project,
    )
    [result] = engine.score_projects(scheme, q3, [project.pk])
    assert to_points(result.total_micro) == expected
    assert to_points(result.bonus_micro) == D("3.00")  # capped at 3 either way, kept for awards


def test_veto_caps_the_grade_and_bands_or_stars(world, q3, running):
    stars = [
        BandSpec("★★★★★", "95", "100"),
        BandSpec("★★★★", "90", "94.99"),
        BandSpec("★★★", "80", "89.99"),
        BandSpec("★★", "70", "79.99"),
        BandSpec("★", "60", "69.99"),
        BandSpec("无星", "0", "59.99"),
    ]
    spec = single_criterion_spec(
        CriterionKind.MANUAL, bands=stars, vetoes=[VetoSpec("安全事故", "★★")]
    )
    scheme = services.scheme_create(actor=world.admin_company_a, campaign=world.campaign, spec=spec)
    criterion = scheme.dimensions.get().criteria.get()
    grades = {}
    projects = {}
    for share, expected in (("0.96", "★★★★★"), ("0.92", "★★★★"), ("0.85", "★★★"), ("0.5", "无星")):
        project, _g = running()
        services.entry_add(
            actor=world.admin_a1,
            scheme=scheme,
            period=q3,
            kind=EntryKind.CRITERION,
            item_id=criterion.pk,
            value=share,
            note="评分",
            project=project,
        )
        grades[project.pk] = expected
        projects[project.pk] = project
    vetoed = project
    services.entry_add(
        actor=world.admin_a1,
        scheme=scheme,
        period=q3,
        kind=EntryKind.VETO,
        item_id=scheme.vetoes.get().pk,
        note="发生一般安全事故",
        project=vetoed,
    )
    results = {r.project_id: r.grade for r in engine.score_projects(scheme, q3)}
    grades[vetoed.pk] = "无星"  # already below the cap: a veto never lifts
    assert results == grades
    top = next(pid for pid, g in grades.items() if g == "★★★★★")
    services.entry_add(
        actor=world.admin_a1,
        scheme=scheme,
        period=q3,
        kind=EntryKind.VETO,
        item_id=scheme.vetoes.get().pk,
        note="事故",
        project=projects[top],
    )
    assert {r.project_id: r.grade for r in engine.score_projects(scheme, q3)}[top] == "★★"


def test_rollup_across_four_levels_and_ranks(world, q3, running):
    scheme = _scheme(world, CriterionKind.GOAL_ATTAINMENT)
    team = OrgFactory(name="第一党小组", parent=world.branch_a1)  # a fourth level below the company
    scores = {world.branch_a1: [80], team: [40, 60], world.branch_a2: [90]}
    for org, values in scores.items():
        for value in values:
            project, (goal,) = running(org=org)
            submit_report(project, q3, {goal: value})
    run = services.draft_compute(scheme=scheme, period=q3)
    by_org = {s.org_id: s for s in run.org_scores.all()}
    # Project-weighted: branch a1's subtree has 80, 40, 60 → 60; company a: 80, 40, 60, 90 → 67.5.
    assert to_points(by_org[team.pk].score_micro) == D("50.00")
    assert by_org[world.branch_a1.pk].breakdown["score"] == "60.00"
    assert by_org[world.company_a.pk].breakdown["score"] == "67.50"
    assert (by_org[world.branch_a2.pk].rank, by_org[world.branch_a1.pk].rank) == (1, 2)
    mean_children = services.scheme_update(
        actor=world.admin_company_a,
        scheme=scheme,
        spec=single_criterion_spec(CriterionKind.GOAL_ATTAINMENT, rollup_rule="mean_children"),
    )
    run = services.draft_compute(scheme=mean_children, period=q3)
    by_org = {s.org_id: s for s in run.org_scores.all()}
    # Branch a1 = mean(team 50, its own projects 80) = 65; company a = mean(65, 90) = 77.5.
    assert by_org[world.branch_a1.pk].breakdown["score"] == "65.00"
    assert by_org[world.company_a.pk].breakdown["score"] == "77.50"


def test_publication_is_immutable_and_versioned(world, q3, running):
    scheme = _scheme(world, CriterionKind.GOAL_ATTAINMENT)
    project, (goal,) = running()
    report = submit_report(project, q3, {goal: 50})
    with pytest.raises(DomainError):
        services.assessment_publish(actor=world.admin_a1, scheme=scheme, period=q3)
    first = services.assessment_publish(actor=world.admin_company_a, scheme=scheme, period=q3)
    assert (first.kind, first.version, first.published_by) == (
        RunKind.PUBLISHED,
        1,
        world.admin_company_a,
    )
    reading = report.readings.get()
    reading.actual = D("90")
    reading.save()
    draft = services.draft_compute(scheme=scheme, period=q3)
    assert to_points(draft.project_scores.get().total_micro) == D("90.00")
    assert to_points(first.project_scores.get().total_micro) == D("50.00")
    with pytest.raises(DomainError) as info:
        services.entry_add(
            actor=world.admin_a1,
            scheme=scheme,
            period=q3,
            kind=EntryKind.BONUS,
            item_id=0,
            value="1",
            note="x",
            project=project,
        )
    assert info.value.code == "published"
    second = services.assessment_publish(actor=world.admin_company_a, scheme=scheme, period=q3)
    assert second.version == 2
    assert to_points(second.project_scores.get().total_micro) == D("90.00")
    assert to_points(first.project_scores.get().total_micro) == D("50.00")


def test_change_a_weight_in_a_copy_and_see_draft_scores_move(world, q3, running):
    scheme = services.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=services.default_scheme_spec()
    )
    project, (goal,) = running()
    submit_report(project, q3, {goal: 100})
    before = to_points(
        services.draft_compute(scheme=scheme, period=q3).project_scores.get().total_micro
    )
    copy = services.scheme_copy(actor=world.admin_company_a, source=scheme, campaign=world.campaign)
    spec = services.spec_of(copy)
    # 工作落实: move 10 points from measure completion (none here) to the inspection rating.
    spec.dimensions[1].criteria[0] = services.CriterionSpec(
        "措施完成", CriterionKind.MEASURE_COMPLETION, "5"
    )
    spec.dimensions[1].criteria[1] = services.CriterionSpec(
        "检查评价", CriterionKind.INSPECTION_RATING, "20"
    )
    copy = services.scheme_update(actor=world.admin_company_a, scheme=copy, spec=spec)
    after = to_points(
        services.draft_compute(scheme=copy, period=q3).project_scores.get().total_micro
    )
    assert (before, after) == (D("60.00"), D("70.00"))


def test_year_score_weights_regular_and_final_periods(world, running):
    periods = [
        Period.objects.create(
            campaign=world.campaign,
            name=f"Q{q}",
            start_date=dt.date(2020, 3 * q - 2, 1),
            end_date=dt.date(2020, 3 * q, 28),
            deadline=dt.date(2020, 3 * q, 28),
        )
        for q in (1, 2, 3, 4)
    ]
    scheme = _scheme(world, CriterionKind.GOAL_ATTAINMENT, regular_weight="10", final_weight="90")
    project, (goal,) = running()
    for period, actual in zip(periods, (10, 20, 30, 80), strict=True):
        submit_report(project, period, {goal: actual})
    run = services.draft_compute(scheme=scheme, period=None)
    # 平时 mean(10, 20, 30) = 20 → 2.0; 年终 80 → 72.0; year 74.
    assert to_points(run.project_scores.get().total_micro) == D("74.00")
    assert run.org_scores.get(org=world.branch_a1).breakdown["score"] == "74.00"
    published = services.assessment_publish(actor=world.admin_company_a, scheme=scheme, period=None)
    assert (published.period, published.version) == (None, 1)


def test_org_level_deduction_adjusts_that_org_only(world, q3, running):
    spec = single_criterion_spec(
        CriterionKind.GOAL_ATTAINMENT,
        deductions=[DeductionSpec("组织扣分", DeductionKind.MANUAL, "0", "3")],
        vetoes=[VetoSpec("班子问题", "不达标")],
    )
    scheme = services.scheme_create(actor=world.admin_company_a, campaign=world.campaign, spec=spec)
    project, (goal,) = running()
    submit_report(project, q3, {goal: 95})
    deduction = scheme.deductions.get()
    for value in ("2", "2"):  # 4, capped at 3
        services.entry_add(
            actor=world.admin_company_a,
            scheme=scheme,
            period=q3,
            kind=EntryKind.DEDUCTION,
            item_id=deduction.pk,
            value=value,
            note="会议记录缺失",
            org=world.branch_a1,
        )
    services.entry_add(
        actor=world.admin_company_a,
        scheme=scheme,
        period=q3,
        kind=EntryKind.VETO,
        item_id=scheme.vetoes.get().pk,
        note="班子问题",
        org=world.branch_a1,
    )
    run = services.draft_compute(scheme=scheme, period=q3)
    branch = run.org_scores.get(org=world.branch_a1)
    company = run.org_scores.get(org=world.company_a)
    assert (branch.breakdown["score"], branch.grade) == ("92.00", "不达标")
    assert (company.breakdown["score"], company.grade) == ("95.00", "优秀")
    assert len(branch.breakdown["adjustments"]) == 3


def test_completed_projects_are_not_scored_after_they_end(world, q3, running):
    scheme = _scheme(world, CriterionKind.GOAL_ATTAINMENT)
    finished, _g = running(start_date=dt.date(2020, 1, 1), end_date=dt.date(2020, 6, 30))
    finished.status = "completed"
    finished.save()
    still_running, _g = running()
    scored = {r.project_id for r in engine.score_projects(scheme, q3)}
    assert scored == {still_running.pk}
