import re

import pytest
from django.urls import reverse

from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import OrgFactory, PersonFactory


def _option_ids(response) -> list[int]:
    return [int(value) for value in re.findall(r'<option value="(\d+)"', response.content.decode())]


def _search(client, **params):
    return client.get(reverse("orgs:person_search"), params)


# --------------------------------------------------------------------------- org_children


def test_org_children_lists_children_of_a_visible_org(client, world):
    client.force_login(world.admin_company_a)
    response = client.get(reverse("orgs:org_children", args=[world.company_a.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "甲一支部" in html and "甲二支部" in html
    assert "公司乙" not in html


def test_org_children_links_to_the_campaign_ledger(client, world):
    client.force_login(world.admin_company_a)
    response = client.get(
        reverse("orgs:org_children", args=[world.company_a.pk]), {"campaign": world.campaign.pk}
    )
    ledger = reverse("campaigns:ledger", args=[world.campaign.pk])
    assert f"{ledger}?org={world.branch_a1.pk}" in response.content.decode()


def test_org_children_nodes_with_children_load_lazily(client, world):
    deeper = OrgFactory(name="甲一支部第一党小组", parent=world.branch_a1)
    client.force_login(world.admin_company_a)
    html = client.get(reverse("orgs:org_children", args=[world.company_a.pk])).content.decode()
    # branch_a1 now has a child: its node fetches its own children when opened.
    assert reverse("orgs:org_children", args=[world.branch_a1.pk]) in html
    assert 'hx-trigger="toggle once"' in html
    assert deeper.name not in html
    html = client.get(reverse("orgs:org_children", args=[world.branch_a1.pk])).content.decode()
    assert deeper.name in html


def test_org_children_of_a_leaf_says_so(client, world):
    client.force_login(world.admin_a1)
    html = client.get(reverse("orgs:org_children", args=[world.branch_a1.pk])).content.decode()
    assert "没有下级组织" in html


@pytest.mark.parametrize("org_attr", ["branch_a2", "company_a", "group", "branch_b1"])
def test_org_children_outside_scope_is_404(client, world, org_attr):
    client.force_login(world.admin_a1)
    org = getattr(world, org_attr)
    assert client.get(reverse("orgs:org_children", args=[org.pk])).status_code == 404


def test_org_children_requires_login(client, world):
    response = client.get(reverse("orgs:org_children", args=[world.group.pk]))
    assert response.status_code == 302


def test_sidebar_starts_at_granted_roots(client, world):
    client.force_login(world.viewer_group)
    html = client.get(reverse("campaigns:campaign_list")).content.decode()
    assert reverse("orgs:org_children", args=[world.group.pk]) in html


# --------------------------------------------------------------------------- person_search


def test_person_search_by_name_pinyin_and_staff_no(client, world):
    zhang = PersonFactory(org=world.branch_a1, name="张建华", staff_no="ZX-1001")
    PersonFactory(org=world.branch_a1, name="李明", staff_no="ZX-2002")
    client.force_login(world.admin_a1)
    assert _option_ids(_search(client, q="建华")) == [zhang.pk]
    assert _option_ids(_search(client, q="zhangjian")) == [zhang.pk]
    assert _option_ids(_search(client, q="zhang jian hua")) == [zhang.pk]
    assert _option_ids(_search(client, q="ZX-1001")) == [zhang.pk]


def test_person_search_label_names_org_and_status(client, world):
    client.force_login(world.admin_a1)
    html = _search(client, q="群众甲").content.decode()
    assert f'<option value="{world.masses_a1.pk}"' in html
    assert "群众甲（甲一支部，群众）" in html


def test_person_search_only_returns_visible_people(client, world):
    client.force_login(world.admin_a1)
    ids = _option_ids(_search(client))
    assert world.masses_a1.pk in ids
    assert world.lead_person_a2.pk not in ids
    assert _option_ids(_search(client, q="lead_a2")) == []


def test_person_search_party_filters(client, world):
    client.force_login(world.admin_a1)
    members = _option_ids(_search(client, party="1"))
    assert world.member_a1.pk in members and world.lead_person_a1.pk in members
    assert world.masses_a1.pk not in members and world.masses_a1_b.pk not in members
    probationary = PersonFactory(org=world.branch_a1, political_status=PoliticalStatus.PROBATIONARY)
    assert probationary.pk in _option_ids(_search(client, party="1"))
    others = _option_ids(_search(client, exclude_party="1"))
    assert world.masses_a1.pk in others and world.masses_a1_b.pk in others
    assert world.member_a1.pk not in others and probationary.pk not in others


def test_person_search_org_restricts_to_subtree(client, world):
    client.force_login(world.admin_company_a)
    in_a2 = _option_ids(_search(client, org=world.branch_a2.pk))
    assert world.lead_person_a2.pk in in_a2
    assert world.masses_a1.pk not in in_a2
    in_company = _option_ids(_search(client, org=world.company_a.pk))
    assert world.lead_person_a2.pk in in_company and world.masses_a1.pk in in_company


def test_person_search_org_outside_scope_is_404(client, world):
    client.force_login(world.admin_a1)
    assert _search(client, org=world.branch_a2.pk).status_code == 404
    assert _search(client, org="x").status_code == 404


def test_person_search_is_limited_to_20_rows(client, world):
    for n in range(25):
        PersonFactory(org=world.branch_a1, name=f"批量{n:02d}")
    client.force_login(world.admin_a1)
    assert len(_option_ids(_search(client, q="批量"))) == 20


def test_person_search_escapes_names(client, world):
    PersonFactory(org=world.branch_a1, name="<script>alert(1)</script>")
    client.force_login(world.admin_a1)
    html = _search(client, q="script").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_person_search_requires_login(client, world):
    assert _search(client, q="a").status_code == 302
