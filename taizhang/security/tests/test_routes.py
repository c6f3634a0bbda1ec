"""Every URL pattern and API operation must have a cross-branch case or an explicit exemption."""

from pathlib import Path

import pytest
from django.test import Client

from taizhang.security.tests.routes import CASES, EXEMPT, api_operations, project_a, web_routes


def test_enumeration_finds_web_and_api_routes():
    assert web_routes()
    assert api_operations()


# Routes enumerated before their cases were written. The list only shrinks: a new route must
# come with a case, and a route that gets one must leave the list (see the tests below).
PENDING_FILE = Path(__file__).with_name("pending_routes.txt")


def _pending() -> set[str]:
    lines = PENDING_FILE.read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


def test_every_route_has_a_cross_branch_case():
    known = set(CASES) | set(EXEMPT) | _pending()
    missing = [r for r in web_routes() + api_operations() if r not in known]
    assert not missing, "Routes without a cross-branch case:\n" + "\n".join(missing)


def test_registry_names_only_real_routes_and_pending_shrinks():
    routes = set(web_routes()) | set(api_operations())
    pending = _pending()
    assert not (set(CASES) - routes), sorted(set(CASES) - routes)
    assert not (set(EXEMPT) - routes), sorted(set(EXEMPT) - routes)
    assert not (pending - routes), (
        "gone; delete from pending_routes.txt",
        sorted(pending - routes),
    )
    both = pending & (set(CASES) | set(EXEMPT))
    assert not both, ("covered now; delete from pending_routes.txt", sorted(both))


@pytest.mark.parametrize("route", sorted(CASES))
@pytest.mark.parametrize("who", ["admin_a2", "lead_a2"])
def test_sibling_branch_cannot_read(world, route, who):
    project = project_a(world)
    case = CASES[route]
    client = Client()
    client.force_login(getattr(world, who))
    response = client.get(case.build(world, project))
    assert response.status_code in case.expect, (route, response.status_code)
