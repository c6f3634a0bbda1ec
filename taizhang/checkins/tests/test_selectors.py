import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import GoalFactory, ProjectFactory
from taizhang.checkins import selectors, services
from taizhang.checkins.selectors import BoardState
from taizhang.checkins.tests.test_services import _fill, at


@pytest.fixture
def frozen_today(monkeypatch):
    def freeze(day: dt.date):
        monkeypatch.setattr(selectors, "local_today", lambda: day)

    return freeze


def test_period_board_states(world, checkin, frozen_today):
    q2 = checkin.periods[1]
    # Four more running projects in branch a1 and one in the sibling branch.
    extra = [
        ProjectFactory(
            campaign=world.campaign,
            org=world.branch_a1,
            lead=world.lead_person_a1,
            status=ProjectStatus.IN_PROGRESS,
        )
        for _ in range(3)
    ]
    for project in extra:
        GoalFactory(project=project)
    sibling = ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a2,
        lead=world.lead_person_a2,
        status=ProjectStatus.IN_PROGRESS,
    )
    ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a1,
        lead=world.lead_person_a1,
        status=ProjectStatus.DRAFT,
    )

    services.report_submit(
        actor=world.lead_a1, report=_fill(world, checkin, q2), now=at(dt.date(2020, 7, 2))
    )
    late = services.report_start(actor=world.lead_a1, project=extra[0], period=q2)
    services.report_save(
        actor=world.lead_a1, report=late, progress="迟报", actuals={extra[0].goals.get().pk: "50"}
    )
    services.report_submit(actor=world.lead_a1, report=late, now=at(dt.date(2020, 7, 20)))
    returned = services.report_start(actor=world.lead_a1, project=extra[1], period=q2)
    services.report_save(
        actor=world.lead_a1, report=returned, progress="x", actuals={extra[1].goals.get().pk: "50"}
    )
    services.report_submit(actor=world.lead_a1, report=returned, now=at(dt.date(2020, 7, 3)))
    services.report_return(actor=world.admin_a1, report=returned, comment="补充")

    frozen_today(dt.date(2020, 7, 25))
    board = selectors.period_board(world.admin_a1, q2)
    states = {p.pk: p.board_state for p in board}
    assert states == {
        checkin.project.pk: BoardState.ON_TIME,
        extra[0].pk: BoardState.LATE,
        extra[1].pk: BoardState.RETURNED,
        extra[2].pk: BoardState.MISSING,
    }
    assert sibling.pk not in states  # the sibling branch's project is not on branch a1's board
    assert selectors.board_counts(board) == {"on_time": 1, "late": 1, "returned": 1, "missing": 1}
    frozen_today(dt.date(2020, 7, 5))
    states = {p.pk: p.board_state for p in selectors.period_board(world.admin_a1, q2)}
    assert states[extra[2].pk] == BoardState.NOT_DUE


def test_period_board_query_count_is_constant(world, checkin, django_assert_num_queries):
    for _ in range(10):
        ProjectFactory(
            campaign=world.campaign,
            org=world.branch_a1,
            lead=world.lead_person_a1,
            status=ProjectStatus.IN_PROGRESS,
        )
    with django_assert_num_queries(2):  # the user's grants, then the board
        rows = list(selectors.period_board(world.admin_a1, checkin.periods[1]))
        assert [r.lead.name for r in rows] and [r.org.name for r in rows]
    assert len(rows) == 11


def test_benefit_totals(world, checkin):
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[0],
        amount="100",
        source="trade_profit",
    )
    services.evidence_add(
        actor=world.lead_a1, upload=SimpleUploadedFile("a.pdf", b"%PDF"), claim=claim
    )
    services.claim_verify(actor=checkin.verifier, claim=claim, verified_amount="80")
    services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[1],
        amount="50",
        source="trade_profit",
    )
    rejected = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[2],
        amount="30",
        source="other",
    )
    services.claim_reject(actor=checkin.verifier, claim=rejected, reason="无佐证")
    totals = selectors.benefit_totals(world.admin_a1, world.campaign)
    assert (
        totals.declared == Decimal("150")
        and totals.verified == Decimal("80")
        and totals.pending == 1
    )
    assert selectors.benefit_totals(world.admin_a2, world.campaign).declared == Decimal("0")


def test_default_board_period(world, checkin):
    q1, q2 = checkin.periods[0], checkin.periods[1]
    assert selectors.default_board_period(world.campaign, dt.date(2020, 1, 5)) == q1
    assert selectors.default_board_period(world.campaign, dt.date(2020, 4, 10)) == q1
    assert selectors.default_board_period(world.campaign, dt.date(2020, 7, 11)) == q2


