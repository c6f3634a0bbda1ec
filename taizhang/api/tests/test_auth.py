"""Personal tokens (page, hashing, scopes, revocation, last use) and the session path (CSRF)."""

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client
from django.utils import timezone

from taizhang.api import services
from taizhang.api.models import ApiToken
from taizhang.campaigns.models import Project

from .conftest import ApiClient, error_of, make_token

PAGE = "/account/api-tokens/"


def _login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_token_page_creates_a_token_shown_once_and_stored_hashed(world):
    client = _login(world.lead_a1)
    response = client.post(PAGE, {"name": "OA 同步", "scope": "write"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    raw = re.search(r'id="new-token"[^>]*>(tz_[A-Za-z0-9_-]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=world.lead_a1)
    assert token.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {token.prefix, token.name, token.token_hash}
    assert raw.startswith(token.prefix) and len(token.prefix) < len(raw) / 3
    # The list shows name, scope, created and last use, never the token again.
    listing = client.get(PAGE).content.decode()
    assert "OA 同步" in listing and "读写" in listing and token.prefix in listing
    assert raw not in listing
    # And the token works.
    assert ApiClient(raw).get("/me").json()["username"] == "lead_a1"


def test_token_page_lists_only_own_tokens_and_revokes_them(world):
    own, _raw = services.token_create(actor=world.lead_a1, name="mine")
    other, _raw2 = services.token_create(actor=world.admin_a1, name="someone else's")
    client = _login(world.lead_a1)
    listing = client.get(PAGE).content.decode()
    assert "mine" in listing and "someone else" not in listing
    assert client.post(f"{PAGE}{other.pk}/revoke/").status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None
    assert client.post(f"{PAGE}{own.pk}/revoke/").status_code == 302
    own.refresh_from_db()
    assert own.revoked_at is not None


def test_token_page_needs_login(client):
    assert client.get(PAGE).status_code == 302


def test_revoked_token_answers_401_and_changes_nothing(world, checkin):
    token, raw = services.token_create(actor=world.lead_a1, name="t", scope="write")
    api = ApiClient(raw)
    assert api.get("/me").status_code == 200
    services.token_revoke(actor=world.lead_a1, token=token)
    response = api.patch(f"/projects/{checkin.project.pk}", {"version": 1, "title": "改"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert Project.objects.get(pk=checkin.project.pk).title != "改"


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tz_not-a-real-token",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "tz_missing-scheme",
        "Bearer x" * 50,
    ],
)
def test_bad_authorization_header_answers_401(world, header):
    response = Client().get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert error_of(response)["code"] == "invalid_token"


def test_no_credentials_answers_401(db):
    response = Client().get("/api/v1/projects")
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_deactivated_user_token_answers_401(world):
    raw = make_token(world.lead_a1)
    world.lead_a1.is_active = False
    world.lead_a1.save()
    assert ApiClient(raw).get("/me").status_code == 401


def test_read_only_token_reads_but_cannot_write(world, checkin):
    api = ApiClient(make_token(world.admin_a1, "read"))
    assert api.get(f"/projects/{checkin.project.pk}").status_code == 200
    before = Project.objects.get(pk=checkin.project.pk)
    for method, path, body in [
        (
            "patch",
            f"/projects/{checkin.project.pk}",
            {"version": before.lock_version, "title": "改"},
        ),
        ("post", f"/projects/{checkin.project.pk}/goals", {"name": "新指标", "target": 5}),
        ("delete", f"/goals/{checkin.profit.pk}", None),
        ("put", "/reports/1", {"version": 1}),
    ]:
        response = api.delete(path) if method == "delete" else api.send(method, path, body)
        assert response.status_code == 403, (method, path, response.content)
        assert error_of(response)["code"] == "read_only_token"
    after = Project.objects.get(pk=checkin.project.pk)
    assert (after.title, after.lock_version) == (before.title, before.lock_version)
    assert after.goals.count() == 2


def test_last_used_is_recorded_at_most_once_a_minute(world):
    token, raw = services.token_create(actor=world.lead_a1, name="t")
    assert token.last_used_at is None
    ApiClient(raw).get("/me")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=30)
    ApiClient(raw).get("/me")
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(minutes=5))
    ApiClient(raw).get("/me")
    token.refresh_from_db()
    assert token.last_used_at > first - dt.timedelta(minutes=5)


def test_me_names_the_token_and_the_grants(world):
    body = ApiClient(make_token(world.lead_a1, "read")).get("/me").json()
    assert body["token"] == {"name": "lead_a1-read", "scope": "read"}
    assert [m["role"] for m in body["memberships"]] == ["project_lead"]
    assert body["person"]["org_id"] == world.branch_a1.pk


def test_token_create_refuses_bad_input(world):
    from taizhang.core.exceptions import DomainError

    with pytest.raises(DomainError):
        services.token_create(actor=world.lead_a1, name="  ")
    with pytest.raises(DomainError):
        services.token_create(actor=world.lead_a1, name="x", scope="admin")


# --------------------------------------------------------------------------- session


def test_session_reads_without_csrf_but_writes_need_it(world, checkin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin_a1)
    assert client.get(f"/api/v1/projects/{checkin.project.pk}").status_code == 200
    project = Project.objects.get(pk=checkin.project.pk)
    body = {"version": project.lock_version, "title": "会话修改"}
    response = client.patch(
        f"/api/v1/projects/{project.pk}", data=body, content_type="application/json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "csrf_failed"
    assert Project.objects.get(pk=project.pk).title == project.title
    # With the token from the cookie, as the docs page sends it, the write goes through.
    client.get("/account/api-tokens/")  # sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    response = client.patch(
        f"/api/v1/projects/{project.pk}",
        data=body,
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200, response.content
    assert Project.objects.get(pk=project.pk).title == "会话修改"


def test_a_token_request_needs_no_csrf_even_with_a_session(world, checkin):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin_a1)
    api = ApiClient(make_token(world.admin_a1), client)
    project = Project.objects.get(pk=checkin.project.pk)
    response = api.patch(
        f"/projects/{project.pk}", {"version": project.lock_version, "title": "令牌"}
    )
    assert response.status_code == 200
