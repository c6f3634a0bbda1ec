"""Progress reports: write (draft / submit), read, review, override the light."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.campaigns.models import Project
from taizhang.campaigns.permissions import access_project
from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from .. import permissions as perms
from .. import selectors, services
from ..forms import LightOverrideForm, ReportForm, ReviewForm
from ..models import Evidence, Period, ProgressReport, ReportStatus
from ..services import MeasureProgress
from .common import (
    StaleChange,
    attach_files,
    discard_files,
    stale_changes,
    stale_decision_form,
    with_version,
)

EDITABLE_STATUSES = (ReportStatus.DRAFT, ReportStatus.RETURNED)


def _report_of(project: Project, period: Period) -> ProgressReport | None:
    return (
        ProgressReport.objects.filter(project=project, period=period)
        .select_related("reviewed_by")
        .first()
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, project_id: int, period_id: int) -> HttpResponse:
    """Write the report of a project for a period. Nothing is written on GET: the report is
    opened (services.report_start) by the first save, together with everything typed, in one
    transaction, so a refused save leaves no empty report behind."""
    user = request.user
    project = access_project(user, project_id)
    period = get_object_or_404(Period, pk=period_id, campaign_id=project.campaign_id)
    if not perms.can_write_report(user, project):
        raise PermissionDenied
    report = _report_of(project, period)
    if report is not None and report.status not in EDITABLE_STATUSES:
        messages.info(request, _("报告已提交，不能修改；如需修改请由审核人退回。"))
        return redirect("checkins:report_detail", report_id=report.pk)
    form_kwargs: dict[str, Any] = {
        "goals": list(project.goals.all()),
        "measures": list(project.measures.all()),
        "report": report,
    }
    stale: list[StaleChange] = []
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            saved = _save(request, form, project, period)
            if isinstance(saved, ProgressReport):
                if form.cleaned_data["action"] == "submit":
                    late = _("（逾期提交）") if saved.is_late else ""
                    messages.success(request, _("报告已提交，等待审核。") + late)
                    return redirect("checkins:report_detail", report_id=saved.pk)
                messages.success(request, _("草稿已保存。"))
                return redirect("checkins:report_edit", project_id=project.pk, period_id=period.pk)
            report = _report_of(project, period)  # what is stored, after the rollback
            if saved.code == "stale" and report is not None:
                # Someone saved the report since this form was opened: show their change
                # above the form, keep what this user typed, and carry the version just
                # shown so that saving again overwrites knowingly.
                stale = stale_changes(ProgressReport, report, form.cleaned_data["version"])
                form = ReportForm(
                    with_version(request.POST, report.lock_version),
                    **{**form_kwargs, "report": report},
                )
                form.is_valid()
                form.add_domain_error(saved)
    else:
        form = ReportForm(**form_kwargs)
    return render(
        request,
        "checkins/report_form.html",
        {
            "project": project,
            "campaign": project.campaign,
            "period": period,
            "report": report,
            "form": form,
            "stale": stale,
            "evidence": report.evidence.select_related("uploaded_by") if report else [],
        },
    )


def _save(
    request: HttpRequest, form: ReportForm, project: Project, period: Period
) -> ProgressReport | DomainError:
    """Open, save, attach and (when asked) submit as one unit; on refusal show why and
    return the refusal. The version the form was opened at is checked by report_save."""
    data = form.cleaned_data
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            report = services.report_start(actor=request.user, project=project, period=period)
            report = services.report_save(
                actor=request.user,
                report=report,
                progress=data["progress"],
                problems=data["problems"],
                next_steps=data["next_steps"],
                actuals=form.actuals(),
                measures={
                    pk: MeasureProgress(status=status, percent_complete=percent, note=note)
                    for pk, (status, percent, note) in form.measure_progress().items()
                },
                expected_version=data["version"],
            )
            attach_files(actor=request.user, uploads=data["file"], stored=stored, report=report)
            if data["action"] == "submit":
                report = services.report_submit(actor=request.user, report=report)
    except DomainError as error:
        discard_files(stored)
        form.add_domain_error(error)
        return error
    return report


def _detail(
    request: HttpRequest,
    report: ProgressReport,
    *,
    review_form: ReviewForm | None = None,
    light_form: LightOverrideForm | None = None,
) -> HttpResponse:
    user = request.user
    project = report.project
    can_review = report.status == ReportStatus.SUBMITTED and perms.can_review_report(user, report)
    # A light exists once the report has been submitted; only then is there one to override.
    can_override = bool(report.computed_light) and perms.can_override_light(user, report)
    context: dict[str, Any] = {
        "report": report,
        "project": project,
        "campaign": project.campaign,
        "period": report.period,
        "goal_rows": selectors.report_goal_rows(report),
        "measure_updates": report.measure_updates.select_related("measure"),
        "evidence": report.evidence.select_related("uploaded_by"),
        "versions": selectors.report_versions(report),
        "can_edit": report.status in EDITABLE_STATUSES
        and not report.period.is_closed
        and perms.can_write_report(user, project),
        "can_review": can_review,
        "review_form": review_form
        or (ReviewForm(initial={"version": report.lock_version}) if can_review else None),
        "can_override": can_override,
        "light_form": light_form
        or (
            LightOverrideForm(
                initial={"light": report.override_light, "reason": report.override_reason}
            )
            if can_override
            else None
        ),
    }
    return render(request, "checkins/report_detail.html", context)


@login_required
@require_GET
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    return _detail(request, perms.access_report(request.user, report_id))


@login_required
@require_POST
def report_review(request: HttpRequest, report_id: int) -> HttpResponse:
    """Accept (optional comment) or return (comment required) a submitted report."""
    report = perms.access_report(request.user, report_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        comment = form.cleaned_data["comment"]
        version = form.cleaned_data["version"]
        try:
            if action == "accept":
                services.report_accept(
                    actor=request.user, report=report, comment=comment, expected_version=version
                )
            else:
                services.report_return(
                    actor=request.user, report=report, comment=comment, expected_version=version
                )
        except DomainError as error:
            report = perms.access_report(request.user, report_id)
            if error.code == "stale":
                form = stale_decision_form(ReviewForm, request.POST, report, error)
            else:
                add_domain_error(form, error)
        else:
            if action == "accept":
                messages.success(request, _("报告已审核通过。"))
            else:
                messages.success(request, _("报告已退回，牵头人将收到通知。"))
            return redirect("checkins:report_detail", report_id=report.pk)
    return _detail(request, report, review_form=form)


@login_required
@require_POST
def report_light(request: HttpRequest, report_id: int) -> HttpResponse:
    """Set the light by hand with a written reason, or go back to the computed one."""
    report = perms.access_report(request.user, report_id)
    if not perms.can_override_light(request.user, report):
        raise PermissionDenied
    form = LightOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.report_override_light(
                actor=request.user,
                report=report,
                light=form.cleaned_data["light"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("灯号已更新。"))
            return redirect("checkins:report_detail", report_id=report.pk)
    return _detail(request, report, light_form=form)
