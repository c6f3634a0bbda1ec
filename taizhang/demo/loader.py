"""Loads the demo data set (the source case of PRODUCT.md) through the services.

Going through `org_create`, `project_create`, `project_transition`, … rather than writing rows
directly means the demo obeys every business rule (a lead is a Party member, a branch cannot
reach into a sibling's people) and leaves the history a real user would: each record names
the demo user who acted, and each lifecycle move has its reason. If a rule changes and the
data no longer fits, loading fails loudly instead of producing an impossible ledger.
"""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext as _

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import (
    Campaign,
    FocusArea,
    MeasureStatus,
    Pairing,
    Project,
    ProjectStatus,
    ProjectType,
)
from taizhang.campaigns.services import GoalInput, MeasureInput
from taizhang.core.exceptions import DomainError
from taizhang.orgs import services as org_services
from taizhang.orgs.models import Org, Person, Role
from taizhang.orgs.permissions import LEAD_ROLES, has_role
from taizhang.users.models import User

from . import data
from .checkins_loader import CheckinsLoader, Context

DEFAULT_PASSWORD = "demo1234"  # noqa: S105 — published demo credential, printed by the command


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    org: str
    person: str


@dataclass(frozen=True)
class DemoResult:
    campaign: Campaign
    logins: list[DemoLogin]
    orgs: int
    people: int
    projects: int
    pairings: int


def demo_data_exists() -> bool:
    """True when the demo tree's root or any demo login is already in the database."""
    return (
        Org.objects.get_root_nodes().filter(name=data.ROOT_ORG_NAME).exists()
        or User.objects.filter(username__in=data.DEMO_USERNAMES).exists()
    )


@transaction.atomic
def demo_load(*, password: str = DEFAULT_PASSWORD) -> DemoResult:
    """Create the demo org tree, people, logins, campaign, projects and pairings, then two
    quarters of check-ins and the published Q3 assessment; refuse if the demo is already
    loaded, so a second run never duplicates it."""
    if not password:
        raise DomainError(_("演示账号的密码不能为空。"), "required", field="password")
    if demo_data_exists():
        raise DomainError(
            _(
                "演示数据已存在（组织“%(org)s”或演示账号已在库中），未做任何修改。如需重新载入，请使用空数据库。"
            )
            % {"org": data.ROOT_ORG_NAME},
            "demo_exists",
        )
    return _Loader(password).run()


