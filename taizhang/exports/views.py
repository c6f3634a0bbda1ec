"""Downloads of generated files. Each view resolves what to export through the same
access and selector functions as the page it belongs to, then streams a temporary file."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest
from django.views.decorators.http import require_GET

from taizhang.campaigns.permissions import access_campaign

from .assessment_sheet import (
    XLSX_CONTENT_TYPE,
    sheet_filename,
    sheet_scope,
    write_assessment_sheet,
)


@login_required
@require_GET
def assessment_sheet(request: HttpRequest, campaign_id: int) -> FileResponse:
    """The assessment sheet (考核表) of a campaign, period and org subtree, for the run the
    scores page shows (`?period=…&org=…&run=…`, the same parameters). An org out of the
    user's scope answers 404."""
    user = request.user
    campaign = access_campaign(user, campaign_id)
    run, org = sheet_scope(
        user,
        campaign,
        period=request.GET.get("period", ""),
        org=request.GET.get("org", ""),
        run=request.GET.get("run", ""),
    )
    # A temporary file, not memory: a group-wide sheet has tens of thousands of rows.
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_assessment_sheet(handle, user=user, run=run, org=org)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=sheet_filename(run, org),
        content_type=XLSX_CONTENT_TYPE,
    )
