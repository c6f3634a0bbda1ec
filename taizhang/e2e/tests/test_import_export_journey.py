"""Issue 5's "done when" in a real browser: the branch secretary exports the demo ledger,
changes two cells (openpyxl stands in for LibreOffice), re-imports it, reads a dry run that
lists exactly those two changes, imports, and finds them in the projects' history."""

import io
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command

from taizhang.campaigns.models import Campaign, Project
from taizhang.campaigns.permissions import can_edit_project
from taizhang.e2e.tests.conftest import login
from taizhang.users.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "demo1234"  # noqa: S105 - the published demo credential
TITLE_COL, END_COL = 3, 11  # 项目名称 and 完成时限 on the 项目 sheet (1-based)


@pytest.fixture
def demo(db) -> Campaign:
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name="2020年“两带两创”活动")


def test_export_change_two_cells_reimport_and_see_them_in_history(page, shot, demo):
    secretary = User.objects.get(username="secretary")
    login(page, "secretary", DEMO_PASSWORD)
    page.goto(page.base + f"/campaigns/{demo.pk}/ledger/")
    ledger_text = page.locator("main table").first.inner_text()
    shot(page, "40-ledger-before-export")
    with page.expect_download() as info:
        page.click(f"a[href^='/exports/ledger/{demo.pk}/']")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.path().read_bytes()))

    # Two cells of two projects the secretary may edit, changed as a user would.
    sheet = book["项目"]
    rows = [r for r in sheet.iter_rows(min_row=4) if r[1].value]
    # The export holds the ledger the secretary sees: her branch's projects, no others.
    exported = {r[1].value for r in rows}
    visible = {p.code for p in Project.objects.filter(campaign=demo) if p.code in ledger_text}
    assert exported == visible and len(exported) < Project.objects.filter(campaign=demo).count()
    editable = [
        r
        for r in rows
        if can_edit_project(secretary, Project.objects.get(campaign=demo, code=r[1].value))
    ]
    assert len(editable) >= 2
    first, second = editable[0], editable[1]
    first_code, second_code = first[1].value, second[1].value
    old_title = first[TITLE_COL - 1].value
    new_title = old_title + "（调整）"
    old_end = second[END_COL - 1].value.date()
    new_end = old_end.replace(day=1) if old_end.day != 1 else old_end.replace(day=15)
    sheet.cell(row=first[0].row, column=TITLE_COL, value=new_title)
    sheet.cell(row=second[0].row, column=END_COL, value=new_end)
    buffer = io.BytesIO()
    book.save(buffer)

    # Upload it from the ledger page's import link, keep the recognised columns, dry run.
    page.goto(page.base + f"/campaigns/{demo.pk}/ledger/")
    page.click(f"a[href='/imports/campaigns/{demo.pk}/']")
    page.set_input_files(
        "input[name=file]",
        files=[{"name": "台账-修改后.xlsx", "mimeType": "application/octet-stream",
                "buffer": buffer.getvalue()}],
    )  # fmt: skip
    page.click("main form button[type=submit]")
    page.wait_for_url("**/columns/")
    shot(page, "41-import-columns")
    page.click("main form button.btn-primary[type=submit]")
    page.wait_for_load_state("networkidle")
    facts = {
        dt.inner_text().strip(): dd.inner_text().strip()
        for dt, dd in zip(
            page.locator(".summary dt").all(), page.locator(".summary dd").all(), strict=True
        )
    }
    assert facts["修改项目"] == "2" and facts["新增项目"] == "0" and facts["错误行"] == "0"
    changes = page.locator("section.card:has(h2:text-is('将修改的项目')) tbody tr")
    assert changes.count() == 2
    listed = {
        tuple(c.strip() for c in row.locator("td").all_inner_texts()) for row in changes.all()
    }
    codes = {line[1].split()[0] for line in listed}
    assert codes == {first_code, second_code}
    assert {line[2:] for line in listed} == {
        ("项目名称", old_title, new_title),
        ("完成时限", old_end.isoformat(), new_end.isoformat()),
    }
    shot(page, "42-import-dry-run")
    assert Project.objects.get(campaign=demo, code=first_code).title == old_title

    page.click("main form[action$='/apply/'] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "新增 0，修改 2" in page.locator("main").inner_text()
    shot(page, "43-import-done")

    # Each project's history page shows its one change, by the secretary, from the import.
    for code, label, old, new in (
        (first_code, "项目名称", old_title, new_title),
        (second_code, "完成时限", old_end.isoformat(), new_end.isoformat()),
    ):
        project = Project.objects.get(campaign=demo, code=code)
        page.goto(page.base + f"/campaigns/projects/{project.pk}/history/")
        newest = page.locator("table.history-table tbody tr").first
        cells = newest.locator("td").all_inner_texts()
        assert secretary.display_name in cells[1] or "secretary" in cells[1]
        assert cells[5].strip() == "导入台账"
        diffs = newest.locator("ul.diff li").all_inner_texts()
        assert [d for d in diffs if d.startswith(label)] == [f"{label}：{old} → {new}"]
        shot(page, f"44-history-{code}")
