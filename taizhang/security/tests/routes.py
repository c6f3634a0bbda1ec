"""Enumeration of every URL pattern and API operation, and the registry of their cross-branch cases.

A route is identified by its pattern string (web) or "METHOD /api/v1/path" (API). Every route must
appear in EXEMPT (public, with a reason), in CASES or in pending_routes.txt; test_routes.py fails
on any other.

Cases are generated from a route's shape: each path parameter names the kind of record it takes
(`project_id` → the project, `goals/<item_id>` → the goal, …), and the suite's world (world.py)
holds one record of every kind owned by branch A1 or company A. COVERED lists the routes whose
shape was checked by hand; a new route joins it once its parameters name records the world has.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from .world import COMPANY_LEVEL


def _walk(resolver: URLResolver, prefix: str = "") -> list[str]:
    out: list[str] = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            out.extend(_walk(entry, pattern))
        elif isinstance(entry, URLPattern):
            out.append(pattern)
    return out


def web_routes() -> list[str]:
    """Every Django URL pattern except the API's (which are enumerated per operation)."""
    # The site root's pattern is the empty string; "/" names it in the registry.
    patterns = {p or "/" for p in _walk(get_resolver())}
    return sorted(p for p in patterns if not p.startswith(("api/", "^api/")))


def api_operations() -> list[str]:
    """Every django-ninja operation as "METHOD /api/v1/path", from the OpenAPI schema."""
    from taizhang.api.api import api

    schema = api.get_openapi_schema()
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            ops.append(f"{method.upper()} {path}")
    return sorted(ops)


# Path parameter -> record key in SecWorld.records. `item_id` depends on the segment before it.
_ITEM_OF = {
    "goals": "goal",
    "measures": "measure",
    "participants": "participant",
    "attachments": "attachment",
    "rectifications": "rectification",
}
_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")
# Path parameters that take a word, not a record id, and the word a case fills in.
_WORDS = {"kind": "goal"}
# Routes whose parameters stand for other records than their names say (parameter -> record
# key). The trash acts on deleted rows only: probed with the live ones, a restore would answer
# 404 to anyone and prove nothing. test_routes.py tries the other trash kinds too.
RECORD_FOR: dict[str, dict[str, str]] = {
    "campaigns/projects/<int:project_id>/restore/": {"project_id": "trashed_project"},
    "POST /api/v1/trash/{kind}/{item_id}/restore": {"item_id": "trashed_goal"},
}


def split_route(route: str) -> tuple[str | None, str]:
    """("POST", "/api/v1/…") for an API operation, (None, "campaigns/…") for a web pattern."""
    if " " in route:
        method, path = route.split(" ", 1)
        return method, path
    return None, route


