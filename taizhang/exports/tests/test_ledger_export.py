"""The ledger export: layout, types, formula injection, scope, empty views, query counts."""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import (
    CampaignFactory,
    GoalFactory,
    MeasureFactory,
    ProjectFactory,
)
from taizhang.orgs.tests.factories import PersonFactory

from .ledger_builders import build_ledger

SHEETS = ["项目", "目标指标", "具体措施", "进展报告", "创效成果", "检查", "考核得分"]


def _export(client, world, **params):
    return client.get(reverse("ledger_export:xlsx", args=[world.campaign.pk]), params)


def _book(response, **kwargs) -> openpyxl.Workbook:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), **kwargs)


def _data_rows(ws) -> list[tuple]:
    return [
        row for row in ws.iter_rows(min_row=4, values_only=True) if any(row) and row[0] != "（无）"
    ]


def test_layout_title_frozen_header_and_sheets(client, world):
    build_ledger(world, 2)
    client.force_login(world.admin_company_a)
    book = _book(_export(client, world))
    assert book.sheetnames == SHEETS
    ws = book["项目"]
    assert ws["A1"].value.startswith("2020年两带两创 项目台账（公司甲）")
    assert "A1:L1" in {str(r) for r in ws.merged_cells.ranges}
    assert "导出时间：" in ws["A2"].value
    assert ws.freeze_panes == "A4"
    header = [c.value for c in ws[3]]
    assert header == [
        "序号", "项目编号", "项目名称", "项目类型", "中心工作", "责任组织", "牵头人",
        "参与人员", "选题依据", "开始日期", "完成时限", "状态",
    ]  # fmt: skip
    rows = _data_rows(ws)
    assert [r[0] for r in rows] == [1, 2]
    first = rows[0]
    assert first[1] == "TZ-0001"
    assert first[7] == "骨干TZ001（骨干成员）、成员TZ001（成员）"
    assert first[11] == "实施中"
    for sheet in SHEETS:
        assert book[sheet].freeze_panes == "A4"
        assert book[sheet]["A3"].value == "序号"


def test_dates_are_dates_and_numbers_are_numbers(client, world):
    build_ledger(world, 1)
    client.force_login(world.admin_company_a)
    book = _book(_export(client, world))
    project_row = next(book["项目"].iter_rows(min_row=4, max_row=4))
    start, end = project_row[9], project_row[10]
    # A date cell is a number with a date format (openpyxl reports it as "d"), never text.
    assert start.data_type in ("n", "d") and start.is_date
    assert start.value.date() == dt.date(2020, 1, 1)
    assert end.is_date and end.number_format == "yyyy-mm-dd"
    goal = next(book["目标指标"].iter_rows(min_row=4, max_row=4))
    assert [c.value for c in goal[3:9]] == ["目标利润", "万元", 0, 500, "越高越好", 0.7]
    assert goal[5].data_type == "n" and goal[6].data_type == "n"
    measure = next(book["具体措施"].iter_rows(min_row=4, max_row=4))
    assert measure[5].is_date and measure[8].value == 40 and measure[8].data_type == "n"
    report = next(book["进展报告"].iter_rows(min_row=4, max_row=4))
    assert report[8].is_date  # submitted at, a date-time
    assert report[10].value == 0.5 and report[10].number_format == "0.0%"
    claim = next(book["创效成果"].iter_rows(min_row=4, max_row=4))
    assert claim[5].value == 120.5 and claim[5].data_type == "n"
    inspection = next(book["检查"].iter_rows(min_row=4, max_row=4))
    assert inspection[3].is_date
    assert inspection[6].value == "听汇报、查资料"
    assert [inspection[9].value, inspection[10].value] == [1, 1]
    score = next(book["考核得分"].iter_rows(min_row=4, max_row=4))
    assert score[4].value == pytest.approx(85.5) and score[4].data_type == "n"
    assert score[6].value == "良好"


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","点我")',
        "+1+2",
        "-3-4",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "http://example.com/link",
        "00123",
        "1e5",
    ],
)
def test_text_is_never_a_formula_link_or_number(client, world, text):
    lead = PersonFactory(org=world.branch_a1, name=text.strip() or "x")
    project = ProjectFactory(
        campaign=world.campaign,
        org=world.branch_a1,
        code="INJ-1",
        title=text,
        lead=lead,
        rationale=text,
    )
    GoalFactory(project=project, name=text)
    MeasureFactory(project=project, description=text)
    client.force_login(world.admin_a1)
    book = _book(_export(client, world))
    cells = [book["项目"]["C4"], book["项目"]["I4"], book["目标指标"]["D4"], book["具体措施"]["D4"]]
    for cell in cells:
        assert cell.data_type == "s", (cell.coordinate, cell.value)
        # Line breaks are written as Excel keeps them (LF); the text is otherwise as stored.
        assert cell.value == text.replace("\r", "\n")
        assert cell.hyperlink is None
    raw = _book(_export(client, world), data_only=False)
    assert raw["项目"]["C4"].data_type == "s"


