"""Fixtures for import tests: the people and branch the sample ledger names, and helpers
that build .xlsx files in memory."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.orgs.models import PoliticalStatus
from taizhang.orgs.tests.factories import OrgFactory, PersonFactory

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "ledger-clean.xlsx"
SAMPLE_BRANCH = "中稀(四川)稀土有限公司党支部"


@pytest.fixture
def sample_world(world):
    """The branch and people of ledger-clean.xlsx, inside the world campaign's company."""
    branch = OrgFactory(name=SAMPLE_BRANCH, kind="branch", parent=world.company_a)
    for name in ("张明", "刘军"):
        PersonFactory(org=branch, name=name, political_status=PoliticalStatus.MEMBER)
    for name in ("李华", "王强", "赵丽", "陈刚", "周敏"):
        PersonFactory(org=branch, name=name, political_status=PoliticalStatus.MASSES)
    world.sample_branch = branch
    return world


def xlsx_upload(rows, *, name="ledger.xlsx", sheet="项目台账", merges=(), extra_sheets=None):
    """An upload built with openpyxl: `rows` is a list of row value lists."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(list(row))
    for ref in merges:
        ws.merge_cells(ref)
    for title, extra_rows in (extra_sheets or {}).items():
        other = book.create_sheet(title)
        for row in extra_rows:
            other.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


def file_upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())
