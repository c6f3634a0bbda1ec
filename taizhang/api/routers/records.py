"""Rectification close-out (销号), project attachments, and restoring from the trash.

The same `access_*` lookups, permission functions and services as the web pages: an
inspection's item or a project the caller may not see answers 404, a step the caller may
not take answers 403 from the service.
"""

from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Status
from ninja.files import UploadedFile

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import (
    GoalIndicator,
    Measure,
    Participant,
    Project,
    ProjectAttachment,
)
from taizhang.campaigns.permissions import (
    access_campaign,
    access_project,
    can_restore,
    projects_visible_to,
)
from taizhang.checkins import services as checkin_services
from taizhang.checkins.permissions import access_rectification

from ..errors import ApiError
from ..lookups import actor
from ..schemas.checkins import EvidenceOut
from ..schemas.common import Id, Page, Version, paginate
from ..schemas.records import (
    AttachmentOut,
    AttachmentPage,
    RectificationCloseIn,
    RectificationDetailOut,
    TrashFilters,
    TrashItemOut,
    TrashKind,
    TrashPage,
)
from .projects import _child

router = Router()


# --------------------------------------------------------------------------- rectifications


@router.get(
    "/rectifications/{item_id}",
    response=RectificationDetailOut,
    tags=["inspections"],
    summary="One rectification item (整改事项) with its evidence",
)
def get_rectification(request: HttpRequest, item_id: Id):
    return access_rectification(actor(request), item_id)


@router.post(
    "/rectifications/{item_id}/evidence",
    response={201: EvidenceOut},
    tags=["inspections"],
    summary="Attach an evidence file to an open item (multipart/form-data)",
    description="The item's owner or an org admin of the inspected or inspecting org; the "
    "same file checks as the web form (type, size, not empty).",
)
def add_rectification_evidence(request: HttpRequest, item_id: Id, file: File[UploadedFile]):
    user = actor(request)
    evidence = checkin_services.evidence_add(
        actor=user, upload=file, rectification=access_rectification(user, item_id)
    )
    return Status(201, evidence)


@router.post(
    "/rectifications/{item_id}/close",
    response=RectificationDetailOut,
    tags=["inspections"],
    summary="Close out (销号) an item: needs evidence and a closing note",
    description="409 when the item is already closed or `version` is stale.",
)
def close_rectification(request: HttpRequest, item_id: Id, payload: RectificationCloseIn):
    user = actor(request)
    checkin_services.rectification_close(
        actor=user,
        item=access_rectification(user, item_id),
        closing_note=payload.closing_note,
        expected_version=payload.version,
    )
    return access_rectification(user, item_id)


# --------------------------------------------------------------------------- attachments


@router.get(
    "/projects/{project_id}/attachments",
    response=AttachmentPage,
    tags=["attachments"],
    summary="The project's attachments (plan documents)",
)
def list_attachments(request: HttpRequest, project_id: Id, page: Query[Page]):
    project = access_project(actor(request), project_id)
    return paginate(project.attachments.select_related("uploaded_by").order_by("id"), page)


@router.post(
    "/projects/{project_id}/attachments",
    response={201: AttachmentOut},
    tags=["attachments"],
    summary="Upload an attachment (multipart/form-data, field `file`)",
    description="Whoever may edit the project's goals and measures; the same file checks as "
    "the web form (allowed types, size limit, not empty).",
)
def upload_attachment(request: HttpRequest, project_id: Id, file: File[UploadedFile]):
    user = actor(request)
    attachment = campaign_services.attachment_add(
        actor=user, project=access_project(user, project_id), upload=file
    )
    return Status(201, attachment)


@router.get(
    "/attachments/{attachment_id}",
    response=AttachmentOut,
    tags=["attachments"],
    summary="One attachment",
)
def get_attachment(request: HttpRequest, attachment_id: Id):
    return _child(ProjectAttachment, actor(request), attachment_id)


@router.get(
    "/attachments/{attachment_id}/file",
    response={200: None},
    url_name="attachment_file",
    tags=["attachments"],
    summary="Download an attachment",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            }
        }
    },
)
def download_attachment(request: HttpRequest, attachment_id: Id):
    attachment: ProjectAttachment = _child(ProjectAttachment, actor(request), attachment_id)  # type: ignore[assignment]
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    # One documented type: the name carries the format, the bytes are the upload's.
    return FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )


