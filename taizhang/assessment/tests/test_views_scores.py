"""The scores page (draft, published versions, ranking table), publication and the
breakdown pages."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taizhang.assessment.models import RunKind, ScoreRun
from taizhang.assessment.tests.conftest import submit_report
from taizhang.assessment.tests.views_support import html, scored_fixture  # noqa: F401 - fixture
from taizhang.checkins.models import IndicatorReading, Period


def _scores(campaign, **params) -> str:
    url = reverse("assessment:scores", args=[campaign.pk])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}?{query}" if query else url


def _recompute(client, world, period, **extra):
    return client.post(
        reverse("assessment:recompute", args=[world.campaign.pk]),
        {"period": period.pk if period else "year", **extra},
    )


def _row(page: str, attr: str, pk: int) -> str:
    match = re.search(rf'<tr {attr}="{pk}">(.*?)</tr>', page, re.S)
    assert match, f"no row {attr}={pk}"
    return match.group(1)


def test_no_scheme_and_no_draft_say_so(client, world, q3):
    client.force_login(world.admin_company_a)
    page = html(client.get(_scores(world.campaign)))
    assert "本活动尚未设置考核方案。" in page


def test_recompute_then_ranking_table_for_the_committee(client, world, scored):
    client.force_login(world.admin_company_a)
    page = html(client.get(_scores(world.campaign, period=scored.period.pk)))
    assert "尚未计算草稿。" in page and "重新计算" in page
    response = _recompute(client, world, scored.period)
    assert response.status_code == 302 and "run=draft" in response["Location"]
    page = html(client.get(response["Location"]))
    assert "已按当前方案和台账重新计算" in page
    # Orgs of the next level, ranked among siblings, with their project counts.
    a2 = _row(page, "data-org", world.branch_a2.pk)
    a1 = _row(page, "data-org", world.branch_a1.pk)
    assert ">1<" in a2 and "54.00" in a2 and "甲二支部" in a2
    assert ">2<" in a1 and "52.50" in a1 and ">2</td>" in a1  # two projects
    assert "53.00" in page  # company a itself: (60 + 45 + 54) / 3
    # The subtree's projects, best first, with total and grade.
    top = _row(page, "data-project", scored.a1_top.pk)
    assert "独居石贸易创效" in top and "60.00" in top and "达标" in top
    assert "不达标" in _row(page, "data-project", scored.a1_half.pk)
    assert page.index(f'data-project="{scored.a1_top.pk}"') < page.index(
        f'data-project="{scored.a2.pk}"'
    )
    assert "草稿" in page


def test_branch_admin_sees_only_their_subtree(client, world, scored):
    client.force_login(world.admin_a1)
    _recompute(client, world, scored.period)
    page = html(client.get(_scores(world.campaign, period=scored.period.pk, run="draft")))
    assert f'data-project="{scored.a1_top.pk}"' in page
    assert f'data-project="{scored.a2.pk}"' not in page
    assert f'data-org="{world.branch_a2.pk}"' not in page
    # An org out of scope answers 404, like one that does not exist.
    assert client.get(_scores(world.campaign, org=world.company_a.pk)).status_code == 404
    assert client.get(_scores(world.campaign, org=world.branch_a2.pk)).status_code == 404
    assert client.get(_scores(world.campaign, org=999999)).status_code == 404
    # Only the campaign owner publishes.
    assert "发布考核结果" not in page


def test_reader_cannot_recompute(client, world, scored):
    client.force_login(world.lead_a1)
    assert _recompute(client, world, scored.period).status_code == 403
    assert not ScoreRun.objects.exists()


def test_ranking_query_count_does_not_grow_with_rows(client, world, q3, running):
    from taizhang.assessment import services

    scheme = services.scheme_create(
        actor=world.admin_company_a, campaign=world.campaign, spec=services.default_scheme_spec()
    )

    def add_projects(n: int) -> None:
        for i in range(n):
            org = world.branch_a1 if i % 2 else world.branch_a2
            project, (goal,) = running(org=org)
            submit_report(project, q3, {goal: 10 * (i % 10)})

    def count() -> tuple[int, str]:
        services.draft_compute(scheme=scheme, period=q3)
        url = _scores(world.campaign, period=q3.pk, run="draft")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return len(queries), html(response)

    client.force_login(world.admin_company_a)
    add_projects(3)
    few, page = count()
    assert page.count("data-project=") == 3
    add_projects(17)
    many, page = count()
    assert page.count("data-project=") == 20
    assert few == many


def test_publish_versions_and_immutability_through_the_views(client, world, scored):
    client.force_login(world.admin_company_a)
    publish = reverse("assessment:publish", args=[world.campaign.pk])
    response = client.post(publish, {"period": scored.period.pk})
    assert response.status_code == 302
    first = ScoreRun.objects.get(kind=RunKind.PUBLISHED)
    assert (first.version, first.published_by) == (1, world.admin_company_a)
    page = html(client.get(response["Location"]))
    assert "第 1 版" in page and "今后不再改变" in page and "发布第 2 版" in page
    # The ledger changes after publication: version 1 keeps its numbers.
    reading = IndicatorReading.objects.get(report__project=scored.a1_half)
    reading.actual = Decimal("100")
    reading.save()
    client.post(publish, {"period": scored.period.pk})
    second = ScoreRun.objects.get(kind=RunKind.PUBLISHED, version=2)
    v1 = html(client.get(_scores(world.campaign, period=scored.period.pk, run=first.pk)))
    v2 = html(client.get(_scores(world.campaign, period=scored.period.pk, run=second.pk)))
    assert "45.00" in _row(v1, "data-project", scored.a1_half.pk)
    assert "60.00" in _row(v2, "data-project", scored.a1_half.pk)
    # The newest version is shown by default; both stay listed.
    default = html(client.get(_scores(world.campaign, period=scored.period.pk)))
    assert "60.00" in _row(default, "data-project", scored.a1_half.pk)
    assert default.count('class="version"') == 2


def test_branch_admin_cannot_publish(client, world, scored):
    client.force_login(world.admin_a1)
    response = client.post(
        reverse("assessment:publish", args=[world.campaign.pk]),
        {"period": scored.period.pk},
        follow=True,
    )
    assert "只有活动主办组织的管理员可以发布考核结果。" in html(response)
    assert not ScoreRun.objects.filter(kind=RunKind.PUBLISHED).exists()


def test_project_breakdown_shows_goal_values_and_report_link(client, world, scored):
    client.force_login(world.admin_a1)
    _recompute(client, world, scored.period)
    run = ScoreRun.objects.get(kind=RunKind.DRAFT, period=scored.period)
    report = scored.a1_half.reports.get()
    goal = scored.a1_half.goals.get()
    page = html(
        client.get(reverse("assessment:project_breakdown", args=[run.pk, scored.a1_half.pk]))
    )
    assert "基础工作" in page and "目标达成" in page
    goal_row = _row(page, "data-goal", goal.pk)
    # baseline, target, actual, weight and the attainment share
    for value in ("0.0000", "100.0000", "50.0000", "50%"):
        assert value in goal_row
    assert reverse("checkins:report_detail", args=[report.pk]) in page
    assert reverse("campaigns:project_detail", args=[scored.a1_half.pk]) in page
    assert "45.00" in page and "45.000000" in page
    assert "四舍五入保留两位小数" in page
    assert "缺报进展报告" in page and "不计入总分" in page
    # The org breakdown names its rule, its children and the projects they came from.
    page = html(client.get(reverse("assessment:org_breakdown", args=[run.pk, world.branch_a1.pk])))
    assert "按项目数加权" in page and "52.50" in page
    assert f'data-project="{scored.a1_top.pk}"' in page


def test_org_breakdown_of_the_parent_lists_children(client, world, scored):
    client.force_login(world.admin_company_a)
    _recompute(client, world, scored.period)
    run = ScoreRun.objects.get(kind=RunKind.DRAFT)
    page = html(client.get(reverse("assessment:org_breakdown", args=[run.pk, world.company_a.pk])))
    assert "53.00" in page
    assert "52.50" in _row(page, "data-org", world.branch_a1.pk)
    assert "54.00" in _row(page, "data-org", world.branch_a2.pk)


def test_year_breakdown_shows_periods_and_weights(client, world, scored):
    q4 = Period.objects.create(
        campaign=world.campaign,
        name="2020年第4季度",
        start_date=scored.period.end_date.replace(month=10, day=1),
        end_date=scored.period.end_date.replace(month=12, day=31),
        deadline=scored.period.end_date.replace(month=12, day=31),
    )
    submit_report(scored.a1_top, q4, {scored.a1_top.goals.get(): 80})
    client.force_login(world.admin_company_a)
    _recompute(client, world, None)
    run = ScoreRun.objects.get(kind=RunKind.DRAFT, period=None)
    page = html(
        client.get(reverse("assessment:project_breakdown", args=[run.pk, scored.a1_top.pk]))
    )
    # Q3 60 (平时, 10 %), Q4 goal 24 + 30 = 54 (年终, 90 %): 6 + 48.6 = 54.6
    assert "2020年第3季度" in page and "2020年第4季度" in page
    assert "10.00%" in page or "10%" in page
    assert "54.60" in page
    assert "年度得分" in page


def test_project_panel_shows_latest_published_score(client, world, scored):
    client.force_login(world.admin_company_a)
    url = reverse("assessment:project_score_panel", args=[scored.a1_top.pk])
    page = html(client.get(url, headers={"HX-Request": "true"}))
    assert "尚无发布的考核得分。" in page
    client.post(
        reverse("assessment:publish", args=[world.campaign.pk]), {"period": scored.period.pk}
    )
    run = ScoreRun.objects.get(kind=RunKind.PUBLISHED)
    page = html(client.get(url, headers={"HX-Request": "true"}))
    assert "60.00" in page and "第 1 版" in page
    assert reverse("assessment:project_breakdown", args=[run.pk, scored.a1_top.pk]) in page
    # Without htmx the link goes straight to the breakdown.
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "assessment:project_breakdown", args=[run.pk, scored.a1_top.pk]
    )


@pytest.mark.parametrize("period_value", ["nope", "999999"])
def test_unknown_period_is_404(client, world, scored, period_value):
    client.force_login(world.admin_company_a)
    assert client.get(_scores(world.campaign, period=period_value)).status_code == 404
