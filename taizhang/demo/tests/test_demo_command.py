import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

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

SICHUAN_BRANCH = "中稀(四川)稀土有限公司党支部"
LIANGSHAN_BRANCH = "中稀(凉山)稀土有限公司党支部"


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
        assert measure.history.count() == 2  # filed as planned, then progress reported
        assert measure.history.latest().history_user.username == "lead"

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
            ("committee", "中国稀有稀土股份有限公司", Role.VIEWER, "高振华"),
            ("secretary2", LIANGSHAN_BRANCH, Role.ORG_ADMIN, "郑海燕"),
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
