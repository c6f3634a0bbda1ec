"""Rectification close-out, project attachments and the trash."""

import datetime as dt
from typing import Literal

from django.urls import reverse
from ninja import Schema
from pydantic import Field

from .checkins import EvidenceOut, RectificationOut
from .common import Filters, Input, PageOut, Version

# --------------------------------------------------------------------------- rectifications


class RectificationDetailOut(RectificationOut):
    inspection_id: int
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_evidence(obj) -> list:
        return list(obj.evidence.all())


class RectificationCloseIn(Input):
    version: Version
    closing_note: str = Field(max_length=5000, description="How the item was put right.")


# --------------------------------------------------------------------------- attachments


class AttachmentOut(Schema):
    id: int
    project_id: int
    name: str
    size: int
    uploaded_by: str
    created_at: dt.datetime
    version: int
    file_url: str = Field(description="`GET` it (same token) to download the file.")

    @staticmethod
    def resolve_uploaded_by(obj) -> str:
        return obj.uploaded_by.get_username()

    @staticmethod
    def resolve_version(obj) -> int:
        return obj.lock_version

    @staticmethod
    def resolve_file_url(obj) -> str:
        return reverse("api-v1:attachment_file", kwargs={"attachment_id": obj.pk})


class AttachmentPage(PageOut):
    items: list[AttachmentOut]


# --------------------------------------------------------------------------- trash

TrashKind = Literal["project", "goal", "measure", "participant", "attachment"]


class TrashItemOut(Schema):
    kind: TrashKind
    id: int
    project_id: int
    project_code: str
    label: str = Field(description="What the record was: a title, a goal's name, a file name…")
    deleted_at: dt.datetime | None
    deleted_by: str | None
    version: int


class TrashPage(PageOut):
    items: list[TrashItemOut]


class TrashFilters(Filters):
    kind: TrashKind | None = None
