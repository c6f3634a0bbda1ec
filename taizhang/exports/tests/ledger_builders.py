"""Builders for ledger export/import tests: projects with everything the export writes."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from taizhang.assessment.models import ProjectScore, RunKind, Scheme, ScoreRun
from taizhang.campaigns.models import Direction, MeasureStatus, ParticipantRole, ProjectStatus
from taizhang.campaigns.tests.factories import (
    GoalFactory,
    MeasureFactory,
    ParticipantFactory,
    ProjectFactory,
)
from taizhang.checkins.models import (
    BenefitClaim,
    BenefitSource,
    Inspection,
    InspectionRating,
    ProgressReport,
    RectificationItem,
    ReportStatus,
)
from taizhang.checkins.tests.factories import PeriodFactory
from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import PersonFactory


def build_ledger(world, count: int, *, org=None, prefix: str = "TZ", with_checkins: bool = True):
    """`count` in-progress projects in branch a1 (or `org`), each with two goals, two
    measures, two participants and, optionally, a report, a claim, an inspection and a
    published score."""
    org = org or world.branch_a1
    campaign = world.campaign
    types = list(campaign.project_types.all())
    areas = list(campaign.focus_areas.all())
    period = run = None
    if with_checkins:
        period = campaign.periods.filter(start_date=dt.date(2020, 1, 1)).first() or PeriodFactory(
            campaign=campaign, name="2020年第1季度"
        )
        run = ScoreRun.objects.filter(scheme__campaign=campaign).first()
        if run is None:
            scheme = Scheme.objects.create(
                campaign=campaign, name="考核方案", is_active=True, created_by=world.admin_company_a
            )
            run = ScoreRun.objects.create(
                scheme=scheme,
                period=period,
                kind=RunKind.PUBLISHED,
                version=1,
                published_by=world.admin_company_a,
                published_at=timezone.now(),
            )
    projects = []
    for n in range(1, count + 1):
        lead = PersonFactory(
            org=org, name=f"牵头人{prefix}{n:03d}", political_status=PoliticalStatus.MEMBER
        )
        project = ProjectFactory(
            campaign=campaign,
            org=org,
            code=f"{prefix}-{n:04d}",
            title=f"项目{prefix}{n:03d}",
            lead=lead,
            project_type=types[n % len(types)],
            focus_area=areas[n % len(areas)],
            status=ProjectStatus.IN_PROGRESS,
            rationale=f"依据{n}：落实年度目标。\n第二行说明。",
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2020, 12, 31),
        )
        ParticipantFactory(
            project=project,
            person=PersonFactory(
                org=org, name=f"骨干{prefix}{n:03d}", political_status=PoliticalStatus.MASSES
            ),
            role=ParticipantRole.CORE,
        )
        ParticipantFactory(
            project=project,
            person=PersonFactory(
                org=org, name=f"成员{prefix}{n:03d}", political_status=PoliticalStatus.MASSES
            ),
        )
        GoalFactory(
            project=project,
            name="目标利润",
            unit="万元",
            baseline=Decimal("0"),
            target=Decimal("500"),
            weight=Decimal("0.7"),
        )
        GoalFactory(
            project=project,
            name="经营亏损",
            unit="万元",
            baseline=Decimal("120"),
            target=Decimal("0"),
            direction=Direction.LOWER,
            weight=Decimal("0.3"),
            order=1,
        )
        MeasureFactory(
            project=project,
            description="拓展采购渠道",
            owner=lead,
            start_date=dt.date(2020, 3, 1),
            due_date=dt.date(2020, 6, 30),
            status=MeasureStatus.IN_PROGRESS,
            percent_complete=40,
        )
        MeasureFactory(project=project, description="月度复盘", order=1)
        if with_checkins:
            report = ProgressReport.objects.create(
                project=project,
                period=period,
                status=ReportStatus.SUBMITTED,
                progress="按计划推进",
                problems="运输困难",
                next_steps="加快进度",
                revision=1,
                submitted_at=timezone.now(),
                submitted_by=world.lead_a1,
                attainment=Decimal("0.5"),
                elapsed=Decimal("0.25"),
                computed_light="green",
            )
            del report
            BenefitClaim.objects.create(
                project=project,
                period=period,
                amount=Decimal("120.5"),
                source=BenefitSource.TRADE_PROFIT,
                description="贸易利润",
                claimant=world.lead_a1,
            )
            inspection = Inspection.objects.create(
                campaign=campaign,
                inspecting_org=world.company_a,
                project=project,
                date=dt.date(2020, 6, 15),
                inspectors="检查组",
                methods=["briefing", "documents"],
                findings="台账不全",
                rating=InspectionRating.GOOD,
                created_by=world.admin_company_a,
            )
            RectificationItem.objects.create(
                inspection=inspection,
                description="补齐台账",
                owner=lead,
                due_date=dt.date(2020, 7, 1),
            )
            ProjectScore.objects.create(
                run=run,
                project=project,
                org=org,
                org_path=org.path,
                total_micro=85_500_000 + n,
                bonus_micro=1_000_000,
                grade="良好",
            )
        projects.append(project)
    return projects
