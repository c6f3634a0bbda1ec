import json
import re
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taizhang.analysis import selectors
from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import (
    CampaignFactory,
    GoalFactory,
    ParticipantFactory,
    ProjectFactory,
)
from taizhang.checkins.models import BenefitClaim, ClaimStatus, ProgressReport, ReportStatus

from .conftest import _periods, report

DATA = re.compile(r'<script id="analysis-data" type="application/json">(.*?)</script>', re.DOTALL)


def dashboard(client, campaign, **params):
    return client.get(reverse("analysis:dashboard", args=[campaign.pk]), params)


def page_data(response) -> dict:
    match = DATA.search(response.content.decode())
    assert match, "the page embeds its figures with json_script"
    return json.loads(match.group(1))


def test_anonymous_is_sent_to_login(client, analysis):
    response = dashboard(client, analysis.campaign)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "username, org_name",
    [("admin_company_a", "company_a"), ("admin_company_a", "branch_a2"), ("admin_a1", "branch_a1")],
)
def test_every_figure_on_the_page_is_the_selectors_figure(
    client, world, analysis, username, org_name
):
    user, org = getattr(world, username), getattr(world, org_name)
    client.force_login(user)
    response = dashboard(client, analysis.campaign, org=org.pk, period=analysis.q2.pk)
    assert response.status_code == 200
    shown = {figure["key"]: figure for figure in page_data(response)["figures"]}
    expected = selectors.dashboard_figures(user, analysis.campaign, org, analysis.q2)
    assert list(shown) == [figure.key for figure in expected]
    for figure in expected:
        assert shown[figure.key] == json.loads(json.dumps(figure.as_json())), figure.key
        # The view hands the selector's figure to the template unchanged.
        assert response.context["figures"][figure.key] == figure


def test_tables_under_the_charts_show_the_numbers_and_link_the_rows(client, world, analysis):
    client.force_login(world.admin_company_a)
    response = dashboard(client, analysis.campaign, period=analysis.q2.pk)
    html = response.content.decode()
    ledger = reverse("campaigns:ledger", args=[analysis.campaign.pk])
    type_pk = analysis.campaign.project_types.get(short_name="创效").pk
    assert f'href="{ledger}?org={world.company_a.pk}&amp;type={type_pk}">4</a>' in html
    assert "95.00" in html and "90.25" in html  # the published scores
    assert 'class="analysis-chart" data-figure="lights"' in html


def test_page_loads_nothing_from_outside_and_runs_no_inline_script(client, world, analysis):
    client.force_login(world.admin_company_a)
    html = dashboard(client, analysis.campaign).content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    for attributes in scripts:
        assert "src=" in attributes or 'type="application/json"' in attributes
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "/static/analysis/dashboard.js" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "onclick" not in html


def test_defaults_to_the_latest_period_due_and_the_highest_visible_org(client, world, analysis):
    client.force_login(world.admin_a1)
    response = dashboard(client, analysis.campaign)
    assert response.context["selected_org"] == world.branch_a1
    assert response.context["period"] == analysis.periods[-1]  # every 2020 deadline passed


def _drill_urls(response) -> list[tuple[str, str, object, str]]:
    data = page_data(response)
    links = []
    for figure in data["figures"]:
        base = data["urls"][figure["target"]]
        for series in figure["series"]:
            if not series["chart"]:
                continue
            for value, drill in zip(series["data"], series["filters"], strict=True):
                if drill:
                    query = "&".join(f"{k}={v}" for k, v in drill.items())
                    links.append((figure["key"], series["key"], value, f"{base}?{query}"))
    return links


def test_ledger_drill_downs_show_exactly_the_rows_counted(client, world, analysis):
    client.force_login(world.admin_company_a)
    response = dashboard(client, analysis.campaign, period=analysis.q2.pk)
    checked = 0
    for key, _series, value, url in _drill_urls(response):
        target = client.get(url)
        assert target.status_code == 200, url
        if key in {"by_type", "by_area", "by_status"}:
            assert target.context["page"].paginator.count == value, url
            checked += 1
        elif key in {"benefit", "scores"}:
            org_id = dict(parse_qsl(urlsplit(url).query))["org"]
            assert str(target.context["selected_org"].pk) == org_id
    assert checked == 2 + 6 + 6


