"""The access_* helpers the pages use: in scope → the object, out of scope → 404."""

import datetime as dt

import pytest
from django.http import Http404

from taizhang.campaigns.tests.factories import CampaignFactory
from taizhang.checkins import permissions as perms
from taizhang.checkins import services
from taizhang.checkins.services import RectificationInput
from taizhang.checkins.tests.test_services import _fill, pdf


@pytest.fixture
def files(world, checkin):
    report = _fill(world, checkin, checkin.periods[0])
    claim = services.claim_declare(
        actor=world.lead_a1,
        project=checkin.project,
        period=checkin.periods[0],
        amount="1",
        source="other",
    )
    inspection = services.inspection_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        inspecting_org=world.company_a,
        target_org=world.branch_a1,
        date=dt.date(2020, 9, 1),
        inspectors="x",
        methods=["site"],
        findings="y",
        rating="fair",
        items=[
            RectificationInput(
                description="z", owner=world.lead_person_a1, due_date=dt.date(2020, 9, 30)
            )
        ],
    )
    item = inspection.items.get()
    return {
        "report": services.evidence_add(actor=world.lead_a1, upload=pdf(), report=report),
        "claim": services.evidence_add(actor=world.lead_a1, upload=pdf(), claim=claim),
        "rectification": services.evidence_add(
            actor=world.lead_a1, upload=pdf(), rectification=item
        ),
        "item": item,
    }


@pytest.mark.parametrize("owner", ["report", "claim", "rectification"])
def test_evidence_follows_its_owner(world, files, owner):
    evidence = files[owner]
    for user in (world.lead_a1, world.admin_a1, world.admin_company_a, world.viewer_group):
        assert perms.access_evidence(user, evidence.pk) == evidence
    for user in (world.admin_a2, world.lead_a2):
        with pytest.raises(Http404):
            perms.access_evidence(user, evidence.pk)


def test_access_rectification(world, files):
    item = files["item"]
    assert perms.access_rectification(world.lead_a1, item.pk) == item
    # The inspecting company sees it; the sibling branch does not.
    assert perms.access_rectification(world.admin_company_a, item.pk) == item
    with pytest.raises(Http404):
        perms.access_rectification(world.admin_a2, item.pk)
    with pytest.raises(Http404):
        perms.access_rectification(world.lead_a1, "x")


def test_access_period_through_campaign_visibility(world, checkin):
    q1 = checkin.periods[0]
    assert perms.access_period(world.lead_a2, q1.pk) == q1  # the company's campaign
    other = CampaignFactory(org=world.company_b)
    period = services.periods_generate(actor=None, campaign=other)[0]
    with pytest.raises(Http404):
        perms.access_period(world.admin_company_a, period.pk)


def test_access_notification_is_own_only(world):
    services.notify(user=world.lead_a1, key="k", kind="x", title="t")
    notification = world.lead_a1.notifications.get()
    assert perms.access_notification(world.lead_a1, notification.pk) == notification
    with pytest.raises(Http404):
        perms.access_notification(world.admin_a1, notification.pk)
    with pytest.raises(Http404):
        perms.access_notification(world.sysadmin, notification.pk)
