"""Issue 5's sample in a real browser: ../shared/samples/ledger-clean.xlsx goes into a fresh
campaign; its seven people are not in the system, so the dry run lists them and the import,
with "登记未登记的人员" ticked, registers them and creates the file's two projects."""

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import Campaign, Project
from taizhang.e2e.tests.conftest import login
from taizhang.orgs.models import Org, Person
from taizhang.users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published demo credential
# The repository's copy of ../shared/samples/ledger-clean.xlsx (the same bytes, checked below
# where the shared folder is present).
SAMPLE = Path(__file__).resolve().parents[2] / "imports" / "tests" / "data" / "ledger-clean.xlsx"
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "samples" / "ledger-clean.xlsx"
SAMPLE_BRANCH = "中稀(四川)稀土有限公司党支部"
SAMPLE_PEOPLE = {"张明", "刘军", "李华", "王强", "赵丽", "陈刚", "周敏"}


@pytest.fixture
def fresh_campaign(db) -> Campaign:
    """The demo, plus a new empty campaign of its sector launched through the service."""
    call_command("demo", stdout=StringIO())
    return campaign_services.campaign_create(
        actor=User.objects.get(username="sector"),
        org=Org.objects.get(name="中国稀有稀土股份有限公司"),
        name="2020年“两带两创”活动（导入）",
        year=2020,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
    )


def test_import_the_sample_registering_its_people(page, shot, fresh_campaign):
    if SHARED.exists():
        assert SHARED.read_bytes() == SAMPLE.read_bytes()
    assert not Person.objects.filter(name__in=SAMPLE_PEOPLE).exists()
    login(page, "secretary", DEMO_PASSWORD)
    page.goto(page.base + f"/imports/campaigns/{fresh_campaign.pk}/")
    page.set_input_files("input[name=file]", str(SAMPLE))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/columns/")
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_load_state("networkidle")

    # The dry run names each unknown person with where and as what they will be registered.
    registrations = page.locator("section.card:has(h2:text-is('未登记的人员')) tbody tr")
    listed = {
        tuple(c.strip() for c in row.locator("td").all_inner_texts()[:2])
        for row in registrations.all()
    }
    assert listed == {(name, SAMPLE_BRANCH) for name in SAMPLE_PEOPLE}
    option = page.locator("form#register-unknown input[name=register_unknown]")
    assert option.is_visible() and not option.is_checked()
    shot(page, "70-sample-dry-run-unregistered")
    assert not Project.objects.filter(campaign=fresh_campaign).exists()

    option.check()
    page.click("form#register-unknown button[type=submit]")
    page.wait_for_load_state("networkidle")
    text = page.locator("main").inner_text()
    assert "导入完成：新增 2" in text and "登记人员 7 名" in text
    shot(page, "71-sample-imported")

    branch = Org.objects.get(name=SAMPLE_BRANCH)
    people = Person.objects.filter(name__in=SAMPLE_PEOPLE)
    assert {p.name for p in people} == SAMPLE_PEOPLE and {p.org for p in people} == {branch}
    projects = {p.title: p for p in Project.objects.filter(campaign=fresh_campaign)}
    assert set(projects) == {"稀土贸易创效", "银峰矿业低成本运营"}
    assert projects["稀土贸易创效"].lead.name == "张明"

    # The new projects are on the fresh campaign's ledger page.
    page.goto(page.base + f"/campaigns/{fresh_campaign.pk}/ledger/")
    rows = page.locator("main table").first.locator("tbody tr")
    assert rows.count() == 2
    shown = "\n".join(rows.all_inner_texts())
    assert all(title in shown for title in projects)
    shot(page, "72-sample-ledger")
