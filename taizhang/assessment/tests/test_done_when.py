"""Issue 4's "done when", on the demo data and through the pages a user clicks: the 2020
campaign's Q3 scores are published for both branches and the orgs above them, each page
explains its figure down to the reports and indicator values, and the campaign owner can
change a weight in a copy of the scheme and see the draft scores move while the published
snapshot stays as it was."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from taizhang.assessment.fixedpoint import (
    ONE,
    WEIGHT_SCALE,
    attainment_share,
    contribution,
    scaled,
    to_points,
    truncdiv,
)
from taizhang.assessment.models import (
    CriterionKind,
    OrgScore,
    ProjectScore,
    RunKind,
    Scheme,
    ScoreRun,
)
from taizhang.assessment.tests.views_support import form_data, html
from taizhang.assessment.views.common import exact
from taizhang.campaigns.models import Campaign
from taizhang.checkins.models import Period, ReportStatus
from taizhang.checkins.selectors import project_period_reports, report_goal_rows
from taizhang.orgs.models import Org
from taizhang.users.models import User

SECTOR = "中国稀有稀土股份有限公司"
COMPANIES = ("中稀(四川)稀土有限公司", "中稀(凉山)稀土有限公司")
SICHUAN_BRANCH = "中稀(四川)稀土有限公司党支部"
LIANGSHAN_BRANCH = "中稀(凉山)稀土有限公司党支部"
# Who may read each branch's page: its own secretary (and the owner, who sees everything).
BRANCH_USERS = {SICHUAN_BRANCH: "secretary", LIANGSHAN_BRANCH: "secretary2"}


@pytest.fixture
def demo(db) -> Campaign:
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name="2020年“两带两创”活动")


@pytest.fixture
def q3(demo) -> Period:
    return Period.objects.get(campaign=demo, name="2020年第3季度")


def _published(demo, q3) -> ScoreRun:
    return ScoreRun.objects.get(scheme__campaign=demo, period=q3, kind=RunKind.PUBLISHED)


def _rows(page: str, attr: str) -> dict[int, str]:
    """{id: the figure in the row's score cell} of a ranking table on the scores page."""
    pattern = rf'<tr {attr}="(\d+)">.*?<td class="num score">([^<]*)</td>'
    return {int(pk): value.strip() for pk, value in re.findall(pattern, page, re.S)}


def _login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def test_q3_is_published_for_both_branches_and_the_orgs_above_them(client, demo, q3):
    run = _published(demo, q3)
    assert run.published_by.username == "sector" and run.published_at is not None
    scored = {s.org.name: s for s in run.org_scores.select_related("org")}
    for name in (SICHUAN_BRANCH, LIANGSHAN_BRANCH, *COMPANIES, SECTOR):
        assert name in scored, name
    # The figures come from the projects: each org's score is the mean of its subtree's
    # project totals (the demo's rule), recomputed here from the stored project scores.
    for name, score in scored.items():
        totals = list(
            ProjectScore.objects.filter(run=run, org_path__startswith=score.org_path).values_list(
                "total_micro", flat=True
            )
        )
        assert totals and score.project_count == len(totals), name
        mean = sum(totals) / len(totals)
        assert abs(score.score_micro - mean) < 1, name
    _login(client, "sector")
    sector = Org.objects.get(name=SECTOR)
    page = html(
        client.get(
            reverse("assessment:scores", args=[demo.pk]), {"period": q3.pk, "org": sector.pk}
        )
    )
    assert "已发布" in page
    children = _rows(page, "data-org")
    for name in COMPANIES:
        assert children[scored[name].org_id] == scored[name].breakdown["score"]


def _q3_report(project, q3):
    [row] = [r for r in project_period_reports(project) if r.period.pk == q3.pk]
    return row.report


def _goal_attainment_micro(report, points) -> int:
    """The goal-attainment criterion recomputed from the ledger: the report's readings, each
    goal's attainment, weighted by the goal weights (the scheme's documented formula)."""
    rows = [r for r in report_goal_rows(report) if r.actual is not None]
    shares = [
        (
            attainment_share(r.goal.baseline, r.goal.target, r.actual),
            scaled(r.goal.weight, WEIGHT_SCALE),
        )
        for r in rows
    ]
    weight_sum = sum(w for _s, w in shares)
    if weight_sum:
        share = truncdiv(sum(s * w for s, w in shares), weight_sum)
    else:
        share = truncdiv(sum(s for s, _w in shares), len(shares))
    assert 0 <= share <= ONE
    return contribution(points, share)


@pytest.mark.parametrize("branch", [SICHUAN_BRANCH, LIANGSHAN_BRANCH])
def test_each_score_is_explained_down_to_reports_and_indicator_values(client, demo, q3, branch):
    run = _published(demo, q3)
    org = Org.objects.get(name=branch)
    _login(client, BRANCH_USERS[branch])
    # The branch's page: its score and the projects it came from.
    own = OrgScore.objects.get(run=run, org=org)
    page = html(client.get(reverse("assessment:org_breakdown", args=[run.pk, org.pk])))
    assert own.breakdown["score"] in page
    scores = list(ProjectScore.objects.filter(run=run, org=org).select_related("project"))
    assert scores
    for score in scores:
        assert f'data-project="{score.project_id}"' in page
        assert str(to_points(score.total_micro)) in page
    # One project's page, down to the report and the indicator values.
    criterion = run.scheme.dimensions.get(name="基础工作").criteria.get(
        kind=CriterionKind.GOAL_ATTAINMENT
    )
    checked = 0
    for score in scores:
        report = _q3_report(score.project, q3)
        if report is None or report.status not in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            continue
        page = html(
            client.get(reverse("assessment:project_breakdown", args=[run.pk, score.project_id]))
        )
        assert reverse("checkins:report_detail", args=[report.pk]) in page
        # The goal-attainment criterion's block of the page (up to the next criterion).
        [block] = [
            part
            for part in page.split('<div class="criterion" data-kind="')[1:]
            if part.startswith('goal_attainment"')
        ]
        micro = _goal_attainment_micro(report, criterion.points)
        assert f'<dd class="contribution">{exact(micro)}</dd>' in block, score.project.code
        for row in report_goal_rows(report):
            if row.actual is not None:
                assert f'data-goal="{row.goal.pk}"' in page
                assert f"{row.actual.normalize():f}" in page or str(row.actual) in page
        checked += 1
    assert checked, "no project of the branch has a submitted Q3 report"


def test_owner_copies_the_scheme_changes_a_weight_and_sees_the_draft_move(client, demo, q3):
    run = _published(demo, q3)
    snapshot = {
        "projects": sorted(ProjectScore.objects.filter(run=run).values_list("pk", "total_micro")),
        "orgs": sorted(OrgScore.objects.filter(run=run).values_list("pk", "score_micro")),
    }
    source = Scheme.objects.get(campaign=demo, is_active=True)
    _login(client, "sector")
    response = client.post(reverse("assessment:scheme_copy", args=[demo.pk]), {"source": source.pk})
    copy = Scheme.objects.get(campaign=demo, is_active=True)
    assert copy.pk != source.pk and copy.based_on_id == source.pk
    assert response["Location"] == reverse("assessment:scheme_edit", args=[copy.pk])
    edit_url = reverse("assessment:scheme_edit", args=[copy.pk])
    data = form_data(html(client.get(edit_url)), "scheme-editor")

    def prefix(name: str) -> str:
        [field] = [k for k, v in data.items() if v == name and "-crit-" in k]
        return field.removesuffix("-name")

    # 基础工作 keeps its 50 (and the scheme its 100): 10 points move from the goal
    # attainment to the party-member lead.
    goal, lead = prefix("目标达成"), prefix("党员牵头")
    assert (data[f"{goal}-points"], data[f"{lead}-points"]) == ("30", "10")
    data.update({f"{goal}-points": "20", f"{lead}-points": "20", "action": "save"})
    response = client.post(edit_url, data)
    assert response.status_code == 302, html(response)
    response = client.post(
        reverse("assessment:recompute", args=[demo.pk]), {"period": q3.pk}, follow=True
    )
    assert response.status_code == 200
    draft = ScoreRun.objects.get(scheme=copy, period=q3, kind=RunKind.DRAFT)
    sector = Org.objects.get(name=SECTOR)
    scores_url = reverse("assessment:scores", args=[demo.pk])
    draft_page = html(client.get(scores_url, {"period": q3.pk, "org": sector.pk, "run": "draft"}))
    published_page = html(
        client.get(scores_url, {"period": q3.pk, "org": sector.pk, "run": run.pk})
    )
    draft_rows, published_rows = (
        _rows(draft_page, "data-project"),
        _rows(published_page, "data-project"),
    )
    assert draft_rows.keys() == published_rows.keys() and draft_rows
    moved = [pk for pk in draft_rows if draft_rows[pk] != published_rows[pk]]
    assert moved, "no project's draft score moved"
    # Each moved figure is the draft's own stored total, not the published one.
    for pk in moved:
        assert draft_rows[pk] == str(to_points(draft.project_scores.get(project_id=pk).total_micro))
        assert published_rows[pk] == str(
            to_points(run.project_scores.get(project_id=pk).total_micro)
        )
    # The published snapshot is untouched.
    assert snapshot == {
        "projects": sorted(ProjectScore.objects.filter(run=run).values_list("pk", "total_micro")),
        "orgs": sorted(OrgScore.objects.filter(run=run).values_list("pk", "score_micro")),
    }
    assert ScoreRun.objects.filter(scheme__campaign=demo, kind=RunKind.PUBLISHED).count() == 1
