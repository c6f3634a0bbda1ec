"""Reading the values people put in ledger cells: dates written five ways, numbered lists,
goal lines such as "目标利润500万元", lists of names. Pure functions, no database."""

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel


class CellError(ValueError):
    """A cell that cannot be read; the message is translated and names the value."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def nfkc(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (for parsing only:
    stored text keeps what the user wrote)."""
    return unicodedata.normalize("NFKC", text)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean_text(value: Any) -> str:
    """A cell as text, the way a person reads it: 2020001 not 2020001.0, line breaks kept."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _OOXML_ESCAPE.sub(_unescape, str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


# Control characters in cell text are stored as _xHHHH_ (ECMA-376); openpyxl leaves them so.
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescape(match: re.Match) -> str:
    return chr(int(match.group(1), 16))


# --------------------------------------------------------------------------- dates

_SEP = r"\s*[-./年]\s*"
_FULL_DATE = re.compile(
    rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*[-./月]\s*(\d{{1,2}})\s*日?"
    r"(?:\s*[T ]\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?\s*(?:前|之前|止)?$"
)
_MONTH = re.compile(
    rf"^(\d{{4}}){_SEP}(\d{{1,2}})\s*月?\s*(?:份)?\s*(底|末|初)?\s*(?:前|之前|止)?$"
)
_YEAR_END = re.compile(r"^(\d{4})\s*年?\s*(底|末|初)\s*(?:前|之前)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_EXCEL_SERIAL_MAX = 2958465  # 9999-12-31


def _date(year: int, month: int, day: int, raw: Any) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise CellError(_("日期“%(value)s”不存在。") % {"value": clean_text(raw)}) from exc


def _month_bound(year: int, month: int, *, end: bool, raw: Any) -> dt.date:
    if not 1 <= month <= 12:
        raise CellError(_("日期“%(value)s”不存在。") % {"value": clean_text(raw)})
    day = calendar.monthrange(year, month)[1] if end else 1
    return _date(year, month, day, raw)


def _unknown_date(raw: Any) -> CellError:
    return CellError(
        _(
            "无法识别日期“%(value)s”，请写成 2020-12-31、2020.12.31、2020/12/31、"
            "2020年12月31日或 2020年12月。"
        )
        % {"value": clean_text(raw)}
    )


def parse_date(value: Any, *, end: bool = False) -> dt.date | None:
    """A date from a real date cell, an Excel serial number or text written as
    2020-12-31, 2020.12.31, 2020/12/31, 20201231, 2020年12月31日, or only a month (2020年12月,
    2020.12): a month means its last day for a deadline (`end`), its first day for a start.
    Blank gives None."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _unknown_date(value)
    if isinstance(value, int | float | Decimal):
        return _date_from_number(value, end=end)
    text = nfkc(str(value)).strip()
    if match := _FULL_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day, value)
    if match := _MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
        edge = match.group(3)
        return _month_bound(
            year, month, end=(edge in {"底", "末"}) or (end and edge != "初"), raw=value
        )
    if match := _YEAR_END.match(text):
        year = int(match.group(1))
        return dt.date(year, 1, 1) if match.group(2) == "初" else dt.date(year, 12, 31)
    if match := _COMPACT.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _date(year, month, day, value)
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return _date_from_number(Decimal(text), end=end, raw=value)
    raise _unknown_date(value)


