"""Shared fixtures: a small org tree with one user per role, mirroring the demo's shape.

    group (集团)
    ├── company_a
    │   ├── branch_a1   ← admin_a1 (org admin), lead_a1 (project lead, Party member)
    │   └── branch_a2   ← admin_a2 (the sibling branch)
    └── company_b
        └── branch_b1
viewer_group is a read-only higher committee on the group; sysadmin is IT.
"""

from dataclasses import dataclass

import pytest

from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.orgs.models import Org, Person, PoliticalStatus, Role
from taizhang.orgs.tests.factories import MembershipFactory, OrgFactory, PersonFactory
from taizhang.users.models import User
from taizhang.users.tests.factories import UserFactory


@dataclass
class World:
    group: Org
    company_a: Org
    branch_a1: Org
    branch_a2: Org
    company_b: Org
    branch_b1: Org
    admin_a1: User
    lead_a1: User
    participant_a1: User
    admin_a2: User
    lead_a2: User
    viewer_group: User
    admin_company_a: User
    sysadmin: User
    lead_person_a1: Person
    member_a1: Person
    masses_a1: Person
    masses_a1_b: Person
    lead_person_a2: Person
    campaign: object


def _user_with_person(
    username: str, org: Org, role: str, status=PoliticalStatus.MEMBER
) -> tuple[User, Person]:
    user = UserFactory(username=username)
    MembershipFactory(user=user, org=org, role=role)
    person = PersonFactory(org=org, user=user, political_status=status, name=username)
    return user, person


def build_world() -> World:
    """The tree and users above; callers provide the database access (see `world`)."""
    group = OrgFactory(name="集团", kind="group")
    company_a = OrgFactory(name="公司甲", kind="company", parent=group)
    branch_a1 = OrgFactory(name="甲一支部", kind="branch", parent=company_a)
    branch_a2 = OrgFactory(name="甲二支部", kind="branch", parent=company_a)
    company_b = OrgFactory(name="公司乙", kind="company", parent=group)
    branch_b1 = OrgFactory(name="乙一支部", kind="branch", parent=company_b)
    admin_a1, _p = _user_with_person("admin_a1", branch_a1, Role.ORG_ADMIN)
    lead_a1, lead_person_a1 = _user_with_person("lead_a1", branch_a1, Role.PROJECT_LEAD)
    participant_a1, _p = _user_with_person(
        "participant_a1", branch_a1, Role.PARTICIPANT, PoliticalStatus.MASSES
    )
    admin_a2, _p = _user_with_person("admin_a2", branch_a2, Role.ORG_ADMIN)
    lead_a2, lead_person_a2 = _user_with_person("lead_a2", branch_a2, Role.PROJECT_LEAD)
    viewer_group = UserFactory(username="viewer_group")
    MembershipFactory(user=viewer_group, org=group, role=Role.VIEWER)
    admin_company_a = UserFactory(username="admin_company_a")
    MembershipFactory(user=admin_company_a, org=company_a, role=Role.ORG_ADMIN)
    sysadmin = UserFactory(username="sysadmin", is_superuser=True, is_staff=True)
    return World(
        group=group,
        company_a=Org.objects.get(pk=company_a.pk),
        branch_a1=Org.objects.get(pk=branch_a1.pk),
        branch_a2=Org.objects.get(pk=branch_a2.pk),
        company_b=Org.objects.get(pk=company_b.pk),
        branch_b1=Org.objects.get(pk=branch_b1.pk),
        admin_a1=admin_a1,
        lead_a1=lead_a1,
        participant_a1=participant_a1,
        admin_a2=admin_a2,
        lead_a2=lead_a2,
        viewer_group=viewer_group,
        admin_company_a=admin_company_a,
        sysadmin=sysadmin,
        lead_person_a1=lead_person_a1,
        member_a1=PersonFactory(
            org=branch_a1, name="党员甲", political_status=PoliticalStatus.MEMBER
        ),
        masses_a1=PersonFactory(
            org=branch_a1, name="群众甲", political_status=PoliticalStatus.MASSES
        ),
        masses_a1_b=PersonFactory(
            org=branch_a1, name="群众乙", political_status=PoliticalStatus.LEAGUE
        ),
        lead_person_a2=lead_person_a2,
        campaign=CampaignFactory(org=company_a, name="2020年两带两创"),
    )


@pytest.fixture
def world(db) -> World:
    return build_world()
