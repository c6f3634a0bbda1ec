"""Issue 7: drill down from the analysis dashboard's chart to the ledger rows behind it."""

import re

import pytest

from taizhang.campaigns.models import ProjectStatus
from taizhang.e2e.tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The centre of a pie slice, in page coordinates, from the chart's own layout: ECharts draws
# to a canvas, so the slice has no element to click; a real mouse click at its centre goes
# through the page's own click handler.
SLICE_CENTRE = """([key, index]) => {
  const el = document.querySelector(`.analysis-chart[data-figure="${key}"]`);
  const chart = echarts.getInstanceByDom(el);
  const layout = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(index);
  const angle = (layout.startAngle + layout.endAngle) / 2;
  const radius = (layout.r0 + layout.r) / 2;
  const box = el.getBoundingClientRect();
  return {
    x: box.left + layout.cx + radius * Math.cos(angle),
    y: box.top + layout.cy + radius * Math.sin(angle),
  };
}"""


def test_click_a_project_type_slice_and_land_on_its_ledger_rows(page, shot, world):
    from taizhang.campaigns.tests.factories import ProjectFactory

    campaign = world.campaign
    first, second = list(campaign.project_types.order_by("order", "id")[:2])
    made = {}
    for project_type, titles in ((first, ["稀土回收创效", "尾矿综合利用"]), (second, ["班组攻关"])):
        for title in titles:
            ProjectFactory(
                campaign=campaign,
                org=world.branch_a1,
                lead=world.lead_person_a1,
                title=title,
                project_type=project_type,
                status=ProjectStatus.APPROVED,
            )
        made[project_type.pk] = titles

    login(page, "admin_company_a")
    page.goto(page.base + f"/analysis/campaigns/{campaign.pk}/?org={world.company_a.pk}")
    page.wait_for_function(
        "() => { const el = document.querySelector('.analysis-chart[data-figure=by_type]');"
        " return el && window.echarts && echarts.getInstanceByDom(el); }"
    )
    # The table under the chart says what the slice stands for: 2 projects of the first type.
    figure = page.locator("#figure-by_type")
    row = figure.locator("tbody tr", has_text=first.short_name or first.name)
    assert row.locator("td").first.inner_text().strip() == "2"
    shot(page, "30-dashboard")

    point = page.evaluate(SLICE_CENTRE, ["by_type", 0])
    page.mouse.click(point["x"], point["y"])
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/ledger/\?.*type={first.pk}"))
    page.wait_for_load_state("networkidle")
    shot(page, "31-ledger-drilled-by-type")

    table = page.locator("main table").first
    shown = table.locator("tbody tr")
    assert shown.count() == 2
    text = table.inner_text()
    assert all(title in text for title in made[first.pk])
    assert "班组攻关" not in text
