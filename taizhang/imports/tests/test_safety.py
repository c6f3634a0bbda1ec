"""Files that must be refused before they can exhaust memory, each with a clear message
and nothing written."""

import io
import os
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.test import override_settings
from django.urls import reverse

from taizhang.campaigns.models import Project
from taizhang.core.exceptions import DomainError
from taizhang.imports import safety, services
from taizhang.imports.models import LedgerImport
from taizhang.imports.reader import Workbook

from .conftest import SAMPLE

MEMORY_LIMIT = 8 * 1024 * 1024  # what rejecting any of these may cost, at most

BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"""


def _valid_xlsx() -> bytes:
    return SAMPLE.read_bytes()


def _rewrite(
    data: bytes, *, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None
) -> bytes:
    """The workbook `data` with some parts replaced or added."""
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def _sheet_part(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet"))


def _upload(content: bytes, name: str = "ledger.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _refused(world, upload, code: str) -> DomainError:
    """Parse through the service under tracemalloc: refused with `code`, memory bounded,
    nothing kept."""
    files_before = _private_files()
    tracemalloc.start()
    try:
        with pytest.raises(DomainError) as info:
            services.ledger_import_parse(
                actor=world.admin_company_a, campaign=world.campaign, upload=upload
            )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == code, info.value.message
    assert peak < MEMORY_LIMIT, f"peak {peak / 1e6:.1f} MB"
    assert LedgerImport.objects.count() == 0
    assert Project.objects.count() == 0
    assert _private_files() == files_before
    return info.value


def _private_files() -> set[str]:
    from django.conf import settings

    root = settings.STORAGES["private"]["OPTIONS"]["location"]
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files}


def test_openpyxl_parses_with_defusedxml():
    assert openpyxl.DEFUSEDXML is True


@pytest.mark.parametrize(
    ("content", "name", "code", "words"),
    [
        (b"name,title\n1,2\n", "ledger.xlsx", "not_xlsx", "不是有效的 .xlsx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "ledger.xlsx", "not_xlsx", "旧版 .xls"),
        (b"PK\x03\x04 truncated", "ledger.xlsx", "not_xlsx", "不是有效的 .xlsx"),
        (b"id,title\n", "ledger.csv", "not_xlsx", "请上传 .xlsx"),
        (b"", "ledger.xlsx", "file_empty", "文件是空的"),
    ],
)
def test_files_that_are_not_xlsx(world, content, name, code, words):
    error = _refused(world, _upload(content, name), code)
    assert words in error.message


def test_a_zip_that_is_not_a_workbook(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")  # a .docx renamed
    _refused(world, _upload(buffer.getvalue()), "not_xlsx")


def test_macro_workbooks(world):
    error = _refused(world, _upload(_valid_xlsx(), "ledger.xlsm"), "macro_workbook")
    assert "含宏" in error.message
    with_vba = _rewrite(_valid_xlsx(), add={"xl/vbaProject.bin": b"\0" * 64})
    _refused(world, _upload(with_vba), "macro_workbook")
    with zipfile.ZipFile(io.BytesIO(_valid_xlsx())) as archive:
        types = archive.read("[Content_Types].xml")
    macro_types = types.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert macro_types != types
    _refused(
        world,
        _upload(_rewrite(_valid_xlsx(), replace={"[Content_Types].xml": macro_types})),
        "macro_workbook",
    )


def _bomb(size: int, *, random: bool = False) -> bytes:
    """A workbook whose sheet part inflates to `size` bytes (zeros compress ~1000:1)."""
    data = _valid_xlsx()
    part = _sheet_part(data)
    out = io.BytesIO()
    chunk = os.urandom(1024 * 1024) if random else b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename == part:
                with target.open(part, "w", force_zip64=True) as stream:
                    for _ in range(size // len(chunk)):
                        stream.write(chunk)
            else:
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def test_zip_bomb_is_refused_with_memory_bounded(world):
    content = _bomb(300 * 1024 * 1024)  # 300 MB inflated from a few hundred KB
    assert len(content) < 2 * 1024 * 1024
    error = _refused(world, _upload(content), "zip_bomb")
    assert "压缩炸弹" in error.message


@override_settings(TAIZHANG_IMPORT_MAX_UNCOMPRESSED_BYTES=4 * 1024 * 1024)
def test_too_much_uncompressed_data_is_refused_even_at_a_plain_ratio(world):
    _refused(world, _upload(_bomb(5 * 1024 * 1024, random=True)), "zip_bomb")


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, EXTERNAL_ENTITY, BILLION_LAUGHS.decode().encode("utf-16")]
)
def test_xml_entity_attacks_are_refused(world, payload):
    data = _valid_xlsx()
    content = _rewrite(data, replace={_sheet_part(data): payload})
    error = _refused(world, _upload(content), "xml_entities")
    assert "不安全的 XML" in error.message


def test_openpyxl_refuses_entities_too_if_the_scan_were_bypassed():
    """The second line of defence: opened without the scan, defusedxml still refuses."""
    data = _valid_xlsx()
    content = _rewrite(data, replace={_sheet_part(data): BILLION_LAUGHS})
    with pytest.raises(DomainError) as info, Workbook(io.BytesIO(content)) as book:
        list(book.rows(book.sheet_names[0]))
    assert info.value.code == "xml_entities"


def test_more_than_20_mb_is_refused_before_reading(world):
    upload = TemporaryUploadedFile("big.xlsx", "application/octet-stream", 21 * 1024 * 1024, None)
    upload.write(b"PK\x03\x04" + b"\0" * 64)
    upload.seek(0)
    error = _refused(world, upload, "file_too_large")
    assert "最大 20 MB" in error.message
    upload.close()


def test_the_upload_page_stops_reading_past_20_mb(client, world):
    client.force_login(world.admin_company_a)
    big = SimpleUploadedFile("big.xlsx", b"PK\x03\x04" + os.urandom(21 * 1024 * 1024))
    response = client.post(reverse("imports:upload", args=[world.campaign.pk]), {"file": big})
    assert response.status_code == 200
    assert "最大 20 MB" in response.content.decode()
    assert LedgerImport.objects.count() == 0


def test_check_size_and_name_directly():
    with pytest.raises(DomainError):
        safety.check_size(20 * 1024 * 1024 + 1)
    safety.check_size(20 * 1024 * 1024)
    safety.check_name("台账.XLSX")