@router.delete(
    "/attachments/{attachment_id}",
    response={204: None},
    tags=["attachments"],
    summary="Delete an attachment (recoverable from the trash by an org admin)",
)
def delete_attachment(request: HttpRequest, attachment_id: Id, version: Version | None = None):
    user = actor(request)
    campaign_services.child_delete(
        actor=user, item=_child(ProjectAttachment, user, attachment_id), expected_version=version
    )
    return Status(204, None)


# --------------------------------------------------------------------------- trash

CHILD_MODELS = {
    "goal": GoalIndicator,
    "measure": Measure,
    "participant": Participant,
    "attachment": ProjectAttachment,
}


def _label(kind: str, obj) -> str:
    if kind == "project":
        return obj.title
    if kind == "goal":
        return obj.name
    if kind == "measure":
        return obj.description[:200]
    if kind == "participant":
        return obj.person.name
    return obj.name


def _item(kind: str, obj) -> dict:
    project = obj if kind == "project" else obj.project
    return {
        "kind": kind,
        "id": obj.pk,
        "project_id": project.pk,
        "project_code": project.code,
        "label": _label(kind, obj),
        "deleted_at": obj.deleted_at,
        "deleted_by": obj.deleted_by.get_username() if obj.deleted_by_id else None,
        "version": obj.lock_version,
    }


def _deleted_children(model, projects: QuerySet[Project]) -> QuerySet:
    """Deleted rows of live projects (a deleted project's rows come back with it)."""
    related = ["project", "project__org", "deleted_by"]
    if model is Participant:
        related.append("person")
    return model.all_objects.filter(deleted_at__isnull=False, project__in=projects).select_related(
        *related
    )


@router.get(
    "/campaigns/{campaign_id}/trash",
    response=TrashPage,
    tags=["trash"],
    summary="Deleted records of the campaign you may restore (org admins), newest first",
)
def list_trash(
    request: HttpRequest, campaign_id: Id, filters: Query[TrashFilters], page: Query[Page]
):
    user = actor(request)
    campaign = access_campaign(user, campaign_id)
    rows: list[tuple[str, object]] = []
    if filters.kind in (None, "project"):
        deleted = (
            projects_visible_to(user, include_deleted=True)
            .filter(campaign=campaign, deleted_at__isnull=False)
            .select_related("org", "deleted_by")
        )
        rows += [("project", p) for p in deleted]
    live = projects_visible_to(user).filter(campaign=campaign)
    for kind, model in CHILD_MODELS.items():
        if filters.kind in (None, kind):
            rows += [(kind, item) for item in _deleted_children(model, live)]
    # Grants are cached on the user: the per-row check costs no query.
    items = [
        _item(kind, obj)
        for kind, obj in rows
        if can_restore(user, obj.org if kind == "project" else obj.project.org)  # type: ignore[attr-defined]
    ]
    items.sort(key=lambda item: (item["deleted_at"], item["kind"], item["id"]), reverse=True)
    return paginate(items, page)


@router.post(
    "/trash/{kind}/{item_id}/restore",
    response=TrashItemOut,
    tags=["trash"],
    summary="Restore a deleted project, goal, measure, participant or attachment (org admin)",
    description="404 when there is no such deleted record you can see; 403 when you may see "
    "it but not restore it; 409 when restoring would duplicate a live record.",
)
def restore(request: HttpRequest, kind: TrashKind, item_id: Id):
    user = actor(request)
    if kind == "project":
        project = (
            projects_visible_to(user, include_deleted=True)
            .filter(deleted_at__isnull=False, pk=item_id)
            .select_related("campaign", "org")
            .first()
        )
        if project is None:
            raise Http404
        if not can_restore(user, project.org):
            raise _not_restorable()
        restored = campaign_services.project_restore(actor=user, project=project)
        return _item(kind, restored)
    item = (
        _deleted_children(CHILD_MODELS[kind], projects_visible_to(user)).filter(pk=item_id).first()
    )
    if item is None:
        raise Http404
    if not can_restore(user, item.project.org):
        raise _not_restorable()
    restored = campaign_services.child_restore(actor=user, item=item)
    return _item(kind, restored)


def _not_restorable() -> ApiError:
    return ApiError(403, "forbidden", _("只有组织管理员可以恢复已删除的内容。"))