def _date_from_number(number: int | float | Decimal, *, end: bool, raw: Any = None) -> dt.date:
    raw = number if raw is None else raw
    value = Decimal(str(number))
    integral = value == value.to_integral_value()
    if integral and 19000101 <= value <= 29991231:
        year, rest = divmod(int(value), 10000)
        return _date(year, rest // 100, rest % 100, raw)
    if 1900 <= value <= 2100:
        if integral:
            return dt.date(int(value), 12, 31) if end else dt.date(int(value), 1, 1)
        # "2020.10" typed into Excel is stored as the number 2020.1: the month is lost.
        raise CellError(
            _("日期“%(value)s”被 Excel 存成了数字，无法确定月份，请写成 2020-10 或 2020年10月。")
            % {"value": clean_text(raw)}
        )
    if 1 <= value <= _EXCEL_SERIAL_MAX:
        converted = from_excel(float(value))
        return converted.date() if isinstance(converted, dt.datetime) else converted
    raise _unknown_date(raw)


# --------------------------------------------------------------------------- numbers


def parse_decimal(value: Any, *, label: str) -> Decimal | None:
    """A number from a number cell or text such as "1,200" or " 3.5 "; blank gives None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellError(_("%(label)s必须是数字。") % {"label": label})
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        # str() of a float is its shortest round-trip form: 0.1 stays 0.1, not 0.1000000000000000055.
        return Decimal(str(value))
    text = nfkc(str(value)).strip().replace(",", "")
    try:
        result = Decimal(text)
    except InvalidOperation as exc:
        raise CellError(
            _("%(label)s必须是数字，“%(value)s”不是数字。")
            % {"label": label, "value": clean_text(value)}
        ) from exc
    if not result.is_finite():
        raise CellError(_("%(label)s必须是数字。") % {"label": label})
    return result


def parse_percent(value: Any, *, label: str) -> int | None:
    """0–100 from 50, "50", "50%" or 0.5 in a percent-formatted cell (read as 0.5)."""
    if is_blank(value):
        return None
    text = nfkc(str(value)).strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.endswith("%"):
        text = text[:-1]
    number = parse_decimal(text, label=label)
    assert number is not None
    if not isinstance(value, str) and 0 < number < 1:
        number *= 100
    if number != number.to_integral_value() or not 0 <= number <= 100:
        raise CellError(_("%(label)s必须是 0 到 100 的整数。") % {"label": label})
    return int(number)


# --------------------------------------------------------------------------- lists

_MARKER = (
    r"(?:[(（]\s*\d{1,2}\s*[)）]|\d{1,2}\s*[.、．)）](?!\d)|[一二三四五六七八九十]{1,3}\s*[、.．]"
    r"|[①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳])"
)
_LEADING_MARKER = re.compile(rf"^\s*{_MARKER}\s*")
# A numbered item that follows a sentence end starts a new item: "1.甲；2.乙" or "1.甲。2.乙".
_INLINE_MARKER = re.compile(rf"(?<=[；;。])\s*(?={_MARKER})")


def split_items(value: Any) -> list[str]:
    """A goals or measures cell as separate items: one per line, per "；", and per number
    ("1.…；2.…", "（1）…", "一、…", "①…"); the numbering itself is dropped."""
    text = clean_text(value)
    if not text:
        return []
    text = _INLINE_MARKER.sub("\n", text)
    items = []
    for line in re.split(r"[\n；;]+", text):
        item = _LEADING_MARKER.sub("", line).strip().rstrip("。，,；; ").strip()
        if item:
            items.append(item)
    return items


_NAME_SEPARATORS = re.compile(r"[、，,;；/\n|]+")
_PERSON_REF = re.compile(r"^(?P<name>[^()（）]+?)\s*[（(]\s*(?P<qualifier>[^()（）]*?)\s*[)）]$")
_CJK = re.compile(r"^[\u4e00-\u9fff]$")


def split_people(value: Any) -> list[str]:
    """Names in a participants cell: "李华、王强，赵丽" or one per line. "李  华" (a two-character
    name padded to align with three-character ones) stays one name; "李华 王强" is two."""
    names: list[str] = []
    for token in _NAME_SEPARATORS.split(clean_text(value)):
        token = token.strip()
        if not token:
            continue
        parts = token.split()
        if len(parts) > 1 and all(_CJK.match(part) for part in parts):
            names.append("".join(parts))
        else:
            names.extend(parts if not _PERSON_REF.match(token) else [token])
    return names


def parse_person_ref(token: str) -> tuple[str, str]:
    """ "张明(1001)" → ("张明", "1001"), "李华（骨干成员）" → ("李华", "骨干成员"), "王强" → ("王强", "")."""
    token = token.strip()
    match = _PERSON_REF.match(token)
    if match:
        return match.group("name").strip(), match.group("qualifier").strip()
    return token, ""


# --------------------------------------------------------------------------- goals

_NUM = r"[-+]?\d+(?:,\d{3})*(?:\.\d+)?"
_UNITS = (
    "万元/年|万元/月|元/吨|万千瓦时|千瓦时|亿元|万元|千元|元|万吨|千吨|吨|公斤|千克|万方|立方米|平方米|"
    "万亩|亩|公里|千米|米|个百分点|百分点|%|‰|人次|个|项|次|人|家|篇|件|条|天|日|小时|起|台|套|场|期|"
    "批|份|户|名|座|辆|处|分"
)
_UNIT = rf"(?:{_UNITS})"
_LOWER_WORDS = ("不高于", "不超过", "不大于", "低于", "少于", "小于", "控制在", "降至", "降到", "压减至", "压降至", "下降至", "下降到", "减少至", "减少到", "≤", "<=", "<")  # fmt: skip
_HIGHER_WORDS = ("不低于", "不少于", "不小于", "高于", "超过", "大于", "达到", "实现", "完成", "提高至", "提高到", "提升至", "提升到", "增加至", "增加到", "增至", "≥", ">=", ">")  # fmt: skip
_COMPARATOR = "|".join(re.escape(w) for w in sorted(_LOWER_WORDS + _HIGHER_WORDS + ("为", "是", "在", "到", "至"), key=len, reverse=True))  # fmt: skip
_FROM_TO = re.compile(
    rf"^(?P<name>.*?)(?:由|从)\s*(?P<base>{_NUM})\s*(?P<unit1>{_UNIT})?\s*"
    r"(?:降低|下降|减少|压减|压降|提高|提升|增加|增长|上升|降|升|增|减)?\s*(?:至|到)\s*"
    rf"(?P<target>{_NUM})\s*(?P<unit2>{_UNIT})?(?P<rest>.*)$"
)
_SINGLE = re.compile(
    rf"^(?P<name>.*?)\s*(?P<cmp>{_COMPARATOR})?\s*(?P<num>{_NUM})\s*(?P<unit>{_UNIT})?(?P<rest>.*)$"
)
# Dates inside a goal ("2020年", "12月底前") are not its target.
_DATE_WORDS = re.compile(
    r"(?<!\d)(?:19|20)\d{2}\s*年度?|(?<!\d)\d{1,2}\s*月(?:底|末|份)?(?:前)?|(?<!\d)\d{1,2}\s*日前"
)
_NAME_TRIM = re.compile(rf"(?:{_COMPARATOR}|全年|年度|，|,|：|:|\s)+$")


@dataclass(frozen=True)
class GoalLine:
    """A goal as read from one line; None means "not stated" (kept as is on update)."""

    name: str
    target: Decimal
    unit: str
    baseline: Decimal | None = None
    direction: str | None = None  # "higher" / "lower" when the wording says so


def _direction_from(comparator: str, rest: str) -> str | None:
    """ "不少于" is a floor although it contains "少于": the comparator found by the pattern
    (longest first) decides, then a trailing "以下/以内" or "以上"."""
    if comparator in _LOWER_WORDS:
        return "lower"
    if comparator in _HIGHER_WORDS:
        return "higher"
    if any(w in rest for w in ("以下", "以内", "之内")):
        return "lower"
    if "以上" in rest:
        return "higher"
    return None


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def parse_goal_line(line: str) -> GoalLine:
    """ "目标利润500万元" → 目标利润 / 500 / 万元; "经营亏损由120万元降至0" → baseline 120, target 0,
    lower is better; "矿山运营亏损不高于0万元" → target 0, lower is better, baseline not stated.
    A line without exactly one target figure raises CellError."""
    text = nfkc(line).strip()
    match = _FROM_TO.match(text)
    if match:
        base, target = _number(match.group("base")), _number(match.group("target"))
        name = _NAME_TRIM.sub("", match.group("name")).strip()
        if not name:
            raise CellError(_("目标“%(line)s”没有指标名称。") % {"line": line})
        return GoalLine(
            name=name,
            target=target,
            unit=match.group("unit2") or match.group("unit1") or "",
            baseline=base,
            direction="lower" if target < base else "higher",
        )
    without_dates = _DATE_WORDS.sub(" ", text)
    numbers = re.findall(_NUM, without_dates)
    if not numbers:
        raise CellError(_("目标“%(line)s”没有目标值（数字）。") % {"line": line})
    if len(numbers) > 1:
        raise CellError(
            _("目标“%(line)s”中有多个数字，无法确定目标值，请每行只写一个指标。") % {"line": line}
        )
    match = _SINGLE.match(without_dates.strip())
    assert match is not None  # one number is present, and every other part is optional
    name = _NAME_TRIM.sub("", match.group("name")).strip()
    if not name:
        raise CellError(_("目标“%(line)s”没有指标名称。") % {"line": line})
    return GoalLine(
        name=name,
        target=_number(match.group("num")),
        unit=match.group("unit") or "",
        direction=_direction_from(match.group("cmp") or "", match.group("rest")),
    )