def test_export_is_exactly_the_filtered_ledger_view(client, world):
    build_ledger(world, 3)
    other = ProjectFactory(
        campaign=world.campaign, org=world.branch_a2, code="ZZ-0001", status=ProjectStatus.DRAFT
    )
    client.force_login(world.admin_company_a)
    codes = [r[1] for r in _data_rows(_book(_export(client, world))["项目"])]
    assert codes == ["TZ-0001", "TZ-0002", "TZ-0003", "ZZ-0001"]
    book = _book(_export(client, world, status="draft"))
    assert [r[1] for r in _data_rows(book["项目"])] == ["ZZ-0001"]
    assert _data_rows(book["目标指标"]) == []  # detail sheets follow the filter
    book = _book(_export(client, world, org=world.branch_a1.pk, sort="-code", q="TZ"))
    assert [r[1] for r in _data_rows(book["项目"])] == ["TZ-0003", "TZ-0002", "TZ-0001"]
    assert [r[1] for r in _data_rows(book["目标指标"])][::2] == ["TZ-0003", "TZ-0002", "TZ-0001"]
    assert "责任组织：甲一支部及下级" in book["项目"]["A2"].value
    # A branch admin sees only the branch: the sibling's project is not in the file.
    client.force_login(world.admin_a1)
    codes = [r[1] for r in _data_rows(_book(_export(client, world))["项目"])]
    assert other.code not in codes and len(codes) == 3


def test_out_of_scope_is_404(client, world):
    build_ledger(world, 1)
    client.force_login(world.admin_a1)
    assert _export(client, world, org=world.branch_a2.pk).status_code == 404
    assert _export(client, world, org=world.branch_b1.pk).status_code == 404
    foreign = CampaignFactory(org=world.company_b)
    response = client.get(reverse("ledger_export:xlsx", args=[foreign.pk]))
    assert response.status_code == 404
    assert client.get(reverse("ledger_export:xlsx", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = _export(client, world)
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_empty_view_gives_a_message_not_a_file(client, world):
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_company_a)
    response = _export(client, world, q="没有这个项目", page="2")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("campaigns:ledger", args=[world.campaign.pk]))
    assert "q=" in response["Location"] and "page" not in response["Location"]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == ["没有符合筛选条件的项目，未生成文件。"]


def test_sheets_without_rows_say_so(client, world):
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_company_a)
    book = _book(_export(client, world))
    assert book["进展报告"]["A4"].value == "（无）"
    assert book["考核得分"]["A2"].value == "尚无已发布的考核结果。"


def test_query_count_does_not_grow_with_rows(client, world):
    client.force_login(world.admin_company_a)
    build_ledger(world, 5, prefix="AA")
    with CaptureQueriesContext(connection) as small:
        b"".join(_export(client, world).streaming_content)
    build_ledger(world, 45, prefix="BB")
    with CaptureQueriesContext(connection) as large:
        response = _export(client, world)
        assert len(_data_rows(_book(response)["项目"])) == 50
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]


def test_ledger_page_links_the_export_with_its_filters(client, world):
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_company_a)
    response = client.get(
        reverse("campaigns:ledger", args=[world.campaign.pk]), {"status": "in_progress"}
    )
    html = response.content.decode()
    assert reverse("ledger_export:xlsx", args=[world.campaign.pk]) + "?status=in_progress" in html
    assert reverse("imports:upload", args=[world.campaign.pk]) in html


def test_a_branch_exporting_a_company_campaign_is_named_after_the_branch(client, world):
    build_ledger(world, 1, with_checkins=False)
    client.force_login(world.admin_a1)
    response = _export(client, world)
    assert (
        "甲一支部" in response["Content-Disposition"]
        or "%E7%94%B2" in response["Content-Disposition"]
    )
    assert _book(response)["项目"]["A1"].value == "2020年两带两创 项目台账（甲一支部）"
