"""Finding the table: header wordings, title rows above it, merged header cells."""

import pytest

from taizhang.imports.headers import detect_header, recognise
from taizhang.imports.reader import Workbook, classify_row, read_layout

from .conftest import SAMPLE, xlsx_upload


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("项目名称", "title"),
        ("课题名称", "title"),
        ("项目", "title"),
        ("项目编号", "code"),
        ("编号", "code"),
        ("序号", "seq"),  # never taken for the code
        ("牵头人", "lead"),
        ("负责人", "lead"),
        ("项目负责人", "lead"),
        ("参与人员", "participants"),
        ("参与人", "participants"),
        ("成员", "participants"),
        ("预期目标", "goals"),
        ("目标任务", "goals"),
        ("目标", "goals"),
        ("具体措施", "measures"),
        ("主要措施", "measures"),
        ("措施", "measures"),
        ("完成时限", "end_date"),
        ("时间节点", "end_date"),
        ("完成时间", "end_date"),
        ("开始时间", "start_date"),
        ("开始日期", "start_date"),
        ("项目类型", "project_type"),
        ("类型", "project_type"),
        ("项目类别", "project_type"),
        ("中心工作", "focus_area"),
        ("所属领域", "focus_area"),
        ("聚焦领域", "focus_area"),
        ("责任组织", "org"),
        ("责任单位", "org"),
        ("所属支部", "org"),
        ("所属党组织", "org"),
        ("选题依据", "rationale"),
        ("立项依据", "rationale"),
        ("状态", "status"),
        # Spacing, line breaks, required-marks and explanations in brackets.
        ("项目\n名称", "title"),
        (" 牵 头 人 ", "lead"),
        ("完成时限（年月日）", "end_date"),
        ("*项目名称", "title"),
        ("完成时限(2020年)", "end_date"),
        ("备注", None),
    ],
)
def test_header_variants(header, field):
    assert recognise(header) == field


def test_title_rows_above_the_header_are_skipped():
    rows = [
        ["2020年“两带两创”项目台账"],
        ["填报单位：甲支部", None, None, "填报日期：2020年3月"],
        [],
        ["序号", "课题名称", "负责人", "时间节点"],
        [1, "项目一", "张明", "2020年12月"],
    ]
    guess = detect_header(rows)
    assert guess.header_row == 4 and guess.data_row == 5
    assert guess.fields == ["seq", "title", "lead", "end_date"]


def test_a_two_row_header_with_merged_cells():
    # Read-only workbooks give a merge's value in its first cell only; the reader fills
    # merges in, this checks the header logic on what that produces and on the raw rows.
    rows = [
        ["序号", "项目名称", "牵头人", "时间节点", None, "目标与措施", None],
        [None, None, None, "开始时间", "完成时限", "预期目标", "具体措施"],
        [1, "项目一", "张明", "2020-03-01", "2020-12-31", "利润500万元", "拓展渠道"],
    ]
    guess = detect_header(rows)
    assert guess.data_row == 3
    assert guess.fields == ["seq", "title", "lead", "start_date", "end_date", "goals", "measures"]


def test_merged_header_cells_in_a_real_workbook():
    upload = xlsx_upload(
        [
            ["2020年项目台账"],
            ["序号", "项目名称", "牵头人", "时间节点", None, "所属支部"],
            [None, None, None, "开始时间", "完成时限", None],
            [1, "项目一", "张明", "2020-03-01", "2020-12-31", "甲一支部"],
        ],
        merges=["A1:F1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:F3"],
    )
    with Workbook(upload) as book:
        layout = read_layout(book)
    header = layout.projects.header
    assert header.data_row == 4
    assert header.fields == ["seq", "title", "lead", "start_date", "end_date", "org"]
    assert layout.projects.samples[0][:3] == ["1", "项目一", "张明"]


def test_the_sample_ledger_is_recognised():
    with Workbook(SAMPLE.open("rb")) as book:
        layout = read_layout(book)
    assert layout.projects.name == "项目台账"
    assert layout.projects.header.fields == [
        "seq", "org", "title", "project_type", "focus_area", "lead", "participants",
        "goals", "measures", "start_date", "end_date", "status",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("row", "kind"),
    [
        ([None, "", "  "], "blank"),
        [["一、创效类"] + [None] * 3, "section"],
        (["（二）创新类"], "section"),
        (["合计", None, None, 1200], "total"),
        (["总 计", None, 3], "total"),
        (["示例", "稀土贸易创效（示例）", "张明"], "example"),
        ([1, "项目一", "张明"], None),
    ],
)
def test_rows_that_are_not_data(row, kind):
    fields = ["seq", "title", "lead", "goals"]
    assert classify_row(row, fields) == kind


def test_a_section_row_merged_across_the_table_is_skipped():
    upload = xlsx_upload(
        [
            ["序号", "项目名称", "牵头人"],
            ["创效类项目", None, None],
            [1, "项目一", "张明"],
        ],
        merges=["A2:C2"],
    )
    with Workbook(upload) as book:
        rows = list(book.rows("项目台账", start=2))
    assert rows[0] == (2, ["创效类项目"] * 3)
    assert classify_row(rows[0][1], ["seq", "title", "lead"]) == "section"


def test_the_variant_index_is_built_once_not_per_cell(monkeypatch):
    """Header detection reads up to 30 rows of every sheet: building the index of header
    wordings for each cell read was half of a 200-row import's time."""
    from taizhang.imports import headers

    built = []
    real = headers._variant_index
    monkeypatch.setattr(headers, "_variant_index", lambda fields: built.append(1) or real(fields))
    monkeypatch.setattr(headers, "_INDEXES", {})
    assert [recognise(text) for text in ("项目名称", "牵头人", "不是表头", "状态")] == [
        "title", "lead", None, "status"
    ]  # fmt: skip
    assert len(built) == 1
