"""Campaign pages: list, create/edit, detail with the linkage figures and 1+N pairings, trash."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.permissions import ADMIN_ROLES, is_system_admin, roles_in, visible_org_paths

from .. import permissions as perms
from .. import selectors, services
from ..forms.campaign import CampaignForm, PairingForm
from ..models import Campaign

TRASH_PER_PAGE = 50
PAIRINGS_PER_PAGE = 100


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    # Grants are cached on the user, so this costs no query.
    can_create = is_system_admin(user) or bool(visible_org_paths(user, ADMIN_ROLES))
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": perms.campaigns_visible_to(user).order_by("-year", "-start_date", "name"),
            "can_create_campaign": can_create,
        },
    )


def _campaign_fields(form: CampaignForm) -> dict:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "year": data["year"],
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "cadence": data["cadence"],
        "description": data["description"],
        "project_types": data["project_types"],
        "focus_areas": data["focus_areas"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user, org=form.cleaned_data["org"], **_campaign_fields(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("活动“%(name)s”已创建。") % {"name": campaign.name})
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = perms.access_campaign(request.user, campaign_id, for_edit=True)
    form = CampaignForm(request.POST or None, user=request.user, campaign=campaign)
    # The service sets fields on the instance before it validates; keep the stored name for
    # the page heading in case it refuses.
    stored_name = campaign.name
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(
                actor=request.user, campaign=campaign, **_campaign_fields(form)
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "stored_name": stored_name},
    )


def _pairing_context(
    request: HttpRequest, campaign: Campaign, form: PairingForm | None = None
) -> dict:
    """What the pairing section needs; shared by the detail page and the htmx responses."""
    user = request.user
    can_pair = perms.can_manage_any_pairing(user, campaign)
    # A group-wide campaign can hold thousands of pairs; the page shows them in pages.
    pairings = Paginator(selectors.campaign_pairings(user, campaign), PAIRINGS_PER_PAGE).get_page(
        request.GET.get("pairing_page")
    )
    for pairing in pairings:
        # Grants are cached on the user and member__org is joined: no query per row.
        pairing.user_can_manage = perms.can_manage_pairing(user, campaign, pairing.member)
    return {
        "campaign": campaign,
        "pairings": pairings,
        "can_pair": can_pair,
        "pairing_form": form
        if form is not None
        else (PairingForm(user=user) if can_pair else None),
        # Pickers search inside the campaign's org when the user can see it; a branch user
        # cannot, and their own scope already lies inside the campaign.
        "picker_org_id": campaign.org_id if roles_in(user, campaign.org) else None,
        "figures": selectors.linkage_figures(user, campaign),
    }


@login_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = perms.access_campaign(user, campaign_id)
    context = _pairing_context(request, campaign)
    context.update(
        {
            "project_types": campaign.project_types.all(),
            "focus_areas": campaign.focus_areas.all(),
            "can_edit": perms.can_edit_campaign(user, campaign),
            "can_create_project": perms.can_create_any_project(user, campaign),
        }
    )
    return render(request, "campaigns/campaign_detail.html", context)


def _pairing_response(
    request: HttpRequest,
    campaign: Campaign,
    *,
    form: PairingForm | None = None,
    notice: str = "",
    errors: list[str] | None = None,
) -> HttpResponse:
    """htmx: the re-rendered pairing section with its notice or errors inline, plus the
    figures swapped out of band because a pair changes the coverage numbers. Without htmx:
    the same notice or errors as messages, back on the detail page."""
    errors = errors or []
    if form is not None and form.errors:
        errors = [*errors, *(message for field in form.errors.values() for message in field)]
    if request.htmx:
        context = _pairing_context(request, campaign, form)
        context.update({"oob": True, "notice": notice, "errors": errors})
        return render(request, "campaigns/pairing_section.html", context)
    if notice:
        messages.success(request, notice)
    for message in errors:
        messages.error(request, message)
    return redirect("campaigns:campaign_detail", campaign_id=campaign.pk)


@login_required
@require_POST
def pairing_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = perms.access_campaign(request.user, campaign_id)
    form = PairingForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            pairing = services.pairing_create(
                actor=request.user,
                campaign=campaign,
                member=form.cleaned_data["member"],
                colleague=form.cleaned_data["colleague"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            notice = _("已登记结对：%(member)s → %(colleague)s。") % {
                "member": pairing.member.name,
                "colleague": pairing.colleague.name,
            }
            return _pairing_response(request, campaign, notice=notice)
    return _pairing_response(request, campaign, form=form)


@login_required
@require_POST
def pairing_delete(request: HttpRequest, pairing_id: int) -> HttpResponse:
    pairing = perms.access_pairing(request.user, pairing_id)
    try:
        services.pairing_delete(actor=request.user, pairing=pairing)
    except DomainError as error:
        return _pairing_response(request, pairing.campaign, errors=[error.message])
    notice = _("已解除结对：%(member)s → %(colleague)s。") % {
        "member": pairing.member.name,
        "colleague": pairing.colleague.name,
    }
    return _pairing_response(request, pairing.campaign, notice=notice)


@login_required
@require_GET
def trash(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Deleted projects of the campaign within the user's scope; org admins restore them."""
    user = request.user
    campaign = perms.access_campaign(user, campaign_id)
    page = Paginator(selectors.trash_projects(user, campaign), TRASH_PER_PAGE).get_page(
        request.GET.get("page")
    )
    for project in page:
        # Grants are cached on the user: a per-row check costs no query.
        project.user_can_restore = perms.can_restore(user, project.org)
    return render(request, "campaigns/trash.html", {"campaign": campaign, "page": page})
