import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import ParticipantFactory, ProjectFactory
from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import PersonFactory

CODE = re.compile(r"<td class=\"nowrap\">(LX-\d{4})</td>")


def _codes(response) -> list[str]:
    """Project codes in table order (each appears once per row, in the code column)."""
    return CODE.findall(response.content.decode())


def _project(world, n: int, org=None, **kwargs):
    org = org or world.branch_a1
    kwargs.setdefault("lead", PersonFactory(org=org, name=f"牵头人{n:03d}"))
    kwargs.setdefault("title", f"项目{n:03d}")
    return ProjectFactory(campaign=world.campaign, org=org, code=f"LX-{n:04d}", **kwargs)


def _ledger(client, world, **params):
    return client.get(reverse("campaigns:ledger", args=[world.campaign.pk]), params)


def test_anonymous_is_sent_to_login(client, world):
    response = _ledger(client, world)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_branch_user_sees_only_own_branch_company_admin_sees_both(client, world):
    _project(world, 1, world.branch_a1)
    _project(world, 2, world.branch_a2)
    client.force_login(world.admin_a1)
    assert _codes(_ledger(client, world)) == ["LX-0001"]
    client.force_login(world.admin_company_a)
    assert _codes(_ledger(client, world)) == ["LX-0001", "LX-0002"]


def test_columns_and_links(client, world):
    project = _project(world, 1)
    ParticipantFactory(project=project)
    ParticipantFactory(project=project)
    client.force_login(world.admin_a1)
    response = _ledger(client, world)
    html = response.content.decode()
    assert reverse("campaigns:project_detail", args=[project.pk]) in html
    assert "牵头人001" in html
    assert "草稿" in html
    assert re.search(r'<td class="num">2</td>', html)
    assert "2020-01-01 – 2020-12-31" in html
    assert reverse("campaigns:project_create", args=[world.campaign.pk]) in html


def test_participant_sees_no_new_project_button(client, world):
    client.force_login(world.participant_a1)
    response = _ledger(client, world)
    assert response.status_code == 200
    assert (
        reverse("campaigns:project_create", args=[world.campaign.pk])
        not in response.content.decode()
    )


def test_org_filter_narrows_to_subtree(client, world):
    _project(world, 1, world.branch_a1)
    _project(world, 2, world.branch_a2)
    client.force_login(world.admin_company_a)
    assert _codes(_ledger(client, world, org=world.branch_a2.pk)) == ["LX-0002"]
    assert _codes(_ledger(client, world, org=world.company_a.pk)) == ["LX-0001", "LX-0002"]


def test_org_filter_on_sibling_branch_is_404(client, world):
    _project(world, 2, world.branch_a2)
    client.force_login(world.admin_a1)
    assert _ledger(client, world, org=world.branch_a2.pk).status_code == 404
    assert _ledger(client, world, org="not-a-number").status_code == 404


def test_campaign_of_other_company_is_404(client, world):
    client.force_login(world.admin_company_a)
    from taizhang.campaigns.tests.factories import CampaignFactory

    other = CampaignFactory(org=world.company_b)
    assert client.get(reverse("campaigns:ledger", args=[other.pk])).status_code == 404


def test_type_area_status_lead_filters(client, world):
    campaign = world.campaign
    second_type = campaign.project_types.all()[1]
    second_area = campaign.focus_areas.all()[2]
    _project(world, 1)
    _project(world, 2, project_type=second_type)
    _project(world, 3, focus_area=second_area)
    _project(world, 4, status=ProjectStatus.IN_PROGRESS, lead=world.lead_person_a1)
    client.force_login(world.admin_a1)
    assert _codes(_ledger(client, world, type=second_type.pk)) == ["LX-0002"]
    assert _codes(_ledger(client, world, area=second_area.pk)) == ["LX-0003"]
    assert _codes(_ledger(client, world, status=ProjectStatus.IN_PROGRESS)) == ["LX-0004"]
    response = _ledger(client, world, lead=world.lead_person_a1.pk)
    assert _codes(response) == ["LX-0004"]
    assert "牵头人：lead_a1" in response.content.decode()


def test_invalid_filter_values_are_ignored(client, world):
    _project(world, 1)
    _project(world, 2)
    client.force_login(world.admin_a1)
    response = _ledger(
        client, world, type="x", status="bogus", sort="drop table", per_page="7", page="zz"
    )
    assert response.status_code == 200
    assert _codes(response) == ["LX-0001", "LX-0002"]


def test_search_matches_title_code_and_lead(client, world):
    _project(world, 1, title="独居石贸易创效")
    _project(world, 2, title="银峰矿业扭亏")
    _project(world, 3, lead=PersonFactory(org=world.branch_a1, name="王建国"))
    client.force_login(world.admin_a1)
    assert _codes(_ledger(client, world, q="独居石")) == ["LX-0001"]
    assert _codes(_ledger(client, world, q="LX-0002")) == ["LX-0002"]
    assert _codes(_ledger(client, world, q="王建国")) == ["LX-0003"]
    response = _ledger(client, world, q="不存在的项目")
    assert _codes(response) == []
    assert "没有符合筛选条件的项目。" in response.content.decode()


