"""Files out (xlsx, docx) and the background jobs that build the large ones."""

import datetime as dt
from typing import Annotated, Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from taizhang.campaigns.selectors import LEDGER_SORTS
from taizhang.jobs.models import JobKind, JobStatus

from .campaigns import ProjectStatusName
from .common import Filters, Id, Input

JobKindName = Literal[tuple(JobKind.values)]  # type: ignore[valid-type]
JobStatusName = Literal[tuple(JobStatus.values)]  # type: ignore[valid-type]
LedgerSortName = Literal[tuple(LEDGER_SORTS)]  # type: ignore[valid-type]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def file_response(media_type: str, description: str) -> dict:
    """The OpenAPI entry of a binary download (ninja documents JSON bodies only)."""
    return {
        "description": description,
        "content": {media_type: {"schema": {"type": "string", "format": "binary"}}},
    }


class LedgerExportIn(Input):
    """The ledger page's filters; the file holds every row they select (no paging)."""

    org: Id | None = Field(None, description="Projects of this org and below it.")
    type: Id | None = Field(None, description="Project type id.")
    area: Id | None = Field(None, description="Focus area id.")
    status: ProjectStatusName | None = None
    lead: Id | None = Field(None, description="Lead (person id).")
    q: str = Field("", max_length=100, description="Title, code or lead's name contains.")
    sort: LedgerSortName = "code"
    background: bool = Field(
        False,
        description="Always run as a job (202), even when the ledger is small enough to be "
        "answered at once.",
    )


PeriodKey = Annotated[str, Field(pattern=r"^(year|[1-9][0-9]{0,17})$")]
RunKey = Annotated[str, Field(pattern=r"^(draft|[1-9][0-9]{0,17})$")]


class SheetQuery(Filters):
    period: PeriodKey | None = Field(
        None, description="A period id or `year`; default: the latest published period."
    )
    org: Id | None = Field(None, description="The org subtree; default: your highest org.")
    run: RunKey | None = Field(
        None, description="A published run id or `draft`; default: the latest publication."
    )


class SummaryQuery(Filters):
    org: Id | None = Field(None, description="The org subtree; default: your highest org.")
    period: Id | None = Field(None, description="Default: the current check-in period.")


class JobOut(Schema):
    id: int
    kind: JobKindName
    title: str
    status: JobStatusName
    progress: int = Field(description="0–100.")
    message: str
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    file_name: str | None = Field(description="Set once the job has produced a file.")
    file_url: str | None = Field(description="`GET` it (same token) to download the file.")
    file_expired: bool = Field(
        description="The job made a file that has been removed after the retention period "
        "(`taizhang prune-files`, TAIZHANG_JOB_FILE_DAYS): start the export again."
    )

    @staticmethod
    def resolve_file_name(obj) -> str | None:
        return (obj.result_name or None) if obj.result_file else None

    @staticmethod
    def resolve_file_url(obj) -> str | None:
        if obj.status != JobStatus.SUCCEEDED or not obj.result_file:
            return None
        return reverse("api-v1:job_file", kwargs={"job_id": obj.pk})


class JobPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[JobOut]
