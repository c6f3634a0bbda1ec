"""Bad input gets the one error shape, a clear status and a translated message; nothing changes."""

import json

import pytest
from django.test import override_settings

from taizhang.campaigns.models import GoalIndicator, Project

from .conftest import ApiClient, error_of, make_token


def _snapshot(project: Project) -> tuple:
    project = Project.all_objects.get(pk=project.pk)
    return (
        project.title,
        project.lock_version,
        project.status,
        GoalIndicator.all_objects.filter(project=project).count(),
        Project.all_objects.count(),
    )


@pytest.fixture
def admin_api(world):
    return ApiClient(make_token(world.admin_a1))


def test_malformed_json_is_400(admin_api, checkin):
    before = _snapshot(checkin.project)
    response = admin_api.patch(f"/projects/{checkin.project.pk}", raw='{"version": 1, "title": ')
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "malformed_request" and error["message"]
    assert _snapshot(checkin.project) == before


def test_wrong_types_are_422_with_field_details(admin_api, checkin):
    before = _snapshot(checkin.project)
    response = admin_api.post(
        f"/projects/{checkin.project.pk}/goals",
        {"name": ["not", "text"], "target": "lots", "weight": {"x": 1}},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert {"name", "target", "weight"} <= set(error["fields"])
    assert _snapshot(checkin.project) == before


def test_unknown_fields_are_refused(admin_api, checkin):
    before = _snapshot(checkin.project)
    project = Project.objects.get(pk=checkin.project.pk)
    response = admin_api.patch(
        f"/projects/{project.pk}",
        {"version": project.lock_version, "title": "新名称", "status": "completed"},
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["fields"] == {"status": ["不允许的字段。"]}
    assert _snapshot(checkin.project) == before


def test_messages_follow_accept_language(admin_api, checkin):
    response = admin_api.post(
        f"/projects/{checkin.project.pk}/goals", {"x": 1}, headers={"Accept-Language": "en"}
    )
    error = error_of(response)
    assert error["message"] == "Invalid request data; see the field messages."
    assert error["fields"]["x"] == ["Not an allowed field."]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=2048)
def test_oversize_body_is_413(admin_api, checkin):
    before = _snapshot(checkin.project)
    project = Project.objects.get(pk=checkin.project.pk)
    response = admin_api.patch(
        f"/projects/{project.pk}", {"version": project.lock_version, "plan": "方案" * 5000}
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"
    assert _snapshot(checkin.project) == before


def test_domain_rule_is_422_on_its_field(admin_api, checkin):
    before = _snapshot(checkin.project)
    response = admin_api.post(
        f"/projects/{checkin.project.pk}/goals", {"name": "利润", "baseline": 10, "target": 10}
    )
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "target_equals_baseline"
    assert list(error["fields"]) == ["target"]
    assert _snapshot(checkin.project) == before


def test_duplicate_is_409(admin_api, world, checkin):
    project = Project.objects.get(pk=checkin.project.pk)
    other = Project.objects.create(
        campaign=world.campaign,
        org=world.branch_a1,
        code="DUP-1",
        title="另一个",
        project_type=project.project_type,
        focus_area=project.focus_area,
        lead=project.lead,
        start_date=project.start_date,
        end_date=project.end_date,
    )
    response = admin_api.patch(
        f"/projects/{project.pk}", {"version": project.lock_version, "code": other.code}
    )
    assert response.status_code == 409
    assert error_of(response)["code"] == "duplicate_code"
    assert Project.objects.get(pk=project.pk).code == project.code


def test_invisible_or_missing_record_is_404(admin_api, world):
    for path in ["/projects/999999", "/reports/999999", "/claims/999999", "/orgs/999999"]:
        response = admin_api.get(path)
        assert response.status_code == 404
        assert error_of(response)["code"] == "not_found"


def test_unknown_address_answers_json_404(admin_api):
    response = admin_api.get("/no/such/thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert error_of(response)["code"] == "not_found"


def test_path_id_out_of_range_is_422_not_500(admin_api):
    assert admin_api.get(f"/projects/{2**70}").status_code == 422
    assert admin_api.get("/projects/abc").status_code == 422


@pytest.mark.parametrize("text", ["nul\x00byte", "lone\ud800surrogate"])
def test_text_the_database_cannot_store_is_422(admin_api, checkin, text):
    before = _snapshot(checkin.project)
    body = json.dumps({"name": text, "target": 5})  # json escapes both characters
    response = admin_api.post(f"/projects/{checkin.project.pk}/goals", raw=body)
    assert response.status_code == 422
    assert "name" in error_of(response)["fields"]
    assert _snapshot(checkin.project) == before


def test_chinese_is_sent_as_utf8_not_escaped(admin_api, checkin):
    response = admin_api.get(f"/projects/{checkin.project.pk}")
    assert "甲一支部".encode() in response.content


def test_list_limit_is_capped(admin_api, checkin):
    assert admin_api.get("/projects", {"limit": 201}).status_code == 422
    body = admin_api.get("/projects", {"limit": 200, "offset": 0}).json()
    assert body["limit"] == 200 and body["count"] == 1
