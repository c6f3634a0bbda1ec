"""Background jobs (large exports): follow one, download its file. A job belongs to the user
who started it; anyone else's answers 404, as on the web page."""

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from taizhang.jobs.models import JobStatus
from taizhang.jobs.permissions import access_job, jobs_visible_to
from taizhang.jobs.services import job_sync_with_backend

from ..errors import ApiError
from ..lookups import actor
from ..schemas.common import Id, Page, paginate
from ..schemas.exports import XLSX, JobOut, JobPage, file_response

router = Router(tags=["jobs"])

OCTET = "application/octet-stream"
# Exports are workbooks; any other result is sent as bytes.
FILE_RESPONSE = {
    "description": "The result file",
    "content": {
        **file_response(XLSX, "")["content"],
        **file_response(OCTET, "")["content"],
    },
}


@router.get("/jobs", response=JobPage, summary="Your background jobs, newest first")
def list_jobs(request: HttpRequest, page: Query[Page]):
    return paginate(jobs_visible_to(actor(request)), page)


@router.get(
    "/jobs/{job_id}",
    response=JobOut,
    summary="One job: status, progress (0–100), message, and the file once it succeeded",
)
def get_job(request: HttpRequest, job_id: Id):
    return job_sync_with_backend(access_job(actor(request), job_id))


@router.get(
    "/jobs/{job_id}/file",
    response={200: None},
    url_name="job_file",
    summary="Download the job's file",
    description="409 (`job_not_finished`) while the job is queued or running; 404 when it "
    "failed or produced no file.",
    openapi_extra={
        "responses": {
            200: FILE_RESPONSE,
            409: {
                "description": "The job has not finished yet",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}
                },
            },
        }
    },
)
def get_job_file(request: HttpRequest, job_id: Id):
    job = job_sync_with_backend(access_job(actor(request), job_id))
    if not job.is_finished:
        raise ApiError(
            409,
            "job_not_finished",
            _("任务尚未完成，请稍后再下载。"),
            details={"status": job.status, "progress": job.progress},
        )
    if job.status != JobStatus.SUCCEEDED or not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = job.result_name or "result"
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type=XLSX if name.lower().endswith(".xlsx") else OCTET,
    )