class _Loader:
    """Holds what has been created so far, keyed as in `data` (org key, staff number)."""

    def __init__(self, password: str) -> None:
        # Hashed once for all the demo logins: a production hasher takes about half a
        # second per hash, and every login shares the one published password anyway.
        self.password_hash = make_password(password)
        self.orgs: dict[str, Org] = {}
        self.people: dict[str, Person] = {}
        self.users: dict[str, User] = {}
        self.user_of_person: dict[str, User] = {}
        # (org path, user) of each org admin login, for picking who approves what.
        self.admins: list[tuple[str, User]] = []
        self.sysadmin: User

    def run(self) -> DemoResult:
        self.sysadmin = self._create_user(data.LOGINS[0], superuser=True)
        self._create_orgs()
        self._create_people()
        self._create_logins()
        campaign = self._create_campaign()
        types = {t.short_name: t for t in campaign.project_types.all()}
        areas = {a.name: a for a in campaign.focus_areas.all()}
        projects = [
            (self._create_project(campaign, spec, types, areas), spec) for spec in data.PROJECTS
        ]
        self._create_pairings(campaign)
        checkins = CheckinsLoader(
            Context(
                orgs=self.orgs,
                people=self.people,
                users=self.users,
                user_of_person=self.user_of_person,
                admin_for=self._admin_for,
            ),
            campaign,
        )
        checkins.run_checkins()
        for project, spec in projects:
            self._bring_up_to_date(project, spec)
        checkins.run_assessment()
        return DemoResult(
            campaign=campaign,
            logins=self._login_rows(),
            orgs=len(self.orgs),
            people=len(self.people),
            projects=Project.objects.filter(campaign=campaign).count(),
            pairings=Pairing.objects.filter(campaign=campaign).count(),
        )

    # ----------------------------------------------------------------------- tree, people

    def _create_user(self, spec: data.LoginSpec, *, superuser: bool = False) -> User:
        user = User.objects.create(
            username=spec.username,
            password=self.password_hash,
            display_name=spec.display_name,
            is_superuser=superuser,
            is_staff=superuser,
        )
        self.users[spec.username] = user
        return user

    def _create_orgs(self) -> None:
        # The system admin acts here: only it may create a root org, and the admins of the
        # orgs below are granted once their orgs exist.
        for spec in data.ORGS:
            self.orgs[spec.key] = org_services.org_create(
                actor=self.sysadmin,
                name=spec.name,
                short_name=spec.short_name,
                kind=spec.kind,
                code=spec.code,
                parent=self.orgs[spec.parent] if spec.parent else None,
            )

    def _create_people(self) -> None:
        # Users exist before their Person so the Person is created already linked.
        for login in data.LOGINS[1:]:
            user = self._create_user(login)
            if login.person:
                self.user_of_person[login.person] = user
        for spec in data.PEOPLE:
            self.people[spec.staff_no] = org_services.person_create(
                actor=self.sysadmin,
                org=self.orgs[spec.org],
                name=spec.name,
                staff_no=spec.staff_no,
                political_status=spec.status,
                position=spec.position,
                user=self.user_of_person.get(spec.staff_no),
            )

    def _create_logins(self) -> None:
        for login in data.LOGINS[1:]:
            assert login.org is not None and login.role is not None
            org = self.orgs[login.org]
            org_services.membership_grant(
                actor=self.sysadmin, user=self.users[login.username], org=org, role=login.role
            )
            if login.role == Role.ORG_ADMIN:
                self.admins.append((org.path, self.users[login.username]))

    def _admin_for(self, org: Org) -> User:
        """The org admin of the nearest branch above `org`: who approves its projects."""
        candidates = [(path, user) for path, user in self.admins if org.path.startswith(path)]
        if not candidates:
            return self.sysadmin
        return max(candidates, key=lambda item: len(item[0]))[1]

    # ----------------------------------------------------------------------- campaign

    def _create_campaign(self) -> Campaign:
        # Default types and focus areas (project_types/focus_areas left as None) on purpose:
        # they are the source case's own, and the demo shows what a new campaign gets.
        # The sector's committee launches it, as it later sets the scheme and publishes.
        return campaign_services.campaign_create(
            actor=self.users[data.SECTOR_ADMIN],
            org=self.orgs[data.CAMPAIGN_ORG],
            name=data.CAMPAIGN_NAME,
            year=data.CAMPAIGN_YEAR,
            start_date=data.CAMPAIGN_START,
            end_date=data.CAMPAIGN_END,
            description=data.CAMPAIGN_DESCRIPTION,
        )

    def _create_project(
        self,
        campaign: Campaign,
        spec: data.ProjectSpec,
        types: dict[str, ProjectType],
        areas: dict[str, FocusArea],
    ) -> Project:
        org = self.orgs[spec.org]
        admin = self._admin_for(org)
        # The lead files and advances the project when they have a lead's login; otherwise
        # the branch secretary does it on their behalf, as happens with paper ledgers.
        lead_actor = self._lead_actor(spec, org) or admin
        started = spec.status in (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED)
        project = campaign_services.project_create(
            actor=lead_actor,
            campaign=campaign,
            org=org,
            code=spec.code,
            title=spec.title,
            project_type=types[spec.type_short],
            focus_area=areas[spec.area],
            lead=self.people[spec.lead],
            start_date=spec.start,
            end_date=spec.end,
            rationale=spec.rationale,
            plan=spec.plan,
            goals=[
                GoalInput(
                    name=g.name,
                    unit=g.unit,
                    baseline=g.baseline,
                    target=g.target,
                    direction=g.direction,
                    weight=g.weight,
                )
                for g in spec.goals
            ],
            # A project that will be started files its measures as planned (not started)
            # and reports progress after it starts, so the history shows the progress.
            measures=[self._measure_input(m, planned=started) for m in spec.measures],
        )
        for participant in spec.participants:
            campaign_services.participant_add(
                actor=lead_actor,
                project=project,
                person=self.people[participant.person],
                role=participant.role,
                duty=participant.duty,
            )
        if spec.status == ProjectStatus.DRAFT:
            return project
        self._move(project, "submit", lead_actor, data.SUBMIT_REASON)
        if spec.return_reason:
            self._move(project, "return", admin, spec.return_reason)
            self._move(project, "submit", lead_actor, data.RESUBMIT_REASON)
        if spec.status == ProjectStatus.SUBMITTED:
            return project
        self._move(project, "approve", admin, spec.approve_reason)
        self._move(project, "start", lead_actor, data.START_REASON)
        # Progress comes with the quarterly reports (checkins_loader), then
        # `_bring_up_to_date` moves the measures on to late November and closes the
        # completed project.
        return project

    def _lead_actor(self, spec: data.ProjectSpec, org: Org) -> User | None:
        user = self.user_of_person.get(spec.lead)
        return user if user is not None and has_role(user, org, LEAD_ROLES) else None

    def _bring_up_to_date(self, project: Project, spec: data.ProjectSpec) -> None:
        """After the Q3 reports: measures as they stood in late November (when the demo
        "is"), updated by the lead; the completed project closed by its branch."""
        if spec.status not in (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED):
            return
        admin = self._admin_for(project.org)
        actor = self.user_of_person.get(spec.lead) or admin
        for measure, measure_spec in zip(
            project.measures.order_by("order"), spec.measures, strict=True
        ):
            if (measure.status, measure.percent_complete) != (
                measure_spec.status,
                measure_spec.percent,
            ):
                campaign_services.measure_update(
                    actor=actor, measure=measure, data=self._measure_input(measure_spec)
                )
        if spec.status == ProjectStatus.COMPLETED:
            self._move(project, "complete", admin, spec.complete_reason)

    def _measure_input(self, spec: data.MeasureSpec, *, planned: bool = False) -> MeasureInput:
        return MeasureInput(
            description=spec.description,
            owner=self.people[spec.owner],
            start_date=spec.start,
            due_date=spec.due,
            status=MeasureStatus.NOT_STARTED if planned else spec.status,
            percent_complete=0 if planned else spec.percent,
        )

    @staticmethod
    def _move(project: Project, action: str, actor: User, reason: str) -> None:
        campaign_services.project_transition(
            actor=actor, project=project, action=action, reason=reason
        )

    # ----------------------------------------------------------------------- pairings

    def _create_pairings(self, campaign: Campaign) -> None:
        for member_no, colleague_nos in data.PAIRINGS.items():
            member = self.people[member_no]
            for colleague_no in colleague_nos:
                campaign_services.pairing_create(
                    actor=self._admin_for(member.org),
                    campaign=campaign,
                    member=member,
                    colleague=self.people[colleague_no],
                )

    # ----------------------------------------------------------------------- summary

    def _login_rows(self) -> list[DemoLogin]:
        people = {p.staff_no: p for p in self.people.values()}
        rows = [DemoLogin(data.SYSADMIN, _("系统管理员"), "—", "—")]
        for login in data.LOGINS[1:]:
            assert login.org is not None and login.role is not None
            person = people.get(login.person or "")
            rows.append(
                DemoLogin(
                    username=login.username,
                    role=str(Role(login.role).label),
                    org=str(self.orgs[login.org]),
                    person=person.name if person else "—",
                )
            )
        return rows
