"""Enumeration of every URL pattern and API operation, and the registry of their cross-branch cases.

A route is identified by its pattern string (web) or "METHOD /api/v1/path" (API). Every route must
appear either in EXEMPT (public, with a reason) or in CASES; test_routes.py fails on any other.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


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


@dataclass
class Case:
    """How to read one route for a record of branch A: `build(world, record) -> url`."""

    build: Callable[..., str]
    expect: tuple[int, ...] = (404,)


# Public routes: no per-branch data behind them.
EXEMPT: dict[str, str] = {
    "accounts/login/": "public login form",
    "accounts/logout/": "ends the caller's own session only",
    "i18n/setlang/": "sets the caller's language cookie only",
}

# Route key -> Case. Add one entry per new route.
CASES: dict[str, Case] = {}


def project_a(world):
    """A project of branch A1 (sibling of A2) in a campaign of their company."""
    from taizhang.campaigns.tests.factories import CampaignFactory, ProjectFactory

    campaign = CampaignFactory(org=world.company_a)
    return ProjectFactory(campaign=campaign, org=world.branch_a1, lead=world.lead_person_a1)


def _read(url: str) -> Case:
    """A read of `url`, where `{pk}` stands for the id of branch A's project."""
    return Case(build=lambda world, p: url.format(pk=p.pk))


CASES.update(
    {
        "campaigns/projects/<int:project_id>/": _read("/campaigns/projects/{pk}/"),
        "campaigns/projects/<int:project_id>/history/": _read("/campaigns/projects/{pk}/history/"),
        "campaigns/projects/<int:project_id>/goals/": _read("/campaigns/projects/{pk}/goals/"),
        "campaigns/projects/<int:project_id>/measures/": _read(
            "/campaigns/projects/{pk}/measures/"
        ),
        "campaigns/projects/<int:project_id>/participants/": _read(
            "/campaigns/projects/{pk}/participants/"
        ),
        "campaigns/projects/<int:project_id>/edit/": _read("/campaigns/projects/{pk}/edit/"),
        "checkins/projects/<int:project_id>/": _read("/checkins/projects/{pk}/"),
        "documents/projects/<int:project_id>/application.docx": _read(
            "/documents/projects/{pk}/application.docx"
        ),
        "GET /api/v1/projects/{project_id}": _read("/api/v1/projects/{pk}"),
    }
)
