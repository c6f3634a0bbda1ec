"""Which ledger column holds what: the fields an import understands and the header wordings
offices use for them, plus finding the header row under title rows and merged cells."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .parsing import clean_text, nfkc


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: Promise
    variants: tuple[str, ...]


# The project sheet. 序号 is recognised so that it is never taken for 项目编号.
PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("seq", _("序号"), ("序号", "序", "编号序号", "No", "No.")),
    FieldSpec("code", _("项目编号"), ("项目编号", "编号", "项目代码", "课题编号", "项目号")),
    FieldSpec("title", _("项目名称"), ("项目名称", "课题名称", "项目", "课题", "项目题目", "项目名", "名称")),
    FieldSpec("project_type", _("项目类型"), ("项目类型", "类型", "项目类别", "类别", "项目分类")),
    FieldSpec("focus_area", _("中心工作"), ("中心工作", "所属领域", "聚焦领域", "领域", "所属中心工作", "工作领域", "围绕中心工作")),
    FieldSpec("org", _("责任组织"), ("责任组织", "责任单位", "所属支部", "所属党组织", "党组织", "责任支部", "所属组织", "所属单位", "单位", "支部", "党支部")),
    FieldSpec("lead", _("牵头人"), ("牵头人", "负责人", "项目负责人", "项目牵头人", "牵头党员", "牵头领导")),
    # One cell per row, so it can only describe the row's one named person: the lead. Used
    # when the import registers a lead who is not in the system yet (see planning.NewPerson).
    FieldSpec("lead_political_status", _("牵头人政治面貌"), ("牵头人政治面貌", "政治面貌", "牵头人身份")),
    FieldSpec("participants", _("参与人员"), ("参与人员", "参与人", "成员", "项目成员", "团队成员", "参与党员群众", "参加人员")),
    FieldSpec("goals", _("预期目标"), ("预期目标", "目标任务", "目标", "项目目标", "预期成效", "目标指标", "预期效果")),
    FieldSpec("measures", _("具体措施"), ("具体措施", "主要措施", "措施", "工作措施", "实施措施", "推进措施")),
    FieldSpec("rationale", _("选题依据"), ("选题依据", "立项依据", "立项理由", "选题理由", "项目背景")),
    FieldSpec("plan", _("实施方案"), ("实施方案", "工作方案", "方案")),
    FieldSpec("start_date", _("开始日期"), ("开始日期", "开始时间", "启动时间", "起始时间", "起始日期", "计划开始时间")),
    FieldSpec("end_date", _("完成时限"), ("完成时限", "时间节点", "完成时间", "截止时间", "结束时间", "结束日期", "完成日期", "计划完成时间")),
    FieldSpec("status", _("状态"), ("状态", "项目状态", "进展状态")),
)  # fmt: skip

# The detail sheets of an exported ledger (目标指标 and 具体措施), one row per goal or measure.
GOAL_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", _("项目编号"), ("项目编号", "编号")),
    FieldSpec("name", _("指标名称"), ("指标名称", "指标", "目标指标")),
    FieldSpec("unit", _("单位"), ("单位", "计量单位")),
    FieldSpec("baseline", _("基准值"), ("基准值", "基期值", "基数")),
    FieldSpec("target", _("目标值"), ("目标值", "目标")),
    FieldSpec("direction", _("方向"), ("方向", "指标方向")),
    FieldSpec("weight", _("权重"), ("权重",)),
)
MEASURE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", _("项目编号"), ("项目编号", "编号")),
    FieldSpec("description", _("具体措施"), ("具体措施", "措施", "主要措施")),
    FieldSpec("owner", _("责任人"), ("责任人",)),
    FieldSpec("start_date", _("开始日期"), ("开始日期", "开始时间")),
    FieldSpec("due_date", _("完成时限"), ("完成时限", "完成时间", "时间节点")),
    FieldSpec("status", _("状态"), ("状态",)),
    FieldSpec("percent", _("完成百分比"), ("完成百分比", "完成比例", "完成进度")),
)

GOALS_SHEET = "目标指标"
MEASURES_SHEET = "具体措施"
# Sheets of an exported ledger that are reports, not input: never taken for the project sheet.
REPORT_SHEETS = frozenset({"进展报告", "创效成果", "检查", "考核得分", "填写说明", "说明"})
PROJECT_SHEET_NAMES = ("项目", "项目台账", "台账")

REQUIRED_PROJECT_FIELDS = ("title",)
HEADER_SCAN_ROWS = 30

_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def normalize_header(value: Any) -> str:
    """ "项目\n名称*" and "完成时限（年月日）" read as 项目名称 and 完成时限."""
    text = nfkc(clean_text(value))
    text = re.sub(r"[\s*※★:：]", "", text)
    return text


def _variant_index(fields: Sequence[FieldSpec]) -> dict[str, str]:
    index: dict[str, str] = {}
    for spec in fields:
        for variant in spec.variants:
            index.setdefault(normalize_header(variant), spec.key)
    return index


# The field tuples are module constants, so their id is a stable key. Built once each: it
# was rebuilt for every cell read (half of a 200-row import's time went to header detection).
_INDEXES: dict[int, dict[str, str]] = {}


def recognise(value: Any, fields: Sequence[FieldSpec] = PROJECT_FIELDS) -> str | None:
    """The field a header cell names, or None."""
    index = _INDEXES.get(id(fields))
    if index is None:
        index = _INDEXES[id(fields)] = _variant_index(fields)
    text = normalize_header(value)
    if not text:
        return None
    if text in index:
        return index[text]
    stripped = _BRACKETS.sub("", text)
    return index.get(stripped) if stripped else None


@dataclass
class HeaderGuess:
    """Where the table starts: the last header row (1-based), the label and guessed field
    of every column, and the first data row."""

    header_row: int
    data_row: int
    labels: list[str]
    fields: list[str | None]

    @property
    def score(self) -> int:
        return len({f for f in self.fields if f and f != "seq"})


def _row_fields(row: Sequence[Any], fields: Sequence[FieldSpec]) -> list[str | None]:
    return [recognise(cell, fields) for cell in row]


def detect_header(
    rows: Sequence[Sequence[Any]], fields: Sequence[FieldSpec] = PROJECT_FIELDS
) -> HeaderGuess | None:
    """Find the header among the first rows (title rows above it are skipped).

    Merged header cells: a read-only workbook gives a merged range's value in its first
    cell only. A two-row header ("时间节点" over "开始时间 | 完成时限", "项目名称" spanning both
    rows) is read by letting a second row fill or refine the first when every non-empty cell
    of it is itself a header wording."""
    best: HeaderGuess | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        found = _row_fields(row, fields)
        guess = HeaderGuess(
            header_row=index + 1,
            data_row=index + 2,
            labels=[clean_text(c) for c in row],
            fields=found,
        )
        if guess.score >= 2 and (best is None or guess.score > best.score):
            best = guess
    if best is None:
        return None
    above_index = best.header_row - 2  # 0-based index of the row above
    if above_index >= 0:
        # The upper row of a two-row header can hold cells merged down over both rows
        # ("项目名称" spanning rows 3–4 shows in row 3 only).
        above = rows[above_index]
        for col, cell in enumerate(above):
            if col < len(best.fields) and best.fields[col] is None and not best.labels[col]:
                field = recognise(cell, fields)
                if field is not None:
                    best.fields[col] = field
                    best.labels[col] = clean_text(cell)
    below_index = best.header_row  # 0-based index of the next row
    if below_index < len(rows):
        below = rows[below_index]
        below_fields = _row_fields(below, fields)
        filled = [(c, f) for c, f in zip(below, below_fields, strict=False) if clean_text(c) != ""]
        if filled and all(f is not None for _c, f in filled):
            width = max(len(best.labels), len(below))
            labels = best.labels + [""] * (width - len(best.labels))
            merged = best.fields + [None] * (width - len(best.fields))
            for col, (cell, field) in enumerate(zip(below, below_fields, strict=False)):
                if field is not None:
                    labels[col] = clean_text(cell)
                    merged[col] = field
            best = HeaderGuess(
                header_row=best.header_row + 1,
                data_row=best.data_row + 1,
                labels=labels,
                fields=merged,
            )
    # One column per field: a later duplicate is left unmapped for the user to decide.
    seen: set[str] = set()
    for col, field in enumerate(best.fields):
        if field is None:
            continue
        if field in seen:
            best.fields[col] = None
        seen.add(field)
    return best
