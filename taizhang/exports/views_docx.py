"""Downloads of the Word paperwork: the 分析总结, a project's 立项申报书, an inspection's
检查记录. Each fetches what it prints through the same access_* functions as the page it
belongs to, so an object out of the user's scope answers 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_GET

from taizhang.analysis.views import scope_from_query
from taizhang.campaigns.permissions import access_campaign, access_project
from taizhang.checkins.permissions import access_inspection
from taizhang.core.exceptions import DomainError

from .docx_application import application_filename, build_application
from .docx_common import DOCX_CONTENT_TYPE
from .docx_inspection import build_inspection_record, inspection_filename
from .docx_summary import build_summary, summary_filename


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def summary(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The 分析总结 of `?org=&period=` (the dashboard's parameters). A period with no
    submitted report sends the user back to the dashboard with the reason."""
    user = request.user
    campaign = access_campaign(user, campaign_id)
    org, period = scope_from_query(request, campaign)
    if period is None:
        raise Http404
    try:
        content = build_summary(user, campaign=campaign, org=org, period=period)
    except DomainError as error:
        messages.warning(request, error.message)
        query = urlencode({"org": org.pk, "period": period.pk})
        return redirect(f"{reverse('analysis:dashboard', args=[campaign.pk])}?{query}")
    return _docx(content, summary_filename(campaign, org, period))


@login_required
@require_GET
def application(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project(request.user, project_id)
    return _docx(build_application(project), application_filename(project))


@login_required
@require_GET
def inspection_record(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = access_inspection(request.user, inspection_id)
    return _docx(build_inspection_record(inspection), inspection_filename(inspection))
