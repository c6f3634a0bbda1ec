import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse

from taizhang.campaigns.models import Campaign, Pairing
from taizhang.campaigns.tests.factories import CampaignFactory, PairingFactory, ProjectFactory


def _create_data(world, **overrides):
    data = {
        "org": world.branch_a1.pk,
        "name": "2021年“两带两创”活动",
        "year": "2021",
        "start_date": "2021-01-01",
        "end_date": "2021-12-31",
        "cadence": "quarterly",
        "description": "支部负责、党员带头、群众参与",
        "project_types": "党组织带党员创效 | 创效\n党员带群众创新｜创新\n",
        "focus_areas": "生产经营\n\n贸易营销\n",
    }
    data.update(overrides)
    return data


# --------------------------------------------------------------------------- shell


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="username"' in html and 'name="password"' in html
    assert '<html lang="zh-hans">' in html
    assert "登录台账" in html


def test_login_with_wrong_password_shows_translated_error(client, world):
    response = client.post(reverse("login"), {"username": "admin_a1", "password": "wrong"})
    assert response.status_code == 200
    assert "正确的" in response.content.decode()


def test_login_then_home_goes_to_campaigns(client, world):
    response = client.post(reverse("login"), {"username": "admin_a1", "password": "pass-1234"})
    assert response.status_code == 302
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("campaigns:campaign_list")


@pytest.mark.parametrize(
    "name,args",
    [
        ("campaigns:campaign_list", []),
        ("campaigns:campaign_create", []),
        ("campaigns:campaign_detail", [1]),
        ("campaigns:campaign_edit", [1]),
        ("campaigns:trash", [1]),
        ("home", []),
    ],
)
def test_anonymous_is_redirected_to_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_topbar_has_user_logout_and_language_switch(client, world):
    client.force_login(world.admin_a1)
    html = client.get(reverse("campaigns:campaign_list")).content.decode()
    assert reverse("logout") in html and "退出登录" in html
    assert reverse("set_language") in html
    for code, _label in settings.LANGUAGES:
        assert f'value="{code}"' in html
    assert "admin_a1" in html
    # The sidebar starts at the user's own branch.
    assert (
        reverse("orgs:org_children", args=[world.branch_a1.pk]) not in html
    )  # a leaf: nothing to load
    assert "甲一支部" in html


def test_logout_is_a_post(client, world):
    client.force_login(world.admin_a1)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("campaigns:campaign_list")).status_code == 302


def test_switching_to_english_sets_cookie_and_lang(client, world):
    client.force_login(world.admin_a1)
    url = reverse("campaigns:campaign_list")
    response = client.post(reverse("set_language"), {"language": "en", "next": url})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(url).content.decode()
    assert '<html lang="en">' in html
    # Back to Chinese.
    client.post(reverse("set_language"), {"language": "zh-hans", "next": url})
    assert '<html lang="zh-hans">' in client.get(url).content.decode()


def test_stylesheet_and_htmx_are_served_locally(client, db):
    # Intranets are often cut off from the internet: both must come from this server.
    for path in ("css/taizhang.css", "vendor/htmx/htmx.min.js"):
        assert finders.find(path), path
        response = client.get(static(path))
        assert response.status_code == 200, path
    html = client.get(reverse("login")).content.decode()
    assert "//cdn" not in html and "https://" not in html


def test_500_template_renders_without_context():
    html = get_template("500.html").render()
    assert "500" in html and "服务器出错" in html


def test_404_page_is_translated_and_styled(client, world):
    client.force_login(world.admin_a1)
    response = client.get(reverse("campaigns:campaign_detail", args=[999999]))
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


# --------------------------------------------------------------------------- list


def test_campaign_list_shows_only_visible_campaigns(client, world):
    own_branch = CampaignFactory(org=world.branch_a1, name="甲一支部活动")
    sibling = CampaignFactory(org=world.branch_a2, name="甲二支部活动")
    other_company = CampaignFactory(org=world.company_b, name="公司乙活动")
    client.force_login(world.admin_a1)
    html = client.get(reverse("campaigns:campaign_list")).content.decode()
    # The company's campaign is visible to its branch (the branch takes part in it).
    assert world.campaign.name in html
    assert own_branch.name in html
    assert sibling.name not in html
    assert other_company.name not in html


