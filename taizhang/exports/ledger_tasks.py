"""The ledger export as a background job (django-tasks): started when the view would take
more than a few seconds. The task receives the job id only and rebuilds everything (user,
campaign, filters from the stored query string) from the database, so it runs the same on
the database backend's worker or any other broker's."""

import os
import tempfile

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from django_tasks import task

from taizhang.campaigns.models import Campaign
from taizhang.campaigns.permissions import access_campaign
from taizhang.campaigns.views.ledger import ledger_query
from taizhang.core.exceptions import DomainError
from taizhang.jobs.models import Job, JobKind
from taizhang.jobs.services import JobOutcome, ProgressReporter, job_create, job_enqueue, job_run

from .ledger_xlsx import ledger_filename, scope_label, write_ledger_xlsx


def ledger_export_start(*, user, campaign: Campaign, query: str) -> Job:
    """Queue an export of the ledger view `query` (its query string) for `user`."""
    job = job_create(
        owner=user,
        kind=JobKind.LEDGER_EXPORT,
        title=_("导出台账：%(campaign)s") % {"campaign": campaign.name},
        params={"campaign_id": campaign.pk, "query": query},
    )
    job_enqueue(job=job, task=ledger_export_task)
    return job


def _export(job: Job, progress: ProgressReporter) -> JobOutcome:
    user = job.owner
    try:
        # Rights are read again now: a user who lost access meanwhile gets nothing.
        campaign = access_campaign(user, job.params["campaign_id"])
        query = ledger_query(user, campaign, QueryDict(job.params.get("query", "")))
    except Http404 as exc:
        raise DomainError(_("您已无权查看该台账或所选的组织。"), "not_found") from exc
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115 - moved by job_succeed
    handle.close()
    try:
        count = write_ledger_xlsx(
            handle.name, user=user, campaign=campaign, filters=query.filters, progress=progress
        )
        if count == 0:
            raise DomainError(_("没有符合筛选条件的项目，未生成文件。"), "empty")
    except BaseException:
        os.unlink(handle.name)
        raise
    return JobOutcome(
        path=handle.name,
        file_name=ledger_filename(campaign, scope_label(user, campaign, query.filters)),
        message=_("已导出 %(n)s 个项目。") % {"n": count},
    )


@task()
def ledger_export_task(job_id: int) -> None:
    job_run(job_id, _export)
