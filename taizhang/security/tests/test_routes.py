"""Every URL pattern and API operation must have a cross-branch case or an explicit exemption,
and no case may let another branch read or change branch A's data."""

from pathlib import Path

import pytest
from django.test import Client

from taizhang.security.tests.probe import api_request, form_data, text_of
from taizhang.security.tests.routes import CASES, EXEMPT, api_operations, web_routes
from taizhang.security.tests.world import A_MARK, CO_MARK, diff, fingerprint


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


# A record of branch A1 is probed by its sibling branch A2; a company-level record (company
# A's campaign, periods, schemes, runs) also by company B, which must not see it at all.
SIBLINGS = ("admin_a2", "lead_a2")
OUTSIDERS = ("admin_b1", "lead_b1")

# Deliberate rights of every org admin in company A's campaign (documented at the API): draft
# scores are disposable and recomputed from the same ledger, so a sibling admin's recompute
# rewrites only the draft run's own rows (model names), never branch A1's data.
_DRAFT_ROWS = ("ScoreRun", "ProjectScore", "OrgScore")
SIBLING_ADMIN_MAY_TOUCH = {
    "assessment/campaigns/<int:campaign_id>/scores/recompute/": _DRAFT_ROWS,
    "POST /api/v1/campaigns/{campaign_id}/scores/recompute": _DRAFT_ROWS,
}


def _probes() -> list:
    out = []
    for route in sorted(CASES):
        case = CASES[route]
        whos = SIBLINGS if case.private or case.admin else SIBLINGS + OUTSIDERS
        methods = [case.method] if case.method else ["GET", "POST"]
        out += [
            pytest.param(route, m, who, id=f"{m} {route} {who}") for m in methods for who in whos
        ]
    return out


def _send(client: Client, case, method: str, sw):
    if case.method:
        url, kwargs = api_request(case, sw)
    else:
        url = case.build(sw.records)
        kwargs = {"data": form_data(sw)} if method == "POST" else {}
    return getattr(client, method.lower())(url, **kwargs)


@pytest.mark.parametrize(("route", "method", "who"), _probes())
def test_other_branch_can_neither_read_nor_change(sw, route, method, who):
    case = CASES[route]
    client = Client()
    client.force_login(getattr(sw, who))
    unsafe = method not in ("GET", "HEAD")
    before = fingerprint() if unsafe else None
    response = _send(client, case, method, sw)
    status = response.status_code
    if case.admin:
        # Not staff: the admin sends everyone to its login form, whatever the route.
        assert status == 302 and response["Location"].startswith("/admin/login/"), status
    elif case.private:
        allowed = (403, 404, 405) if unsafe else (404, 405)
        assert status in allowed, (route, status, response.content[:300])
    else:
        # A page may show company A's campaign to its sibling branch; a refused write may
        # answer with a message and a redirect. Either way: no A1 data, nothing changed.
        assert status in (200, 204, 302, 403, 404, 405, 409, 422), (route, status)
    if status == 200:
        body = text_of(response)
        assert A_MARK not in body, (route, "shows branch A1's data")
        if who in OUTSIDERS:
            assert CO_MARK not in body, (route, "shows company A's data to company B")
    if unsafe:
        changed = diff(before, fingerprint())
        if who == "admin_a2":
            changed = {
                k: v
                for k, v in changed.items()
                if k.split(".")[1] not in SIBLING_ADMIN_MAY_TOUCH.get(route, ())
            }
        assert not changed, (route, status, changed)


# The trash, kind by kind: the registry's case above probes one kind (a goal); a deleted row of
# every kind is tried here, by the sibling branch and by company B alike.
TRASH_KINDS = ("project", "goal", "measure", "participant", "attachment")
NO_SUCH_ID = 2_000_000_000


def _restore(sw, who: str, kind: str, item_id: int):
    client = Client()
    client.force_login(getattr(sw, who))
    return client.post(f"/api/v1/trash/{kind}/{item_id}/restore")


@pytest.mark.parametrize("who", SIBLINGS + OUTSIDERS)
@pytest.mark.parametrize("kind", TRASH_KINDS)
def test_other_branch_can_neither_restore_nor_learn_of_a_deleted_row(sw, kind, who):
    item = sw.records[f"trashed_{kind}"]
    before = fingerprint()
    response = _restore(sw, who, kind, item.pk)
    assert response.status_code == 404, (kind, who, response.status_code, response.content)
    # The same answer as for an id that never existed: the reply tells nothing.
    missing = _restore(sw, who, kind, NO_SUCH_ID)
    assert missing.status_code == 404
    assert response.json() == missing.json()
    assert not diff(before, fingerprint()), (kind, who)
    assert type(item).all_objects.get(pk=item.pk).deleted_at is not None


def _trash_listed(sw, who: str) -> set[tuple[str, int]]:
    client = Client()
    client.force_login(getattr(sw, who))
    response = client.get(f"/api/v1/campaigns/{sw.records['campaign'].pk}/trash?limit=100")
    assert response.status_code == 200, response.status_code
    return {(row["kind"], row["id"]) for row in response.json()["items"]}


@pytest.mark.parametrize("who", SIBLINGS)
def test_other_branch_trash_list_omits_branch_a1_rows(sw, who):
    ours = {(kind, sw.records[f"trashed_{kind}"].pk) for kind in TRASH_KINDS}
    assert ours <= _trash_listed(sw, "admin_a1")  # the control: the owner's admin sees them
    assert not _trash_listed(sw, who) & ours


@pytest.mark.parametrize("kind", TRASH_KINDS)
def test_branch_admin_restores_own_deleted_row(sw, kind):
    """The control: branch A1's admin sends the same request and the row comes back, so the
    404s above come from the branch check, not from a request that could never work."""
    item = sw.records[f"trashed_{kind}"]
    response = _restore(sw, "admin_a1", kind, item.pk)
    assert response.status_code == 200, (kind, response.content)
    assert response.json()["id"] == item.pk
    assert type(item).all_objects.get(pk=item.pk).deleted_at is None
    assert (kind, item.pk) not in _trash_listed(sw, "admin_a1")
