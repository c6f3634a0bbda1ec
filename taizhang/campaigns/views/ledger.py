"""The ledger (台账): a campaign's projects as one filterable, sortable, paged table."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from taizhang.orgs.models import Person
from taizhang.orgs.permissions import access_org, people_visible_to
from taizhang.orgs.selectors import org_options

from .. import permissions as perms
from .. import selectors
from ..forms.campaign import DEFAULT_PER_PAGE, LedgerFilterForm
from ..models import Campaign

# Columns whose header sorts the table, by the LEDGER_SORTS key they toggle.
SORTABLE_COLUMNS = ("code", "title", "org", "lead", "end_date", "status")


def _query(params: QueryDict, **changes: str | None) -> str:
    """The current query string with `changes` applied (None removes a key)."""
    query = params.copy()
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _link_prefix(params: QueryDict, key: str) -> str:
    """The current query string with `key` removed and `key=` appended, for per-row filter
    links ("only this org", "only this lead") built without a URL per row in Python."""
    base = _query(params, **{key: None, "page": None})
    return f"{base}{'&' if base != '?' else ''}{key}="


def _sort_links(params: QueryDict, current: str) -> dict[str, dict[str, str]]:
    """Per column: the link that sorts by it (ascending first, then toggling) and the
    direction it is sorted in now, for the header arrow and aria-sort."""
    links = {}
    for key in SORTABLE_COLUMNS:
        if current == key:
            target, direction = f"-{key}", "ascending"
        elif current == f"-{key}":
            target, direction = key, "descending"
        else:
            target, direction = key, "none"
        links[key] = {"url": _query(params, sort=target, page=None), "aria": direction}
    return links


def _pager_links(params: QueryDict, page: Page) -> dict[str, str | None]:
    """First/previous/next/last links that keep every filter and the sort."""

    def link(number: int) -> str:
        return _query(params, page=str(number))

    return {
        "first": link(1) if page.has_previous() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
        "next": link(page.next_page_number()) if page.has_next() else None,
        "last": link(page.paginator.num_pages) if page.has_next() else None,
    }


@dataclass(frozen=True)
class LedgerQuery:
    form: LedgerFilterForm
    filters: selectors.LedgerFilters
    lead: Person | None


def ledger_query(user, campaign: Campaign, params: QueryDict) -> LedgerQuery:
    """The ledger's filters from its query string. The export reads the same query string
    through this function, so a file holds exactly the rows the page shows. An org outside
    the user's scope raises Http404, like one that does not exist."""
    form = LedgerFilterForm(params, campaign=campaign)
    form.is_valid()
    org = None
    org_param = params.get("org", "").strip()
    if org_param:
        org = access_org(user, org_param)
    lead_id = form.value("lead")
    lead = people_visible_to(user).filter(pk=lead_id).first() if lead_id else None
    project_type = form.value("type")
    focus_area = form.value("area")
    filters = selectors.LedgerFilters(
        org=org,
        project_type=project_type.pk if project_type else None,
        focus_area=focus_area.pk if focus_area else None,
        status=form.value("status") or None,
        lead=lead.pk if lead else None,
        q=form.value("q") or "",
        sort=form.value("sort") or "code",
    )
    return LedgerQuery(form=form, filters=filters, lead=lead)


@login_required
@require_GET
def ledger(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The ledger table. Filters live in the query string so a view can be bookmarked and
    sent on; with htmx only the table is re-rendered. The query count does not depend on
    the number of rows: the selector joins and annotates everything a row shows."""
    user = request.user
    campaign = perms.access_campaign(user, campaign_id)
    query = ledger_query(user, campaign, request.GET)
    form, filters, lead = query.form, query.filters, query.lead
    org, sort = filters.org, filters.sort
    per_page = form.value("per_page") or DEFAULT_PER_PAGE
    paginator = Paginator(selectors.ledger_projects(user, campaign, filters), per_page)
    page = paginator.get_page(request.GET.get("page"))

    params = request.GET.copy()
    context = {
        "campaign": campaign,
        "form": form,
        "page": page,
        "selected_org": org,
        "lead": lead,
        "sort": sort,
        "sort_links": _sort_links(params, sort),
        "pager": _pager_links(params, page),
        "org_link_prefix": _link_prefix(params, "org"),
        "lead_link_prefix": _link_prefix(params, "lead"),
        "clear_lead_query": _query(params, lead=None, page=None),
        "filtered": any(
            [org, lead, filters.project_type, filters.focus_area, filters.status, filters.q]
        ),
        "can_create_project": perms.can_create_any_project(user, campaign),
    }
    if request.htmx and not request.htmx.history_restore_request:
        context["oob"] = True
        response = render(request, "campaigns/ledger.html#results", context)
    else:
        context["org_options"] = org_options(user, campaign.org, org)
        response = render(request, "campaigns/ledger.html", context)
    # The same URL answers with a fragment or a page depending on HX-Request; caches must
    # not hand one to the other (a back button after an htmx swap would show a bare table).
    patch_vary_headers(response, ["HX-Request"])
    return response
