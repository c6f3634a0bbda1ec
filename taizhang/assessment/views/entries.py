"""Manual entries (考核录入): an assessor's score, deduction, bonus or veto on a project or an
org for a period, always with a reason, never once the period's results are published.

The subject is fetched through access_project / access_org (404 out of scope); assessing it
needs permissions.can_assess_project / can_assess_org (403 for a reader who may only look);
services.entry_add checks both again and refuses a published period.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from taizhang.campaigns.models import Campaign
from taizhang.campaigns.permissions import access_campaign, access_project
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.permissions import ADMIN_ROLES, access_org
from taizhang.orgs.selectors import org_options

from .. import permissions as perms
from .. import selectors, services
from ..forms import EntryForm, SubjectLookupForm, entry_items
from ..models import EntryKind

ENTRIES_PER_PAGE = 100


def _entry_period(campaign: Campaign, value: str):
    """Entries belong to a period, never to the year: default to the latest period."""
    periods = list(campaign.periods.order_by("start_date"))
    period, _key = selectors.pick_period(campaign, periods, value)
    if period is None:
        if (value or "").strip() == selectors.YEAR or not periods:
            raise Http404
        period = periods[-1]
    return period, periods


@login_required
@require_GET
def entry_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    period, periods = _entry_period(campaign, request.GET.get("period", ""))
    scheme = selectors.active_scheme(campaign)
    page = None
    if scheme is not None:
        page = Paginator(selectors.period_entries(user, scheme, period), ENTRIES_PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "assessment/entry_list.html",
        {
            "campaign": campaign,
            "periods": periods,
            "period": period,
            "scheme": scheme,
            "page": page,
            "published": selectors.is_published(campaign, period),
            "lookup_form": SubjectLookupForm(),
            "org_options": org_options(user, campaign.org, roles=ADMIN_ROLES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def entry_new(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The entry form for one subject. The subject and the period come in the query string
    (`?period=…&project=…`, `&org=…`, or `&code=…` to find a project by its code)."""
    user = request.user
    campaign = access_campaign(user, campaign_id)
    period, _periods = _entry_period(campaign, request.GET.get("period", ""))
    project = org = None
    code = request.GET.get("code", "").strip()
    if code:
        project = selectors.find_project(user, campaign, code)
        if project is None:
            messages.error(request, _("没有找到编号为“%(code)s”的项目。") % {"code": code})
            url = reverse("assessment:entry_list", args=[campaign.pk])
            return redirect(f"{url}?{urlencode({'period': period.pk})}")
        project = access_project(user, project.pk)
    elif request.GET.get("project"):
        project = access_project(user, request.GET["project"])
    elif request.GET.get("org"):
        org = access_org(user, request.GET["org"])
    else:
        raise Http404
    if project is not None and project.campaign_id != campaign.pk:
        raise Http404
    if org is not None and not org.path.startswith(campaign.org.path):
        raise Http404
    allowed = (
        perms.can_assess_project(user, project)
        if project is not None
        else perms.can_assess_org(user, org)
    )
    if not allowed:
        raise PermissionDenied
    scheme = selectors.active_scheme(campaign)
    if scheme is None:
        messages.error(request, _("本活动尚未设置考核方案。"))
        return redirect("assessment:scheme_detail", campaign_id=campaign.pk)

    items = entry_items(scheme)
    if request.method == "POST":
        form = EntryForm(request.POST, request.FILES, items=items)
        if form.is_valid():
            try:
                services.entry_add(
                    actor=user,
                    scheme=scheme,
                    period=period,
                    kind=form.cleaned_data["kind"],
                    item_id=form.item_id(),
                    note=form.cleaned_data["note"],
                    value=form.cleaned_data["value"] or "0",
                    project=project,
                    org=org,
                    evidence=form.cleaned_data.get("evidence"),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("已录入。草稿成绩需重新计算后才会包含这条录入。"))
                return redirect(request.get_full_path())
    else:
        kind = request.GET.get("kind", "")
        form = EntryForm(
            initial={"kind": kind or EntryKind.CRITERION}, items=items, only_kind=kind or None
        )
    return render(
        request,
        "assessment/entry_form.html",
        {
            "campaign": campaign,
            "period": period,
            "scheme": scheme,
            "project": project,
            "org": org,
            "form": form,
            "has_items": any(items.values()),
            "published": selectors.is_published(campaign, period),
            "entries": selectors.subject_entries(scheme, period, project=project, org=org),
            "subject_query": urlencode(
                {"period": period.pk, **({"project": project.pk} if project else {"org": org.pk})}
            ),
        },
    )


@login_required
@require_GET
def entry_evidence(request: HttpRequest, entry_id: int) -> FileResponse:
    """Evidence is served through the entry's visibility, never from a public media URL."""
    entry = selectors.entries_visible_to(request.user).filter(pk=entry_id).first()
    if entry is None or not entry.evidence:
        raise Http404
    try:
        handle = entry.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=entry.evidence.name.rsplit("/", 1)[-1])