def test_sort_by_header_toggles_direction(client, world):
    _project(world, 1, title="乙", end_date=dt.date(2020, 6, 30))
    _project(world, 2, title="甲", end_date=dt.date(2020, 3, 31))
    _project(world, 3, title="丙", end_date=dt.date(2020, 9, 30))
    client.force_login(world.admin_a1)
    assert _codes(_ledger(client, world)) == ["LX-0001", "LX-0002", "LX-0003"]
    assert _codes(_ledger(client, world, sort="-code")) == ["LX-0003", "LX-0002", "LX-0001"]
    assert _codes(_ledger(client, world, sort="end_date")) == ["LX-0002", "LX-0001", "LX-0003"]
    assert _codes(_ledger(client, world, sort="-end_date")) == ["LX-0003", "LX-0001", "LX-0002"]
    # The header of the active column links to the opposite direction and says how it sorts.
    html = _ledger(client, world, sort="end_date").content.decode()
    assert 'aria-sort="ascending"' in html
    assert "sort=-end_date" in html


def test_pagination_and_per_page(client, world):
    for n in range(1, 61):
        _project(world, n)
    client.force_login(world.admin_a1)
    first = _codes(_ledger(client, world))
    assert len(first) == 50
    assert first[0] == "LX-0001"
    second = _codes(_ledger(client, world, page=2))
    assert second == [f"LX-{n:04d}" for n in range(51, 61)]
    assert _codes(_ledger(client, world, per_page=20, page=3)) == [
        f"LX-{n:04d}" for n in range(41, 61)
    ]
    html = _ledger(client, world, per_page=20, page=2, q="LX").content.decode()
    # Pager links keep the filters and page size.
    assert "per_page=20" in html and "q=LX" in html and "page=3" in html
    # 序号 runs on across pages.
    assert '<td class="num">21</td>' in html


def _count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("htmx", [False, True])
def test_query_count_does_not_depend_on_rows(client, world, htmx):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    url = reverse("campaigns:ledger", args=[world.campaign.pk])
    client.force_login(world.admin_company_a)
    for n in range(1, 6):
        project = _project(world, n, world.branch_a1 if n % 2 else world.branch_a2)
        ParticipantFactory(project=project)
    client.get(url, **headers)  # warm up anything cached per process
    with CaptureQueriesContext(connection) as small:
        client.get(url, {"sort": "lead"}, **headers)
    for n in range(6, 121):
        project = _project(world, n, world.branch_a1 if n % 2 else world.branch_a2)
        ParticipantFactory(project=project)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url, {"sort": "lead"}, **headers)
    assert len(_codes(response)) == 50
    assert len(large.captured_queries) == len(small.captured_queries)
    assert _count_queries(client, url, {"per_page": 20}) == _count_queries(
        client, url, {"per_page": 100}
    )


def test_query_count_with_every_filter_set(client, world):
    url = reverse("campaigns:ledger", args=[world.campaign.pk])
    campaign = world.campaign
    for n in range(1, 31):
        _project(world, n, lead=world.lead_person_a1)
    client.force_login(world.admin_company_a)
    params = {
        "org": world.branch_a1.pk,
        "type": campaign.project_types.first().pk,
        "area": campaign.focus_areas.first().pk,
        "status": ProjectStatus.DRAFT,
        "lead": world.lead_person_a1.pk,
        "q": "项目",
    }
    assert _count_queries(client, url, {**params, "per_page": 20}) == _count_queries(
        client, url, {**params, "per_page": 100}
    )


def test_htmx_request_returns_only_the_table(client, world):
    _project(world, 1)
    client.force_login(world.admin_a1)
    response = client.get(
        reverse("campaigns:ledger", args=[world.campaign.pk]),
        {"sort": "-code"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="ledger-results"' in html
    assert "LX-0001" in html
    # The sort input in the filter form is refreshed out of band.
    assert 'hx-swap-oob="true"' in html and 'name="sort" value="-code"' in html
    assert "HX-Request" in response["Vary"]


def test_full_page_has_filter_form_that_works_without_js(client, world):
    client.force_login(world.admin_a1)
    html = _ledger(client, world).content.decode()
    assert "<html" in html
    assert 'method="get"' in html and 'hx-get="' in html and 'hx-push-url="true"' in html
    assert 'type="submit"' in html


def test_deleted_projects_are_not_in_the_ledger(client, world):
    _project(world, 1)
    gone = _project(world, 2)
    gone.mark_deleted(world.admin_a1)
    gone.save()
    client.force_login(world.admin_a1)
    assert _codes(_ledger(client, world)) == ["LX-0001"]


def test_non_member_lead_and_masses_do_not_break_rendering(client, world):
    # Rows show whatever is stored (an imported ledger may predate the Party-member rule).
    _project(
        world, 1, lead=PersonFactory(org=world.branch_a1, political_status=PoliticalStatus.MASSES)
    )
    client.force_login(world.admin_a1)
    assert _codes(_ledger(client, world)) == ["LX-0001"]
