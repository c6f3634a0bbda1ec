"""Dry run and import of a large ledger as background jobs. Tasks receive the job id only;
the uploaded file is in the private storage, so any worker on any machine can read it."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from taizhang.core.exceptions import DomainError
from taizhang.jobs.models import Job, JobKind
from taizhang.jobs.services import JobOutcome, ProgressReporter, job_create, job_enqueue, job_run

from .models import LedgerImport
from .services import ledger_import_apply, ledger_import_dry_run

# Above this the declared row count is not trusted: a wrong <dimension> must not keep a
# 20 MB file in a request.
INLINE_MAX_BYTES = 2 * 1024 * 1024


def runs_in_background(ledger_import: LedgerImport) -> bool:
    """A file whose size is unknown or above the inline limit goes to a worker."""
    rows = ledger_import.estimated_rows
    return (
        rows is None
        or rows > settings.TAIZHANG_IMPORT_INLINE_MAX_ROWS
        or ledger_import.file_size > INLINE_MAX_BYTES
    )


def _load(job: Job) -> LedgerImport:
    ledger_import = (
        LedgerImport.objects.select_related("campaign", "campaign__org")
        .filter(pk=job.params.get("import_id"), owner=job.owner)
        .first()
    )
    if ledger_import is None:
        raise DomainError(_("找不到该导入文件。"), "not_found")
    return ledger_import


def _report_url(ledger_import: LedgerImport) -> str:
    return reverse("imports:report", args=[ledger_import.pk])


def _check(job: Job, progress: ProgressReporter) -> JobOutcome:
    ledger_import = _load(job)
    report = ledger_import_dry_run(actor=job.owner, ledger_import=ledger_import, progress=progress)
    counts = report["counts"]
    return JobOutcome(
        url=_report_url(ledger_import),
        message=_(
            "预检完成：新增 %(create)s，修改 %(update)s，无变化 %(unchanged)s，错误 %(error)s。"
        )
        % counts,
    )


def _apply(job: Job, progress: ProgressReporter) -> JobOutcome:
    ledger_import = _load(job)
    counts = ledger_import_apply(
        actor=job.owner,
        ledger_import=ledger_import,
        progress=progress,
        register_unknown=bool(job.params.get("register_unknown")),
    )
    return JobOutcome(
        url=_report_url(ledger_import),
        message=_("导入完成：新增 %(created)s，修改 %(updated)s，无变化 %(unchanged)s。") % counts,
    )


@task()
def ledger_import_check_task(job_id: int) -> None:
    job_run(job_id, _check)


@task()
def ledger_import_apply_task(job_id: int) -> None:
    job_run(job_id, _apply)


def start_check(*, user, ledger_import: LedgerImport) -> Job:
    job = job_create(
        owner=user,
        kind=JobKind.LEDGER_IMPORT_CHECK,
        title=_("预检台账：%(name)s") % {"name": ledger_import.file_name},
        params={"import_id": ledger_import.pk},
    )
    job_enqueue(job=job, task=ledger_import_check_task)
    return job


def start_apply(*, user, ledger_import: LedgerImport, register_unknown: bool = False) -> Job:
    job = job_create(
        owner=user,
        kind=JobKind.LEDGER_IMPORT_APPLY,
        title=_("导入台账：%(name)s") % {"name": ledger_import.file_name},
        params={"import_id": ledger_import.pk, "register_unknown": register_unknown},
    )
    job_enqueue(job=job, task=ledger_import_apply_task)
    return job
