"""A project's check-ins: its report per period, its benefit claims, inspections and 督办.

Shown inside the project page (loaded there by htmx, so that page costs no extra query)
and as a page of its own for a browser without JavaScript.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from taizhang.campaigns.permissions import access_project

from .. import permissions as perms
from .. import selectors


@login_required
@require_GET
def project_checkins(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request.user
    project = access_project(user, project_id)
    is_benefit = project.project_type.is_benefit
    context = {
        "project": project,
        "campaign": project.campaign,
        "period_reports": selectors.project_period_reports(project),
        "can_write": perms.can_write_report(user, project),
        "is_benefit": is_benefit,
        "claims": project.benefit_claims.select_related("period") if is_benefit else [],
        "can_declare": is_benefit and perms.can_declare_claim(user, project),
        "inspections": perms.inspections_visible_to(user)
        .filter(project=project)
        .select_related("inspecting_org")
        .order_by("-date", "-id"),
        "can_inspect": selectors.inspecting_orgs_for(user, project.org).exists(),
        "supervision": project.supervisions.filter(closed_at__isnull=True)
        .select_related("owner")
        .first(),
    }
    if request.htmx:
        return render(request, "checkins/project_panel.html#panel", context)
    return render(request, "checkins/project_checkins.html", context)
