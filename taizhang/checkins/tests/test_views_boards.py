"""Periods pages, the period board and the 督办 board."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import CampaignFactory, GoalFactory, ProjectFactory
from taizhang.checkins import selectors, services
from taizhang.checkins.tests.test_services import _fill, at


@pytest.fixture
def frozen_today(monkeypatch):
    def freeze(day: dt.date):
        monkeypatch.setattr(selectors, "local_today", lambda: day)

    return freeze


def _html(response) -> str:
    return response.content.decode()


# --------------------------------------------------------------------------- periods


def test_period_list_and_generate(client, world):
    campaign = CampaignFactory(org=world.company_a, cadence="monthly")
    url = reverse("checkins:period_list", args=[campaign.pk])
    client.force_login(world.admin_company_a)
    html = _html(client.get(url))
    assert "生成检查周期" in html and "新增自定义周期" in html
    response = client.post(reverse("checkins:period_generate", args=[campaign.pk]))
    assert response.status_code == 302
    assert campaign.periods.count() == 12
    html = _html(client.get(url))
    assert "2020年1月" in html and "2020年12月" in html and "已生成 12 个检查周期。" in html
    client.post(reverse("checkins:period_generate", args=[campaign.pk]))
    assert campaign.periods.count() == 12


def test_branch_admin_sees_periods_but_cannot_manage(client, world, checkin):
    """Periods belong to the campaign's org (company a); a branch admin only reads them."""
    client.force_login(world.admin_a1)
    url = reverse("checkins:period_list", args=[world.campaign.pk])
    html = _html(client.get(url))
    assert "2020年第1季度" in html and "新增自定义周期" not in html
    q1 = checkin.periods[0]
    assert client.get(reverse("checkins:period_edit", args=[q1.pk])).status_code == 403
    response = client.post(reverse("checkins:period_close", args=[q1.pk]), {"closed": "1"})
    assert response.status_code == 403
    response = client.post(reverse("checkins:period_generate", args=[world.campaign.pk]))
    assert response.status_code == 403
    q1.refresh_from_db()
    assert not q1.is_closed


def test_add_custom_period_and_bad_input(client, world):
    campaign = CampaignFactory(org=world.company_a, cadence="custom")
    add_url = reverse("checkins:period_add", args=[campaign.pk])
    client.force_login(world.admin_company_a)
    assert "生成检查周期" not in _html(
        client.get(reverse("checkins:period_list", args=[campaign.pk]))
    )
    data = {
        "name": "上半年",
        "start_date": "2020-01-01",
        "end_date": "2020-06-30",
        "deadline": "2020-06-20",
    }
    response = client.post(add_url, data)
    assert response.status_code == 200
    assert "报告截止日期不能早于周期结束日期。" in _html(response)
    assert not campaign.periods.exists()
    response = client.post(add_url, {**data, "deadline": "2020-07-10"})
    assert response.status_code == 302
    period = campaign.periods.get()
    assert period.name == "上半年"
    response = client.post(add_url, {**data, "name": "重叠", "deadline": "2020-07-10"})
    assert "周期与已有周期重叠。" in _html(response)
    response = client.post(add_url, {**data, "start_date": "2020-02-30"})
    assert "请输入有效的日期。" in _html(response)
    assert campaign.periods.count() == 1


def test_edit_close_and_reopen_a_period(client, world, checkin):
    q1 = checkin.periods[0]
    client.force_login(world.admin_company_a)
    edit_url = reverse("checkins:period_edit", args=[q1.pk])
    assert 'value="2020-04-10"' in _html(client.get(edit_url))
    response = client.post(
        edit_url,
        {
            "name": "一季度",
            "start_date": "2020-01-01",
            "end_date": "2020-03-31",
            "deadline": "2020-04-15",
        },
    )
    assert response.status_code == 302
    q1.refresh_from_db()
    assert (q1.name, q1.deadline) == ("一季度", dt.date(2020, 4, 15))
    close_url = reverse("checkins:period_close", args=[q1.pk])
    client.post(close_url, {"closed": "1"})
    q1.refresh_from_db()
    assert q1.is_closed
    assert "重新开放" in _html(
        client.get(reverse("checkins:period_list", args=[world.campaign.pk]))
    )
    client.post(close_url, {"closed": "0"})
    q1.refresh_from_db()
    assert not q1.is_closed


def test_sibling_campaign_period_is_404(client, world):
    other = CampaignFactory(org=world.company_b)
    period = services.periods_generate(actor=None, campaign=other)[0]
    client.force_login(world.admin_company_a)
    assert client.get(reverse("checkins:period_edit", args=[period.pk])).status_code == 404
    assert client.get(reverse("checkins:period_list", args=[other.pk])).status_code == 404


