"""A large export runs as a background job (django-tasks): progress page, status endpoint,
download; on the immediate backend and on the database backend with its worker."""

import io

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from taizhang.exports.ledger_tasks import ledger_export_task
from taizhang.jobs.models import Job, JobKind, JobStatus
from taizhang.jobs.services import job_create

from .ledger_builders import build_ledger

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _start(client, world, **params):
    return client.get(reverse("ledger_export:xlsx", args=[world.campaign.pk]), params)


def _download(client, job: Job) -> openpyxl.Workbook:
    response = client.get(reverse("jobs:job_download", args=[job.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@override_settings(TAIZHANG_EXPORT_INLINE_MAX_PROJECTS=2)
def test_large_export_becomes_a_job_that_finishes(
    client, world, django_capture_on_commit_callbacks
):
    build_ledger(world, 3)
    client.force_login(world.admin_company_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _start(client, world, status="in_progress")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    assert job.kind == JobKind.LEDGER_EXPORT and job.owner == world.admin_company_a
    assert job.params["query"] == "status=in_progress"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.progress == 100 and job.finished_at is not None
    assert job.task_id  # the backend's result id is kept
    page = client.get(reverse("jobs:job_detail", args=[job.pk])).content.decode()
    assert reverse("jobs:job_download", args=[job.pk]) in page
    status = client.get(reverse("jobs:job_status", args=[job.pk]))
    html = status.content.decode()
    assert "100%" in html and 'hx-trigger="every 1s"' not in html
    book = _download(client, job)
    assert [row[1] for row in book["项目"].iter_rows(min_row=4, values_only=True)] == [
        "TZ-0001",
        "TZ-0002",
        "TZ-0003",
    ]


@override_settings(TAIZHANG_EXPORT_INLINE_MAX_PROJECTS=0)
def test_jobs_are_their_owners_alone(client, world, django_capture_on_commit_callbacks):
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_company_a)
    with django_capture_on_commit_callbacks(execute=True):
        _start(client, world)
    job = Job.objects.get()
    client.force_login(world.sysadmin)  # not even the system admin
    for name in ("job_detail", "job_status", "job_download"):
        assert client.get(reverse(f"jobs:{name}", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("jobs:job_list")).content.decode()
    client.force_login(world.admin_company_a)
    assert job.title in client.get(reverse("jobs:job_list")).content.decode()


@override_settings(TAIZHANG_EXPORT_INLINE_MAX_PROJECTS=0)
def test_a_job_that_cannot_finish_says_why(client, world, django_capture_on_commit_callbacks):
    """Access lost between queueing and running: the job fails with a readable reason."""
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_a1)
    job = job_create(
        owner=world.admin_a1,
        kind=JobKind.LEDGER_EXPORT,
        title="x",
        params={"campaign_id": world.campaign.pk, "query": f"org={world.branch_b1.pk}"},
    )
    ledger_export_task.enqueue(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == "您已无权查看该台账或所选的组织。"
    html = client.get(reverse("jobs:job_status", args=[job.pk])).content.decode()
    assert "您已无权查看该台账或所选的组织。" in html and "every 1s" not in html


@pytest.mark.django_db(transaction=True)
@override_settings(TAIZHANG_EXPORT_INLINE_MAX_PROJECTS=0, TASKS=DATABASE_TASKS)
def test_database_backend_worker_runs_the_export(client, world):
    """The production path: the view enqueues on the database backend, the page polls
    while the task waits, one pass of `db_worker` runs it, the file downloads."""
    build_ledger(world, 2)
    client.force_login(world.admin_company_a)
    response = _start(client, world)
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job_detail", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.task_id
    result = DBTaskResult.objects.get(id=job.task_id)
    assert result.task_path == "taizhang.exports.ledger_tasks.ledger_export_task"
    assert result.args_kwargs == {"args": [job.pk], "kwargs": {}}
    polling = client.get(reverse("jobs:job_status", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in polling and "0%" in polling

    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, interval=0, verbosity=0
    )

    result.refresh_from_db()
    assert result.status == "SUCCESSFUL"
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    done = client.get(reverse("jobs:job_status", args=[job.pk])).content.decode()
    assert "100%" in done and "every 1s" not in done
    assert len(list(_download(client, job)["项目"].iter_rows(min_row=4))) == 2


@pytest.mark.django_db(transaction=True)
@override_settings(TAIZHANG_EXPORT_INLINE_MAX_PROJECTS=0, TASKS=DATABASE_TASKS)
def test_a_task_the_worker_lost_fails_the_job(client, world):
    """A task the backend marks failed (worker crash, broken import) ends the job too, so
    the page stops polling and says so."""
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_company_a)
    _start(client, world)
    job = Job.objects.get()
    result = DBTaskResult.objects.get(id=job.task_id)
    result.set_failed(RuntimeError("worker died"))
    html = client.get(reverse("jobs:job_status", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "后台任务异常中止，请重试。" in html
