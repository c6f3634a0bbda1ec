"""Import pages: upload → column mapping → dry run report → import. Views parse input,
check access, call one service (or start its job) and render."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error

from . import safety, services, tasks
from .forms import ApplyForm, MappingForm, UploadForm
from .models import ImportStatus
from .permissions import access_import, access_import_campaign, imports_visible_to
from .template_xlsx import template_filename, write_template
from .uploads import SizeLimitUploadHandler

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RECENT_UPLOADS = 10


@login_required
@csrf_exempt  # CSRF is checked in _upload, after the size-limited handler is installed
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, campaign_id: int) -> HttpResponse:
    # Upload handlers can only change before anything reads the body, and the CSRF
    # middleware reads it; so the check runs in the inner view (Django's documented way).
    handler = SizeLimitUploadHandler(request, limit=settings.TAIZHANG_IMPORT_MAX_BYTES)
    request.upload_handlers.insert(0, handler)
    return _upload(request, campaign_id, handler)


@csrf_protect
def _upload(
    request: HttpRequest, campaign_id: int, handler: SizeLimitUploadHandler
) -> HttpResponse:
    user = request.user
    campaign = access_import_campaign(user, campaign_id)
    # Bound on every POST: a stopped upload leaves POST and FILES empty, not absent.
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST":
        form.is_valid()
        try:
            if handler.exceeded:
                raise safety.too_large()
            ledger_import = services.ledger_import_parse(
                actor=user, campaign=campaign, upload=request.FILES.get("file")
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("imports:mapping", import_id=ledger_import.pk)
    recent = imports_visible_to(user).filter(campaign=campaign)[:RECENT_UPLOADS]
    return render(
        request,
        "imports/upload.html",
        {
            "campaign": campaign,
            "form": form,
            "recent": recent,
            "max_mb": settings.TAIZHANG_IMPORT_MAX_BYTES // (1024 * 1024),
        },
    )


@login_required
@require_GET
def template(request: HttpRequest, campaign_id: int) -> FileResponse:
    campaign = access_import_campaign(request.user, campaign_id)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_template(handle, campaign=campaign)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=template_filename(campaign), content_type=XLSX
    )


@login_required
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    user = request.user
    ledger_import = access_import(user, import_id)
    if ledger_import.status == ImportStatus.APPLIED:
        return redirect("imports:report", import_id=ledger_import.pk)
    form = MappingForm(request.POST or None, user=user, ledger_import=ledger_import)
    if request.method == "POST" and form.is_valid():
        try:
            services.ledger_import_set_mapping(
                actor=user,
                ledger_import=ledger_import,
                columns=form.column_mapping(),
                default_org=form.cleaned_data.get("default_org"),
                default_type=form.cleaned_data.get("default_type"),
                default_area=form.cleaned_data.get("default_area"),
            )
            if tasks.runs_in_background(ledger_import):
                job = tasks.start_check(user=user, ledger_import=ledger_import)
                return redirect("jobs:job_detail", job_id=job.pk)
            services.ledger_import_dry_run(actor=user, ledger_import=ledger_import)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return redirect("imports:report", import_id=ledger_import.pk)
    return render(
        request,
        "imports/mapping.html",
        {"ledger_import": ledger_import, "campaign": ledger_import.campaign, "form": form},
    )


@login_required
@require_GET
def report(request: HttpRequest, import_id: int) -> HttpResponse:
    ledger_import = access_import(request.user, import_id)
    if ledger_import.status == ImportStatus.UPLOADED:
        return redirect("imports:mapping", import_id=ledger_import.pk)
    return render(
        request,
        "imports/report.html",
        {
            "ledger_import": ledger_import,
            "campaign": ledger_import.campaign,
            "report": ledger_import.report,
            "apply_form": ApplyForm(
                initial={"register_unknown": ledger_import.report.get("register_unknown", False)}
            ),
        },
    )


@login_required
@require_POST
def apply(request: HttpRequest, import_id: int) -> HttpResponse:
    user = request.user
    ledger_import = access_import(user, import_id)
    form = ApplyForm(request.POST)
    form.is_valid()  # a checkbox: always valid, absent means unticked
    register = bool(form.cleaned_data.get("register_unknown"))
    try:
        if tasks.runs_in_background(ledger_import):
            services.ledger_import_ready(
                actor=user, ledger_import=ledger_import, register_unknown=register
            )
            job = tasks.start_apply(
                user=user, ledger_import=ledger_import, register_unknown=register
            )
            return redirect("jobs:job_detail", job_id=job.pk)
        counts = services.ledger_import_apply(
            actor=user, ledger_import=ledger_import, register_unknown=register
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        message = _("导入完成：新增 %(created)s，修改 %(updated)s，无变化 %(unchanged)s。") % counts
        if counts.get("registered"):
            message += _("登记人员 %(registered)s 名。") % counts
        messages.success(request, message)
    return redirect("imports:report", import_id=ledger_import.pk)
