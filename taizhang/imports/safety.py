"""Refuse a hostile or wrong file before anything can exhaust memory.

The order matters: the size of the upload first (nothing is unpacked), then the zip
directory (names and declared sizes; zipfile never yields more than an entry declares, so
the declared sizes bound what openpyxl can inflate), then a streamed scan of the XML parts
for DTDs, and only then openpyxl, which parses with defusedxml as a second line of defence.
"""

import zipfile
from typing import IO

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _

from taizhang.core.exceptions import DomainError

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx
MACRO_EXTENSIONS = (".xlsm", ".xltm", ".xlam", ".xlsb")
MAX_ENTRIES = 10_000
SCAN_CHUNK = 1024 * 1024
# A compressed entry smaller than this may have any ratio: tiny parts compress very well.
RATIO_FLOOR_BYTES = 1024 * 1024


def _refuse(message: str, code: str) -> DomainError:
    return DomainError(message, code, field="file")


def too_large() -> DomainError:
    """For an upload stopped part-way: its size is not known, only that it is too large."""
    return _refuse(
        _("文件过大，台账导入最大 %(mb)s MB。")
        % {"mb": settings.TAIZHANG_IMPORT_MAX_BYTES // (1024 * 1024)},
        "file_too_large",
    )


def check_size(size: int | None) -> None:
    limit = settings.TAIZHANG_IMPORT_MAX_BYTES
    if not size:
        raise _refuse(_("文件是空的。"), "file_empty")
    if size > limit:
        raise _refuse(
            _("文件过大（%(size)s MB），台账导入最大 %(mb)s MB。")
            % {"size": round(size / 1024 / 1024, 1), "mb": limit // (1024 * 1024)},
            "file_too_large",
        )


def check_name(name: str) -> None:
    lower = (name or "").lower()
    if lower.endswith(MACRO_EXTENSIONS):
        raise _refuse(
            _(
                "不接受含宏的工作簿（%(name)s）。请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后再上传。"
            )
            % {"name": name},
            "macro_workbook",
        )
    if not lower.endswith(".xlsx"):
        raise _refuse(
            _("请上传 .xlsx 格式的 Excel 文件（%(name)s 不是）。旧版 .xls 请先另存为 .xlsx。")
            % {"name": name or "?"},
            "not_xlsx",
        )


def _not_xlsx() -> DomainError:
    return _refuse(
        _(
            "文件不是有效的 .xlsx 工作簿。请在 Excel 或 WPS 中另存为“Excel 工作簿 (*.xlsx)”后再上传。"
        ),
        "not_xlsx",
    )


def check_xlsx(handle: IO[bytes]) -> None:
    """Inspect the zip container: magic number, parts, macros, sizes, then the XML."""
    if not getattr(openpyxl, "DEFUSEDXML", False):
        # Without defusedxml openpyxl would parse entity declarations: refuse all imports.
        raise _refuse(
            _("服务器缺少 defusedxml，暂不能导入 Excel 文件，请联系系统管理员。"), "unsafe_server"
        )
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(OLE_MAGIC):
        raise _refuse(
            _("这是旧版 .xls 或加密的工作簿，不能导入。请取消密码并另存为 .xlsx 后再上传。"),
            "not_xlsx",
        )
    if not head.startswith(ZIP_MAGIC):
        raise _not_xlsx()
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _not_xlsx() from exc
    with archive:
        entries = archive.infolist()
        _check_entries(entries)
        _check_macros(archive, entries)
        _scan_xml(archive, entries)
    handle.seek(0)


def _check_entries(entries: list[zipfile.ZipInfo]) -> None:
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise _not_xlsx()
    if len(entries) > MAX_ENTRIES:
        raise _zip_bomb()
    total = 0
    max_ratio = settings.TAIZHANG_IMPORT_MAX_RATIO
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise _refuse(_("工作簿已加密，请取消密码后再上传。"), "encrypted")
        total += entry.file_size
        if entry.file_size > RATIO_FLOOR_BYTES and (
            entry.compress_size == 0 or entry.file_size / entry.compress_size > max_ratio
        ):
            raise _zip_bomb()
    if total > settings.TAIZHANG_IMPORT_MAX_UNCOMPRESSED_BYTES:
        raise _zip_bomb()


def _zip_bomb() -> DomainError:
    return _refuse(
        _("文件解压后过大（上限 %(mb)s MB）或压缩比异常，疑似“压缩炸弹”，已拒绝。")
        % {"mb": settings.TAIZHANG_IMPORT_MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
        "zip_bomb",
    )


def _check_macros(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    for entry in entries:
        if entry.filename.lower().endswith("vbaproject.bin"):
            raise _macro()
    # Entries are already bounded by _check_entries; the content types part is small.
    content_types = archive.read("[Content_Types].xml")
    if b"macroEnabled" in content_types or b"vbaProject" in content_types:
        raise _macro()


def _macro() -> DomainError:
    return _refuse(
        _("不接受含宏的工作簿。请在 Excel 中另存为“Excel 工作簿 (*.xlsx)”后再上传。"),
        "macro_workbook",
    )


def _scan_xml(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> None:
    """Stream every XML part looking for a DTD: a spreadsheet never needs one, and entity
    expansion ("billion laughs") or external entities (XXE) need it. Memory stays at one
    chunk whatever the part's size."""
    for entry in entries:
        if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        tail = b""
        with archive.open(entry) as stream:
            while chunk := stream.read(SCAN_CHUNK):
                # Dropping NULs lets one search cover UTF-16 parts as well.
                window = (tail + chunk).replace(b"\x00", b"").upper()
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise _refuse(
                        _("文件包含不安全的 XML 内容（DTD/实体声明），已拒绝。"),
                        "xml_entities",
                    )
                tail = chunk[-32:]


def unsafe_xml_error() -> DomainError:
    """What openpyxl's defusedxml refusal becomes (used where the workbook is opened)."""
    return _refuse(_("文件包含不安全的 XML 内容（DTD/实体声明），已拒绝。"), "xml_entities")