def test_board_drill_downs_open_the_period_and_state(client, world, analysis):
    client.force_login(world.admin_company_a)
    response = dashboard(client, analysis.campaign, period=analysis.q2.pk)
    board = reverse("checkins:board", args=[analysis.campaign.pk])
    for key, series, value, url in _drill_urls(response):
        if key != "timeliness":
            continue
        assert url.startswith(board)
        target = client.get(url)
        assert target.status_code == 200
        query = dict(parse_qsl(urlsplit(url).query))
        assert str(target.context["period"].pk) == query["period"]
        assert target.context["state"] == series
        # The rows listed for the state are the ones the bar counted.
        assert target.context["page"].paginator.count == value, url
    lights = [url for key, _s, _v, url in _drill_urls(response) if key == "lights"]
    assert all(url.startswith(board) and "period=" in url for url in lights)


def _board_rows(client, url) -> set[int]:
    target = client.get(url)
    assert target.status_code == 200, url
    return {row.pk for row in target.context["page"].paginator.object_list}


def _counted_projects(user, analysis, org, period, reports_filter) -> set[int]:
    """The projects behind a figure's bar, from the reports the figure's selector counts."""
    reports = selectors.counted_reports(user, analysis.campaign, org, period)
    return set(reports.filter(reports_filter).values_list("project_id", flat=True))


@pytest.fixture
def completed_with_a_red_report(world, analysis):
    """A project finished since its Q2 report: the figures still count that report."""
    project = ProjectFactory(
        campaign=analysis.campaign,
        org=world.branch_a1,
        code="A5",
        status=ProjectStatus.COMPLETED,
        lead=world.lead_person_a1,
    )
    report(project, analysis.q2, ReportStatus.SUBMITTED, light="red", attainment="1.20")
    return project


def test_light_drill_downs_land_on_the_board_filtered_to_the_reports_counted(
    client, world, analysis, completed_with_a_red_report
):
    user = world.admin_company_a
    client.force_login(user)
    org = world.company_a
    response = dashboard(client, analysis.campaign, org=org.pk, period=analysis.q2.pk)
    periods = {str(p.pk): p for p in analysis.periods}
    seen = set()
    for key, light, value, url in _drill_urls(response):
        if key != "lights":
            continue
        query = dict(parse_qsl(urlsplit(url).query))
        assert query["light"] == light and query["org"] == str(org.pk)
        period = periods[query["period"]]
        expected = _counted_projects(user, analysis, org, period, selectors._light_q("", light))
        assert _board_rows(client, url) == expected, url
        assert len(expected) == value
        seen.add((period.name, light, frozenset(expected)))
    # The fixture's lights as they show (B1's override wins; A5 is completed, X9 deleted).
    p = analysis.projects
    assert (analysis.q1.name, "green", frozenset({p["A1"].pk, p["B1"].pk})) in seen
    assert (
        analysis.q2.name,
        "red",
        frozenset({p["A1"].pk, completed_with_a_red_report.pk}),
    ) in seen
    assert (analysis.q2.name, "amber", frozenset({p["C0"].pk})) in seen


def test_attainment_drill_downs_land_on_the_board_filtered_to_the_bucket(
    client, world, analysis, completed_with_a_red_report
):
    user = world.admin_company_a
    client.force_login(user)
    org = world.company_a
    step = Decimal(1) / selectors.ATTAINMENT_BUCKETS
    # A report without indicator readings: Q1's "无指标" bar.
    unmeasured = ProjectFactory(
        campaign=analysis.campaign, org=world.branch_a1, code="A6", lead=world.lead_person_a1
    )
    report(unmeasured, analysis.q1, ReportStatus.SUBMITTED, light="green")
    response = dashboard(client, analysis.campaign, org=org.pk, period=analysis.q1.pk)
    none_url = [u for k, _s, _v, u in _drill_urls(response) if k == "attainment"][-1]
    assert "attainment=none" in none_url
    assert _board_rows(client, none_url) == {unmeasured.pk}
    for period in (analysis.q1, analysis.q2):
        response = dashboard(client, analysis.campaign, org=org.pk, period=period.pk)
        figure = next(f for f in page_data(response)["figures"] if f["key"] == "attainment")
        links = [(v, u) for k, _s, v, u in _drill_urls(response) if k == "attainment"]
        assert len(links) == len(figure["categories"])
        union: set[int] = set()
        for index, (value, url) in enumerate(links):
            if index < selectors.ATTAINMENT_BUCKETS:
                bucket = Q(attainment__gte=step * index)
                if index < selectors.ATTAINMENT_BUCKETS - 1:
                    bucket &= Q(attainment__lt=step * (index + 1))
            else:
                bucket = Q(attainment__isnull=True)
            expected = _counted_projects(user, analysis, org, period, bucket)
            rows = _board_rows(client, url)
            assert rows == expected, url
            assert len(rows) == value, url
            union |= rows
        # Every counted report is in exactly one bucket.
        assert union == _counted_projects(user, analysis, org, period, Q())
    # Over 100 % lands in the top bucket, with the reports at exactly 90–100 %.
    response = dashboard(client, analysis.campaign, org=org.pk, period=analysis.q2.pk)
    top = [u for k, _s, _v, u in _drill_urls(response) if k == "attainment"][-1]
    assert "attainment=90-" in top
    p = analysis.projects
    assert _board_rows(client, top) == {p["C0"].pk, completed_with_a_red_report.pk}


