"""CSRF on every state-changing route: a logged-in browser request without the token is refused
and changes nothing. The routes come from the registry (routes.py), not from a hand list.

Every web pattern is posted to (a POST without a token is refused before any view runs, so the
sweep also covers routes that accept POST only through a form or htmx); every unsafe API
operation is sent with a session cookie and no token. Bearer-token requests carry no ambient
credential and need no CSRF token.
"""

import pytest
from django.test import Client

from taizhang.api import services as api_services
from taizhang.security.tests.probe import api_request, form_data
from taizhang.security.tests.routes import CASES, EXEMPT, split_route, web_routes
from taizhang.security.tests.world import diff, fingerprint

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
API_UNSAFE = sorted(r for r in CASES if (split_route(r)[0] or "") in UNSAFE)
WEB = sorted(r for r in set(web_routes()) if r in CASES or r in EXEMPT)


def _owner(sw, route: str):
    """Someone who could make the change with a valid token: nothing but CSRF stops them."""
    return sw.sysadmin if route.startswith("admin/") else sw.admin_a1


@pytest.mark.parametrize("route", WEB)
def test_web_post_without_csrf_token_is_refused(sw, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(_owner(sw, route))
    url = CASES[route].build(sw.records) if route in CASES else "/" + route
    before = fingerprint()
    response = client.post(url, form_data(sw))
    assert response.status_code == 403, (route, response.status_code)
    assert not diff(before, fingerprint()), route


@pytest.mark.parametrize("route", API_UNSAFE)
def test_api_session_request_without_csrf_token_is_refused(sw, route):
    case = CASES[route]
    client = Client(enforce_csrf_checks=True)
    client.force_login(sw.admin_a1)
    url, kwargs = api_request(case, sw)
    before = fingerprint()
    response = getattr(client, case.method.lower())(url, **kwargs)
    assert response.status_code == 403, (route, response.status_code, response.content[:200])
    assert not diff(before, fingerprint()), route


def test_api_token_request_needs_no_csrf_token(sw):
    """The same kind of write with a bearer token (no cookie) goes through."""
    _token, raw = api_services.token_create(actor=sw.admin_a1, name="csrf", scope="write")
    client = Client(enforce_csrf_checks=True)
    project = sw.records["project"]
    response = client.post(
        f"/api/v1/projects/{project.pk}/goals",
        {"name": "令牌写入", "target": 5},
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 201, response.content
    assert project.goals.filter(name="令牌写入").exists()