def test_new_campaign_button_only_for_org_admins(client, world):
    client.force_login(world.admin_a1)
    assert (
        reverse("campaigns:campaign_create")
        in client.get(reverse("campaigns:campaign_list")).content.decode()
    )
    client.force_login(world.participant_a1)
    assert (
        reverse("campaigns:campaign_create")
        not in client.get(reverse("campaigns:campaign_list")).content.decode()
    )


def test_sibling_branch_gets_404_on_campaign_of_another_branch(client, world):
    sibling = CampaignFactory(org=world.branch_a2)
    client.force_login(world.admin_a1)
    for name in (
        "campaigns:campaign_detail",
        "campaigns:ledger",
        "campaigns:trash",
        "campaigns:campaign_edit",
    ):
        assert client.get(reverse(name, args=[sibling.pk])).status_code == 404, name


# --------------------------------------------------------------------------- create / edit


def test_campaign_create_form_lists_only_admin_orgs(client, world):
    client.force_login(world.admin_a1)
    response = client.get(reverse("campaigns:campaign_create"))
    org_field = response.context["form"].fields["org"]
    assert list(org_field.queryset) == [world.branch_a1]
    html = response.content.decode()
    assert "党组织带党员创效 | 创效" in html


def test_campaign_create_saves_types_and_areas(client, world):
    client.force_login(world.admin_a1)
    response = client.post(reverse("campaigns:campaign_create"), _create_data(world))
    campaign = Campaign.objects.get(name="2021年“两带两创”活动")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_detail", args=[campaign.pk])
    assert campaign.org == world.branch_a1
    assert [(t.name, t.short_name) for t in campaign.project_types.all()] == [
        ("党组织带党员创效", "创效"),
        ("党员带群众创新", "创新"),
    ]
    assert [a.name for a in campaign.focus_areas.all()] == ["生产经营", "贸易营销"]