def route_params(route: str) -> list[str]:
    """The record keys a route's parameters stand for, in order ("project", "goal", …)."""
    _method, path = split_route(route)
    overrides = RECORD_FOR.get(route, {})
    keys = []
    for match in _PARAM.finditer(path):
        name = match.group(1) or match.group(2)
        if name in _WORDS:
            continue
        if name in overrides:
            keys.append(overrides[name])
        elif name == "item_id":
            before = path[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            keys.append(_ITEM_OF[before])
        else:
            keys.append(name.removesuffix("_id"))
    return keys


def concrete_url(route: str, records: dict[str, Any]) -> str:
    """The route with its parameters filled in from `records` (the admin's regexes included)."""
    _method, path = split_route(route)
    if route == "/":
        return "/"
    if route.startswith("admin/"):
        # The admin turns any non-staff user away before it reads a parameter.
        path = path.replace("^([^/]+)/history/([^/]+)/$", "1/history/1/")
        path = path.replace("(?P<url>.*)$", "no-such-page/")
        path = re.sub(r"\^\(\?P<app_label>[^)]*\)/\$", "campaigns/", path)
        return "/" + re.sub(r"<[^>]+>", "1", path)
    keys = iter(route_params(route))

    def fill(match: re.Match) -> str:
        name = match.group(1) or match.group(2)
        return _WORDS[name] if name in _WORDS else str(records[next(keys)].pk)

    path = _PARAM.sub(fill, path)
    return path if path.startswith("/") else "/" + path


@dataclass(frozen=True)
class Case:
    """How to reach one route for branch A's records, and what an outsider must get."""

    route: str

    @property
    def method(self) -> str | None:
        """The API operation's method; None for a web route (tried with GET and POST)."""
        return split_route(self.route)[0]

    @property
    def admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def keys(self) -> list[str]:
        return [] if self.admin else route_params(self.route)

    @property
    def private(self) -> bool:
        """True when a parameter names a record of branch A1 itself (not company A's level):
        every other branch must get 404 (403 for a write) — it may not learn the record exists."""
        return any(k not in COMPANY_LEVEL for k in self.keys)

    def build(self, records: dict[str, Any]) -> str:
        return concrete_url(self.route, records)


# Public routes, or routes that act only on the caller's own session.
EXEMPT: dict[str, str] = {
    "accounts/login/": "public login form",
    "accounts/logout/": "ends the caller's own session only",
    "i18n/setlang/": "sets the caller's language cookie only",
    "admin/login/": "public admin login form (staff only past it)",
    "admin/logout/": "ends the caller's own session only",
    "admin/orgs/org/jsi18n/": "treebeard's static JavaScript translation catalog",
}

COVERED: tuple[str, ...] = (
    "/",
    "DELETE /api/v1/attachments/{attachment_id}",
    "DELETE /api/v1/goals/{goal_id}",
    "DELETE /api/v1/measures/{measure_id}",
    "DELETE /api/v1/memberships/{membership_id}",
    "DELETE /api/v1/pairings/{pairing_id}",
    "DELETE /api/v1/participants/{participant_id}",
    "DELETE /api/v1/projects/{project_id}",
    "GET /api/v1/attachments/{attachment_id}",
    "GET /api/v1/attachments/{attachment_id}/file",
    "GET /api/v1/campaigns",
    "GET /api/v1/campaigns/{campaign_id}",
    "GET /api/v1/campaigns/{campaign_id}/entries",
    "GET /api/v1/campaigns/{campaign_id}/exports",
    "GET /api/v1/campaigns/{campaign_id}/exports/assessment-sheet",
    "GET /api/v1/campaigns/{campaign_id}/exports/summary",
    "GET /api/v1/campaigns/{campaign_id}/results-days",
    "GET /api/v1/campaigns/{campaign_id}/schemes",
    "GET /api/v1/campaigns/{campaign_id}/scores",
    "GET /api/v1/campaigns/{campaign_id}/trash",
    "GET /api/v1/claims",
    "GET /api/v1/claims/{claim_id}",
    "GET /api/v1/entries/{entry_id}",
    "GET /api/v1/inspections",
    "GET /api/v1/inspections/{inspection_id}",
    "GET /api/v1/inspections/{inspection_id}/exports/record",
    "GET /api/v1/jobs",
    "GET /api/v1/jobs/{job_id}",
    "GET /api/v1/jobs/{job_id}/file",
    "GET /api/v1/me",
    "GET /api/v1/memberships",
    "GET /api/v1/orgs",
    "GET /api/v1/orgs/{org_id}",
    "GET /api/v1/pairings",
    "GET /api/v1/people",
    "GET /api/v1/people/{person_id}",
    "GET /api/v1/periods",
    "GET /api/v1/periods/{period_id}",
    "GET /api/v1/projects",
    "GET /api/v1/projects/{project_id}",
    "GET /api/v1/projects/{project_id}/attachments",
    "GET /api/v1/projects/{project_id}/exports/application",
    "GET /api/v1/rectifications/{item_id}",
    "GET /api/v1/reports",
    "GET /api/v1/reports/{report_id}",
    "GET /api/v1/results-days/{day_id}",
    "GET /api/v1/schemes/{scheme_id}",
    "GET /api/v1/score-runs",
    "GET /api/v1/score-runs/{run_id}",
    "GET /api/v1/score-runs/{run_id}/orgs",
    "GET /api/v1/score-runs/{run_id}/orgs/{org_id}",
    "GET /api/v1/score-runs/{run_id}/projects",
    "GET /api/v1/score-runs/{run_id}/projects/{project_id}",
    "PATCH /api/v1/campaigns/{campaign_id}",
    "PATCH /api/v1/goals/{goal_id}",
    "PATCH /api/v1/measures/{measure_id}",
    "PATCH /api/v1/participants/{participant_id}",
    "PATCH /api/v1/people/{person_id}",
    "PATCH /api/v1/projects/{project_id}",
    "PATCH /api/v1/schemes/{scheme_id}",
    "POST /api/v1/campaigns",
    "POST /api/v1/campaigns/{campaign_id}/entries",
    "POST /api/v1/campaigns/{campaign_id}/exports/ledger",
    "POST /api/v1/campaigns/{campaign_id}/periods/generate",
    "POST /api/v1/campaigns/{campaign_id}/results-days",
    "POST /api/v1/campaigns/{campaign_id}/schemes/copy",
    "POST /api/v1/campaigns/{campaign_id}/scores/publish",
    "POST /api/v1/campaigns/{campaign_id}/scores/recompute",
    "POST /api/v1/claims/{claim_id}/evidence",
    "POST /api/v1/claims/{claim_id}/reject",
    "POST /api/v1/claims/{claim_id}/verify",
    "POST /api/v1/inspections",
    "POST /api/v1/memberships",
    "POST /api/v1/pairings",
    "POST /api/v1/people",
    "POST /api/v1/periods",
    "POST /api/v1/projects",
    "POST /api/v1/projects/{project_id}/attachments",
    "POST /api/v1/projects/{project_id}/claims",
    "POST /api/v1/projects/{project_id}/goals",
    "POST /api/v1/projects/{project_id}/measures",
    "POST /api/v1/projects/{project_id}/participants",
    "POST /api/v1/projects/{project_id}/reports",
    "POST /api/v1/projects/{project_id}/transitions",
    "POST /api/v1/rectifications/{item_id}/close",
    "POST /api/v1/rectifications/{item_id}/evidence",
    "POST /api/v1/reports/{report_id}/accept",
    "POST /api/v1/reports/{report_id}/evidence",
    "POST /api/v1/reports/{report_id}/return",
    "POST /api/v1/reports/{report_id}/submit",
    "POST /api/v1/results-days/{day_id}/candidates",
    "POST /api/v1/results-days/{day_id}/publish",
    "POST /api/v1/trash/{kind}/{item_id}/restore",
    "PUT /api/v1/candidates/{candidate_id}/review",
    "PUT /api/v1/entries/{entry_id}",
    "PUT /api/v1/reports/{report_id}",
    "account/api-tokens/",
    "account/api-tokens/<int:token_id>/revoke/",
    "admin/",
    "admin/(?P<url>.*)$",
    "admin/^(?P<app_label>auth|django_tasks_database|users|orgs|campaigns)/$",
    "admin/auth/group/",
    "admin/auth/group/<path:object_id>/",
    "admin/auth/group/<path:object_id>/change/",
    "admin/auth/group/<path:object_id>/delete/",
    "admin/auth/group/<path:object_id>/history/",
    "admin/auth/group/add/",
    "admin/autocomplete/",
    "admin/campaigns/campaign/",
    "admin/campaigns/campaign/<path:object_id>/",
    "admin/campaigns/campaign/<path:object_id>/change/",
    "admin/campaigns/campaign/<path:object_id>/delete/",
    "admin/campaigns/campaign/<path:object_id>/history/",
    "admin/campaigns/campaign/^([^/]+)/history/([^/]+)/$",
    "admin/campaigns/campaign/add/",
    "admin/campaigns/project/",
    "admin/campaigns/project/<path:object_id>/",
    "admin/campaigns/project/<path:object_id>/change/",
    "admin/campaigns/project/<path:object_id>/delete/",
    "admin/campaigns/project/<path:object_id>/history/",
    "admin/campaigns/project/^([^/]+)/history/([^/]+)/$",
    "admin/campaigns/project/add/",
    "admin/campaigns/projecttransition/",
    "admin/campaigns/projecttransition/<path:object_id>/",
    "admin/campaigns/projecttransition/<path:object_id>/change/",
    "admin/campaigns/projecttransition/<path:object_id>/delete/",
    "admin/campaigns/projecttransition/<path:object_id>/history/",
    "admin/campaigns/projecttransition/add/",
    "admin/django_tasks_database/dbtaskresult/",
    "admin/django_tasks_database/dbtaskresult/<path:object_id>/",
    "admin/django_tasks_database/dbtaskresult/<path:object_id>/change/",
    "admin/django_tasks_database/dbtaskresult/<path:object_id>/delete/",
    "admin/django_tasks_database/dbtaskresult/<path:object_id>/history/",
    "admin/django_tasks_database/dbtaskresult/add/",
    "admin/jsi18n/",
    "admin/orgs/membership/",
    "admin/orgs/membership/<path:object_id>/",
    "admin/orgs/membership/<path:object_id>/change/",
    "admin/orgs/membership/<path:object_id>/delete/",
    "admin/orgs/membership/<path:object_id>/history/",
    "admin/orgs/membership/^([^/]+)/history/([^/]+)/$",
    "admin/orgs/membership/add/",
    "admin/orgs/org/",
    "admin/orgs/org/<path:object_id>/",
    "admin/orgs/org/<path:object_id>/change/",
    "admin/orgs/org/<path:object_id>/delete/",
    "admin/orgs/org/<path:object_id>/history/",
    "admin/orgs/org/add/",
    "admin/orgs/org/children/<str:parent_id>/",
    "admin/orgs/org/move/",
    "admin/orgs/person/",
    "admin/orgs/person/<path:object_id>/",
    "admin/orgs/person/<path:object_id>/change/",
    "admin/orgs/person/<path:object_id>/delete/",
    "admin/orgs/person/<path:object_id>/history/",
    "admin/orgs/person/^([^/]+)/history/([^/]+)/$",
    "admin/orgs/person/add/",
    "admin/password_change/",
    "admin/password_change/done/",
    "admin/r/<path:content_type_id>/<path:object_id>/",
    "admin/users/user/",
    "admin/users/user/<id>/password/",
    "admin/users/user/<path:object_id>/",
    "admin/users/user/<path:object_id>/change/",
    "admin/users/user/<path:object_id>/delete/",
    "admin/users/user/<path:object_id>/history/",
    "admin/users/user/add/",
    "analysis/campaigns/<int:campaign_id>/",
    "assessment/campaigns/<int:campaign_id>/entries/",
    "assessment/campaigns/<int:campaign_id>/entries/new/",
    "assessment/campaigns/<int:campaign_id>/results-days/",
    "assessment/campaigns/<int:campaign_id>/scheme/",
    "assessment/campaigns/<int:campaign_id>/scheme/copy/",
    "assessment/campaigns/<int:campaign_id>/scheme/default/",
    "assessment/campaigns/<int:campaign_id>/scores/",
    "assessment/campaigns/<int:campaign_id>/scores/publish/",
    "assessment/campaigns/<int:campaign_id>/scores/recompute/",
    "assessment/candidates/<int:candidate_id>/review/",
    "assessment/entries/<int:entry_id>/evidence/",
    "assessment/projects/<int:project_id>/score/",
    "assessment/results-days/<int:day_id>/",
    "assessment/results-days/<int:day_id>/candidates/",
    "assessment/results-days/<int:day_id>/publish/",
    "assessment/runs/<int:run_id>/orgs/<int:org_id>/",
    "assessment/runs/<int:run_id>/projects/<int:project_id>/",
    "assessment/schemes/<int:scheme_id>/edit/",
    "campaigns/",
    "campaigns/<int:campaign_id>/",
    "campaigns/<int:campaign_id>/edit/",
    "campaigns/<int:campaign_id>/ledger/",
    "campaigns/<int:campaign_id>/pairings/add/",
    "campaigns/<int:campaign_id>/projects/new/",
    "campaigns/<int:campaign_id>/trash/",
    "campaigns/new/",
    "campaigns/pairings/<int:pairing_id>/delete/",
    "campaigns/projects/<int:project_id>/",
    "campaigns/projects/<int:project_id>/attachments/",
    "campaigns/projects/<int:project_id>/attachments/<int:attachment_id>/download/",
    "campaigns/projects/<int:project_id>/attachments/<int:item_id>/delete/",
    "campaigns/projects/<int:project_id>/attachments/add/",
    "campaigns/projects/<int:project_id>/delete/",
    "campaigns/projects/<int:project_id>/edit/",
    "campaigns/projects/<int:project_id>/goals/",
    "campaigns/projects/<int:project_id>/goals/<int:item_id>/delete/",
    "campaigns/projects/<int:project_id>/goals/<int:item_id>/edit/",
    "campaigns/projects/<int:project_id>/goals/<int:item_id>/update/",
    "campaigns/projects/<int:project_id>/goals/add/",
    "campaigns/projects/<int:project_id>/history/",
    "campaigns/projects/<int:project_id>/measures/",
    "campaigns/projects/<int:project_id>/measures/<int:item_id>/delete/",
    "campaigns/projects/<int:project_id>/measures/<int:item_id>/edit/",
    "campaigns/projects/<int:project_id>/measures/<int:item_id>/update/",
    "campaigns/projects/<int:project_id>/measures/add/",
    "campaigns/projects/<int:project_id>/participants/",
    "campaigns/projects/<int:project_id>/participants/<int:item_id>/delete/",
    "campaigns/projects/<int:project_id>/participants/<int:item_id>/edit/",
    "campaigns/projects/<int:project_id>/participants/<int:item_id>/update/",
    "campaigns/projects/<int:project_id>/participants/add/",
    "campaigns/projects/<int:project_id>/restore/",
    "campaigns/projects/<int:project_id>/transition/",
    "checkins/campaigns/<int:campaign_id>/board/",
    "checkins/campaigns/<int:campaign_id>/claims/",
    "checkins/campaigns/<int:campaign_id>/inspections/",
    "checkins/campaigns/<int:campaign_id>/periods/",
    "checkins/campaigns/<int:campaign_id>/periods/add/",
    "checkins/campaigns/<int:campaign_id>/periods/generate/",
    "checkins/claims/<int:claim_id>/",
    "checkins/claims/<int:claim_id>/decide/",
    "checkins/claims/<int:claim_id>/evidence/",
    "checkins/evidence/<int:evidence_id>/",
    "checkins/inbox/",
    "checkins/inbox/<int:notification_id>/read/",
    "checkins/inbox/read-all/",
    "checkins/inspections/<int:inspection_id>/",
    "checkins/inspections/new/",
    "checkins/orgs/<int:org_id>/robots/",
    "checkins/periods/<int:period_id>/close/",
    "checkins/periods/<int:period_id>/edit/",
    "checkins/projects/<int:project_id>/",
    "checkins/projects/<int:project_id>/claims/new/",
    "checkins/projects/<int:project_id>/periods/<int:period_id>/report/",
    "checkins/rectifications/<int:item_id>/",
    "checkins/reports/<int:report_id>/",
    "checkins/reports/<int:report_id>/light/",
    "checkins/reports/<int:report_id>/review/",
    "checkins/supervision/",
    "documents/campaigns/<int:campaign_id>/summary.docx",
    "documents/inspections/<int:inspection_id>/record.docx",
    "documents/projects/<int:project_id>/application.docx",
    "exports/campaigns/<int:campaign_id>/assessment-sheet.xlsx",
    "exports/ledger/<int:campaign_id>/",
    "imports/<int:import_id>/",
    "imports/<int:import_id>/apply/",
    "imports/<int:import_id>/columns/",
    "imports/campaigns/<int:campaign_id>/",
    "imports/campaigns/<int:campaign_id>/template.xlsx",
    "jobs/",
    "jobs/<int:job_id>/",
    "jobs/<int:job_id>/download/",
    "jobs/<int:job_id>/status/",
    "orgs/<int:org_id>/children/",
    "orgs/people/search/",
    "webhooks/",
    "webhooks/<int:endpoint_id>/",
    "webhooks/<int:endpoint_id>/delete/",
    "webhooks/<int:endpoint_id>/secret/",
    "webhooks/<int:endpoint_id>/test/",
    "webhooks/deliveries/<int:delivery_id>/retry/",
)

# Route key -> Case.
CASES: dict[str, Case] = {route: Case(route) for route in COVERED}
