"""The ledger (台账) as .xlsx, in the layout offices keep: a merged title row, a line saying
when and how it was filtered, a frozen header row of Chinese column names, 序号 first.

Sheets: 项目 (one row per project), 目标指标, 具体措施, 进展报告, 创效成果, 检查, 考核得分. The
project, goal and measure sheets are the ones an import reads back (taizhang.imports), so
their column names and value formats are the import's too.

Dates are written as dates and numbers as numbers, never as text. Every text goes through
write_string, and XlsxWriter's conversions (strings_to_formulas / _urls / _numbers) are
off: a title such as "=HYPERLINK(…)", "+1" or "@SUM(A1)" stays text (formula injection).
XlsxWriter runs in constant_memory mode: each row is flushed as soon as the next starts.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from taizhang.assessment.fixedpoint import to_points
from taizhang.campaigns.models import (
    Campaign,
    Direction,
    FocusArea,
    MeasureStatus,
    ParticipantRole,
    Project,
    ProjectStatus,
    ProjectType,
)
from taizhang.campaigns.selectors import LedgerFilters
from taizhang.checkins.models import (
    BenefitSource,
    ClaimStatus,
    InspectionMethod,
    InspectionRating,
    LightChoices,
    ReportStatus,
)
from taizhang.orgs.models import Person
from taizhang.orgs.permissions import roles_in, root_orgs_for

from . import ledger_rows

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TITLE_ROW, INFO_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = HEADER_ROW + 1

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Column:
    label: Promise | str
    width: float
    kind: str = "text"  # text, wrap, date, datetime, number, money, percent, int


def _cols(*items: tuple) -> list[Column]:
    return [Column(*item) for item in items]


SEQ = Column(gettext_lazy("序号"), 6, "int")
PROJECT_COLUMNS = _cols(
    (gettext_lazy("项目编号"), 14),
    (gettext_lazy("项目名称"), 32, "wrap"),
    (gettext_lazy("项目类型"), 18),
    (gettext_lazy("中心工作"), 12),
    (gettext_lazy("责任组织"), 20, "wrap"),
    (gettext_lazy("牵头人"), 10),
    (gettext_lazy("参与人员"), 30, "wrap"),
    (gettext_lazy("选题依据"), 40, "wrap"),
    (gettext_lazy("开始日期"), 12, "date"),
    (gettext_lazy("完成时限"), 12, "date"),
    (gettext_lazy("状态"), 10),
)
PROJECT_REF = _cols((gettext_lazy("项目编号"), 14), (gettext_lazy("项目名称"), 28, "wrap"))
GOAL_COLUMNS = PROJECT_REF + _cols(
    (gettext_lazy("指标名称"), 24, "wrap"),
    (gettext_lazy("单位"), 8),
    (gettext_lazy("基准值"), 12, "number"),
    (gettext_lazy("目标值"), 12, "number"),
    (gettext_lazy("方向"), 10),
    (gettext_lazy("权重"), 8, "number"),
)
MEASURE_COLUMNS = PROJECT_REF + _cols(
    (gettext_lazy("具体措施"), 40, "wrap"),
    (gettext_lazy("责任人"), 10),
    (gettext_lazy("开始日期"), 12, "date"),
    (gettext_lazy("完成时限"), 12, "date"),
    (gettext_lazy("状态"), 10),
    (gettext_lazy("完成百分比"), 10, "int"),
)
REPORT_COLUMNS = PROJECT_REF + _cols(
    (gettext_lazy("检查周期"), 16),
    (gettext_lazy("报告状态"), 10),
    (gettext_lazy("进展情况"), 40, "wrap"),
    (gettext_lazy("存在问题"), 30, "wrap"),
    (gettext_lazy("下步计划"), 30, "wrap"),
    (gettext_lazy("提交时间"), 17, "datetime"),
    (gettext_lazy("逾期提交"), 9),
    (gettext_lazy("目标达成度"), 11, "percent"),
    (gettext_lazy("时间进度"), 10, "percent"),
    (gettext_lazy("灯号"), 8),
)
CLAIM_COLUMNS = PROJECT_REF + _cols(
    (gettext_lazy("检查周期"), 16),
    (gettext_lazy("来源"), 10),
    (gettext_lazy("申报金额（万元）"), 14, "money"),
    (gettext_lazy("状态"), 9),
    (gettext_lazy("核定金额（万元）"), 14, "money"),
    (gettext_lazy("核定时间"), 17, "datetime"),
    (gettext_lazy("说明"), 30, "wrap"),
    (gettext_lazy("核定意见"), 24, "wrap"),
)
INSPECTION_COLUMNS = PROJECT_REF + _cols(
    (gettext_lazy("检查日期"), 12, "date"),
    (gettext_lazy("检查组织"), 18, "wrap"),
    (gettext_lazy("检查人员"), 18, "wrap"),
    (gettext_lazy("检查方式"), 18, "wrap"),
    (gettext_lazy("评价"), 8),
    (gettext_lazy("检查发现"), 40, "wrap"),
    (gettext_lazy("整改事项"), 9, "int"),
    (gettext_lazy("未销号"), 8, "int"),
)
SCORE_COLUMNS = PROJECT_REF + _cols(
    (gettext_lazy("责任组织"), 20, "wrap"),
    (gettext_lazy("得分"), 10, "money"),
    (gettext_lazy("加分"), 8, "money"),
    (gettext_lazy("等次"), 10),
)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: the wall-clock time in the office's zone."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def ledger_filename(campaign: Campaign, org_label: str) -> str:
    name = _("%(campaign)s-项目台账-%(org)s-%(date)s") % {
        "campaign": campaign.name,
        "org": org_label,
        "date": timezone.localdate().strftime("%Y%m%d"),
    }
    return re.sub(r'[\\/:*?"<>|\r\n\t]+', "_", name) + ".xlsx"


class LedgerWorkbook:
    """One XlsxWriter workbook with the ledger's formats and a sheet writer."""

    def __init__(self, target: str | IO[bytes]) -> None:
        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "border": 1}
        add = self.book.add_format
        self.formats = {
            "title": add({"font_name": "宋体", "bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}),
            "info": add({"font_name": "宋体", "font_size": 9, "font_color": "#555555", "align": "left", "valign": "vcenter", "text_wrap": True}),
            "header": add({**base, "bold": True, "align": "center", "valign": "vcenter", "text_wrap": True, "bg_color": "#DDEBF7"}),
            "text": add(base),
            "wrap": add({**base, "text_wrap": True}),
            "date": add({**base, "num_format": "yyyy-mm-dd", "align": "center"}),
            "datetime": add({**base, "num_format": "yyyy-mm-dd hh:mm", "align": "center"}),
            "number": add({**base, "num_format": "General"}),
            "money": add({**base, "num_format": "#,##0.00"}),
            "percent": add({**base, "num_format": "0.0%"}),
            "int": add({**base, "num_format": "0", "align": "center"}),
        }  # fmt: skip

    def close(self) -> None:
        self.book.close()

    def sheet(
        self,
        name: str,
        title: str,
        info: str,
        columns: Sequence[Column],
        rows: Iterable[Sequence[Any]],
        *,
        on_row: Callable[[int], None] | None = None,
        empty_note: str = "",
    ) -> int:
        """Write one sheet: title, info line, header, then the rows with a 序号 first.
        Returns the number of rows written."""
        columns = [SEQ, *columns]
        ws = self.book.add_worksheet(name)
        last_col = len(columns) - 1
        for index, column in enumerate(columns):
            ws.set_column(index, index, column.width)
        ws.set_row(TITLE_ROW, 30)
        ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last_col, "", self.formats["title"])
        ws.write_string(TITLE_ROW, 0, title, self.formats["title"])
        ws.set_row(INFO_ROW, 30)
        ws.merge_range(INFO_ROW, 0, INFO_ROW, last_col, "", self.formats["info"])
        ws.write_string(INFO_ROW, 0, info, self.formats["info"])
        ws.set_row(HEADER_ROW, 24)
        for index, column in enumerate(columns):
            ws.write_string(HEADER_ROW, index, str(column.label), self.formats["header"])
        ws.freeze_panes(FIRST_DATA_ROW, 0)
        ws.repeat_rows(HEADER_ROW)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        count = 0
        for count, values in enumerate(rows, start=1):
            row = HEADER_ROW + count
            ws.write_number(row, 0, count, self.formats["int"])
            for index, (column, value) in enumerate(zip(columns[1:], values, strict=True), start=1):
                self._cell(ws, row, index, column.kind, value)
            if on_row is not None:
                on_row(count)
        if count:
            ws.autofilter(HEADER_ROW, 0, HEADER_ROW + count, last_col)
        elif empty_note:
            ws.merge_range(FIRST_DATA_ROW, 0, FIRST_DATA_ROW, last_col, "", self.formats["text"])
            ws.write_string(FIRST_DATA_ROW, 0, empty_note, self.formats["text"])
        return count

    def _cell(self, ws, row: int, col: int, kind: str, value: Any) -> None:
        if value is None or value == "":
            ws.write_blank(row, col, None, self.formats["wrap" if kind == "wrap" else "text"])
            return
        if kind in ("date", "datetime") and isinstance(value, dt.date):
            ws.write_datetime(row, col, value, self.formats[kind])
            return
        if kind in ("number", "money", "percent", "int") and isinstance(
            value, int | float | Decimal
        ):
            ws.write_number(row, col, float(value), self.formats[kind])
            return
        # Text, always as text: never a formula, a link or a number guessed from a string.
        # Line breaks as Excel keeps them (LF): a CR would be stored as the escape _x000D_.
        text = str(value).replace("\r\n", "\n").replace("\r", "\n")
        ws.write_string(row, col, text, self.formats["wrap" if kind == "wrap" else "text"])


# --------------------------------------------------------------------------- content


def _labels(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


def _participants_text(project: Project, roles: dict[str, str]) -> str:
    return "、".join(
        f"{p.person.name}（{roles.get(p.role, p.role)}）" for p in project.participants.all()
    )


def scope_label(user, campaign: Campaign, filters: LedgerFilters) -> str:
    """Whose ledger the file is: the filtered org, else the campaign's org when the user
    sees all of it, else the tops of the user's own subtrees inside the campaign (a branch
    exporting a sector-wide campaign gets its branch's name, not the sector's)."""
    if filters.org is not None:
        return str(filters.org)
    if roles_in(user, campaign.org):
        return str(campaign.org)
    roots = root_orgs_for(user).filter(path__startswith=campaign.org.path)
    return "、".join(str(org) for org in roots[:3]) or str(campaign.org)


def describe_filters(campaign: Campaign, filters: LedgerFilters) -> str:
    """The ledger view's filters in words, for the info line (a few constant queries)."""
    parts = []
    if filters.org is not None:
        parts.append(_("责任组织：%(v)s及下级") % {"v": filters.org})
    if filters.project_type:
        item = ProjectType.objects.filter(pk=filters.project_type).first()
        parts.append(_("类型：%(v)s") % {"v": item.name if item else filters.project_type})
    if filters.focus_area:
        area = FocusArea.objects.filter(pk=filters.focus_area).first()
        parts.append(_("中心工作：%(v)s") % {"v": area.name if area else filters.focus_area})
    if filters.status in ProjectStatus.values:
        parts.append(_("状态：%(v)s") % {"v": ProjectStatus(filters.status).label})
    if filters.lead:
        person = Person.objects.filter(pk=filters.lead).first()
        parts.append(_("牵头人：%(v)s") % {"v": person.name if person else filters.lead})
    if filters.q:
        parts.append(_("搜索：%(v)s") % {"v": filters.q})
    return "；".join(parts) if parts else _("无（全部可见项目）")


def write_ledger_xlsx(
    target: str | IO[bytes],
    *,
    user,
    campaign: Campaign,
    filters: LedgerFilters,
    progress: Progress | None = None,
) -> int:
    """Write the ledger view (as the user sees it, with these filters) to `target`;
    returns the number of projects."""
    report = progress or (lambda percent, message: None)
    projects = ledger_rows.export_projects(user, campaign, filters)
    total = projects.count()
    org_label = scope_label(user, campaign, filters)
    now = _local(timezone.now())
    assert now is not None
    info = _("导出时间：%(time)s　导出人：%(user)s　筛选条件：%(filters)s") % {
        "time": now.strftime("%Y-%m-%d %H:%M"),
        "user": user,
        "filters": describe_filters(campaign, filters),
    }

    def title(sheet: str) -> str:
        return _("%(campaign)s %(sheet)s（%(org)s）") % {
            "campaign": campaign.name,
            "sheet": sheet,
            "org": org_label,
        }

    statuses = _labels(ProjectStatus.choices)
    roles = _labels(ParticipantRole.choices)
    book = LedgerWorkbook(target)
    try:
        report(1, _("正在写入项目……"))

        def project_values():
            for project in projects.iterator(chunk_size=ledger_rows.CHUNK):
                yield (
                    project.code,
                    project.title,
                    project.project_type.name,
                    project.focus_area.name,
                    str(project.org),
                    project.lead.name,
                    _participants_text(project, roles),
                    project.rationale,
                    project.start_date,
                    project.end_date,
                    statuses.get(project.status, project.status),
                )

        def on_project(n: int) -> None:
            if n % 500 == 0:
                report(
                    40 * n / max(total, 1),
                    _("正在写入项目（%(n)s / %(total)s）……") % {"n": n, "total": total},
                )

        book.sheet(
            _("项目"),
            _("%(campaign)s 项目台账（%(org)s）") % {"campaign": campaign.name, "org": org_label},
            _("%(info)s　共 %(n)s 个项目") % {"info": info, "n": total},
            PROJECT_COLUMNS,
            project_values(),
            on_row=on_project,
        )
        _detail_sheets(book, projects, filters, title, info, report, campaign)
    finally:
        book.close()
    return total


def _detail_sheets(
    book: LedgerWorkbook, projects: QuerySet[Project], filters, title, info, report, campaign
) -> None:
    directions = _labels(Direction.choices)
    measure_statuses = _labels(MeasureStatus.choices)
    report_statuses = _labels(ReportStatus.choices)
    lights = _labels(LightChoices.choices)
    sources = _labels(BenefitSource.choices)
    claim_statuses = _labels(ClaimStatus.choices)
    methods = _labels(InspectionMethod.choices)
    ratings = _labels(InspectionRating.choices)
    yes, no = _("是"), _("否")
    none_note = _("（无）")

    report(42, _("正在写入目标指标……"))
    book.sheet(
        _("目标指标"), title(_("目标指标")), info, GOAL_COLUMNS,
        ((code, t, name, unit, base, target, directions.get(d, d), weight)
         for code, t, name, unit, base, target, d, weight in ledger_rows.goal_rows(projects, filters)),
        empty_note=none_note,
    )  # fmt: skip
    report(52, _("正在写入具体措施……"))
    book.sheet(
        _("具体措施"), title(_("具体措施")), info, MEASURE_COLUMNS,
        ((code, t, text, owner, start, due, measure_statuses.get(s, s), pct)
         for code, t, text, owner, start, due, s, pct in ledger_rows.measure_rows(projects, filters)),
        empty_note=none_note,
    )  # fmt: skip
    report(62, _("正在写入进展报告……"))
    book.sheet(
        _("进展报告"), title(_("进展报告")), info, REPORT_COLUMNS,
        ((code, t, period, report_statuses.get(s, s), progress_text, problems, steps, _local(at),
          (yes if late else no) if at else "", att, elapsed, lights.get(override or computed, ""))
         for code, t, period, s, progress_text, problems, steps, at, late, att, elapsed, computed, override
         in ledger_rows.report_rows(projects, filters)),
        empty_note=none_note,
    )  # fmt: skip
    report(74, _("正在写入创效成果……"))
    book.sheet(
        _("创效成果"), title(_("创效成果")), info, CLAIM_COLUMNS,
        ((code, t, period, sources.get(src, src), amount, claim_statuses.get(s, s), verified, _local(at), text, note)
         for code, t, period, src, amount, s, verified, at, text, note in ledger_rows.claim_rows(projects, filters)),
        empty_note=none_note,
    )  # fmt: skip
    report(84, _("正在写入检查……"))
    book.sheet(
        _("检查"), title(_("检查")), info, INSPECTION_COLUMNS,
        ((code, t, day, org, who, "、".join(methods.get(m, m) for m in (ways or [])), ratings.get(r, r), findings, items, open_items)
         for code, t, day, org, who, ways, r, findings, items, open_items in ledger_rows.inspection_rows(projects, filters)),
        empty_note=none_note,
    )  # fmt: skip
    report(92, _("正在写入考核得分……"))
    run = ledger_rows.latest_published_run(campaign)
    if run is None:
        book.sheet(
            _("考核得分"),
            title(_("考核得分")),
            _("尚无已发布的考核结果。"),
            SCORE_COLUMNS,
            [],
            empty_note=_("尚无已发布的考核结果。"),
        )
        return
    run_info = _(
        "%(scheme)s · %(period)s · 第 %(version)s 版，发布于 %(when)s。得分为发布时的结果。"
    ) % {
        "scheme": run.scheme,
        "period": run.period.name if run.period_id else _("全年"),
        "version": run.version,
        "when": _local(run.published_at).strftime("%Y-%m-%d %H:%M") if run.published_at else "",
    }
    book.sheet(
        _("考核得分"), title(_("考核得分")), f"{info}　{run_info}", SCORE_COLUMNS,
        ((code, t, short or org, to_points(total), to_points(bonus), grade)
         for code, t, org, short, total, bonus, grade in ledger_rows.score_rows(run, projects, filters)),
        empty_note=none_note,
    )  # fmt: skip