@pytest.mark.parametrize(
    "overrides,message",
    [
        ({"end_date": "2020-12-31"}, "结束日期不能早于开始日期。"),
        ({"name": ""}, "这个字段是必填项。"),
        ({"name": "   "}, "这个字段是必填项。"),
        ({"start_date": "2021-02-30"}, "输入一个有效的日期。"),
        ({"project_types": ""}, "至少需要一个项目类型。"),
        ({"focus_areas": "生产经营\n生产经营"}, "中心工作不能重复。"),
        ({"year": "abc"}, "输入整数。"),
    ],
)
def test_campaign_create_bad_input_shows_translated_error_and_saves_nothing(
    client, world, overrides, message
):
    client.force_login(world.admin_a1)
    before = Campaign.all_objects.count()
    response = client.post(reverse("campaigns:campaign_create"), _create_data(world, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Campaign.all_objects.count() == before


def test_campaign_create_for_org_where_not_admin_is_refused(client, world):
    client.force_login(world.admin_a1)
    before = Campaign.all_objects.count()
    response = client.post(
        reverse("campaigns:campaign_create"), _create_data(world, org=world.branch_a2.pk)
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert Campaign.all_objects.count() == before


def test_project_lead_cannot_create_a_campaign(client, world):
    client.force_login(world.lead_a1)
    response = client.post(reverse("campaigns:campaign_create"), _create_data(world))
    assert response.status_code == 200
    assert not Campaign.objects.filter(name="2021年“两带两创”活动").exists()


def test_campaign_edit(client, world):
    client.force_login(world.admin_company_a)
    url = reverse("campaigns:campaign_edit", args=[world.campaign.pk])
    html = client.get(url).content.decode()
    assert "资源整合" in html  # current focus areas are in the textarea
    data = _create_data(
        world, name="改名后的活动", year="2020", start_date="2020-01-01", end_date="2020-12-31"
    )
    data["focus_areas"] = "\n".join(a.name for a in world.campaign.focus_areas.all()) + "\n揭榜挂帅"
    response = client.post(url, data)
    assert response.status_code == 302
    world.campaign.refresh_from_db()
    assert world.campaign.name == "改名后的活动"
    assert world.campaign.focus_areas.filter(name="揭榜挂帅").exists()


def test_campaign_edit_refuses_removing_a_type_in_use(client, world):
    ProjectFactory(campaign=world.campaign, org=world.branch_a1)
    client.force_login(world.admin_company_a)
    data = _create_data(world, year="2020", start_date="2020-01-01", end_date="2020-12-31")
    data["project_types"] = "全新类型 | 新"
    response = client.post(reverse("campaigns:campaign_edit", args=[world.campaign.pk]), data)
    assert response.status_code == 200
    assert "已有项目使用，不能删除" in response.content.decode()
    world.campaign.refresh_from_db()
    assert world.campaign.name == "2020年两带两创"


def test_branch_admin_cannot_edit_company_campaign(client, world):
    client.force_login(world.admin_a1)
    assert (
        client.get(reverse("campaigns:campaign_edit", args=[world.campaign.pk])).status_code == 404
    )


# --------------------------------------------------------------------------- detail & pairings


def test_detail_shows_figures_and_links(client, world):
    ProjectFactory(campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1)
    PairingFactory(campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1)
    client.force_login(world.admin_a1)
    response = client.get(reverse("campaigns:campaign_detail", args=[world.campaign.pk]))
    html = response.content.decode()
    figures = response.context["figures"]
    assert figures.projects == 1 and figures.members_paired == 1 and figures.colleagues_covered == 1
    assert "三级联动" in html and "党员带头" in html and "群众参与" in html
    for name in ("campaigns:ledger", "campaigns:trash", "campaigns:project_create"):
        assert reverse(name, args=[world.campaign.pk]) in html
    # Pickers search through the person_search contract.
    assert (
        reverse("orgs:person_search") in html
        and '"party": "1"' in html
        and '"exclude_party": "1"' in html
    )
    assert "群众甲" in html
    assert reverse("campaigns:pairing_delete", args=[Pairing.objects.get().pk]) in html


def test_detail_hides_pairing_form_from_non_admins(client, world):
    client.force_login(world.lead_a1)
    html = client.get(
        reverse("campaigns:campaign_detail", args=[world.campaign.pk])
    ).content.decode()
    assert reverse("campaigns:pairing_add", args=[world.campaign.pk]) not in html


def test_pairing_add_plain_post_redirects_back(client, world):
    client.force_login(world.admin_a1)
    url = reverse("campaigns:pairing_add", args=[world.campaign.pk])
    response = client.post(url, {"member": world.member_a1.pk, "colleague": world.masses_a1.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:campaign_detail", args=[world.campaign.pk])
    pairing = Pairing.objects.get()
    assert (pairing.member, pairing.colleague) == (world.member_a1, world.masses_a1)
    html = client.get(response["Location"]).content.decode()
    assert "已登记结对" in html


def test_pairing_add_htmx_returns_section_and_figures(client, world):
    client.force_login(world.admin_a1)
    url = reverse("campaigns:pairing_add", args=[world.campaign.pk])
    response = client.post(
        url, {"member": world.member_a1.pk, "colleague": world.masses_a1.pk}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="pairing-section"' in html
    assert 'id="linkage-figures"' in html and 'hx-swap-oob="true"' in html
    assert "已登记结对" in html and "群众甲" in html
    assert Pairing.objects.count() == 1


def test_pairing_add_rejects_non_member_as_member(client, world):
    client.force_login(world.admin_a1)
    url = reverse("campaigns:pairing_add", args=[world.campaign.pk])
    response = client.post(
        url,
        {"member": world.masses_a1.pk, "colleague": world.masses_a1_b.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "结对的带头人必须是党员。" in response.content.decode()
    assert not Pairing.objects.exists()
    # Without htmx the same refusal arrives as a message on the detail page.
    response = client.post(
        url, {"member": world.masses_a1.pk, "colleague": world.masses_a1_b.pk}, follow=True
    )
    assert "结对的带头人必须是党员。" in response.content.decode()
    assert not Pairing.objects.exists()


def test_pairing_add_rejects_people_outside_scope_and_duplicates(client, world):
    client.force_login(world.admin_a1)
    url = reverse("campaigns:pairing_add", args=[world.campaign.pk])
    response = client.post(
        url,
        {"member": world.lead_person_a2.pk, "colleague": world.masses_a1.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "选择一个有效的选项" in response.content.decode()
    client.post(url, {"member": world.member_a1.pk, "colleague": world.masses_a1.pk})
    response = client.post(
        url,
        {"member": world.lead_person_a1.pk, "colleague": world.masses_a1.pk},
        HTTP_HX_REQUEST="true",
    )
    assert "已与 党员甲 结对" in response.content.decode()
    assert Pairing.objects.count() == 1


def test_project_lead_cannot_add_pairing(client, world):
    client.force_login(world.lead_a1)
    url = reverse("campaigns:pairing_add", args=[world.campaign.pk])
    response = client.post(
        url, {"member": world.member_a1.pk, "colleague": world.masses_a1.pk}, follow=True
    )
    assert "您无权为该党员登记结对。" in response.content.decode()
    assert not Pairing.objects.exists()


def test_pairing_endpoints_are_post_only(client, world):
    pairing = PairingFactory(
        campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1
    )
    client.force_login(world.admin_a1)
    assert client.get(reverse("campaigns:pairing_add", args=[world.campaign.pk])).status_code == 405
    assert client.get(reverse("campaigns:pairing_delete", args=[pairing.pk])).status_code == 405


def test_pairing_delete(client, world):
    pairing = PairingFactory(
        campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1
    )
    client.force_login(world.admin_a1)
    url = reverse("campaigns:pairing_delete", args=[pairing.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "已解除结对" in html and 'id="pairing-section"' in html
    assert not Pairing.objects.exists()
    assert Pairing.all_objects.get().deleted_by == world.admin_a1


def test_pairing_delete_by_sibling_branch_is_404(client, world):
    pairing = PairingFactory(
        campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1
    )
    client.force_login(world.admin_a2)
    assert client.post(reverse("campaigns:pairing_delete", args=[pairing.pk])).status_code == 404
    assert Pairing.objects.filter(pk=pairing.pk).exists()


def test_pairing_delete_by_lead_is_refused(client, world):
    pairing = PairingFactory(
        campaign=world.campaign, member=world.member_a1, colleague=world.masses_a1
    )
    client.force_login(world.lead_a1)
    response = client.post(reverse("campaigns:pairing_delete", args=[pairing.pk]), follow=True)
    assert "您无权解除该结对。" in response.content.decode()
    assert Pairing.objects.filter(pk=pairing.pk).exists()


# --------------------------------------------------------------------------- trash


def test_trash_lists_deleted_projects_with_restore_for_admins(client, world):
    kept = ProjectFactory(campaign=world.campaign, org=world.branch_a1, title="还在的项目")
    gone = ProjectFactory(campaign=world.campaign, org=world.branch_a1, title="删掉的项目")
    gone.mark_deleted(world.admin_a1)
    gone.save()
    sibling_gone = ProjectFactory(
        campaign=world.campaign, org=world.branch_a2, title="甲二删掉的项目"
    )
    sibling_gone.mark_deleted(world.admin_a2)
    sibling_gone.save()
    url = reverse("campaigns:trash", args=[world.campaign.pk])
    restore = reverse("campaigns:project_restore", args=[gone.pk])

    client.force_login(world.admin_a1)
    html = client.get(url).content.decode()
    assert "删掉的项目" in html and restore in html
    assert kept.title not in html
    assert sibling_gone.title not in html

    client.force_login(world.lead_a1)
    html = client.get(url).content.decode()
    assert "删掉的项目" in html
    assert restore not in html