def test_project_period_reports_pairs_each_period(world, checkin):
    report = _fill(world, checkin, checkin.periods[1])
    pairs = selectors.project_period_reports(checkin.project)
    assert [p.period for p in pairs] == checkin.periods
    assert [p.report for p in pairs] == [None, report, None, None]


def test_report_goal_rows_give_attainment_per_goal(world, checkin):
    report = services.report_start(
        actor=world.lead_a1, project=checkin.project, period=checkin.periods[0]
    )
    services.report_save(actor=world.lead_a1, report=report, actuals={checkin.loss.pk: "90"})
    rows = {row.goal.name: row for row in selectors.report_goal_rows(report)}
    assert rows["目标利润"].actual is None and rows["目标利润"].attainment is None
    # Lower is better: 120 → 90 of the way to 0 is 25 %.
    assert rows["经营亏损"].attainment == Decimal("0.25")


def test_report_versions_skip_draft_saves(world, checkin):
    report = _fill(world, checkin, checkin.periods[1])
    services.report_save(actor=world.lead_a1, report=report, progress="再改一次")
    services.report_submit(actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 2)))
    services.report_return(actor=world.admin_a1, report=report, comment="补充")
    services.report_save(actor=world.lead_a1, report=report, progress="补充后")
    services.report_submit(actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 5)))
    services.report_override_light(actor=world.lead_a1, report=report, light="amber", reason="原因")
    versions = selectors.report_versions(report)
    assert [v.kind for v in versions] == [
        "override",
        "submitted",
        "returned",
        "submitted",
        "opened",
    ]
    assert versions[1].progress == "补充后" and versions[3].progress == "再改一次"
    assert versions[2].history_user == world.admin_a1 and versions[2].review_comment == "补充"


def test_benefit_breakdown_per_project_and_org(world, checkin):
    other = ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a2,
        lead=world.lead_person_a2,
        status=ProjectStatus.IN_PROGRESS,
        project_type=checkin.project.project_type,
    )
    for project, lead, amount in [
        (checkin.project, world.lead_a1, "100"),
        (other, world.lead_a2, "40"),
    ]:
        claim = services.claim_declare(
            actor=lead, project=project, period=checkin.periods[0], amount=amount, source="other"
        )
        services.evidence_add(actor=lead, upload=SimpleUploadedFile("a.pdf", b"%PDF"), claim=claim)
    services.claim_verify(
        actor=checkin.verifier, claim=checkin.project.benefit_claims.get(), verified_amount="90"
    )
    rows = selectors.benefit_breakdown(world.admin_company_a, world.campaign, by="org")
    assert [(r.label, r.declared, r.verified, r.pending) for r in rows] == [
        ("甲一支部", Decimal("100"), Decimal("90"), 0),
        ("甲二支部", Decimal("40"), Decimal("0"), 1),
    ]
    rows = selectors.benefit_breakdown(
        world.admin_company_a, world.campaign, by="project", org=world.branch_a2
    )
    assert [r.key for r in rows] == [other.pk]
    assert (
        selectors.benefit_breakdown(world.admin_a2, world.campaign, by="project", limit=5)[0].key
        == other.pk
    )


def test_inspecting_orgs_are_the_subject_and_ancestors_the_user_administers(world):
    assert list(selectors.inspecting_orgs_for(world.admin_company_a, world.branch_a1)) == [
        world.branch_a1,
        world.company_a,
    ]
    assert list(selectors.inspecting_orgs_for(world.admin_a1, world.branch_a1)) == [world.branch_a1]
    assert not selectors.inspecting_orgs_for(world.admin_a1, world.company_a).exists()
    assert not selectors.inspecting_orgs_for(world.lead_a1, world.branch_a1).exists()
    assert list(selectors.admin_grant_orgs(world.admin_company_a)) == [world.company_a]


def test_inbox_is_unread_first_and_own_only(world):
    services.notify(user=world.lead_a1, key="1", kind="x", title="一")
    services.notify(user=world.lead_a1, key="2", kind="x", title="二")
    services.notify(user=world.admin_a1, key="3", kind="x", title="三")
    first = world.lead_a1.notifications.get(key="2")
    services.notification_mark_read(user=world.lead_a1, notification=first)
    assert [n.key for n in selectors.inbox(world.lead_a1)] == ["1", "2"]
    assert selectors.unread_count(world.lead_a1) == 1
    assert services.notifications_mark_all_read(user=world.lead_a1) == 1
    assert selectors.unread_count(world.lead_a1) == 0
    assert selectors.unread_count(world.admin_a1) == 1
