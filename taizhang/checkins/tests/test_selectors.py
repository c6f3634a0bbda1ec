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
