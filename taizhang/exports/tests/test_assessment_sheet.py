"""The assessment sheet (.xlsx): layout, cell types, formula safety, scope."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from taizhang.assessment import services
from taizhang.assessment.models import RunKind, ScoreRun
from taizhang.assessment.tests.conftest import submit_report

INJECTION = '=HYPERLINK("http://x")'


def _sheet_url(world, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("exports:assessment_sheet", args=[world.campaign.pk]) + f"?{query}"


def _download(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    content = b"".join(response.streaming_content)
    return response, content, openpyxl.load_workbook(io.BytesIO(content))


@pytest.fixture
def published(world, scored, running):
    hostile, (goal,) = running(title=INJECTION, code="+CMD")
    submit_report(hostile, scored.period, {goal: 40})
    services.assessment_publish(
        actor=world.admin_company_a, scheme=scored.scheme, period=scored.period
    )
    return ScoreRun.objects.get(kind=RunKind.PUBLISHED)


def test_sheet_layout_and_cell_types(client, world, scored, published):
    client.force_login(world.admin_company_a)
    response, content, book = _download(
        client, _sheet_url(world, period=scored.period.pk, org=world.company_a.pk)
    )
    assert ".xlsx" in response["Content-Disposition"]
    assert book.sheetnames == ["组织排名", "项目得分", "说明"]
    orgs, projects, about = (book[name] for name in book.sheetnames)
    title = "2020年两带两创 2020年第3季度 考核结果（公司甲）"
    for ws in (orgs, projects):
        assert ws["A1"].value == title
        assert ws.freeze_panes == "A4"
        assert any(str(r).startswith("A1:") for r in ws.merged_cells.ranges)
        assert "第 1 版" in ws["A2"].value
    assert [c.value for c in orgs[3]] == [
        "序号",
        "组织",
        "上级组织",
        "得分",
        "等次",
        "排名",
        "项目数",
    ]
    rows = [[c.value for c in row] for row in orgs.iter_rows(min_row=4)]
    assert rows[0][:4] == [1, "公司甲", "集团", pytest.approx(50.25)]  # (60+45+54+42)/4
    assert rows[1][1:] == ["甲二支部", "公司甲", pytest.approx(54.0), "不达标", 1, 1]
    assert rows[2][1] == "甲一支部" and rows[2][5] == 2 and rows[2][6] == 3
    score_cell = orgs["D4"]
    assert score_cell.data_type == "n" and score_cell.number_format == "0.00"
    header = [c.value for c in projects[3]]
    assert header == [
        "序号",
        "项目编号",
        "项目名称",
        "责任组织",
        "牵头人",
        "基础工作",
        "工作落实",
        "工作创新",
        "扣分",
        "加分（不计入总分）",
        "总分",
        "等次",
    ]
    by_title = {row[2].value: row for row in projects.iter_rows(min_row=4)}
    top = by_title[scored.a1_top.title]
    assert [c.value for c in top[5:11]] == [50, 10, 0, 0, 0, 60]
    assert all(c.data_type == "n" and c.number_format == "0.00" for c in top[5:11])
    assert top[0].data_type == "n" and top[0].number_format == "0"
    # Text that looks like a formula stays text.
    hostile = by_title[INJECTION]
    assert hostile[2].data_type == "s" and hostile[2].value == INJECTION
    assert hostile[1].value == "+CMD" and hostile[1].data_type == "s"
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet_xml = package.read("xl/worksheets/sheet2.xml").decode()
    assert "<f>" not in sheet_xml and "HYPERLINK" in sheet_xml
    # Sheet 3 says what this is, with dates as dates.
    about_rows = {row[0].value: row[1] for row in about.iter_rows()}
    assert about_rows["周期开始"].value == dt.datetime(2020, 7, 1)
    assert about_rows["周期开始"].is_date
    assert about_rows["发布时间"].is_date
    assert about_rows["发布人"].value == "admin_company_a"


def test_draft_sheet_is_marked(client, world, scored):
    services.draft_compute(scheme=scored.scheme, period=scored.period)
    client.force_login(world.admin_a1)
    response, _content, book = _download(
        client, _sheet_url(world, period=scored.period.pk, run="draft")
    )
    assert (
        "草稿" in response["Content-Disposition"]
        or "%E8%8D%89%E7%A8%BF" in (response["Content-Disposition"])
    )
    ws = book["项目得分"]
    assert ws["A1"].value == "2020年两带两创 2020年第3季度 考核结果（甲一支部）【草稿】"
    # Only the branch's own projects.
    titles = {row[2].value for row in ws.iter_rows(min_row=4)}
    assert titles == {scored.a1_top.title, scored.a1_half.title}


def test_sheet_out_of_scope_or_missing_is_404(client, world, scored, published):
    client.force_login(world.admin_a2)
    assert client.get(_sheet_url(world, org=world.branch_a1.pk)).status_code == 404
    assert client.get(_sheet_url(world, org=world.company_a.pk)).status_code == 404
    client.force_login(world.admin_company_a)
    assert client.get(_sheet_url(world, run=999999)).status_code == 404
    # No draft computed for the year: nothing to export.
    assert client.get(_sheet_url(world, period="year", run="draft")).status_code == 404


def test_year_sheet_has_regular_and_final_columns(client, world, scored):
    services.draft_compute(scheme=scored.scheme, period=None)
    client.force_login(world.admin_company_a)
    _response, _content, book = _download(client, _sheet_url(world, period="year", run="draft"))
    ws = book["项目得分"]
    assert "全年" in ws["A1"].value
    header = [c.value for c in ws[3]]
    assert "平时成绩（各期平均）" in header and "年终成绩" in header