# --------------------------------------------------------------------------- the period board


def _board_world(world, checkin):
    """Four projects of branch a1 in Q2: on time, late, returned, missing."""
    q2 = checkin.periods[1]
    extra = [
        ProjectFactory(
            campaign=world.campaign,
            org=world.branch_a1,
            lead=world.lead_person_a1,
            status=ProjectStatus.IN_PROGRESS,
            title=f"附加项目{n}",
        )
        for n in range(3)
    ]
    for project in extra:
        GoalFactory(project=project)
    on_time = services.report_submit(
        actor=world.lead_a1, report=_fill(world, checkin, q2), now=at(dt.date(2020, 7, 2))
    )
    late = services.report_start(actor=world.lead_a1, project=extra[0], period=q2)
    services.report_save(
        actor=world.lead_a1, report=late, progress="迟报", actuals={extra[0].goals.get().pk: "50"}
    )
    services.report_submit(actor=world.lead_a1, report=late, now=at(dt.date(2020, 7, 20)))
    returned = services.report_start(actor=world.lead_a1, project=extra[1], period=q2)
    services.report_save(
        actor=world.lead_a1, report=returned, progress="x", actuals={extra[1].goals.get().pk: "50"}
    )
    services.report_submit(actor=world.lead_a1, report=returned, now=at(dt.date(2020, 7, 3)))
    services.report_return(actor=world.admin_a1, report=returned, comment="补充")
    return q2, on_time, late, returned, extra[2]


def _rows(html: str) -> dict[str, str]:
    """project id → board state, read from the rendered table."""
    return dict(re.findall(r'data-project="(\d+)" data-state="(\w+)"', html))


def test_board_shows_each_state_with_one_click_to_the_report(client, world, checkin, frozen_today):
    q2, on_time, late, returned, missing = _board_world(world, checkin)
    sibling = ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a2,
        lead=world.lead_person_a2,
        status=ProjectStatus.IN_PROGRESS,
    )
    frozen_today(dt.date(2020, 7, 25))
    url = reverse("checkins:board", args=[world.campaign.pk])
    client.force_login(world.admin_company_a)
    html = _html(client.get(url, {"period": q2.pk}))
    rows = _rows(html)
    assert rows == {
        str(checkin.project.pk): "on_time",
        str(late.project_id): "late",
        str(returned.project_id): "returned",
        str(missing.pk): "missing",
        str(sibling.pk): "missing",
    }
    for report in (on_time, late, returned):
        assert reverse("checkins:report_detail", args=[report.pk]) in html
    assert reverse("campaigns:project_detail", args=[missing.pk]) in html
    # Only branch a1, then only what is missing.
    html = _html(client.get(url, {"period": q2.pk, "org": world.branch_a1.pk}))
    assert str(sibling.pk) not in _rows(html)
    html = _html(client.get(url, {"period": q2.pk, "org": world.branch_a1.pk, "state": "missing"}))
    assert _rows(html) == {str(missing.pk): "missing"}
    # The branch a2 admin sees only their own branch.
    client.force_login(world.admin_a2)
    assert _rows(_html(client.get(url, {"period": q2.pk}))) == {str(sibling.pk): "missing"}


def test_board_opens_on_the_latest_period_past_its_deadline(client, world, checkin, frozen_today):
    frozen_today(dt.date(2020, 8, 1))
    client.force_login(world.admin_a1)
    response = client.get(reverse("checkins:board", args=[world.campaign.pk]))
    assert response.context["period"] == checkin.periods[1]  # Q2: deadline 10 July
    frozen_today(dt.date(2020, 1, 5))
    response = client.get(reverse("checkins:board", args=[world.campaign.pk]))
    assert response.context["period"] == checkin.periods[0]  # nothing due yet: the first


def test_board_of_a_period_from_another_campaign_is_404(client, world, checkin):
    other = CampaignFactory(org=world.company_a)
    period = services.periods_generate(actor=None, campaign=other)[0]
    client.force_login(world.admin_a1)
    url = reverse("checkins:board", args=[world.campaign.pk])
    assert client.get(url, {"period": period.pk}).status_code == 404
    assert client.get(url, {"period": "x"}).status_code == 404


def test_board_without_periods_says_so(client, world):
    campaign = CampaignFactory(org=world.company_a, cadence="custom")
    client.force_login(world.admin_company_a)
    assert "尚未设置检查周期" in _html(client.get(reverse("checkins:board", args=[campaign.pk])))


