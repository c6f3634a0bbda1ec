"""The ledger export: the ledger page's query string in, its rows out as .xlsx."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from taizhang.campaigns.permissions import access_campaign
from taizhang.campaigns.views.ledger import ledger_query

from . import ledger_rows
from .ledger_tasks import ledger_export_start
from .ledger_xlsx import XLSX_CONTENT_TYPE, ledger_filename, scope_label, write_ledger_xlsx

# Paging is the page's, not the view's: the file holds every row the filters select.
PAGE_KEYS = ("page", "per_page")


@login_required
@require_GET
def ledger_export(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """GET with the ledger's query string. A campaign or org out of the user's scope is a
    404; no matching project is a message on the ledger, not an empty file; a large ledger
    becomes a background job with a progress page."""
    user = request.user
    campaign = access_campaign(user, campaign_id)
    query = ledger_query(user, campaign, request.GET)
    params = request.GET.copy()
    for key in PAGE_KEYS:
        params.pop(key, None)
    total = ledger_rows.export_projects(user, campaign, query.filters).count()
    if total == 0:
        messages.warning(request, _("没有符合筛选条件的项目，未生成文件。"))
        encoded = params.urlencode()
        return redirect(
            reverse("campaigns:ledger", args=[campaign.pk]) + (f"?{encoded}" if encoded else "")
        )
    if total > settings.TAIZHANG_EXPORT_INLINE_MAX_PROJECTS:
        job = ledger_export_start(user=user, campaign=campaign, query=params.urlencode())
        return redirect("jobs:job_detail", job_id=job.pk)
    # A temporary file, not memory; FileResponse closes it.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_ledger_xlsx(handle, user=user, campaign=campaign, filters=query.filters)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=ledger_filename(campaign, scope_label(user, campaign, query.filters)),
        content_type=XLSX_CONTENT_TYPE,
    )
