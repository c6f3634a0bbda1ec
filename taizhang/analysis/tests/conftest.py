"""A small campaign whose every dashboard figure can be counted by hand.

On the `world` tree (campaign of company_a; branch_a1 and its sibling branch_a2):

    code org        type  area     status       lead            goal (万元 unless said)
    A1   branch_a1  创效  资源整合  in_progress  lead_a1 (党员)  0 → 500, weight 1
    A2   branch_a1  创新  生产经营  in_progress  masses_a1 (群众) 0 → 10 件
    A3   branch_a1  创效  资源整合  draft        lead_a1
    A4   branch_a1  创新  提质增效  completed    member_a1
    B1   branch_a2  创效  贸易营销  in_progress  lead_a2         0 → 200
    B2   branch_a2  创新  资源整合  approved     lead_a2         (starts 2020-07-01)
    C0   company_a  创效  生产经营  in_progress  a company member 0 → 100
    X9   branch_a1  创效  资源整合  in_progress  (deleted, with a green Q2 report)

Reports (status, late?, light computed/override, attainment):
    Q1: A1 submitted on time green 0.30 · A2 submitted late amber 0.05 ·
        B1 accepted on time red→green (override) 0.95 · C0 none
    Q2: A1 submitted on time red 0.10 (problems, next steps) · A2 draft ·
        B1 returned amber · C0 submitted late amber 1.00
    Q3, Q4: none
Claims: A1 Q1 verified 100 (declared 120) · A1 Q2 declared 50 · B1 Q2 verified 80 ·
        C0 Q1 rejected 30
Scores for Q2: a draft run and a published run (the published one wins).
Inspections: A1 by company_a (2020-06-15): one item open (due 2020-07-31), one closed;
        branch_a2 by company_a (2020-05-20): one item open, due 2099-01-01.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from taizhang.assessment.models import OrgScore, ProjectScore, RunKind, Scheme, ScoreRun
from taizhang.campaigns.models import Campaign, Project, ProjectStatus
from taizhang.campaigns.tests.factories import (
    GoalFactory,
    PairingFactory,
    ParticipantFactory,
    ProjectFactory,
)
from taizhang.checkins.models import (
    BenefitClaim,
    BenefitSource,
    ClaimStatus,
    Inspection,
    Period,
    ProgressReport,
    RectificationItem,
    RectificationStatus,
    ReportStatus,
)
from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import PersonFactory

D = Decimal
TODAY = dt.date(2021, 3, 1)  # every deadline of 2020 has passed


@dataclass
class Analysis:
    campaign: Campaign
    periods: list[Period]
    projects: dict[str, Project]
    draft_run: ScoreRun
    published_run: ScoreRun

    @property
    def q1(self) -> Period:
        return self.periods[0]

    @property
    def q2(self) -> Period:
        return self.periods[1]

    @property
    def q3(self) -> Period:
        return self.periods[2]


def _periods(campaign: Campaign) -> list[Period]:
    bounds = [
        ("2020年第1季度", dt.date(2020, 1, 1), dt.date(2020, 3, 31)),
        ("2020年第2季度", dt.date(2020, 4, 1), dt.date(2020, 6, 30)),
        ("2020年第3季度", dt.date(2020, 7, 1), dt.date(2020, 9, 30)),
        ("2020年第4季度", dt.date(2020, 10, 1), dt.date(2020, 12, 31)),
    ]
    return [
        Period.objects.create(
            campaign=campaign,
            name=name,
            start_date=start,
            end_date=end,
            deadline=end + dt.timedelta(days=10),
        )
        for name, start, end in bounds
    ]


def report(project, period, status, *, late=False, light="", override="", attainment=None, **texts):
    return ProgressReport.objects.create(
        project=project,
        period=period,
        status=status,
        is_late=late,
        computed_light=light,
        override_light=override,
        override_reason="已说明" if override else "",
        attainment=D(str(attainment)) if attainment is not None else None,
        revision=0 if status == ReportStatus.DRAFT else 1,
        progress=texts.get("progress", f"{project.code} 按计划推进"),
        problems=texts.get("problems", ""),
        next_steps=texts.get("next_steps", ""),
    )


def _score(run, org, micro_points: str, rank: int, count: int) -> OrgScore:
    return OrgScore.objects.create(
        run=run,
        org=org,
        org_path=org.path,
        depth=org.depth,
        score_micro=int(D(micro_points) * 1_000_000),
        project_count=count,
        rank=rank,
        grade="优秀" if D(micro_points) >= 90 else "达标",
    )


@pytest.fixture
def analysis(world) -> Analysis:
    campaign = world.campaign
    periods = _periods(campaign)
    q1, q2 = periods[0], periods[1]
    types = {t.short_name: t for t in campaign.project_types.all()}
    areas = {a.name: a for a in campaign.focus_areas.all()}
    company_member = PersonFactory(
        org=world.company_a, name="公司党员", political_status=PoliticalStatus.MEMBER
    )

    def project(code, org, kind, area, status, lead, **kwargs):
        return ProjectFactory(
            campaign=campaign,
            org=org,
            code=code,
            title=f"项目{code}",
            project_type=types[kind],
            focus_area=areas[area],
            status=status,
            lead=lead,
            **kwargs,
        )

    running = ProjectStatus.IN_PROGRESS
    projects = {
        "A1": project("A1", world.branch_a1, "创效", "资源整合", running, world.lead_person_a1),
        "A2": project("A2", world.branch_a1, "创新", "生产经营", running, world.masses_a1),
        "A3": project(
            "A3", world.branch_a1, "创效", "资源整合", ProjectStatus.DRAFT, world.lead_person_a1
        ),
        "A4": project(
            "A4", world.branch_a1, "创新", "提质增效", ProjectStatus.COMPLETED, world.member_a1
        ),
        "B1": project("B1", world.branch_a2, "创效", "贸易营销", running, world.lead_person_a2),
        "B2": project(
            "B2",
            world.branch_a2,
            "创新",
            "资源整合",
            ProjectStatus.APPROVED,
            world.lead_person_a2,
            start_date=dt.date(2020, 7, 1),
        ),
        "C0": project("C0", world.company_a, "创效", "生产经营", running, company_member),
        "X9": project("X9", world.branch_a1, "创效", "资源整合", running, world.lead_person_a1),
    }
    p = projects
    GoalFactory(project=p["A1"], name="目标利润", unit="万元", target=D(500))
    GoalFactory(project=p["A2"], name="技术改造", unit="件", target=D(10))
    GoalFactory(project=p["A3"], name="目标利润", unit="万元", target=D(900))
    GoalFactory(project=p["B1"], name="贸易利润", unit="万元", target=D(200))
    GoalFactory(project=p["C0"], name="降本增效", unit="万元", target=D(100))

    S = ReportStatus
    report(p["A1"], q1, S.SUBMITTED, light="green", attainment="0.30")
    report(p["A2"], q1, S.SUBMITTED, late=True, light="amber", attainment="0.05")
    report(p["B1"], q1, S.ACCEPTED, light="red", override="green", attainment="0.95")
    report(
        p["A1"],
        q2,
        S.SUBMITTED,
        light="red",
        attainment="0.10",
        problems="受疫情影响，独居石到货推迟。",
        next_steps="加快独居石采购，争取三季度完成加工贸易。",
    )
    report(p["A2"], q2, S.DRAFT)
    report(p["B1"], q2, S.RETURNED, light="amber", attainment="0.40")
    report(
        p["C0"], q2, S.SUBMITTED, late=True, light="amber", attainment="1.00", next_steps="总结经验"
    )
    report(p["X9"], q2, S.SUBMITTED, light="green", attainment="0.99")
    p["X9"].mark_deleted(world.admin_a1)
    p["X9"].save()

    def claim(project, period, amount, status, verified=None):
        return BenefitClaim.objects.create(
            project=project,
            period=period,
            amount=D(amount),
            source=BenefitSource.TRADE_PROFIT,
            status=status,
            claimant=world.lead_a1,
            verifier=world.admin_company_a if status != ClaimStatus.DECLARED else None,
            verified_amount=D(verified) if verified else None,
        )

    claim(p["A1"], q1, "120", ClaimStatus.VERIFIED, "100")
    claim(p["A1"], q2, "50", ClaimStatus.DECLARED)
    claim(p["B1"], q2, "80", ClaimStatus.VERIFIED, "80")
    claim(p["C0"], q1, "30", ClaimStatus.REJECTED)

    ParticipantFactory(project=p["A1"], person=world.masses_a1)
    ParticipantFactory(project=p["A1"], person=world.masses_a1_b)
    ParticipantFactory(project=p["A1"], person=world.member_a1)
    ParticipantFactory(
        project=p["B1"],
        person=PersonFactory(org=world.branch_a2, political_status=PoliticalStatus.MASSES),
    )
    PairingFactory(campaign=campaign, member=world.member_a1, colleague=world.masses_a1)
    PairingFactory(campaign=campaign, member=world.member_a1, colleague=world.masses_a1_b)

    inspection = Inspection.objects.create(
        campaign=campaign,
        inspecting_org=world.company_a,
        project=p["A1"],
        date=dt.date(2020, 6, 15),
        inspectors="张三、李四",
        methods=["briefing", "documents"],
        findings="台账记录不完整。\n佐证材料缺失。",
        rating="good",
        created_by=world.admin_company_a,
    )
    RectificationItem.objects.create(
        inspection=inspection,
        description="补齐二季度台账",
        owner=world.lead_person_a1,
        due_date=dt.date(2020, 7, 31),
    )
    RectificationItem.objects.create(
        inspection=inspection,
        description="上传贸易合同",
        owner=world.lead_person_a1,
        due_date=dt.date(2020, 7, 15),
        status=RectificationStatus.CLOSED,
        closing_note="已上传合同扫描件",
        closed_at=timezone.now(),
    )
    second = Inspection.objects.create(
        campaign=campaign,
        inspecting_org=world.company_a,
        target_org=world.branch_a2,
        date=dt.date(2020, 5, 20),
        inspectors="王五",
        methods=["interview"],
        findings="结对覆盖不足。",
        rating="fair",
        created_by=world.admin_company_a,
    )
    RectificationItem.objects.create(
        inspection=second,
        description="补充 1+N 结对",
        owner=world.lead_person_a2,
        due_date=dt.date(2099, 1, 1),
    )

    scheme = Scheme.objects.create(
        campaign=campaign, name="考核方案", version=1, is_active=True, created_by=world.admin_a1
    )
    draft = ScoreRun.objects.create(scheme=scheme, period=q2, kind=RunKind.DRAFT)
    _score(draft, world.company_a, "80", 1, 5)
    _score(draft, world.branch_a1, "85.5", 1, 2)
    _score(draft, world.branch_a2, "72", 2, 2)
    published = ScoreRun.objects.create(
        scheme=scheme, period=q2, kind=RunKind.PUBLISHED, version=1, published_by=world.admin_a1
    )
    _score(published, world.company_a, "88", 1, 5)
    _score(published, world.branch_a1, "90.25", 2, 2)
    _score(published, world.branch_a2, "95", 1, 2)
    ProjectScore.objects.create(
        run=published,
        project=p["A1"],
        org=world.branch_a1,
        org_path=world.branch_a1.path,
        total_micro=91_500_000,
    )
    return Analysis(
        campaign=campaign,
        periods=periods,
        projects=projects,
        draft_run=draft,
        published_run=published,
    )
