"""Issue 4's weight change in a real browser: the campaign owner copies the demo's scoring
scheme, moves 10 points between two criteria in the editor, recomputes, and sees the draft
scores move on the scores page while the published version stays as it was."""

from io import StringIO

import pytest
from django.core.management import call_command

from taizhang.assessment.fixedpoint import to_points
from taizhang.assessment.models import RunKind, Scheme, ScoreRun
from taizhang.campaigns.models import Campaign
from taizhang.e2e.tests.conftest import login
from taizhang.orgs.models import Org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published demo credential
SECTOR = "中国稀有稀土股份有限公司"
Q3 = "2020年第3季度"


@pytest.fixture
def demo(db) -> Campaign:
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name="2020年“两带两创”活动")


def _shown_scores(page) -> dict[int, str]:
    """{project id: the figure in its score cell} of the scores page's project table."""
    return {
        int(row.get_attribute("data-project")): row.locator("td.score").inner_text().strip()
        for row in page.locator("tr[data-project]").all()
    }


def test_owner_changes_a_weight_in_a_copy_and_sees_the_draft_move(page, shot, demo):
    q3 = demo.periods.get(name=Q3)
    sector = Org.objects.get(name=SECTOR)
    published = ScoreRun.objects.get(scheme__campaign=demo, period=q3, kind=RunKind.PUBLISHED)
    source = Scheme.objects.get(campaign=demo, is_active=True)
    scores_url = (
        f"{page.base}/assessment/campaigns/{demo.pk}/scores/?period={q3.pk}&org={sector.pk}"
    )

    login(page, "sector", DEMO_PASSWORD)
    page.goto(f"{scores_url}&run={published.pk}")
    before = _shown_scores(page)
    assert before
    assert before == {
        s.project_id: str(to_points(s.total_micro)) for s in published.project_scores.all()
    }
    shot(page, "60-scores-published")

    # Copy the active scheme into a new version from the scheme page.
    page.goto(page.base + f"/assessment/campaigns/{demo.pk}/scheme/")
    copy_form = page.locator(f"form[action='/assessment/campaigns/{demo.pk}/scheme/copy/']")
    copy_form.locator("select[name=source]").select_option(str(source.pk))
    copy_form.locator("button[type=submit]").click()
    page.wait_for_url("**/assessment/schemes/*/edit/")
    copy = Scheme.objects.get(campaign=demo, is_active=True)
    assert copy.pk != source.pk and copy.based_on_id == source.pk

    # 10 points move from 目标达成 to 党员牵头 (the dimension keeps its total).
    def points_of(criterion: str):
        name = page.locator(f"input[name*='-crit-'][name$='-name'][value='{criterion}']")
        prefix = name.get_attribute("name").removesuffix("-name")
        return page.locator(f"input[name='{prefix}-points']")

    goal, lead = points_of("目标达成"), points_of("党员牵头")
    assert (goal.input_value(), lead.input_value()) == ("30", "10")
    goal.fill("20")
    lead.fill("20")
    shot(page, "61-scheme-copy-edited")
    page.click("form.scheme-editor button.btn-primary[name=action][value=save]")
    page.wait_for_url(f"**/assessment/campaigns/{demo.pk}/scheme/")
    row = page.locator("table.scheme-table tr", has=page.locator("td", has_text="目标达成"))
    assert row.locator("td.num").inner_text().strip() == "20"

    # Recompute the draft on the scores page and compare it with the published version.
    page.goto(scores_url)
    page.click(f"form[action='/assessment/campaigns/{demo.pk}/scores/recompute/'] button")
    # The recomputed draft is what the page shows next.
    page.wait_for_url("**run=draft**")
    assert page.locator("section.runs strong", has_text="正在查看草稿").count() == 1
    draft = ScoreRun.objects.get(scheme=copy, period=q3, kind=RunKind.DRAFT)
    after = _shown_scores(page)
    shot(page, "62-scores-draft-moved")
    assert after.keys() == before.keys()
    moved = [pk for pk in after if after[pk] != before[pk]]
    assert moved, "no project's draft score moved"
    for pk in after:
        assert after[pk] == str(to_points(draft.project_scores.get(project_id=pk).total_micro))

    # The published version still shows what it showed.
    page.goto(f"{scores_url}&run={published.pk}")
    assert _shown_scores(page) == before
