import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

from taizhang.assessment.models import (
    EntryKind,
    ManualEntry,
    OrgScore,
    ProjectScore,
    RunKind,
    Scheme,
    ScoreRun,
)
from taizhang.campaigns.models import (
    DEFAULT_FOCUS_AREAS,
    DEFAULT_PROJECT_TYPES,
    Cadence,
    Campaign,
    Measure,
    Pairing,
    Participant,
    Project,
    ProjectStatus,
    ProjectTransition,
)
from taizhang.campaigns.permissions import projects_visible_to
from taizhang.checkins.models import (
    BenefitClaim,
    ClaimStatus,
    Evidence,
    IndicatorReading,
    Inspection,
    InspectionMethod,
    InspectionRating,
    Notification,
    Period,
    ProgressReport,
    RectificationItem,
    RectificationStatus,
    ReportStatus,
    Supervision,
)
from taizhang.checkins.permissions import reports_visible_to
from taizhang.checkins.selectors import benefit_totals, report_versions, supervision_board
from taizhang.orgs.models import (
    PARTY_MEMBER_STATUSES,
    Membership,
    Org,
    OrgKind,
    Person,
    PoliticalStatus,
    Role,
)
from taizhang.users.models import User

SECTOR = "中国稀有稀土股份有限公司"
SICHUAN_COMPANY = "中稀(四川)稀土有限公司"
SICHUAN_BRANCH = "中稀(四川)稀土有限公司党支部"
LIANGSHAN_BRANCH = "中稀(凉山)稀土有限公司党支部"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "orgs": Org.objects.count(),
        "people": Person.all_objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "campaigns": Campaign.all_objects.count(),
        "projects": Project.all_objects.count(),
        "transitions": ProjectTransition.objects.count(),
        "participants": Participant.all_objects.count(),
        "pairings": Pairing.all_objects.count(),
        "periods": Period.objects.count(),
        "reports": ProgressReport.all_objects.count(),
        "claims": BenefitClaim.all_objects.count(),
        "inspections": Inspection.all_objects.count(),
        "evidence": Evidence.all_objects.count(),
        "schemes": Scheme.all_objects.count(),
        "runs": ScoreRun.objects.count(),
        "org_scores": OrgScore.objects.count(),
    }


