"""Inspections (检查): record one with its rectification items, the printable record,
evidence and 销号 per item, the campaign's list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.campaigns.forms.project import filled_rows
from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.permissions import access_campaign, access_project
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.models import Org
from taizhang.orgs.permissions import ADMIN_ROLES, access_org, people_visible_to
from taizhang.orgs.selectors import org_options

from .. import permissions as perms
from .. import selectors, services
from ..forms import InspectionForm, RectificationCloseForm, RectificationFormSet
from ..models import Evidence, RectificationStatus
from ..services import RectificationInput, local_today
from .common import attach_files, discard_files, page_of, stale_lines


def _subject(request: HttpRequest, campaign: Campaign) -> tuple[Project | None, Org | None]:
    """The project (`?project=`) or the lower org (`?org=`) to inspect, seen by the user."""
    user = request.user
    project_param = request.GET.get("project", "").strip()
    org_param = request.GET.get("org", "").strip()
    if project_param:
        project = access_project(user, project_param)
        if project.campaign_id != campaign.pk:
            raise Http404
        return project, None
    if org_param:
        org = access_org(user, org_param)
        if not org.path.startswith(campaign.org.path):
            raise Http404
        return None, org
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, request.GET.get("campaign", "").strip())
    project, target_org = _subject(request, campaign)
    subject_org = project.org if project is not None else target_org
    inspecting_orgs = selectors.inspecting_orgs_for(user, subject_org)
    if not inspecting_orgs.exists():
        raise PermissionDenied
    # Owners come from the inspected side only (the service checks it again).
    people = people_visible_to(user).filter(org__path__startswith=subject_org.path)
    if request.method == "POST":
        form = InspectionForm(request.POST, inspecting_orgs=inspecting_orgs)
        formset = RectificationFormSet(request.POST, prefix="items", form_kwargs={"people": people})
        if form.is_valid() & formset.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.inspection_create(
                    actor=user,
                    campaign=campaign,
                    inspecting_org=data["inspecting_org"],
                    date=data["date"],
                    inspectors=data["inspectors"],
                    methods=data["methods"],
                    findings=data["findings"],
                    rating=data["rating"],
                    project=project,
                    target_org=target_org,
                    items=[RectificationInput(**row) for row in filled_rows(formset)],
                )
            except DomainError as error:
                if error.field == "items":
                    formset._non_form_errors.append(error.message)
                else:
                    add_domain_error(form, error)
            else:
                messages.success(request, _("检查记录已保存。"))
                return redirect("checkins:inspection_detail", inspection_id=inspection.pk)
    else:
        form = InspectionForm(inspecting_orgs=inspecting_orgs, initial={"date": local_today()})
        formset = RectificationFormSet(prefix="items", form_kwargs={"people": people})
    return render(
        request,
        "checkins/inspection_form.html",
        {
            "campaign": campaign,
            "project": project,
            "target_org": target_org,
            "subject_org": subject_org,
            "form": form,
            "formset": formset,
        },
    )


@login_required
@require_GET
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """The inspection record (检查记录); also the printable page."""
    user = request.user
    inspection = perms.access_inspection(user, inspection_id)
    items = list(inspection.items.select_related("owner", "closed_by").prefetch_related("evidence"))
    for item in items:
        item.inspection = inspection  # the permission check reads the inspection's orgs
        # Grants are cached on the user and the owner is joined: no query per row.
        item.user_can_close = item.status == RectificationStatus.OPEN and (
            perms.can_close_rectification(user, item)
        )
    return render(
        request,
        "checkins/inspection_detail.html",
        {
            "inspection": inspection,
            "campaign": inspection.campaign,
            "items": items,
            "close_form": RectificationCloseForm(),
        },
    )


@login_required
@require_POST
def rectification_update(request: HttpRequest, item_id: int) -> HttpResponse:
    """Upload evidence for an open item (`action=upload`) or close it (`action=close`):
    files chosen with a 销号 are attached first, in the same transaction, so a refused
    closure keeps nothing."""
    user = request.user
    item = perms.access_rectification(user, item_id)
    form = RectificationCloseForm(request.POST)
    form.is_valid()
    uploads = request.FILES.getlist("file")
    action = request.POST.get("action")
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            attach_files(actor=user, uploads=uploads, stored=stored, rectification=item)
            if action == "close":
                services.rectification_close(
                    actor=user,
                    item=item,
                    closing_note=form.cleaned_data.get("closing_note", ""),
                    expected_version=form.cleaned_data.get("version"),
                )
            elif not uploads:
                raise DomainError(_("请选择文件。"), "required", field="file")
    except DomainError as error:
        discard_files(stored)
        messages.error(request, error.message)
        if error.code == "stale":
            # The page reloads with the current item (and version); the other person's
            # change is listed under the refusal.
            for line in stale_lines(item, form.cleaned_data.get("version")):
                messages.warning(request, line)
    else:
        if action == "close":
            messages.success(request, _("整改事项已销号。"))
        else:
            messages.success(request, _("佐证材料已上传。"))
    url = reverse("checkins:inspection_detail", args=[item.inspection_id])
    return redirect(f"{url}#item-{item.pk}")


@login_required
@require_GET
def inspection_list(request: HttpRequest, campaign_id: int) -> HttpResponse:
    user = request.user
    campaign = access_campaign(user, campaign_id)
    open_items = Q(items__status=RectificationStatus.OPEN, items__deleted_at__isnull=True)
    inspections = (
        perms.inspections_visible_to(user)
        .filter(campaign=campaign)
        .select_related("inspecting_org", "project", "project__org", "target_org")
        .annotate(
            item_count=Count("items", filter=Q(items__deleted_at__isnull=True)),
            open_count=Count("items", filter=open_items),
        )
        .order_by("-date", "-id")
    )
    # Orgs this user may open an inspection of, from the list page (projects are inspected
    # from their own page): admin grants inside the campaign, two levels deep at most.
    target_orgs = org_options(user, campaign.org, roles=ADMIN_ROLES)
    return render(
        request,
        "checkins/inspection_list.html",
        {"campaign": campaign, "page": page_of(request, inspections), "target_orgs": target_orgs},
    )
