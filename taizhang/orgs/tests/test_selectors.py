from taizhang.orgs.models import Org, Role
from taizhang.orgs.selectors import ORG_OPTION_LEVELS, org_options
from taizhang.orgs.tests.factories import MembershipFactory, OrgFactory
from taizhang.users.tests.factories import UserFactory


def _names(options: list[Org]) -> list[str]:
    return [org.name for org in options]


def test_options_are_the_visible_subtree_in_tree_order_and_indented(world):
    options = org_options(world.viewer_group, world.group)
    assert _names(options) == ["集团", "公司甲", "甲一支部", "甲二支部", "公司乙", "乙一支部"]
    assert [org.indent for org in options[:3]] == ["", "\u3000", "\u3000\u3000"]
    # A company admin sees their own subtree only, indented from its own top.
    options = org_options(world.admin_company_a, world.group)
    assert _names(options) == ["公司甲", "甲一支部", "甲二支部"]
    assert options[0].indent == ""


def test_options_stop_two_levels_down_but_keep_a_deeper_selection(world):
    team = OrgFactory(name="甲一小组", kind="branch", parent=world.branch_a1)
    assert ORG_OPTION_LEVELS == 2
    assert "甲一小组" not in _names(org_options(world.viewer_group, world.group))
    assert "甲一小组" in _names(org_options(world.viewer_group, world.company_a))
    kept = org_options(world.viewer_group, world.group, selected=team)
    assert _names(kept)[-1] == "甲一小组"


def test_options_with_roles_list_only_the_orgs_the_user_holds_that_role_in(world):
    user = UserFactory()
    MembershipFactory(user=user, org=world.company_a, role=Role.VIEWER)
    MembershipFactory(user=user, org=world.branch_a2, role=Role.ORG_ADMIN)
    assert len(org_options(user, world.group)) == 3
    assert _names(org_options(user, world.group, roles={Role.ORG_ADMIN})) == ["甲二支部"]
