"""Server-side checks for uploaded files: an allow-list of types and a size cap."""

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from .exceptions import DomainError


def check_upload(upload: UploadedFile | None, *, field: str = "file") -> None:
    """Refuse a missing, empty, oversize or disallowed file before anything is stored.

    The extension is checked against settings.TAIZHANG_ATTACHMENT_EXTENSIONS; the size
    against TAIZHANG_ATTACHMENT_MAX_BYTES (Django has already streamed it to a temp file).
    """
    if upload is None:
        raise DomainError(_("请选择文件。"), "required", field=field)
    name = upload.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = settings.TAIZHANG_ATTACHMENT_EXTENSIONS
    if extension not in allowed:
        raise DomainError(
            _("不支持的文件类型“%(ext)s”。允许：%(allowed)s")
            % {"ext": extension or "?", "allowed": "、".join(allowed)},
            "file_type",
            field=field,
        )
    limit = settings.TAIZHANG_ATTACHMENT_MAX_BYTES
    if upload.size is None or upload.size > limit:
        raise DomainError(
            _("文件过大，最大 %(mb)s MB。") % {"mb": round(limit / (1024 * 1024), 1)},
            "file_too_large",
            field=field,
        )
    if upload.size == 0:
        raise DomainError(_("文件是空的。"), "file_empty", field=field)