def _board_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_board_query_count_does_not_depend_on_projects(client, world, checkin):
    q2 = checkin.periods[1]
    url = reverse("checkins:board", args=[world.campaign.pk])
    params = {"period": q2.pk}

    def add(n: int) -> None:
        for _ in range(n):
            project = ProjectFactory(
                campaign=world.campaign,
                org=world.branch_a1,
                lead=world.lead_person_a1,
                status=ProjectStatus.IN_PROGRESS,
            )
            report = services.report_start(actor=world.lead_a1, project=project, period=q2)
            services.report_save(actor=world.lead_a1, report=report, progress="x")
            services.report_submit(actor=world.lead_a1, report=report, now=at(dt.date(2020, 7, 1)))

    client.force_login(world.admin_a1)
    add(4)  # with the fixture's project: 5
    client.get(url, params)  # warm up anything cached per process
    small = _board_queries(client, url, params)
    add(25)  # 30
    large = _board_queries(client, url, params)
    response = client.get(url, params)
    assert len(_rows(_html(response))) == 30
    assert large == small, (small, large)
    assert small < 15, small


# --------------------------------------------------------------------------- 督办


def test_supervision_board_lists_red_projects_with_owner_and_deadline(client, world, checkin):
    report = services.report_submit(
        actor=world.lead_a1,
        report=_fill(world, checkin, checkin.periods[1], profit="10", loss="119"),
        now=at(dt.date(2020, 7, 1)),
    )
    assert report.light == "red"
    supervision = checkin.project.supervisions.get()
    supervision.deadline = dt.date(2020, 8, 1)  # long past: highlighted as overdue
    supervision.save()
    url = reverse("checkins:supervision")
    client.force_login(world.admin_company_a)
    html = _html(client.get(url, {"campaign": world.campaign.pk}))
    assert checkin.project.title in html and "lead_a1" in html
    assert "2020-08-01" in html and "已超期" in html and "row-overdue" in html
    assert reverse("checkins:report_detail", args=[report.pk]) in html
    # Not on the sibling branch's board.
    client.force_login(world.admin_a2)
    assert checkin.project.title not in _html(client.get(url))
    assert checkin.project.title not in _html(client.get(url, {"campaign": world.campaign.pk}))


def test_supervision_of_invisible_campaign_is_404(client, world):
    other = CampaignFactory(org=world.company_b)
    client.force_login(world.admin_a1)
    assert client.get(reverse("checkins:supervision"), {"campaign": other.pk}).status_code == 404


def test_board_filtered_to_a_light_or_an_attainment_range(client, world, checkin, frozen_today):
    """The dashboard's light and attainment drill-downs: only the projects whose submitted
    report for the period shows that light or falls in that range."""
    q2, on_time, late, returned, missing = _board_world(world, checkin)
    frozen_today(dt.date(2020, 7, 25))
    counted = [on_time, late]
    for report in (*counted, returned):
        report.refresh_from_db()
    url = reverse("checkins:board", args=[world.campaign.pk])
    client.force_login(world.admin_company_a)
    for light in ("green", "amber", "red"):
        response = client.get(url, {"period": q2.pk, "light": light})
        expected = {str(r.project_id) for r in counted if r.light == light}
        assert set(_rows(_html(response))) == expected, light
        assert response.context["light"] == light
    # A returned report is not counted, whatever its light.
    response = client.get(url, {"period": q2.pk, "light": returned.light})
    assert str(returned.project_id) not in _rows(_html(response))
    html = _html(response)
    assert "只列出本周期已报送" in html and 'name="light"' in html

    values = sorted({r.attainment for r in counted if r.attainment is not None})
    assert values, "the fixture's reports have readings"
    low = int(values[0] * 100) // 10 * 10
    response = client.get(url, {"period": q2.pk, "attainment": f"{low}-{low + 10}"})
    expected = {
        str(r.project_id)
        for r in counted
        if r.attainment is not None and low / 100 <= r.attainment < (low + 10) / 100
    }
    assert expected and set(_rows(_html(response))) == expected
    response = client.get(url, {"period": q2.pk, "attainment": f"{low + 10}-"})
    expected = {
        str(r.project_id)
        for r in counted
        if r.attainment is not None and r.attainment >= (low + 10) / 100
    }
    assert set(_rows(_html(response))) == expected
    response = client.get(url, {"period": q2.pk, "attainment": "none"})
    assert set(_rows(_html(response))) == {
        str(r.project_id) for r in counted if r.attainment is None
    }

    # Anything unreadable is ignored: the whole board, as for an unknown state.
    everyone = set(_rows(_html(client.get(url, {"period": q2.pk}))))
    for params in ({"light": "purple"}, {"attainment": "x-y"}, {"attainment": "-"}):
        response = client.get(url, {"period": q2.pk, **params})
        assert set(_rows(_html(response))) == everyone, params
        assert "只列出本周期已报送" not in _html(response)
