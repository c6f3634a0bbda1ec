"""Cell values as people write them: dates, numbered lists, goal lines, names."""

import datetime as dt
from decimal import Decimal

import pytest

from taizhang.imports.parsing import (
    CellError,
    clean_text,
    parse_date,
    parse_decimal,
    parse_goal_line,
    parse_percent,
    parse_person_ref,
    split_items,
    split_people,
)

DEC31 = dt.date(2020, 12, 31)


@pytest.mark.parametrize(
    "value",
    [
        "2020-12-31",
        "2020.12.31",
        "2020/12/31",
        "2020年12月31日",
        "2020年12月",  # a month: its last day for a deadline
        "2020.12",
        "2020-12",
        "2020年12月底",
        "2020年底",
        "２０２０年１２月３１日",  # full-width digits
        " 2020 年 12 月 31 日 ",
        "2020-12-31 00:00:00",
        "20201231",
        20201231,
        44196,  # Excel serial number of 2020-12-31
        44196.0,
        dt.datetime(2020, 12, 31, 0, 0),
        dt.date(2020, 12, 31),
    ],
)
def test_every_way_of_writing_a_deadline(value):
    assert parse_date(value, end=True) == DEC31


def test_a_month_means_its_first_day_for_a_start_and_its_last_for_a_deadline():
    assert parse_date("2020年2月", end=False) == dt.date(2020, 2, 1)
    assert parse_date("2020年2月", end=True) == dt.date(2020, 2, 29)
    assert parse_date("2020.2", end=True) == dt.date(2020, 2, 29)


def test_blank_is_none():
    assert parse_date(None) is None
    assert parse_date("  ") is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-02-30", "日期“2020-02-30”不存在。"),
        ("2020-13", "日期“2020-13”不存在。"),
        ("明年年底", "无法识别日期“明年年底”"),
        ("12/31/2020", "无法识别日期"),
        (2020.1, "被 Excel 存成了数字"),  # "2020.10" typed into a General cell
    ],
)
def test_bad_dates_say_what_is_wrong(value, message):
    with pytest.raises(CellError) as info:
        parse_date(value, end=True)
    assert message in info.value.message


@pytest.mark.parametrize(
    ("text", "items"),
    [
        (
            "1.拓展独居石采购渠道；2.与板块内单位开展加工贸易",
            ["拓展独居石采购渠道", "与板块内单位开展加工贸易"],
        ),
        ("1. 甲\n2. 乙\n3. 丙", ["甲", "乙", "丙"]),
        ("（1）甲。（2）乙", ["甲", "乙"]),
        ("一、甲\n二、乙", ["甲", "乙"]),
        ("①甲②乙", ["甲②乙"]),
        ("①甲\n②乙", ["甲", "乙"]),
        ("甲；乙;丙", ["甲", "乙", "丙"]),
        ("完成2.5万吨加工", ["完成2.5万吨加工"]),
        ("", []),
        (None, []),
    ],
)
def test_cells_with_several_items_split(text, items):
    assert split_items(text) == items


@pytest.mark.parametrize(
    ("line", "name", "target", "unit", "baseline", "direction"),
    [
        ("目标利润500万元", "目标利润", "500", "万元", None, None),
        ("全年实现贸易利润500万元", "全年实现贸易利润", "500", "万元", None, None),
        ("2020年实现利润1,200万元以上", "实现利润", "1200", "万元", None, "higher"),
        ("矿山运营亏损不高于0万元", "矿山运营亏损", "0", "万元", None, "lower"),
        ("经营亏损由120万元降至0万元", "经营亏损", "0", "万元", "120", "lower"),
        ("月均管理费用从18万元降到12万元", "月均管理费用", "12", "万元", "18", "lower"),
        ("合作县由1个增加到2个", "合作县", "2", "个", "1", "higher"),
        ("成本降低5%", "成本降低", "5", "%", None, None),
        ("安全事故控制在0起以内", "安全事故", "0", "起", None, "lower"),
        ("客户数≥30家", "客户数", "30", "家", None, "higher"),
    ],
)
def test_goal_lines(line, name, target, unit, baseline, direction):
    goal = parse_goal_line(line)
    assert goal.name == name
    assert goal.target == Decimal(target)
    assert goal.unit == unit
    assert goal.baseline == (Decimal(baseline) if baseline else None)
    assert goal.direction == direction


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("完成矿山生态修复", "没有目标值"),
        ("利润500万元，收入3000万元", "多个数字"),
        ("500万元", "没有指标名称"),
    ],
)
def test_goal_lines_without_a_clear_target(line, message):
    with pytest.raises(CellError) as info:
        parse_goal_line(line)
    assert message in info.value.message


def test_people_lists():
    assert split_people("李华、王强，赵丽") == ["李华", "王强", "赵丽"]
    assert split_people("李  华\n王强 赵丽") == [
        "李华",
        "王强",
        "赵丽",
    ]  # padded two-character name
    assert split_people("张明(1001)、李华（骨干成员）") == ["张明(1001)", "李华（骨干成员）"]
    assert parse_person_ref("张明(1001)") == ("张明", "1001")
    assert parse_person_ref("李华（骨干成员）") == ("李华", "骨干成员")
    assert parse_person_ref("王强") == ("王强", "")


def test_numbers_and_percentages():
    assert parse_decimal("1,200.5", label="x") == Decimal("1200.5")
    assert parse_decimal(0.1, label="x") == Decimal("0.1")
    assert parse_decimal(None, label="x") is None
    with pytest.raises(CellError):
        parse_decimal("五百", label="目标值")
    assert parse_percent("50%", label="x") == 50
    assert parse_percent(0.5, label="x") == 50  # a percent-formatted cell
    assert parse_percent(80, label="x") == 80
    with pytest.raises(CellError):
        parse_percent(120, label="x")


def test_clean_text_reads_cells_as_people_do():
    assert clean_text(2020001.0) == "2020001"
    assert clean_text(" 甲\r\n乙 ") == "甲\n乙"
    assert clean_text("甲_x000D_\n乙") == "甲\n乙"  # Excel's escape of a carriage return
    assert clean_text(dt.datetime(2020, 1, 2)) == "2020-01-02"
