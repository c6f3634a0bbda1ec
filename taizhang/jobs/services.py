"""Create, queue and run background jobs; the task code is the same on every backend.

A job row is the user-facing record (owner, progress, result); the task library
(django-tasks, settings.TASKS) only carries the job id to a worker. Nothing here assumes
that the worker shares the web process: tasks receive ids, read everything from the
database and the private storage, and report progress through the job row.
"""

import contextlib
import datetime as dt
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task_backends
from django_tasks.exceptions import InvalidTaskBackendError, TaskResultDoesNotExist

from taizhang.core.exceptions import DomainError

from .models import Job, JobStatus
from .storage import private_storage

logger = logging.getLogger(__name__)


@dataclass
class JobOutcome:
    """What a finished job offers: a file to download and/or a page to open. `path` is a
    temporary file the runner moves into the private storage and then removes."""

    path: str | None = None
    file_name: str = ""
    url: str = ""
    message: str = ""


class ProgressReporter:
    """Writes progress to the job row, at most about twice a second (a 50,000-row export
    would otherwise issue 50,000 UPDATEs)."""

    def __init__(self, job_id: int, *, min_interval: float = 0.5) -> None:
        self.job_id = job_id
        self.min_interval = min_interval
        self._last_time = 0.0
        self._last_percent = -1
        self._last_message = ""

    def __call__(self, percent: float, message: str | None = None, *, force: bool = False) -> None:
        value = max(0, min(99, int(percent)))  # 100 % is set only when the result is saved
        text = (message if message is not None else self._last_message)[:300]
        now = time.monotonic()
        if value == self._last_percent and text == self._last_message:
            return
        if not force and text == self._last_message and now - self._last_time < self.min_interval:
            return
        Job.objects.filter(pk=self.job_id).update(progress=value, message=text)
        self._last_time, self._last_percent, self._last_message = now, value, text

    def step(self, done: int, total: int, message: str, *, start: float = 0, end: float = 100):
        """Report `done` of `total` as a share of the range [start, end] percent."""
        share = done / total if total else 1
        self(start + (end - start) * share, message)


def job_create(*, owner, kind: str, title: str, params: dict[str, Any] | None = None) -> Job:
    """Record a job for `owner`; the language is kept so the worker answers in it."""
    data = dict(params or {})
    data.setdefault("language", translation.get_language() or settings.LANGUAGE_CODE)
    return Job.objects.create(owner=owner, kind=kind, title=title[:300], params=data)


def job_enqueue(*, job: Job, task) -> None:
    """Hand the job to the task backend once the surrounding transaction commits, so a
    worker on another connection (or machine) finds the job row and its inputs."""

    def send() -> None:
        result = task.enqueue(job.pk)
        Job.objects.filter(pk=job.pk).update(task_id=str(result.id), task_backend=result.backend)

    transaction.on_commit(send)


def job_fail(job: Job, reason: str) -> None:
    job.status = JobStatus.FAILED
    job.error = reason
    job.message = reason[:300]
    job.finished_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        status=job.status, error=job.error, message=job.message, finished_at=job.finished_at
    )


def job_succeed(job: Job, outcome: JobOutcome) -> None:
    if outcome.path is not None:
        try:
            with open(outcome.path, "rb") as handle:
                job.result_file.save(outcome.file_name or "result", File(handle), save=False)
        finally:
            os.unlink(outcome.path)
        job.result_name = outcome.file_name
    job.result_url = outcome.url
    job.status = JobStatus.SUCCEEDED
    job.progress = 100
    job.message = (outcome.message or _("已完成"))[:300]
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "result_file",
            "result_name",
            "result_url",
            "status",
            "progress",
            "message",
            "finished_at",
            "updated_at",
        ]
    )


