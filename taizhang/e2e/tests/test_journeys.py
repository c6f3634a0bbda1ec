"""The main journeys a person makes, in a real browser."""

import datetime as dt
import re

import pytest

from taizhang.campaigns.models import Project, ProjectStatus
from taizhang.e2e.tests.conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_submit_approve_project_and_see_it_in_ledger_and_history(page, shot, world):
    campaign = world.campaign
    login(page, "lead_a1")
    shot(page, "01-home-after-login")
    page.click(f"a[href='/campaigns/{campaign.pk}/']")
    page.click(f"a[href='/campaigns/{campaign.pk}/projects/new/']")
    shot(page, "02-new-project-form")

    page.select_option("select[name=org]", str(world.branch_a1.pk))
    page.fill("input[name=code]", "ZX-E2E-01")
    page.fill("input[name=title]", "独居石贸易创效")
    page.select_option("select[name=project_type]", str(campaign.project_types.first().pk))
    page.select_option("select[name=focus_area]", str(campaign.focus_areas.first().pk))
    # The lead picker: type, let htmx fetch the matching Party members, pick one.
    search = page.locator(".person-picker:has(select[name=lead]) input.person-search")
    search.fill("lead_a1")
    page.wait_for_selector(
        f"select[name=lead] option[value='{world.lead_person_a1.pk}']", state="attached"
    )
    page.select_option("select[name=lead]", str(world.lead_person_a1.pk))
    page.fill("input[name=start_date]", "2020-03-01")
    page.fill("input[name=end_date]", "2020-12-31")
    for index, (name, unit, target) in enumerate(
        [("目标利润", "万元", "500"), ("独居石采购量", "吨", "300")]
    ):
        page.fill(f"input[name=goals-{index}-name]", name)
        page.fill(f"input[name=goals-{index}-unit]", unit)
        page.fill(f"input[name=goals-{index}-target]", target)
    for index, text in enumerate(["与兄弟单位签订独居石采购协议", "建立加工合作", "月度复盘"]):
        page.fill(f"[name=measures-{index}-description]", text)
    shot(page, "03-new-project-filled")
    page.click("form button.btn-primary[type=submit]")
    page.wait_for_url(re.compile(r"/campaigns/projects/\d+/$"))
    project = Project.objects.get(code="ZX-E2E-01")
    assert (project.goals.count(), project.measures.count()) == (2, 3)
    assert project.status == ProjectStatus.DRAFT
    shot(page, "04-project-draft")

    page.locator("form.transition-form:has(input[value=submit]) button").click()
    page.wait_for_load_state("networkidle")
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    logout(page)

    login(page, "admin_a1")
    page.goto(page.base + f"/campaigns/projects/{project.pk}/")
    approve = page.locator("form.transition-form:has(input[value=approve])")
    approve.locator("textarea[name=reason]").fill("同意立项")
    approve.locator("button").click()
    page.wait_for_load_state("networkidle")
    project.refresh_from_db()
    assert project.status == ProjectStatus.APPROVED
    shot(page, "05-project-approved")

    page.goto(page.base + f"/campaigns/{campaign.pk}/ledger/")
    assert page.locator("table").get_by_text("独居石贸易创效").count() == 1
    shot(page, "06-ledger")
    page.goto(page.base + f"/campaigns/projects/{project.pk}/history/")
    body = page.locator("main").inner_text()
    assert "同意立项" in body and "admin_a1" in body
    shot(page, "07-history")


def test_sibling_branch_gets_not_found_in_the_browser(page, world):
    from taizhang.campaigns.tests.factories import ProjectFactory

    project = ProjectFactory(
        campaign=world.campaign, org=world.branch_a1, lead=world.lead_person_a1
    )
    login(page, "admin_a2")
    response = page.goto(page.base + f"/campaigns/projects/{project.pk}/")
    assert response.status == 404


def test_ledger_on_a_phone_screen(page, shot, world):
    from taizhang.campaigns.tests.factories import ProjectFactory

    for _ in range(3):
        ProjectFactory(
            campaign=world.campaign,
            org=world.branch_a1,
            lead=world.lead_person_a1,
            end_date=dt.date(2020, 12, 31),
        )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, "admin_a1")
    page.goto(page.base + f"/campaigns/{world.campaign.pk}/ledger/")
    # Nothing may push the page wider than the phone: the table scrolls inside its box.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
    shot(page, "08-ledger-phone")
