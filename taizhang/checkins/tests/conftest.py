import datetime as dt
from decimal import Decimal

import pytest

from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import GoalFactory, MeasureFactory, ProjectFactory
from taizhang.checkins import services
from taizhang.orgs.models import Role
from taizhang.orgs.tests.factories import MembershipFactory
from taizhang.users.tests.factories import UserFactory


@pytest.fixture
def checkin(world):
    """An in-progress 创效 project of branch a1 with two goals, two measures and 4 quarters."""
    project = ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a1,
        lead=world.lead_person_a1,
        status=ProjectStatus.IN_PROGRESS,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
        project_type=world.campaign.project_types.get(short_name="创效"),
    )
    profit = GoalFactory(
        project=project, name="目标利润", baseline=Decimal(0), target=Decimal(500), weight=3
    )
    loss = GoalFactory(
        project=project,
        name="经营亏损",
        baseline=Decimal(120),
        target=Decimal(0),
        direction="lower",
        weight=1,
    )
    measure = MeasureFactory(project=project, description="独居石贸易")
    MeasureFactory(project=project, description="月度复盘")
    periods = services.periods_generate(actor=world.admin_company_a, campaign=world.campaign)
    verifier = UserFactory(username="finance_a1")
    MembershipFactory(user=verifier, org=world.branch_a1, role=Role.VERIFIER)
    return type(
        "Checkin",
        (),
        {
            "project": project,
            "profit": profit,
            "loss": loss,
            "measure": measure,
            "periods": periods,
            "verifier": verifier,
        },
    )
