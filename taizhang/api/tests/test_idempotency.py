"""`Idempotency-Key` on project creation and report submission: a retry returns the first
response and does nothing again; the same key with another request is refused."""

import datetime as dt

from django.utils import timezone

from taizhang.api.models import IdempotencyKey
from taizhang.campaigns.models import Project
from taizhang.checkins.models import ProgressReport

from .conftest import ApiClient, error_of, make_token


def _new_project(world, **overrides) -> dict:
    campaign = world.campaign
    body = {
        "campaign_id": campaign.pk,
        "org_id": world.branch_a1.pk,
        "code": "API-01",
        "title": "独居石贸易创效",
        "project_type_id": campaign.project_types.get(short_name="创效").pk,
        "focus_area_id": campaign.focus_areas.get(name="贸易营销").pk,
        "lead_id": world.lead_person_a1.pk,
        "start_date": "2020-01-01",
        "end_date": "2020-12-31",
        "goals": [{"name": "目标利润", "unit": "万元", "target": 500}],
        "measures": [{"description": "与兄弟公司开展独居石购销加工贸易"}],
    }
    body.update(overrides)
    return body


def test_project_create_retry_returns_the_first_response(world):
    api = ApiClient(make_token(world.lead_a1))
    headers = {"Idempotency-Key": "9b1f0c1e-create-1"}
    first = api.post("/projects", _new_project(world), headers=headers)
    assert first.status_code == 201, first.content
    second = api.post("/projects", _new_project(world), headers=headers)
    assert second.status_code == 201
    assert second.json() == first.json()
    assert Project.objects.filter(code="API-01").count() == 1


def test_same_key_with_another_body_is_422(world):
    api = ApiClient(make_token(world.lead_a1))
    headers = {"Idempotency-Key": "key-2"}
    assert api.post("/projects", _new_project(world), headers=headers).status_code == 201
    response = api.post("/projects", _new_project(world, title="别的项目"), headers=headers)
    assert response.status_code == 422
    assert error_of(response)["code"] == "idempotency_key_reused"
    assert Project.objects.filter(title="别的项目").count() == 0


def test_keys_are_per_user(world):
    headers = {"Idempotency-Key": "shared"}
    lead = ApiClient(make_token(world.lead_a1))
    admin = ApiClient(make_token(world.admin_a1))
    assert lead.post("/projects", _new_project(world), headers=headers).status_code == 201
    response = admin.post("/projects", _new_project(world, code="API-02"), headers=headers)
    assert response.status_code == 201
    assert response.json()["code"] == "API-02"


def test_a_failed_attempt_is_not_remembered(world):
    api = ApiClient(make_token(world.lead_a1))
    headers = {"Idempotency-Key": "retry-after-fix"}
    bad = api.post("/projects", _new_project(world, end_date="2019-01-01"), headers=headers)
    assert bad.status_code == 422
    assert not IdempotencyKey.objects.exists()
    assert Project.objects.count() == 0
    good = api.post("/projects", _new_project(world), headers=headers)
    assert good.status_code == 201


def test_without_a_key_a_retry_is_a_new_request(world):
    api = ApiClient(make_token(world.lead_a1))
    assert api.post("/projects", _new_project(world)).status_code == 201
    again = api.post("/projects", _new_project(world))
    assert again.status_code == 409
    assert error_of(again)["code"] == "duplicate_code"


def test_expired_key_can_be_used_again(world):
    api = ApiClient(make_token(world.lead_a1))
    headers = {"Idempotency-Key": "old"}
    assert api.post("/projects", _new_project(world), headers=headers).status_code == 201
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=2))
    response = api.post("/projects", _new_project(world, code="API-03"), headers=headers)
    assert response.status_code == 201
    assert response.json()["code"] == "API-03"


def test_malformed_key_is_422(world):
    api = ApiClient(make_token(world.lead_a1))
    response = api.post("/projects", _new_project(world), headers={"Idempotency-Key": "a b"})
    assert response.status_code == 422
    assert Project.objects.count() == 0


def test_report_submit_retry_returns_the_first_response(world, checkin):
    api = ApiClient(make_token(world.lead_a1))
    report = api.post(
        f"/projects/{checkin.project.pk}/reports", {"period_id": checkin.periods[0].pk}
    ).json()
    saved = api.put(
        f"/reports/{report['id']}",
        {
            "version": report["version"],
            "progress": "一季度完成贸易额的三成",
            "actuals": [
                {"goal_id": checkin.profit.pk, "actual": 150},
                {"goal_id": checkin.loss.pk, "actual": 80},
            ],
        },
    ).json()
    headers = {"Idempotency-Key": "submit-q1"}
    first = api.post(
        f"/reports/{report['id']}/submit", {"version": saved["version"]}, headers=headers
    )
    assert first.status_code == 200, first.content
    assert first.json()["status"] == "submitted" and first.json()["revision"] == 1
    # The client timed out and retries with the version it sent: same answer, no new revision.
    second = api.post(
        f"/reports/{report['id']}/submit", {"version": saved["version"]}, headers=headers
    )
    assert second.status_code == 200
    assert second.json() == first.json()
    stored = ProgressReport.objects.get(pk=report["id"])
    assert (stored.revision, stored.lock_version) == (1, first.json()["version"])
    # Without the key the retry is refused, since the report is no longer a draft.
    third = api.post(f"/reports/{report['id']}/submit", {"version": first.json()["version"]})
    assert third.status_code == 409
    assert error_of(third)["code"] == "report_locked"