def job_run(job_id: int, work: Callable[[Job, ProgressReporter], JobOutcome]) -> None:
    """Run `work` for the job: mark it running, report progress, keep the result or a
    readable reason. A DomainError is the user's problem (its message is shown as is);
    anything else is a bug: the job says so and the exception propagates to the worker,
    which logs it and marks the task failed."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return  # deleted, or a duplicate delivery of a task that already ran
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    Job.objects.filter(pk=job.pk).update(status=job.status, started_at=job.started_at)
    language = job.params.get("language") or settings.LANGUAGE_CODE
    with translation.override(language):
        reporter = ProgressReporter(job.pk)
        try:
            outcome = work(job, reporter)
        except DomainError as error:
            job_fail(job, error.message)
            return
        except Exception:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            job_fail(job, _("任务出错（编号 %(id)s），请联系系统管理员。") % {"id": job.pk})
            raise
        job_succeed(job, outcome)


def job_sync_with_backend(job: Job) -> Job:
    """A worker that died mid-task never finishes the job row; the task backend knows the
    task failed. Reading that status keeps such a job from polling forever."""
    if job.is_finished or not job.task_id:
        return job
    try:
        backend = task_backends[job.task_backend or "default"]
        if not backend.supports_get_result:
            return job
        result = backend.get_result(job.task_id)
    except (InvalidTaskBackendError, TaskResultDoesNotExist, NotImplementedError):
        return job
    if result.status == TaskResultStatus.FAILED:
        job_fail(job, _("后台任务异常中止，请重试。"))
    return job


# --------------------------------------------------------------------------- file retention

JOB_FILES_DIR = "jobs"


@dataclass
class PruneResult:
    expired: int = 0  # finished jobs whose file was removed
    orphans: int = 0  # files under jobs/ that no job names (a deleted job, a crash)
    bytes: int = 0


def _size(name: str) -> int:
    try:
        return private_storage().size(name)
    except OSError:
        return 0


def job_files_prune(
    *, older_than: dt.timedelta, dry_run: bool = False, now: dt.datetime | None = None
) -> PruneResult:
    """Remove the result files of jobs finished before `older_than` ago, and files under
    jobs/ that no job names and that are as old.

    A job's file is derived data (an export can be made again), so it is not kept forever;
    the job row stays, so the list still says who exported what and when, and the job's page
    says the file has expired. The row is cleared before its file is deleted: a crash in
    between leaves an orphan, which the next run removes."""
    cutoff = (now or timezone.now()) - older_than
    storage = private_storage()
    result = PruneResult()
    expired = dict(
        Job.objects.filter(finished_at__lt=cutoff)
        .exclude(result_file="")
        .values_list("pk", "result_file")
    )
    result.expired = len(expired)
    result.bytes = sum(_size(name) for name in expired.values())
    if expired and not dry_run:
        Job.objects.filter(pk__in=list(expired)).update(result_file="")
        for name in expired.values():
            storage.delete(name)
    if not storage.exists(JOB_FILES_DIR):
        return result
    named = set(Job.objects.exclude(result_file="").values_list("result_file", flat=True))
    folders, _files = storage.listdir(JOB_FILES_DIR)
    for folder in folders:
        base = f"{JOB_FILES_DIR}/{folder}"
        subfolders, files = storage.listdir(base)
        left = len(files)
        for file_name in files:
            name = f"{base}/{file_name}"
            if name in named or storage.get_modified_time(name) >= cutoff:
                continue
            result.orphans += 1
            result.bytes += _size(name)
            if not dry_run:
                storage.delete(name)
                left -= 1
        if not left and not subfolders and not dry_run:
            # Each file has a random folder of its own (job_result_path); the storage API
            # deletes files only, so the empty folder goes through the file system (a
            # storage without paths keeps it: NotImplementedError).
            with contextlib.suppress(OSError, NotImplementedError):
                os.rmdir(storage.path(base))
    return result
    folders, _files = private_storage().listdir(JOB_FILES_DIR)
    for folder in folders:
        base = f"{JOB_FILES_DIR}/{folder}"
        _dirs, files = private_storage().listdir(base)
        left = len(files)
        for file_name in files:
            name = f"{base}/{file_name}"
            if name in named or private_storage().get_modified_time(name) >= cutoff:
                continue
            result.orphans += 1
            result.bytes += _size(name)
            if not dry_run:
                private_storage().delete(name)
                left -= 1
        if not left and not _dirs and not dry_run:
            # Each file has a random folder of its own (job_result_path): remove it too.
            with contextlib.suppress(OSError, NotImplementedError):
                os.rmdir(private_storage().path(base))
    return result
