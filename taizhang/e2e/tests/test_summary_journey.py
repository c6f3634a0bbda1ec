"""Issue 5's last "done when" in a real browser: open the 分析总结 page of the demo campaign
for the third quarter and download its Word document, which opens cleanly."""

import io
import re
from io import StringIO

import docx
import pytest
from django.core.management import call_command

from taizhang.campaigns.models import Campaign
from taizhang.e2e.tests.conftest import login
from taizhang.orgs.models import Org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published demo credential
Q3 = "2020年第3季度"


@pytest.fixture
def demo(db) -> Campaign:
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name="2020年“两带两创”活动")


def test_download_the_q3_summary_and_open_it(page, shot, demo):
    q3 = demo.periods.get(name=Q3)
    login(page, "sector", DEMO_PASSWORD)
    page.goto(page.base + f"/campaigns/{demo.pk}/")
    page.click(f"main a[href='/analysis/campaigns/{demo.pk}/']")
    page.select_option("form.filters select[name=period]", str(q3.pk))
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(rf"period={q3.pk}"))
    org = Org.objects.get(pk=page.locator("form.filters select[name=org]").input_value())
    subtitle = page.locator(".page-subtitle").inner_text()
    assert f"{org}及下级" in subtitle and Q3 in subtitle
    stats = page.locator(".analysis-overview .stat-value").all_inner_texts()
    projects, reports = stats[0].strip(), stats[1].strip()
    assert int(reports) > 0
    shot(page, "50-summary-dashboard-q3")

    with page.expect_download() as info:
        page.click(f"a[href^='/documents/campaigns/{demo.pk}/summary.docx']")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    document = docx.Document(io.BytesIO(download.path().read_bytes()))
    text = "\n".join(p.text for p in document.paragraphs)
    assert demo.name in text and str(org) in text and Q3 in text
    # The numbers the page showed for the same org and period are the document's numbers.
    assert f"共有项目{projects}个" in text
    assert f"共收到进展报告{reports}份" in text
    assert document.core_properties.subject == f"{org} · {Q3}"
