"""Issue 3's journey in a real browser: submit, review, return and resubmit a report."""

import re

import pytest

from taizhang.checkins.models import ProgressReport, ReportStatus
from taizhang.e2e.tests.conftest import login, logout

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fill_and_submit(page, checkin, profit: str, loss: str, progress: str) -> None:
    page.fill("textarea[name=progress]", progress)
    page.fill(f"input[name=actual_{checkin.profit.pk}]", profit)
    page.fill(f"input[name=actual_{checkin.loss.pk}]", loss)
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/checkins/reports/\d+/$"))


def test_submit_return_resubmit_accept_report(page, shot, world, checkin):
    q2 = checkin.periods[1]
    project = checkin.project
    login(page, "lead_a1")
    page.goto(page.base + f"/checkins/projects/{project.pk}/periods/{q2.pk}/report/")
    shot(page, "20-report-form")
    _fill_and_submit(page, checkin, "250", "60", "完成独居石首单采购")
    report = ProgressReport.objects.get(project=project, period=q2)
    assert report.status == ReportStatus.SUBMITTED and report.revision == 1
    shot(page, "21-report-submitted")
    logout(page)

    login(page, "admin_a1")
    page.goto(page.base + f"/checkins/reports/{report.pk}/")
    page.fill("textarea[name=comment]", "请补充利润数据来源")
    page.click("button[name=action][value=return]")
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    shot(page, "22-report-returned")
    logout(page)

    login(page, "lead_a1")
    page.goto(page.base + f"/checkins/projects/{project.pk}/periods/{q2.pk}/report/")
    assert "请补充利润数据来源" in page.locator("main").inner_text()
    _fill_and_submit(page, checkin, "260", "55", "补充了利润数据来源：贸易合同三份")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.revision == 2
    logout(page)

    login(page, "admin_a1")
    page.goto(page.base + f"/checkins/reports/{report.pk}/")
    page.click("button[name=action][value=accept]")
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    shot(page, "23-report-accepted")
