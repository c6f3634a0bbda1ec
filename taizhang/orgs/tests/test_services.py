import pytest
from django.http import Http404

from taizhang.core.exceptions import DomainError
from taizhang.orgs import permissions as perms
from taizhang.orgs import services
from taizhang.orgs.models import Org, Person, PoliticalStatus, Role
from taizhang.orgs.tests.factories import OrgFactory, PersonFactory
from taizhang.users.tests.factories import UserFactory


def test_org_tree_of_any_depth_and_subtree_in_one_query(world, django_assert_num_queries):
    node = world.branch_a1
    for depth in range(6):
        node = services.org_create(actor=world.sysadmin, name=f"第{depth}层", parent=node)
    assert node.depth == world.branch_a1.depth + 6
    with django_assert_num_queries(1):
        names = list(
            Org.objects.filter(path__startswith=world.company_a.path).values_list("name", flat=True)
        )
    assert "第5层" in names and "甲二支部" in names and "乙一支部" not in names


def test_org_create_rules(world):
    with pytest.raises(DomainError):
        services.org_create(actor=world.admin_a1, name="新根")
    with pytest.raises(DomainError):
        services.org_create(actor=world.admin_a1, name="越权", parent=world.branch_a2)
    with pytest.raises(DomainError):
        services.org_create(actor=world.admin_a1, name="  ", parent=world.branch_a1)
    child = services.org_create(actor=world.admin_a1, name="第一党小组", parent=world.branch_a1)
    assert Org.objects.get_parent(child) == world.branch_a1
    assert child.history.latest().history_user == world.admin_a1


def test_person_create_validates_and_records_history(world):
    person = services.person_create(
        actor=world.admin_a1,
        org=world.branch_a1,
        name="张三",
        staff_no="Z001",
        political_status="member",
    )
    assert person.name_pinyin == "zhang san"
    assert person.history.latest().history_user == world.admin_a1
    with pytest.raises(DomainError) as info:
        services.person_create(
            actor=world.admin_a1, org=world.branch_a1, name="李四", staff_no="Z001"
        )
    assert info.value.code == "duplicate"
    with pytest.raises(DomainError):
        services.person_create(
            actor=world.admin_a1,
            org=world.branch_a1,
            name="王五",
            staff_no="Z002",
            political_status="x",
        )
    with pytest.raises(DomainError):
        services.person_create(
            actor=world.admin_a1, org=world.branch_a2, name="赵六", staff_no="Z003"
        )
    assert not Person.objects.filter(staff_no__in=["Z002", "Z003"]).exists()


def test_person_update_cannot_move_into_foreign_branch(world):
    person = PersonFactory(org=world.branch_a1)
    with pytest.raises(DomainError):
        services.person_update(actor=world.admin_a1, person=person, org=world.branch_a2)
    updated = services.person_update(
        actor=world.admin_a1, person=person, political_status=PoliticalStatus.PROBATIONARY
    )
    assert updated.is_party_member


def test_grants_inherit_down_the_tree_only(world):
    assert perms.roles_in(world.admin_company_a, world.branch_a1) == {Role.ORG_ADMIN}
    assert perms.roles_in(world.admin_a1, world.company_a) == set()
    assert perms.roles_in(world.admin_a1, world.branch_a2) == set()
    assert perms.roles_in(world.viewer_group, world.branch_b1) == {Role.VIEWER}
    assert set(perms.orgs_visible_to(world.admin_a1)) == {world.branch_a1}
    with pytest.raises(Http404):
        perms.access_org(world.admin_a1, world.branch_a2.pk)


def test_membership_grant_and_revoke(world):
    user = UserFactory()
    with pytest.raises(DomainError):
        services.membership_grant(
            actor=world.admin_a1, user=user, org=world.branch_a2, role=Role.VIEWER
        )
    membership = services.membership_grant(
        actor=world.admin_a1, user=user, org=world.branch_a1, role=Role.VIEWER
    )
    assert perms.roles_in(user, world.branch_a1) == {Role.VIEWER}
    with pytest.raises(DomainError):
        services.membership_grant(actor=world.admin_a1, user=user, org=world.branch_a1, role="king")
    services.membership_revoke(actor=world.admin_a1, membership=membership)
    assert perms.roles_in(user, world.branch_a1) == set()


def test_people_sorted_by_pinyin(db):
    org = OrgFactory()
    for name in ["张伟", "艾丽", "王芳", "陈静"]:
        services.person_create(actor=None, org=org, name=name, staff_no=name)
    assert list(Person.objects.filter(org=org).values_list("name", flat=True)) == [
        "艾丽",
        "陈静",
        "王芳",
        "张伟",
    ]
