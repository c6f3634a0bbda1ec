"""A job's page with its progress bar, the small status fragment htmx polls, the download."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import JobStatus
from .permissions import access_job, jobs_visible_to
from .services import job_sync_with_backend

JOB_LIST_SIZE = 50


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = jobs_visible_to(request.user)[:JOB_LIST_SIZE]
    return render(request, "jobs/job_list.html", {"jobs": jobs})


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_sync_with_backend(access_job(request.user, job_id))
    return render(request, "jobs/job_detail.html", {"job": job})


@login_required
@require_GET
def job_status(request: HttpRequest, job_id: int) -> HttpResponse:
    """Polled every second by the job page: percent, message, and once finished the link
    to the file or the result (the fragment then stops polling)."""
    job = job_sync_with_backend(access_job(request.user, job_id))
    response = render(request, "jobs/job_detail.html#status", {"job": job})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = access_job(request.user, job_id)
    if job.status != JobStatus.SUCCEEDED or not job.result_file:
        raise Http404
    try:
        handle = job.result_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=job.result_name or "result")
