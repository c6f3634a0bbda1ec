"""Every assessment page about a branch's project or org answers 404 to the sibling branch,
exactly like a record that does not exist."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from taizhang.assessment import results_day as rd
from taizhang.assessment import services
from taizhang.assessment.models import EntryKind, RunKind, ScoreRun
from taizhang.assessment.tests.views_support import scored_fixture  # noqa: F401 - fixture


@pytest.fixture
def a1_records(world, scored):
    """A draft and a published run, an entry with evidence and a results-day candidate, all
    about branch a1."""
    services.draft_compute(scheme=scored.scheme, period=scored.period)
    deduction = scored.scheme.deductions.get(kind="manual")
    entry = services.entry_add(
        actor=world.admin_a1,
        scheme=scored.scheme,
        period=scored.period,
        kind=EntryKind.DEDUCTION,
        item_id=deduction.pk,
        value="1",
        note="记录缺失",
        project=scored.a1_top,
        evidence=SimpleUploadedFile("记录.pdf", b"%PDF", content_type="application/pdf"),
    )
    services.assessment_publish(
        actor=world.admin_company_a, scheme=scored.scheme, period=scored.period
    )
    day = rd.results_day_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        name="成果发布",
        date=dt.date(2020, 12, 20),
    )
    candidate = rd.candidate_add(actor=world.admin_company_a, day=day, project=scored.a1_top)
    return {
        "draft": ScoreRun.objects.get(kind=RunKind.DRAFT),
        "published": ScoreRun.objects.get(kind=RunKind.PUBLISHED),
        "entry": entry,
        "candidate": candidate,
    }


def _campaign_url(name, world, query):
    return reverse(name, args=[world.campaign.pk]) + query


PAGES = {
    "project breakdown (draft)": lambda w, s, r: reverse(
        "assessment:project_breakdown", args=[r["draft"].pk, s.a1_top.pk]
    ),
    "project breakdown (published)": lambda w, s, r: reverse(
        "assessment:project_breakdown", args=[r["published"].pk, s.a1_top.pk]
    ),
    "org breakdown": lambda w, s, r: reverse(
        "assessment:org_breakdown", args=[r["published"].pk, w.branch_a1.pk]
    ),
    "ranking of the org": lambda w, s, r: _campaign_url(
        "assessment:scores", w, f"?period={s.period.pk}&org={w.branch_a1.pk}"
    ),
    "assessment sheet of the org": lambda w, s, r: _campaign_url(
        "exports:assessment_sheet", w, f"?period={s.period.pk}&org={w.branch_a1.pk}"
    ),
    "entry form for the project": lambda w, s, r: _campaign_url(
        "assessment:entry_new", w, f"?period={s.period.pk}&project={s.a1_top.pk}"
    ),
    "entry form for the org": lambda w, s, r: _campaign_url(
        "assessment:entry_new", w, f"?period={s.period.pk}&org={w.branch_a1.pk}"
    ),
    "entry evidence": lambda w, s, r: reverse("assessment:entry_evidence", args=[r["entry"].pk]),
    "project score panel": lambda w, s, r: reverse(
        "assessment:project_score_panel", args=[s.a1_top.pk]
    ),
    "review of the project": lambda w, s, r: reverse("assessment:review", args=[r["candidate"].pk]),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_sibling_branch_gets_404(client, world, scored, a1_records, page):
    url = PAGES[page](world, scored, a1_records)
    client.force_login(world.admin_a1)
    assert client.get(url).status_code in (200, 302)  # the branch itself may look
    client.force_login(world.admin_a2)
    assert client.get(url).status_code == 404


def test_sibling_branch_cannot_post_an_entry(client, world, scored, a1_records):
    client.force_login(world.admin_a2)
    url = _campaign_url(
        "assessment:entry_new", world, f"?period={scored.period.pk}&project={scored.a2.pk}"
    )
    assert client.get(url).status_code == 200  # its own project: fine
    url = _campaign_url(
        "assessment:entry_new", world, f"?period={scored.period.pk}&project={scored.a1_top.pk}"
    )
    response = client.post(url, {"kind": "bonus", "item": "bonus:1", "note": "越权", "value": "1"})
    assert response.status_code == 404


def test_unknown_records_are_404(client, world, scored, a1_records):
    client.force_login(world.admin_company_a)
    for url in (
        reverse("assessment:project_breakdown", args=[999999, scored.a1_top.pk]),
        reverse("assessment:project_breakdown", args=[a1_records["draft"].pk, 999999]),
        reverse("assessment:org_breakdown", args=[a1_records["draft"].pk, 999999]),
        reverse("assessment:scheme_edit", args=[999999]),
        reverse("assessment:results_day_detail", args=[999999]),
        reverse("assessment:review", args=[999999]),
        reverse("assessment:scores", args=[999999]),
    ):
        assert client.get(url).status_code == 404, url
