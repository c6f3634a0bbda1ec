"""Issue 5's "done when", through the pages a user clicks: export the demo ledger, change
two cells (openpyxl stands in for LibreOffice here), re-import with a dry run first, and
find exactly those two changes in the history."""

import io
from io import StringIO

import openpyxl
import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from taizhang.campaigns.models import Campaign, Project, ProjectStatus
from taizhang.campaigns.permissions import can_edit_project
from taizhang.imports.models import LedgerImport
from taizhang.users.models import User

TITLE_COL, END_COL = 3, 11  # 项目名称 and 完成时限 on the 项目 sheet (1-based)


def _history_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
    }


@pytest.fixture
def demo(db):
    call_command("demo", stdout=StringIO())
    return Campaign.objects.get(name="2020年“两带两创”活动")


def test_export_edit_two_cells_reimport_and_see_exactly_those_changes(client, demo):
    user = User.objects.get(username="secretary")
    client.force_login(user)
    response = client.get(reverse("ledger_export:xlsx", args=[demo.pk]))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["项目"]
    rows = [r for r in sheet.iter_rows(min_row=4) if r[1].value]
    editable = [
        r
        for r in rows
        if can_edit_project(user, Project.objects.get(campaign=demo, code=r[1].value))
    ]
    assert len(editable) >= 2
    first, second = editable[0], editable[1]
    first_code, second_code = first[1].value, second[1].value
    old_title = first[TITLE_COL - 1].value
    old_end = second[END_COL - 1].value.date()
    new_title = old_title + "（调整）"
    new_end = old_end.replace(day=1)
    sheet.cell(row=first[0].row, column=TITLE_COL, value=new_title)
    sheet.cell(row=second[0].row, column=END_COL, value=new_end)
    buffer = io.BytesIO()
    book.save(buffer)

    # Upload, confirm the recognised columns, read the dry run.
    upload = SimpleUploadedFile("台账-修改后.xlsx", buffer.getvalue())
    response = client.post(reverse("imports:upload", args=[demo.pk]), {"file": upload})
    ledger_import = LedgerImport.objects.get()
    assert response["Location"] == reverse("imports:mapping", args=[ledger_import.pk])
    mapping_page = client.get(response["Location"])
    assert mapping_page.status_code == 200
    form = mapping_page.context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    before = _history_counts()
    response = client.post(reverse("imports:mapping", args=[ledger_import.pk]), data)
    assert response["Location"] == reverse("imports:report", args=[ledger_import.pk])
    report_page = client.get(response["Location"])
    html = report_page.content.decode()
    report = report_page.context["report"]
    assert report["errors"] == []
    assert report["counts"]["update"] == 2 and report["counts"]["create"] == 0
    changes = {u["code"]: u["changes"] for u in report["updates"]}
    assert changes == {
        first_code: [["项目名称", old_title, new_title]],
        second_code: [["完成时限", old_end.isoformat(), new_end.isoformat()]],
    }
    assert new_title in html and "导入" in html
    assert _history_counts() == before  # the dry run wrote nothing

    response = client.post(reverse("imports:apply", args=[ledger_import.pk]))
    assert response.status_code == 302

    after = _history_counts()
    grown = {
        label: after[label] - before[label] for label in after if after[label] != before[label]
    }
    assert grown == {"campaigns.HistoricalProject": 2}
    for code, field, value in (
        (first_code, "title", new_title),
        (second_code, "end_date", new_end),
    ):
        project = Project.objects.get(campaign=demo, code=code)
        assert getattr(project, field) == value
        record = project.history.first()
        assert record.history_user == user and record.history_change_reason == "导入台账"
        delta = record.diff_against(record.prev_record)
        assert set(delta.changed_fields) - {"lock_version", "updated_at"} == {field}
        history_page = client.get(reverse("campaigns:project_history", args=[project.pk]))
        assert history_page.status_code == 200
    assert Project.objects.get(campaign=demo, code=first_code).status in {
        ProjectStatus.APPROVED,
        ProjectStatus.IN_PROGRESS,
        ProjectStatus.DRAFT,
        ProjectStatus.SUBMITTED,
    }