def test_org_out_of_scope_or_outside_the_campaign_is_404(client, world, analysis):
    client.force_login(world.admin_a1)
    assert dashboard(client, analysis.campaign, org=world.branch_a2.pk).status_code == 404
    assert dashboard(client, analysis.campaign, org="nonsense").status_code == 404
    client.force_login(world.sysadmin)
    assert dashboard(client, analysis.campaign, org=world.company_b.pk).status_code == 404


def test_period_of_another_campaign_and_unseen_campaign_are_404(client, world, analysis):
    other = CampaignFactory(org=world.company_b)
    other_period = _periods(other)[0]
    client.force_login(world.admin_company_a)
    assert dashboard(client, analysis.campaign, period=other_period.pk).status_code == 404
    assert dashboard(client, analysis.campaign, period="x").status_code == 404
    assert dashboard(client, other).status_code == 404


def test_campaign_without_periods_shows_the_ledger_figures(client, world):
    client.force_login(world.admin_company_a)
    response = dashboard(client, world.campaign)
    assert response.status_code == 200
    keys = [figure["key"] for figure in page_data(response)["figures"]]
    assert keys == ["by_type", "by_area", "by_status", "participation"]
    assert "本活动尚未设置检查周期" in response.content.decode()


def _grow(world, campaign, periods, count: int) -> None:
    """`count` running projects over both branches, each with a goal, two reports, a claim
    and a participant: everything a figure reads."""
    types = list(campaign.project_types.all())
    areas = list(campaign.focus_areas.all())
    for n in range(count):
        org = world.branch_a1 if n % 2 else world.branch_a2
        project = ProjectFactory(
            campaign=campaign,
            org=org,
            code=f"Q{n:03d}",
            project_type=types[n % len(types)],
            focus_area=areas[n % len(areas)],
            status=ProjectStatus.IN_PROGRESS,
            lead=world.lead_person_a1 if n % 2 else world.lead_person_a2,
        )
        GoalFactory(project=project, target=Decimal(100))
        ParticipantFactory(project=project)
        for period in periods[:2]:
            ProgressReport.objects.create(
                project=project,
                period=period,
                status=ReportStatus.SUBMITTED,
                computed_light=("green", "amber", "red")[n % 3],
                attainment=Decimal(n % 10) / 10,
                is_late=bool(n % 4 == 0),
                revision=1,
                progress="x",
                next_steps="y",
            )
        BenefitClaim.objects.create(
            project=project,
            period=periods[0],
            amount=Decimal(10),
            source="trade_profit",
            status=ClaimStatus.VERIFIED,
            verified_amount=Decimal(10),
            claimant=world.lead_a1,
        )


def _queries(client, campaign, period) -> int:
    with CaptureQueriesContext(connection) as context:
        response = dashboard(client, campaign, period=period.pk)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_query_count_does_not_depend_on_the_number_of_projects(client, world):
    small = CampaignFactory(org=world.company_a, name="小")
    large = CampaignFactory(org=world.company_a, name="大")
    small_periods, large_periods = _periods(small), _periods(large)
    _grow(world, small, small_periods, 5)
    _grow(world, large, large_periods, 40)
    client.force_login(world.admin_company_a)
    dashboard(client, small, period=small_periods[1].pk)  # warm the session and caches
    assert _queries(client, small, small_periods[1]) == _queries(client, large, large_periods[1])


def test_document_link_carries_the_scope(client, world, analysis):
    client.force_login(world.admin_company_a)
    html = dashboard(
        client, analysis.campaign, org=world.branch_a1.pk, period=analysis.q2.pk
    ).content.decode()
    url = reverse("documents:summary", args=[analysis.campaign.pk])
    assert f"{url}?org={world.branch_a1.pk}&amp;period={analysis.q2.pk}" in html
