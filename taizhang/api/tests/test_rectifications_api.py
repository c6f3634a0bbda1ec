"""Closing rectification items (销号) through the API: evidence, close, scope, scopes of
tokens, stale versions and bad input — the same service as the inspection page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.checkins import services
from taizhang.checkins.models import Evidence, RectificationItem, RectificationStatus
from taizhang.checkins.services import RectificationInput
from taizhang.core.history import save_with_history

from .conftest import error_of


@pytest.fixture
def item(world, checkin) -> RectificationItem:
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
    return inspection.items.get()


def _upload(client, item, name="整改照片.jpg", content=b"\xff\xd8\xff photo"):
    return client.client.post(
        f"/api/v1/rectifications/{item.pk}/evidence",
        {"file": SimpleUploadedFile(name, content, content_type="image/jpeg")},
        headers={"Authorization": f"Bearer {client.token}"},
    )


def test_owner_uploads_evidence_and_closes_the_item(api, world, item):
    lead = api(world.lead_a1)
    shown = lead.get(f"/rectifications/{item.pk}").json()
    assert shown["status"] == "open" and shown["evidence"] == []
    assert shown["inspection_id"] == item.inspection_id
    uploaded = _upload(lead, item)
    assert uploaded.status_code == 201, uploaded.content
    assert uploaded.json()["name"] == "整改照片.jpg"
    closed = lead.post(
        f"/rectifications/{item.pk}/close",
        {"version": shown["version"], "closing_note": "已补齐全部台账。"},
    )
    assert closed.status_code == 200, closed.content
    body = closed.json()
    assert body["status"] == "closed" and body["closing_note"] == "已补齐全部台账。"
    assert len(body["evidence"]) == 1
    item.refresh_from_db()
    assert item.status == RectificationStatus.CLOSED and item.closed_by == world.lead_a1
    assert item.history.latest().history_user == world.lead_a1
    # Closed once: a second close is a state conflict.
    again = lead.post(
        f"/rectifications/{item.pk}/close", {"version": body["version"], "closing_note": "再次"}
    )
    assert again.status_code == 409 and error_of(again)["code"] == "invalid_transition"


def test_close_without_evidence_is_422_and_changes_nothing(api, world, item):
    response = api(world.lead_a1).post(
        f"/rectifications/{item.pk}/close", {"version": item.lock_version, "closing_note": "好了"}
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "evidence_required" and "file" in error["fields"]
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_stale_version_is_409_with_the_current_one(api, world, item):
    lead = api(world.lead_a1)
    assert _upload(lead, item).status_code == 201
    stale = item.lock_version
    # Someone else changes the item meanwhile (an admin edits its description).
    item.description = "补齐台账并归档"
    save_with_history(item, actor=world.admin_company_a, reason="补充说明")
    response = lead.post(
        f"/rectifications/{item.pk}/close", {"version": stale, "closing_note": "已补齐。"}
    )
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "stale"
    assert error["details"]["current_version"] == stale + 1
    assert error["details"]["latest_change"]["by"] == str(world.admin_company_a)
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_sibling_branch_sees_nothing(api, world, item):
    sibling = api(world.admin_a2)
    assert error_of(sibling.get(f"/rectifications/{item.pk}"))["code"] == "not_found"
    assert _upload(sibling, item).status_code == 404
    close = sibling.post(f"/rectifications/{item.pk}/close", {"version": 1, "closing_note": "x"})
    assert close.status_code == 404
    assert not Evidence.objects.filter(rectification=item).exists()


def test_someone_who_sees_it_but_may_not_close_is_403(api, world, item):
    # The branch's participant sees the project's inspection, but is neither the owner nor
    # an admin.
    participant = api(world.participant_a1)
    assert participant.get(f"/rectifications/{item.pk}").status_code == 200
    response = participant.post(
        f"/rectifications/{item.pk}/close", {"version": item.lock_version, "closing_note": "x"}
    )
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"


def test_read_only_token_cannot_upload_or_close(api, world, item):
    reader = api(world.lead_a1, "read")
    assert reader.get(f"/rectifications/{item.pk}").status_code == 200
    upload = _upload(reader, item)
    assert upload.status_code == 403 and error_of(upload)["code"] == "read_only_token"
    close = reader.post(
        f"/rectifications/{item.pk}/close", {"version": item.lock_version, "closing_note": "x"}
    )
    assert close.status_code == 403
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN
    assert not Evidence.objects.filter(rectification=item).exists()


@pytest.mark.parametrize(
    "body, field",
    [
        ({"closing_note": "x"}, "version"),
        ({"version": "one", "closing_note": "x"}, "version"),
        ({"version": 1}, "closing_note"),
        ({"version": 1, "closing_note": "x", "extra": 1}, "extra"),
    ],
)
def test_bad_close_input_is_the_error_shape(api, world, item, body, field):
    response = api(world.lead_a1).post(f"/rectifications/{item.pk}/close", body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]
    item.refresh_from_db()
    assert item.status == RectificationStatus.OPEN


def test_disallowed_file_type_is_refused(api, world, item):
    response = _upload(api(world.lead_a1), item, name="x.exe", content=b"MZ")
    assert response.status_code == 422 and error_of(response)["code"] == "file_type"
    assert not Evidence.objects.filter(rectification=item).exists()
