"""Files out with a token: the ledger (.xlsx, inline or as a job), the assessment sheet
(.xlsx) and the Word paperwork (分析总结, 立项申报书, 检查记录).

Every download resolves what it prints through the same `access_*` functions and the same
builders as the web pages (taizhang/exports), so a record or org subtree the caller may not
see answers 404 and the file is the one the page would give. Exports only read: a read-only
token may call them, the ledger's `POST` (which may start a job) included.
"""

import tempfile

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Query, Router, Schema, Status

from taizhang.analysis.views import scope_from_query
from taizhang.campaigns.permissions import access_campaign, access_project
from taizhang.campaigns.views.ledger import ledger_query
from taizhang.checkins.permissions import access_inspection
from taizhang.core.exceptions import DomainError
from taizhang.exports import ledger_rows
from taizhang.exports.assessment_sheet import sheet_filename, sheet_scope, write_assessment_sheet
from taizhang.exports.docx_application import application_filename, build_application
from taizhang.exports.docx_inspection import build_inspection_record, inspection_filename
from taizhang.exports.docx_summary import build_summary, summary_filename
from taizhang.exports.ledger_tasks import ledger_export_start
from taizhang.exports.ledger_xlsx import ledger_filename, scope_label, write_ledger_xlsx

from ..auth import SessionAuth, TokenAuth
from ..lookups import actor
from ..schemas.common import Id
from ..schemas.exports import (
    DOCX,
    XLSX,
    JobOut,
    LedgerExportIn,
    SheetQuery,
    SummaryQuery,
    file_response,
)

router = Router(tags=["exports"])

# A read-only token may start an export: it reads, although it is a POST.
READ_AUTH = [TokenAuth(reads=True), SessionAuth()]

# (URL name, label, format); an export the exports app does not (yet) offer is left out.
CAMPAIGN_EXPORTS = [
    ("ledger_export:xlsx", gettext_lazy("项目台账"), "xlsx"),
    ("exports:assessment_sheet", gettext_lazy("考核表"), "xlsx"),
    ("documents:summary", gettext_lazy("分析总结"), "docx"),
]


class ExportLink(Schema):
    name: str
    format: str
    url: str


class ExportLinks(Schema):
    items: list[ExportLink]


@router.get(
    "/campaigns/{campaign_id}/exports",
    response=ExportLinks,
    summary="Download links of the campaign's files on the web pages (browser session)",
    description="The same files through the API, with a token: "
    "`POST /campaigns/{id}/exports/ledger`, `GET /campaigns/{id}/exports/assessment-sheet`, "
    "`GET /campaigns/{id}/exports/summary`.",
)
def campaign_exports(request: HttpRequest, campaign_id: Id):
    campaign = access_campaign(actor(request), campaign_id)
    items = []
    for name, label, kind in CAMPAIGN_EXPORTS:
        try:
            path = reverse(name, kwargs={"campaign_id": campaign.pk})
        except NoReverseMatch:
            continue
        items.append({"name": str(label), "format": kind, "url": request.build_absolute_uri(path)})
    return {"items": items}


def _ledger_params(payload: LedgerExportIn) -> QueryDict:
    """The body as the ledger page's query string: the page, the web download and this
    endpoint read filters through one function (`ledger_query`)."""
    params = QueryDict(mutable=True)
    for name in ("org", "type", "area", "status", "lead"):
        value = getattr(payload, name)
        if value is not None:
            params[name] = str(value)
    if payload.q.strip():
        params["q"] = payload.q.strip()
    params["sort"] = payload.sort
    return params


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@router.post(
    "/campaigns/{campaign_id}/exports/ledger",
    response={202: JobOut},
    auth=READ_AUTH,
    summary="Export the ledger (.xlsx) as the ledger page filters it",
    description="A ledger of at most `TAIZHANG_EXPORT_INLINE_MAX_PROJECTS` projects (1,000 "
    "by default) answers 200 with the file; a larger one (or `background: true`) answers "
    "202 with a job: poll `GET /jobs/{id}` until `status` is `succeeded`, then download "
    "`file_url`. No matching project: 422 (`empty`). An org out of your scope: 404. "
    "Read-only tokens may export.",
    openapi_extra={"responses": {200: file_response(XLSX, "The ledger workbook")}},
)
def export_ledger(request: HttpRequest, campaign_id: Id, payload: LedgerExportIn):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    params = _ledger_params(payload)
    query = ledger_query(user, campaign, params)
    total = ledger_rows.export_projects(user, campaign, query.filters).count()
    if total == 0:
        raise DomainError(_("没有符合筛选条件的项目，未生成文件。"), "empty")
    if payload.background or total > settings.TAIZHANG_EXPORT_INLINE_MAX_PROJECTS:
        job = ledger_export_start(user=user, campaign=campaign, query=params.urlencode())
        job.refresh_from_db()  # the immediate backend has already run it
        return Status(202, job)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_ledger_xlsx(handle, user=user, campaign=campaign, filters=query.filters)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=ledger_filename(campaign, scope_label(user, campaign, query.filters)),
        content_type=XLSX,
    )


@router.get(
    "/campaigns/{campaign_id}/exports/assessment-sheet",
    response={200: None},
    summary="The assessment sheet (考核表, .xlsx) of a period and org subtree",
    description="The parameters of the scores page. A period, org or run out of your scope "
    "(or no published or draft run): 404.",
    openapi_extra={"responses": {200: file_response(XLSX, "The assessment workbook")}},
)
def export_assessment_sheet(request: HttpRequest, campaign_id: Id, query: Query[SheetQuery]):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    run, org = sheet_scope(
        user,
        campaign,
        period=query.period or "",
        org=str(query.org or ""),
        run=query.run or "",
    )
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it
    write_assessment_sheet(handle, user=user, run=run, org=org)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=sheet_filename(run, org), content_type=XLSX
    )


@router.get(
    "/campaigns/{campaign_id}/exports/summary",
    response={200: None},
    summary="The 分析总结 (.docx) of an org subtree and period",
    description="The dashboard's parameters. A period without any submitted report answers "
    "422 (`empty_period`); an org out of your scope: 404.",
    openapi_extra={"responses": {200: file_response(DOCX, "The summary document")}},
)
def export_summary(request: HttpRequest, campaign_id: Id, query: Query[SummaryQuery]):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    # scope_from_query reads request.user and ?org=&period= exactly as the web download does.
    org, period = scope_from_query(request, campaign)
    if period is None:  # a campaign without periods: nothing to summarise (as on the web)
        raise Http404
    content = build_summary(user, campaign=campaign, org=org, period=period)
    return _docx(content, summary_filename(campaign, org, period))


@router.get(
    "/projects/{project_id}/exports/application",
    response={200: None},
    tags=["exports"],
    summary="The project's 立项申报书 (.docx)",
    openapi_extra={"responses": {200: file_response(DOCX, "The application form")}},
)
def export_application(request: HttpRequest, project_id: Id):
    project = access_project(actor(request), project_id)
    return _docx(build_application(project), application_filename(project))


@router.get(
    "/inspections/{inspection_id}/exports/record",
    response={200: None},
    summary="The inspection's 检查记录 (.docx)",
    openapi_extra={"responses": {200: file_response(DOCX, "The inspection record")}},
)
def export_inspection_record(request: HttpRequest, inspection_id: Id):
    inspection = access_inspection(actor(request), inspection_id)
    return _docx(build_inspection_record(inspection), inspection_filename(inspection))
