"""Check-in forms carry the record's version: open a form, someone else changes the record,
submit → "someone changed this since you opened it" with their change shown, nothing saved;
submitting again (now knowingly) goes through."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from taizhang.campaigns.tests.factories import ParticipantFactory
from taizhang.checkins import services
from taizhang.checkins.models import (
    BenefitClaim,
    ClaimStatus,
    ProgressReport,
    RectificationStatus,
    ReportStatus,
)
from taizhang.checkins.services import RectificationInput
from taizhang.checkins.tests.test_services import _fill, pdf
from taizhang.checkins.tests.test_views import _edit_url, _payload
from taizhang.core.history import save_with_history
from taizhang.orgs.models import Person

STALE = "该记录已被他人修改"


def _version_in(html: str, form_action: str | None = None) -> str:
    """The hidden version of the (first) form, or of the form posting to `form_action`."""
    if form_action is not None:
        html = html[html.index(f'action="{form_action}"') :]
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "the form carries no version"
    return match.group(1)


@pytest.fixture
def co_writer(world, checkin):
    """A participant the lead allowed to write the report: the "someone else"."""
    person = Person.objects.get(user=world.participant_a1)
    ParticipantFactory(project=checkin.project, person=person, can_report=True)
    return world.participant_a1


def test_stale_report_save_shows_their_change_and_saves_nothing(client, world, checkin, co_writer):
    q2 = checkin.periods[1]
    report = _fill(world, checkin, q2)
    url = _edit_url(checkin, q2)
    client.force_login(world.lead_a1)
    opened = _version_in(client.get(url).content.decode())
    assert opened == str(ProgressReport.objects.get(pk=report.pk).lock_version)

    # Meanwhile the participant rewrites the progress text.
    services.report_save(
        actor=co_writer,
        report=ProgressReport.objects.get(pk=report.pk),
        progress="首单采购已完成，二单洽谈中",
        problems="运输受阻",
        next_steps="扩大采购",
        actuals={checkin.profit.pk: "260", checkin.loss.pk: "60"},
    )
    current = ProgressReport.objects.get(pk=report.pk)

    response = client.post(url, _payload(checkin, version=opened, progress="我的新写法"))
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in html
    assert "对方的修改" in html and "participant_a1" in html
    assert "进展情况：完成独居石首单采购 → 首单采购已完成，二单洽谈中" in html
    # What this user typed is kept in the form, with the version just shown.
    assert "我的新写法" in html
    assert _version_in(html) == str(current.lock_version)
    report.refresh_from_db()
    assert report.progress == "首单采购已完成，二单洽谈中"
    assert report.lock_version == current.lock_version

    # Saving again with the version shown overwrites knowingly.
    again = client.post(url, _payload(checkin, version=_version_in(html), progress="我的新写法"))
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.progress == "我的新写法"


def test_stale_report_submit_submits_nothing(client, world, checkin, co_writer):
    q2 = checkin.periods[1]
    report = _fill(world, checkin, q2)
    url = _edit_url(checkin, q2)
    client.force_login(world.lead_a1)
    opened = _version_in(client.get(url).content.decode())
    services.report_save(
        actor=co_writer,
        report=ProgressReport.objects.get(pk=report.pk),
        progress="对方改过",
        problems="",
        next_steps="",
        actuals={checkin.profit.pk: "250", checkin.loss.pk: "60"},
    )
    response = client.post(
        url, {**_payload(checkin, "submit", version=opened), "file": pdf("新材料.pdf")}
    )
    assert response.status_code == 200
    assert STALE in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.progress == "对方改过"
    assert not report.evidence.filter(name="新材料.pdf").exists()


def test_stale_review_shows_the_other_reviewers_decision(client, world, checkin):
    q2 = checkin.periods[1]
    report = _fill(world, checkin, q2)
    services.report_submit(actor=world.lead_a1, report=report)
    detail = reverse("checkins:report_detail", args=[report.pk])
    review = reverse("checkins:report_review", args=[report.pk])
    client.force_login(world.admin_a1)
    opened = _version_in(client.get(detail).content.decode(), review)

    # The company admin returns it meanwhile.
    services.report_return(
        actor=world.admin_company_a, report=ProgressReport.objects.get(pk=report.pk), comment="补数"
    )
    response = client.post(review, {"action": "accept", "comment": "", "version": opened})
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in html
    assert "admin_company_a 把“状态”由“已提交”改为“已退回”" in html
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED and report.reviewed_by == world.admin_company_a


def test_stale_claim_decision_verifies_nothing(client, world, checkin):
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[1],
        amount=Decimal("12.5"),
        source="trade_profit",
    )
    services.evidence_add(actor=world.lead_a1, upload=pdf(), claim=claim)
    url = reverse("checkins:claim_detail", args=[claim.pk])
    decide = reverse("checkins:claim_decide", args=[claim.pk])
    client.force_login(checkin.verifier)
    opened = _version_in(client.get(url).content.decode(), decide)

    # The lead corrects the description meanwhile.
    claim.description = "补充：含运费节约"
    save_with_history(claim, actor=world.lead_a1, reason="补充说明")
    response = client.post(decide, {"action": "verify", "version": opened})
    assert response.status_code == 200
    html = response.content.decode()
    assert STALE in html and "lead_a1 把“说明”" in html
    claim = BenefitClaim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.DECLARED and claim.verifier is None
    # The form now carries the current version: deciding again goes through.
    assert _version_in(html, decide) == str(claim.lock_version)
    again = client.post(decide, {"action": "verify", "version": _version_in(html, decide)})
    assert again.status_code == 302
    assert BenefitClaim.objects.get(pk=claim.pk).status == ClaimStatus.VERIFIED


def test_stale_rectification_close_closes_nothing(client, world, checkin):
    inspection = services.inspection_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        inspecting_org=world.company_a,
        project=checkin.project,
        date=dt.date(2020, 6, 1),
        inspectors="检查组",
        methods=["briefing"],
        findings="台账不全",
        rating="fair",
        items=[RectificationInput("补齐台账", world.lead_person_a1, dt.date(2020, 7, 1))],
    )
    item = inspection.items.get()
    detail = reverse("checkins:inspection_detail", args=[inspection.pk])
    update = reverse("checkins:rectification_update", args=[item.pk])
    client.force_login(world.lead_a1)
    opened = _version_in(client.get(detail).content.decode(), update)

    item.due_date = dt.date(2020, 7, 15)
    save_with_history(item, actor=world.admin_company_a, reason="延期")
    response = client.post(
        update,
        {"action": "close", "closing_note": "已补齐", "version": opened, "file": pdf("整改.pdf")},
        follow=True,
    )
    html = response.content.decode()
    assert STALE in html
    assert "admin_company_a 把“整改时限”由“2020-07-01”改为“2020-07-15”" in html
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    assert not item.evidence.exists()  # the file chosen with the refused close is not kept
    assert _version_in(html, update) == str(item.lock_version)
