"""HTML fragments for the org navigator and the person pickers (htmx)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import PARTY_MEMBER_STATUSES, Org
from .permissions import access_org, people_visible_to

# A picker shows a handful of matches; typing more narrows them. More rows only slow the page.
PERSON_SEARCH_LIMIT = 20


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


@login_required
@require_GET
def org_children(request: HttpRequest, org_id: int) -> HttpResponse:
    """The children of one org for the sidebar tree, loaded when its node is opened.

    `campaign` (optional) makes each child link to that campaign's ledger filtered by the
    child; the ledger view checks the campaign itself, so an id typed by hand exposes nothing.
    """
    org = access_org(request.user, org_id)
    children = Org.objects.get_children(org)
    return render(
        request,
        "orgs/org_children.html",
        {
            "parent": org,
            "children": children,
            "nav_campaign_id": _positive_int(request.GET.get("campaign")),
            "nav_selected_org_id": _positive_int(request.GET.get("selected")),
        },
    )


@login_required
@require_GET
def person_search(request: HttpRequest) -> HttpResponse:
    """`<option>` rows for a person picker: people visible to the user matching `q`.

    Parameters: `q` (name, pinyin with or without spaces, or staff number), `org` (restrict
    to that org's subtree; 404 when the org is out of the user's scope), `party=1` (Party
    members and probationary members only), `exclude_party=1` (everyone else).
    """
    people = people_visible_to(request.user)
    org_id = request.GET.get("org", "").strip()
    if org_id:
        org = access_org(request.user, org_id)
        people = people.filter(org__path__startswith=org.path)
    if request.GET.get("party") == "1":
        people = people.filter(political_status__in=PARTY_MEMBER_STATUSES)
    if request.GET.get("exclude_party") == "1":
        people = people.exclude(political_status__in=PARTY_MEMBER_STATUSES)
    term = request.GET.get("q", "").strip()[:100]
    if term:
        # Pinyin is stored space-separated ("zhang san"); people type it run together.
        compact = term.replace(" ", "").lower()
        people = people.annotate(
            pinyin_compact=Replace("name_pinyin", Value(" "), Value(""))
        ).filter(
            Q(name__icontains=term)
            | Q(pinyin_compact__icontains=compact)
            | Q(staff_no__icontains=term)
        )
    return render(
        request,
        "orgs/person_options.html",
        {"people": people.order_by("name_pinyin", "id")[:PERSON_SEARCH_LIMIT]},
    )
