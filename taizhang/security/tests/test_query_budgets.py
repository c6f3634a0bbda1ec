"""Query budgets: every list page, dashboard and API list runs the same number of queries for
N and 3N rows and for page sizes 10 and 50 (issue 7, item 3).

The routes come from the registry (routes.py), so a new page or operation is measured the
day it is added: every GET route and API operation except the admin's. Each is read by the
first of READERS who gets a 200 (the company's admin sees every row; owner-only pages fall to
branch A1's admin or lead), at N rows of every kind a list shows (`grow`) and again at 3N.
What answers a GET with 405 (a POST-only action) or with a file download (exports, timed by
the benchmarks instead) is not a page; the test for such a route checks just that.

Every API list operation (a GET whose response is a page or an array, read from the OpenAPI
schema) must be among the measured routes; test_every_api_list_is_measured holds that.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from taizhang.security.tests.probe import _openapi, _resolve
from taizhang.security.tests.routes import CASES

N = 20
SIZES = (10, 50)
READERS = ("admin_company_a", "admin_a1", "lead_a1")
ROUTES = sorted(r for r, c in CASES.items() if not c.admin and (c.method or "GET") == "GET")
# The site root only redirects to campaigns/, which is measured.
REDIRECTS = {"/"}
# Query strings a page needs before it shows anything.
QUERY = {
    "assessment/campaigns/<int:campaign_id>/entries/new/": "?period={period}&project={project}",
    "checkins/inspections/new/": "?campaign={campaign}&project={project}",
    "documents/campaigns/<int:campaign_id>/summary.docx": "?period={period}",
    "GET /api/v1/campaigns/{campaign_id}/exports/summary": "?period={period}",
    # The entries grow() adds are the records' period's; the page opens on the current one.
    "assessment/campaigns/<int:campaign_id>/entries/": "?period={period}",
}
# The org whose page is measured, where the records' org (branch A1) is not one whose rows
# grow: grow() adds orgs under company A, so its children are the list that grows.
ORG = {"orgs/<int:org_id>/children/": "company_a"}
# GET routes that answer no reader with a page, and why (the test checks they still don't:
# one that starts answering 200 is measured and must leave this list).
NOT_A_LIST = {
    "assessment/entries/<int:entry_id>/evidence/": "the entry's evidence file; it has none",
    "checkins/projects/<int:project_id>/periods/<int:period_id>/report/": (
        "the report form; the period's report is submitted, so it redirects or refuses"
    ),
    "imports/<int:import_id>/": "an unparsed import redirects to its upload step",
}
# Web pages whose rows (<tr>, <li>) do not grow with the data, and why: forms, one record's
# page, lists with a fixed cap. Every other page must show more rows at 3N than at N (the
# control that makes an equal query count mean something); one listed here that starts to
# grow must leave this list.
FIXED_ROWS = {
    "assessment/campaigns/<int:campaign_id>/entries/new/": "a form for one entry",
    "assessment/candidates/<int:candidate_id>/review/": "a form for one review",
    "assessment/projects/<int:project_id>/score/": "one project's score fragment",
    "assessment/runs/<int:run_id>/projects/<int:project_id>/": "one project's breakdown",
    "assessment/schemes/<int:scheme_id>/edit/": "the scheme form: its criteria, not the data",
    "campaigns/<int:campaign_id>/edit/": "a form",
    "campaigns/<int:campaign_id>/projects/new/": "a form",
    "campaigns/new/": "a form",
    "campaigns/projects/<int:project_id>/delete/": "a confirmation form",
    "campaigns/projects/<int:project_id>/edit/": "a form",
    "campaigns/projects/<int:project_id>/goals/<int:item_id>/edit/": "an inline form",
    "campaigns/projects/<int:project_id>/measures/<int:item_id>/edit/": "an inline form",
    "campaigns/projects/<int:project_id>/participants/<int:item_id>/edit/": "an inline form",
    "campaigns/projects/<int:project_id>/history/": "100 entries a page; there are more",
    "checkins/campaigns/<int:campaign_id>/periods/": "the campaign's periods: grow() adds none",
    "checkins/claims/<int:claim_id>/": "one claim",
    "checkins/inspections/new/": "a form",
    "checkins/periods/<int:period_id>/edit/": "a form",
    "checkins/projects/<int:project_id>/": "one project's periods: grow() adds none",
    "checkins/projects/<int:project_id>/claims/new/": "a form",
    "imports/<int:import_id>/columns/": "the mapping form of one file",
    "imports/campaigns/<int:campaign_id>/": "the upload form and the 10 most recent uploads",
    "jobs/<int:job_id>/": "one job",
    "jobs/<int:job_id>/status/": "one job's status fragment",
    "orgs/people/search/": "at most 20 <option> rows (PERSON_SEARCH_LIMIT)",
}
# Pages whose query count grows with their rows today, with what grows (reported, not fixed:
# the fix is not a one-line select_related/prefetch_related in a selector).
KNOWN_N_PLUS_1: dict[str, str] = {}


def api_lists() -> set[str]:
    """Every API operation that returns a list: a GET answering a page or an array."""
    out = set()
    for path, methods in _openapi()["paths"].items():
        operation = methods.get("get")
        if operation is None:
            continue
        responses = operation["responses"]
        content = (responses.get(200) or responses.get("200") or {}).get("content", {})
        schema = _resolve(content.get("application/json", {}).get("schema", {}))
        if schema.get("type") == "array" or "items" in schema.get("properties", {}):
            out.add(f"GET {path}")
    return out


def grow(sw, n: int) -> None:  # noqa: PLR0915 - one straight script of rows is easiest to read
    """n more rows of every kind a list shows: projects of branch A1 with a row of every kind
    under them, rows under branch A1's own project, inspection and endpoint, the readers' own
    inbox, jobs, tokens and imports, orgs, campaigns, people, pairings, trash and scores."""
    from taizhang.api.models import ApiToken
    from taizhang.assessment import results_day
    from taizhang.assessment import services as assessment
    from taizhang.assessment.models import EntryKind
    from taizhang.campaigns import services as campaigns
    from taizhang.campaigns.models import ProjectStatus
    from taizhang.campaigns.tests.factories import (
        CampaignFactory,
        GoalFactory,
        MeasureFactory,
        PairingFactory,
        ParticipantFactory,
        ProjectFactory,
    )
    from taizhang.checkins import services as checkins
    from taizhang.checkins.models import (
        BenefitClaim,
        IndicatorReading,
        Inspection,
        Notification,
        OrgWebhook,
        ProgressReport,
        RectificationItem,
        ReportStatus,
    )
    from taizhang.imports.models import LedgerImport
    from taizhang.jobs.models import Job, JobKind, JobStatus
    from taizhang.orgs.models import PoliticalStatus, Role
    from taizhang.orgs.tests.factories import MembershipFactory, OrgFactory, PersonFactory
    from taizhang.security.tests.world import pdf
    from taizhang.users.tests.factories import UserFactory
    from taizhang.webhooks.models import Delivery, Endpoint

    r = sw.records
    campaign, period, scheme, day = r["campaign"], r["period"], r["scheme"], r["day"]
    project_type = campaign.project_types.get(short_name="创效")
    reader = sw.admin_company_a
    own_project, own_inspection = r["project"], r["inspection"]
    bonus = scheme.bonuses.first()
    start = Notification.objects.count()
    for i in range(start, start + n):
        project = ProjectFactory(
            campaign=campaign,
            org=sw.branch_a1,
            lead=sw.lead_person_a1,
            status=ProjectStatus.IN_PROGRESS,
            project_type=project_type,
        )
        goal = GoalFactory(project=project, target=Decimal(100))
        MeasureFactory(project=project)
        ParticipantFactory(project=project, person=sw.member_a1)
        report = ProgressReport.objects.create(
            project=project,
            period=period,
            status=ReportStatus.SUBMITTED,
            progress="进展",
            revision=1,
            submitted_by=sw.lead_a1,
        )
        IndicatorReading.objects.create(report=report, goal=goal, actual=Decimal(40))
        BenefitClaim.objects.create(
            project=project, period=period, amount=Decimal(1), source="other", claimant=sw.lead_a1
        )
        inspection = Inspection.objects.create(
            campaign=campaign,
            inspecting_org=sw.branch_a1,
            project=project,
            date=dt.date(2020, 3, 1),
            inspectors="检查人",
            methods=["site"],
            findings="发现",
            rating=own_inspection.rating,
            created_by=sw.admin_a1,
        )
        for parent in (inspection, own_inspection):
            RectificationItem.objects.create(
                inspection=parent,
                description="整改",
                owner=sw.lead_person_a1,
                due_date=dt.date(2020, 3, 31),
            )
        checkins.supervision_open(project=project, actor=reader, report=report)
        assessment.entry_add(
            actor=sw.admin_a1,
            scheme=scheme,
            period=period,
            kind=EntryKind.BONUS,
            item_id=bonus.pk,
            value="1",
            note="加分",
            project=project,
        )
        results_day.candidate_add(actor=reader, day=day, project=project)
        # Rows under branch A1's own project (its detail page and child lists).
        GoalFactory(project=own_project, target=Decimal(10))
        MeasureFactory(project=own_project)
        ParticipantFactory(project=own_project, person=PersonFactory(org=sw.branch_a1))
        campaigns.attachment_add(actor=sw.admin_a1, project=own_project, upload=pdf(f"{i}.pdf"))
        own_project.save()  # one more history row
        # The trash: a deleted project and a deleted goal.
        gone = ProjectFactory(
            campaign=campaign, org=sw.branch_a1, lead=sw.lead_person_a1, project_type=project_type
        )
        campaigns.project_delete(actor=sw.admin_a1, project=gone)
        campaigns.child_delete(actor=sw.admin_a1, item=GoalFactory(project=own_project))
        # People, memberships, pairings, orgs, campaigns.
        MembershipFactory(user=UserFactory(), org=sw.branch_a1, role=Role.PROJECT_LEAD)
        PairingFactory(
            campaign=campaign,
            member=PersonFactory(org=sw.branch_a1, political_status=PoliticalStatus.MEMBER),
            colleague=PersonFactory(org=sw.branch_a1, political_status=PoliticalStatus.MASSES),
        )
        branch = OrgFactory(parent=sw.company_a, name=f"支部{i}")
        ProjectFactory(  # the org's own row in the scores
            campaign=campaign,
            org=branch,
            lead=PersonFactory(org=branch),
            status=ProjectStatus.IN_PROGRESS,
            project_type=project_type,
        )
        checkins.periods_generate(actor=reader, campaign=CampaignFactory(org=sw.company_a))
        # The readers' own rows, and the outbound hooks of branch A1.
        for user in (reader, sw.admin_a1):
            Notification.objects.create(user=user, key=f"qb{i}", kind="reminder", title=f"通知{i}")
            Job.objects.create(
                owner=user,
                kind=JobKind.LEDGER_EXPORT,
                title=f"导出{i}",
                status=JobStatus.SUCCEEDED,
                progress=100,
            )
            ApiToken.objects.create(
                user=user, name=f"令牌{i}", prefix="qb", token_hash=f"qb-{user.pk}-{i}"
            )
            LedgerImport.objects.create(owner=user, campaign=campaign, file_name=f"{i}.xlsx")
        OrgWebhook.objects.create(org=sw.branch_a1, kind="wecom", url="https://example.com/r")
        Endpoint.objects.create(
            org=sw.branch_a1,
            url="https://example.com/h",
            events=["project.approved"],
            secret="s",
            created_by=sw.admin_a1,
        )
        Delivery.objects.create(endpoint=r["endpoint"], event="project.approved", body="{}")
    # Score runs: one more published version (of the last period: a published period takes
    # no more entries), and the draft recomputed over the new rows (a draft is replaced, so
    # the records follow it).
    last = campaign.periods.order_by("start_date").last()
    assessment.assessment_publish(actor=reader, scheme=scheme, period=last)
    r["run"] = assessment.draft_compute(scheme=scheme, period=period)
    assessment.scheme_create(
        actor=reader, campaign=campaign, spec=assessment.default_scheme_spec(), activate=False
    )
    results_day.results_day_create(
        actor=reader, campaign=campaign, name=f"发布日{start}", date=dt.date(2020, 12, 2)
    )


@dataclass
class Measured:
    """What one route answered: the reader, and the query count per (rows, page size); or
    why it is not a page (a GET answering 405, a file download, a redirect)."""

    reader: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    counts: dict[tuple[int, int], int] = field(default_factory=dict)
    not_a_page: str = ""
    statuses: dict[str, int] = field(default_factory=dict)
    # An API page's "count" per data size: proof that the measured list did grow.
    listed: dict[int, int] = field(default_factory=dict)
    # A web page's table and list rows (<tr>, <li>) per data size at the larger page size.
    shown: dict[int, int] = field(default_factory=dict)


def _url(sw, route: str) -> str:
    query = QUERY.get(route, "").format(
        period=sw.records["period"].pk,
        campaign=sw.records["campaign"].pk,
        project=sw.records["project"].pk,
    )
    records = sw.records
    if route in ORG:
        records = {**records, "org": getattr(sw, ORG[route])}
    return CASES[route].build(records) + query


def _with_size(url: str, size: int) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}per_page={size}&limit={size}"


# htmx-only fragments (inline edit forms) redirect a plain GET to their page.
HTMX = {"HX-Request": "true"}


def _classify(clients: dict[str, Client], url: str, route: str) -> Measured:
    result = Measured()
    for who in READERS:
        for headers in ({}, HTMX):
            response = clients[who].get(url, headers=headers)
            result.statuses[f"{who}{' htmx' if headers else ''}"] = response.status_code
            if response.status_code == 405:
                result.not_a_page = "405"
                return result
            if response.status_code == 302 and route in REDIRECTS:
                result.not_a_page = "redirect"
                return result
            if response.status_code == 200:
                if getattr(response, "streaming", False) or "attachment" in response.get(
                    "Content-Disposition", ""
                ):
                    result.not_a_page = "file"
                    return result
                result.reader, result.headers = who, headers
                return result
    return result


@pytest.fixture(scope="module")
def measured(sec, django_db_blocker) -> dict[str, Measured]:
    """Every route measured at N and 3N rows, page sizes 10 and 50: all routes are measured
    in one pass per data size, so the data grows only once per run."""
    out: dict[str, Measured] = {}
    with django_db_blocker.unblock():
        grow(sec, N - 1)
        clients = {}
        for who in READERS:
            clients[who] = Client()
            clients[who].force_login(getattr(sec, who))
        for route in ROUTES:
            # The classification also warms the session and per-process caches.
            out[route] = _classify(clients, _url(sec, route), route)
        for rows in (N, 3 * N):
            for route, result in out.items():
                if result.reader is None:
                    continue
                client, headers = clients[result.reader], result.headers
                url = _url(sec, route)
                client.get(url, headers=headers)
                for size in SIZES:
                    with CaptureQueriesContext(connection) as captured:
                        response = client.get(_with_size(url, size), headers=headers)
                    assert response.status_code == 200, (route, rows, size, response.status_code)
                    result.counts[(rows, size)] = len(captured)
                if response.get("Content-Type", "").startswith("application/json"):
                    body = response.json()
                    if isinstance(body, dict) and "count" in body:
                        result.listed[rows] = body["count"]
                elif response.get("Content-Type", "").startswith("text/html"):
                    html = response.content.decode()
                    result.shown[rows] = html.count("<tr") + html.count("<li")
            if rows == N:
                grow(sec, 2 * N)
    return out


def test_every_api_list_is_measured(db):
    lists = api_lists()
    assert len(lists) >= 20, sorted(lists)  # the schema reading found the lists at all
    assert lists <= set(ROUTES), sorted(lists - set(ROUTES))


@pytest.mark.parametrize("route", ROUTES)
def test_query_count_is_independent_of_rows_and_page_size(db, measured, route):
    result = measured[route]
    if result.not_a_page:
        # Not a list: a POST-only action, a download or the root's redirect. An API list
        # may never be one of them.
        assert route not in api_lists(), (route, result.not_a_page)
        return
    if route in NOT_A_LIST:
        assert result.reader is None, (route, "answers a page now: measure it", result.statuses)
        return
    assert result.reader, (route, "no reader gets a 200", result.statuses)
    if route in KNOWN_N_PLUS_1:
        pytest.xfail(KNOWN_N_PLUS_1[route])
    assert len(set(result.counts.values())) == 1, (route, result.reader, result.counts)


def test_api_lists_grow_with_the_data(db, measured):
    """The control of the budgets: every paged API list shows more rows at 3N than at N, so
    an equal query count means something."""
    flat = {
        route: m.listed
        for route, m in measured.items()
        if m.listed and m.listed.get(3 * N, 0) <= m.listed.get(N, 0)
    }
    assert not flat, flat


def test_web_lists_grow_with_the_data(db, measured):
    """The control of the budgets for web pages: every page that lists rows shows more of
    them at 3N than at N (or is in FIXED_ROWS, with the reason it shows a fixed number)."""
    pages = {route: m.shown for route, m in measured.items() if m.shown}
    assert len(pages) >= 40, sorted(pages)  # the HTML pages were read at all
    flat = {
        route: shown
        for route, shown in pages.items()
        if route not in FIXED_ROWS and shown.get(3 * N, 0) <= shown.get(N, 0)
    }
    assert not flat, flat
    growing = {
        route
        for route in FIXED_ROWS
        if pages.get(route, {}).get(3 * N, 0) > pages.get(route, {}).get(N, 0)
    }
    assert not growing, ("these grow now: take them out of FIXED_ROWS", sorted(growing))
    assert set(FIXED_ROWS) <= set(ROUTES), sorted(set(FIXED_ROWS) - set(ROUTES))