@pytest.fixture(scope="class")
def loaded_demo(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Load the demo once for the read-only tests below (a load takes over a second, being
    some 1,300 queries through the services), and roll it back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _run()
        transaction.set_rollback(True)


@pytest.fixture
def demo(loaded_demo, db) -> str:
    # `db` opens a savepoint inside the class's transaction, so a test cannot leak writes
    # into the next one.
    return loaded_demo


@pytest.fixture
def campaign(demo) -> Campaign:
    return Campaign.objects.get(name="2020年“两带两创”活动")


class TestLoadedDemo:
    def test_tree_has_sibling_branches_under_the_sector(self, demo):
        sector = Org.objects.get(name="中国稀有稀土股份有限公司")
        assert Org.objects.get_parent(sector).name == "中国铝业集团有限公司"
        sichuan = Org.objects.get(name=SICHUAN_BRANCH)
        liangshan = Org.objects.get(name=LIANGSHAN_BRANCH)
        assert sichuan.kind == liangshan.kind == OrgKind.BRANCH
        assert Org.objects.get_parent(sichuan).name == "中稀(四川)稀土有限公司"
        # Sibling companies' branches: both inside the sector, neither inside the other.
        for branch in (sichuan, liangshan):
            assert branch.path.startswith(sector.path)
            assert branch.depth >= 4
        assert not sichuan.path.startswith(liangshan.path)
        assert not liangshan.path.startswith(sichuan.path)
        assert all(org.short_name for org in Org.objects.all())

    def test_people_cover_every_political_status_with_staff_numbers(self, demo):
        people = Person.objects.all()
        assert 25 <= people.count() <= 40
        assert set(people.values_list("political_status", flat=True)) == set(PoliticalStatus.values)
        for branch in (SICHUAN_BRANCH, LIANGSHAN_BRANCH):
            in_branch = people.filter(org__path__startswith=Org.objects.get(name=branch).path)
            assert in_branch.filter(political_status__in=PARTY_MEMBER_STATUSES).exists()
            assert in_branch.exclude(political_status__in=PARTY_MEMBER_STATUSES).exists()
        assert all(p.staff_no and p.position and p.name_pinyin for p in people)

    def test_campaign_is_the_sectors_with_default_types_and_areas(self, campaign):
        assert campaign.org.name == "中国稀有稀土股份有限公司"
        assert campaign.year == 2020
        assert (campaign.start_date, campaign.end_date) == (
            dt.date(2020, 1, 1),
            dt.date(2020, 12, 31),
        )
        assert campaign.cadence == Cadence.QUARTERLY
        types = [(t.name, t.short_name) for t in campaign.project_types.all()]
        assert types == DEFAULT_PROJECT_TYPES
        assert [a.name for a in campaign.focus_areas.all()] == DEFAULT_FOCUS_AREAS

    def test_projects_follow_the_source_case_and_the_rules(self, campaign):
        projects = list(
            Project.objects.filter(campaign=campaign).select_related(
                "lead", "project_type", "focus_area"
            )
        )
        assert len(projects) >= 8
        assert {p.project_type.short_name for p in projects} == {"创效", "创新"}
        assert len({p.focus_area_id for p in projects}) >= 5
        for project in projects:
            assert project.lead.political_status in PARTY_MEMBER_STATUSES, project.code
            assert project.goals.count() >= 1, project.code
            assert project.measures.count() >= 2, project.code
            assert project.participants.exists(), project.code
            assert project.rationale and project.plan, project.code
        # The source case's facts are all told somewhere in the ledger.
        story = " ".join(f"{p.title} {p.plan}" for p in projects) + " ".join(
            Measure.objects.filter(project__campaign=campaign).values_list("description", flat=True)
        )
        for fact in (
            "稀土贸易",
            "独居石",
            "银峰",
            "德昌",
            "冕宁",
            "礼州",
            "生态修复",
            "投资企业",
            "疫情",
            "三天两夜",
        ):
            assert fact in story, fact
        roles = Participant.objects.filter(project__campaign=campaign).values_list(
            "person__political_status", flat=True
        )
        assert set(roles) & set(PARTY_MEMBER_STATUSES)
        assert set(roles) - set(PARTY_MEMBER_STATUSES)

    def test_lifecycle_states_are_spread_and_reached_by_the_right_users(self, campaign):
        statuses = list(Project.objects.filter(campaign=campaign).values_list("status", flat=True))
        in_progress = statuses.count(ProjectStatus.IN_PROGRESS)
        assert in_progress > len(statuses) / 2
        for status in (ProjectStatus.COMPLETED, ProjectStatus.SUBMITTED, ProjectStatus.DRAFT):
            assert statuses.count(status) == 1
        trade = Project.objects.get(code="ZX-2020-01")
        log = list(trade.transitions.values_list("action", "actor__username"))
        assert log == [
            ("submit", "lead"),
            ("approve", "secretary"),
            ("start", "lead"),
        ]
        completed = Project.objects.get(status=ProjectStatus.COMPLETED)
        last = completed.transitions.last()
        assert (last.action, last.actor.username) == ("complete", "secretary")
        assert last.reason
        submitted = Project.objects.get(status=ProjectStatus.SUBMITTED)
        assert list(submitted.transitions.values_list("actor__username", flat=True)) == [
            "secretary2"
        ]
        returned = ProjectTransition.objects.get(action="return")
        assert returned.reason and returned.actor.username == "secretary"

    def test_project_history_names_the_actor(self, campaign):
        for project in Project.objects.filter(campaign=campaign):
            assert project.history.count() >= 1
            assert not project.history.filter(history_user__isnull=True).exists(), project.code
        measure = Project.objects.get(code="ZX-2020-01").measures.get(percent_complete=80)
        # Filed as planned, moved on by the Q2 and Q3 reports, then updated in November.
        progress = list(
            measure.history.order_by("history_date", "history_id").values_list(
                "percent_complete", flat=True
            )
        )
        assert progress == [0, 45, 70, 80]
        assert set(measure.history.values_list("history_user__username", flat=True)) == {"lead"}

    def test_pairings_are_one_member_to_four_to_six_colleagues(self, campaign):
        pairings = Pairing.objects.filter(campaign=campaign).select_related("member", "colleague")
        per_member: dict[int, int] = {}
        for pairing in pairings:
            assert pairing.member.political_status in PARTY_MEMBER_STATUSES
            assert pairing.colleague.political_status not in PARTY_MEMBER_STATUSES
            per_member[pairing.member_id] = per_member.get(pairing.member_id, 0) + 1
        assert len(per_member) >= 3
        assert all(4 <= n <= 6 for n in per_member.values())

    @pytest.mark.parametrize(
        ("username", "org_name", "role", "person"),
        [
            ("secretary", SICHUAN_BRANCH, Role.ORG_ADMIN, "林晓雯"),
            ("lead", SICHUAN_BRANCH, Role.PROJECT_LEAD, "何志远"),
            ("member", SICHUAN_BRANCH, Role.PARTICIPANT, "陈思琪"),
            ("committee", SECTOR, Role.VIEWER, "高振华"),
            ("secretary2", LIANGSHAN_BRANCH, Role.ORG_ADMIN, "郑海燕"),
            ("sector", SECTOR, Role.ORG_ADMIN, "严国平"),
            ("finance", SICHUAN_BRANCH, Role.VERIFIER, "苏梅"),
            ("maguodong", SICHUAN_BRANCH, Role.PROJECT_LEAD, "马国栋"),
            ("zhoujianchuan", SICHUAN_BRANCH, Role.PROJECT_LEAD, "周建川"),
            ("luochenggang", SICHUAN_BRANCH, Role.PROJECT_LEAD, "罗成刚"),
            ("yangfan", SICHUAN_BRANCH, Role.PROJECT_LEAD, "杨帆"),
            ("huyongqiang", SICHUAN_BRANCH, Role.PROJECT_LEAD, "胡永强"),
            ("tianxiaodong", LIANGSHAN_BRANCH, Role.PROJECT_LEAD, "田晓东"),
        ],
    )
    def test_demo_logins_authenticate_with_their_role(self, demo, username, org_name, role, person):
        user = authenticate(username=username, password="demo1234")
        assert user is not None
        assert not user.is_superuser
        assert list(user.memberships.values_list("org__name", "role")) == [(org_name, role)]
        assert user.person.name == person
        assert username in demo

    def test_admin_login_is_the_system_admin(self, demo):
        user = authenticate(username="admin", password="demo1234")
        assert user is not None and user.is_superuser and user.is_staff
        assert "demo1234" in demo

    def test_lead_login_leads_projects_and_member_login_is_a_non_member(self, demo):
        lead = User.objects.get(username="lead")
        assert lead.person.is_party_member
        assert Project.objects.filter(lead=lead.person).count() >= 2
        member = User.objects.get(username="member")
        assert not member.person.is_party_member
        assert Participant.objects.filter(person=member.person).exists()

    def test_sibling_branch_sees_nothing_of_sichuan_and_committee_sees_all(self, campaign):
        sichuan = Org.objects.get(name=SICHUAN_BRANCH)
        sichuan_projects = Project.objects.filter(org__path__startswith=sichuan.path)
        assert sichuan_projects.exists()
        secretary2 = User.objects.get(username="secretary2")
        visible = projects_visible_to(secretary2)
        assert not visible.filter(pk__in=sichuan_projects).exists()
        assert visible.exists()
        committee = User.objects.get(username="committee")
        assert projects_visible_to(committee).count() == Project.objects.count()


def _shanghai_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(SHANGHAI).date()


def _in_progress() -> list[Project]:
    return list(Project.objects.filter(status=ProjectStatus.IN_PROGRESS).select_related("lead"))


class TestCheckinsAndAssessment:
    """The check-ins issue's and the assessment issue's "Done when" for the demo."""

    def test_quarterly_periods_with_q1_closed(self, campaign):
        periods = list(Period.objects.filter(campaign=campaign).order_by("start_date"))
        assert [p.name for p in periods] == [f"2020年第{q}季度" for q in range(1, 5)]
        assert [p.deadline for p in periods[1:3]] == [dt.date(2020, 7, 10), dt.date(2020, 10, 10)]
        assert [p.is_closed for p in periods] == [True, False, False, False]

    def test_q2_and_q3_reports_for_every_in_progress_project(self, campaign):
        q2, q3 = Period.objects.filter(campaign=campaign).order_by("start_date")[1:3]
        projects = _in_progress()
        assert len(projects) >= 7
        for project in projects:
            for period in (q2, q3):
                report = ProgressReport.objects.get(project=project, period=period)
                assert report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
                # The lead wrote it, with every goal's actual and every measure's progress.
                assert report.submitted_by == project.lead.user, project.code
                assert report.progress and report.problems and report.next_steps
                assert report.readings.count() == project.goals.count()
                assert report.measure_updates.count() == project.measures.count()
                assert report.computed_light
                assert dt.date(2020, 1, 1) <= _shanghai_date(report.submitted_at)
        reports = ProgressReport.objects.filter(project__in=projects)
        accepted = reports.filter(status=ReportStatus.ACCEPTED)
        assert accepted.count() > reports.count() * 3 / 4
        # Reviews by the branch's own secretary, never by the writer.
        for report in accepted.select_related("project__org", "reviewed_by"):
            assert report.reviewed_by != report.submitted_by
            assert report.reviewed_by.memberships.filter(role=Role.ORG_ADMIN).exists()
        assert reports.filter(status=ReportStatus.SUBMITTED).exists()  # a review queue

    def test_the_numbers_tell_the_story(self, campaign):
        def actuals(code: str, goal: str) -> list[Decimal]:
            return list(
                IndicatorReading.objects.filter(report__project__code=code, goal__name=goal)
                .order_by("report__period__start_date")
                .values_list("actual", flat=True)
            )

        profit = actuals("ZX-2020-01", "贸易目标利润")
        assert profit == sorted(profit) and profit[-1] < 500
        loss = actuals("ZX-2020-02", "经营亏损")
        assert loss == sorted(loss, reverse=True) and 0 < loss[-1] < 120
        q3_texts = " ".join(
            ProgressReport.objects.filter(period__name="2020年第3季度").values_list(
                "progress", flat=True
            )
        )
        for fact in ("山体滑坡", "三天两夜", "背运", "专家组"):
            assert fact in q3_texts, fact

    def test_exactly_one_late_report(self, demo):
        late = ProgressReport.objects.get(is_late=True)
        assert _shanghai_date(late.submitted_at) > late.period.deadline
        assert (late.project.code, late.period.name) == ("ZX-2020-08", "2020年第3季度")
        on_time = ProgressReport.objects.filter(is_late=False, submitted_at__isnull=False)
        for report in on_time.select_related("period"):
            assert _shanghai_date(report.submitted_at) <= report.period.deadline

    def test_one_report_returned_with_a_comment_then_resubmitted_and_accepted(self, demo):
        report = ProgressReport.objects.get(revision__gt=1)
        assert report.revision == 2
        assert report.status == ReportStatus.ACCEPTED
        versions = list(reversed(report_versions(report)))  # oldest first
        assert [v.kind for v in versions] == [
            "opened",
            ReportStatus.SUBMITTED,
            ReportStatus.RETURNED,
            ReportStatus.SUBMITTED,
            ReportStatus.ACCEPTED,
        ]
        _opened, first, returned, second, _accepted = versions
        assert returned.review_comment and returned.history_user.username == "secretary"
        assert (first.revision, second.revision) == (1, 2)
        assert first.problems != second.problems  # the lead answered the comment
        assert second.submitted_at > first.submitted_at
        assert report.evidence.exists()
        assert Notification.objects.filter(
            user=report.project.lead.user, kind="report_returned"
        ).exists()
        # The only return in the demo.
        returned_ids = ProgressReport.history.filter(status=ReportStatus.RETURNED).values("id")
        assert set(returned_ids.values_list("id", flat=True)) == {report.pk}

    def test_one_red_project_on_the_supervision_board(self, campaign):
        supervision = Supervision.objects.get(closed_at__isnull=True)
        project = supervision.project
        assert "德昌" in project.title and "冕宁" in project.title
        assert supervision.org == campaign.org
        assert supervision.owner == project.lead
        report = supervision.opened_by_report
        assert report.light == "red" and report.period.name == "2020年第3季度"
        assert report.attainment < report.elapsed - Decimal("0.3")
        assert supervision.deadline == _shanghai_date(report.submitted_at) + dt.timedelta(days=30)
        assert not Supervision.objects.filter(closed_at__isnull=False).exists()
        for username in ("sector", "committee", "secretary"):
            board = supervision_board(User.objects.get(username=username), campaign)
            assert list(board) == [supervision], username
        assert not supervision_board(User.objects.get(username="secretary2"), campaign).exists()
        red = ProgressReport.objects.filter(computed_light="red", override_light="")
        assert list(red.values_list("project__code", flat=True)) == [project.code]

    def test_light_override_with_a_reason(self, demo):
        report = ProgressReport.objects.exclude(override_light="").get()
        assert report.computed_light == "amber" and report.override_light == "green"
        assert "季节" in report.override_reason
        assert report.override_by == report.project.lead.user

    def test_one_verified_and_one_rejected_claim_with_evidence(self, campaign):
        claims = BenefitClaim.objects.filter(project__campaign=campaign)
        assert claims.count() == 2
        verified = claims.get(status=ClaimStatus.VERIFIED)
        rejected = claims.get(status=ClaimStatus.REJECTED)
        finance = User.objects.get(username="finance")
        for claim in (verified, rejected):
            assert claim.project.project_type.is_benefit
            assert claim.verifier == finance != claim.claimant
            assert claim.claimant == claim.project.lead.user
            evidence = claim.evidence.get()
            assert evidence.name.endswith(".pdf")
            with evidence.file.open("rb") as handle:
                body = handle.read()
            assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
            assert claim.verified_at.year == 2020
        assert Decimal(0) < verified.verified_amount <= verified.amount
        assert rejected.verified_amount is None and rejected.decision_note
        totals = benefit_totals(User.objects.get(username="sector"), campaign)
        assert totals.verified == verified.verified_amount

    def test_sector_committee_inspection_with_an_open_and_a_closed_item(self, campaign):
        inspection = Inspection.objects.get(campaign=campaign)
        assert inspection.inspecting_org == campaign.org
        assert inspection.created_by.username == "sector"
        assert inspection.methods == [InspectionMethod.BRIEFING, InspectionMethod.DOCUMENTS]
        assert inspection.findings and inspection.rating in InspectionRating.values
        assert inspection.date.year == 2020
        closed = inspection.items.get(status=RectificationStatus.CLOSED)
        opened = inspection.items.get(status=RectificationStatus.OPEN)
        assert closed.evidence.exists() and closed.closing_note
        assert closed.closed_by == closed.owner.user
        assert closed.closed_at.year == 2020
        assert not opened.evidence.exists() and opened.closed_at is None
        assert RectificationItem.objects.count() == 2

    def test_q3_results_published_for_both_branches_and_their_parents(self, campaign):
        sector_admin = User.objects.get(username="sector")
        scheme = Scheme.objects.get(campaign=campaign, is_active=True)
        assert scheme.created_by == sector_admin
        assert sum(d.weight for d in scheme.dimensions.all()) == 100
        q3 = Period.objects.get(campaign=campaign, name="2020年第3季度")
        run = ScoreRun.objects.get(scheme=scheme, period=q3, kind=RunKind.PUBLISHED)
        assert run.published_by == sector_admin and run.version == 1
        assert ScoreRun.objects.filter(scheme=scheme, kind=RunKind.DRAFT).exists()
        scores = {s.org.name: s for s in run.org_scores.select_related("org")}
        for name in (SICHUAN_BRANCH, LIANGSHAN_BRANCH, SICHUAN_COMPANY, SECTOR):
            score = scores[name]
            assert score.rank is not None and score.rank >= 1, name
            assert 0 < score.score_micro <= 100_000_000, name
            assert score.grade, name
        # The two companies are ranked against each other.
        companies = [scores[SICHUAN_COMPANY], scores["中稀(凉山)稀土有限公司"]]
        assert sorted(s.rank for s in companies) == [1, 2]
        # Every project score is explainable: criteria with inputs and formulas.
        project_scores = list(ProjectScore.objects.filter(run=run))
        assert len(project_scores) >= 8
        for score in project_scores:
            lines = [c for d in score.breakdown["dimensions"] for c in d["criteria"]]
            assert all("formula" in line and "inputs" in line for line in lines)
        late = next(s for s in project_scores if s.breakdown["project"]["code"] == "ZX-2020-08")
        assert any(
            d["kind"] == "late_report" and d["count"] == 1 for d in late.breakdown["deductions"]
        )
        assert late.bonus_micro > 0

    def test_manual_entries_have_reasons(self, campaign):
        entries = ManualEntry.objects.filter(scheme__campaign=campaign)
        assert entries.filter(kind=EntryKind.CRITERION).count() == 2
        bonus = entries.get(kind=EntryKind.BONUS)
        assert bonus.bonus.name == "获上级表彰"
        assert bonus.evidence
        for entry in entries:
            assert entry.note and entry.assessor.username == "sector"
            assert entry.period.name == "2020年第3季度"

    def test_sibling_branch_cannot_see_sichuan_reports(self, campaign):
        sichuan = Org.objects.get(name=SICHUAN_BRANCH)
        sichuan_reports = ProgressReport.objects.filter(project__org__path__startswith=sichuan.path)
        assert sichuan_reports.exists()
        secretary2 = User.objects.get(username="secretary2")
        visible = reports_visible_to(secretary2)
        assert visible.exists()
        assert not visible.filter(pk__in=sichuan_reports).exists()
        committee = User.objects.get(username="committee")
        assert reports_visible_to(committee).count() == ProgressReport.objects.count()


# The tests below start from an empty database and write, so each loads for itself.


@pytest.fixture
def fresh_demo(db) -> str:
    assert not Org.objects.exists()
    return _run()


def test_password_option_overrides_the_default(db):
    assert not Org.objects.exists()
    _run("--password", "another-secret")
    assert authenticate(username="secretary", password="another-secret") is not None
    assert authenticate(username="secretary", password="demo1234") is None


def test_if_empty_loads_an_empty_database(db):
    assert not Org.objects.exists()
    _run("--if-empty")
    assert Project.objects.count() >= 8


def test_if_empty_on_a_loaded_database_changes_nothing(fresh_demo):
    before = _counts()
    output = _run("--if-empty")
    assert _counts() == before
    assert "跳过" in output


def test_second_run_is_refused_and_changes_nothing(fresh_demo):
    before = _counts()
    with pytest.raises(CommandError, match="演示数据已存在"):
        _run()
    assert _counts() == before
