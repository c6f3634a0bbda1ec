"""The assessment sheet (考核表, .xlsx): a period's (or the year's) results for an org subtree,
in the layout that feeds the Party-building assessment (纳入党建工作考核).

Sheet 1 ranks the orgs, sheet 2 lists the projects with their dimension scores, sheet 3 says
what the sheet is (campaign, period, version, who published, the rounding rule).

Written with XlsxWriter in constant_memory mode (rows are flushed as they are written, so a
group-wide sheet does not sit in memory) and read through the same visibility filters as the
scores page. Every text cell goes through write_string: a project called "=HYPERLINK(…)" or
"+1" stays text and is never turned into a formula (CSV/formula injection).
"""

import datetime as dt
import re
from decimal import Decimal
from fractions import Fraction
from typing import IO, Any

import xlsxwriter
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.assessment import selectors
from taizhang.assessment.fixedpoint import to_points
from taizhang.assessment.models import RollupRule, RunKind, ScoreRun
from taizhang.campaigns.models import Campaign
from taizhang.orgs.models import Org

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_ROW = 2  # row 0: title, row 1: what the figures are, row 2: the column names
FIRST_DATA_ROW = HEADER_ROW + 1


def _period_label(run: ScoreRun) -> str:
    return run.period.name if run.period_id else _("全年")


def sheet_title(run: ScoreRun, org: Org) -> str:
    """e.g. 2020年“两带两创”活动 2020年第3季度 考核结果（中国稀有稀土）; a draft says so."""
    title = _("%(campaign)s %(period)s 考核结果（%(org)s）") % {
        "campaign": run.scheme.campaign.name,
        "period": _period_label(run),
        "org": org.name,
    }
    if run.kind == RunKind.DRAFT:
        title = _("%(title)s【草稿】") % {"title": title}
    return title


def sheet_filename(run: ScoreRun, org: Org) -> str:
    name = _("%(campaign)s-%(period)s-%(org)s-考核表") % {
        "campaign": run.scheme.campaign.name,
        "period": _period_label(run),
        "org": org.name,
    }
    if run.kind == RunKind.DRAFT:
        name = _("%(name)s-草稿") % {"name": name}
    # Nothing a file system or a Content-Disposition header would trip over.
    return re.sub(r'[\\/:*?"<>|\r\n]+', "_", name) + ".xlsx"


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Excel has no time zones: the time as an office in Asia/Shanghai reads it."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None)


def _subtitle(run: ScoreRun) -> str:
    if run.kind == RunKind.PUBLISHED:
        status = _("第 %(version)s 版，%(who)s 于 %(when)s 发布；发布的结果不再改变。") % {
            "version": run.version,
            "who": run.published_by,
            "when": _local(run.published_at).strftime("%Y-%m-%d %H:%M"),
        }
    else:
        status = _("草稿，计算于 %(when)s，仅供核对，不是正式结果。") % {
            "when": _local(run.created_at).strftime("%Y-%m-%d %H:%M")
        }
    return status + _("得分按百万分之一分精确累计，最后一次四舍五入保留两位小数。")


class _Sheet:
    """One worksheet: the title rows, the frozen header, then rows in order (constant
    memory mode writes row by row and cannot go back)."""

    def __init__(self, book: "_Book", name: str, columns: list[tuple[str, int]]) -> None:
        self.book = book
        self.ws = book.workbook.add_worksheet(name)
        self.columns = columns
        self.row = FIRST_DATA_ROW
        for col, (_label, width) in enumerate(columns):
            self.ws.set_column(col, col, width)

    def head(self, title: str, subtitle: str) -> None:
        last = len(self.columns) - 1
        fmt = self.book.fmt
        self.ws.set_row(0, 30)
        self.ws.merge_range(0, 0, 0, last, "", fmt["title"])
        self.ws.write_string(0, 0, title, fmt["title"])
        self.ws.set_row(1, 30)
        self.ws.merge_range(1, 0, 1, last, "", fmt["note"])
        self.ws.write_string(1, 0, subtitle, fmt["note"])
        for col, (label, _width) in enumerate(self.columns):
            self.ws.write_string(HEADER_ROW, col, label, fmt["header"])
        self.ws.freeze_panes(FIRST_DATA_ROW, 0)

    def add(self, values: list[tuple[str, Any]]) -> None:
        """values: (kind, value) with kind "text", "int", "points" or "date"."""
        fmt = self.book.fmt
        for col, (kind, value) in enumerate(values):
            if value is None or value == "":
                self.ws.write_blank(self.row, col, None, fmt["text"])
            elif kind == "points":
                self.ws.write_number(self.row, col, float(value), fmt["points"])
            elif kind == "int":
                self.ws.write_number(self.row, col, int(value), fmt["int"])
            else:
                self.ws.write_string(self.row, col, str(value), fmt["text"])
        self.row += 1

    def finish(self) -> None:
        if self.row > FIRST_DATA_ROW:
            self.ws.autofilter(HEADER_ROW, 0, self.row - 1, len(self.columns) - 1)


class _Book:
    def __init__(self, out: IO[bytes]) -> None:
        self.workbook = xlsxwriter.Workbook(
            out,
            {
                "constant_memory": True,
                # Belt and braces: text is written with write_string anyway.
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
            },
        )
        add = self.workbook.add_format
        border = {"border": 1, "valign": "vcenter"}
        self.fmt = {
            "title": add({"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"}),
            "note": add({"font_color": "#5f6b7a", "text_wrap": True, "valign": "vcenter"}),
            "header": add(
                {
                    **border,
                    "bold": True,
                    "align": "center",
                    "bg_color": "#eef1f5",
                    "text_wrap": True,
                }
            ),
            "text": add({**border, "text_wrap": True}),
            "points": add({**border, "num_format": "0.00"}),
            "int": add({**border, "num_format": "0"}),
            "key": add({"bold": True, "valign": "top"}),
            "value": add({"text_wrap": True, "valign": "top"}),
            "date": add({"num_format": "yyyy-mm-dd", "align": "left", "valign": "top"}),
            "datetime": add({"num_format": "yyyy-mm-dd hh:mm", "align": "left", "valign": "top"}),
        }

    def close(self) -> None:
        self.workbook.close()


def _org_sheet(book: _Book, *, user, run: ScoreRun, org: Org, title: str, subtitle: str) -> None:
    sheet = _Sheet(
        book,
        _("组织排名"),
        [
            (_("序号"), 6),
            (_("组织"), 28),
            (_("上级组织"), 28),
            (_("得分"), 10),
            (_("等次"), 10),
            (_("排名"), 8),
            (_("项目数"), 8),
        ],
    )
    sheet.head(title, subtitle)
    rows = list(selectors.subtree_org_scores(user, run, org))
    step = Org.steplen
    names = {row.org_path: row.org.name for row in rows}
    missing = {row.org_path[:-step] for row in rows if row.depth > 1} - set(names)
    names.update(dict(Org.objects.filter(path__in=missing).values_list("path", "name")))
    # Each level below the chosen org, siblings together, in rank order.
    rows.sort(key=lambda r: (r.depth, r.org_path[:-step], r.rank or 0, r.org_path))
    for number, row in enumerate(rows, start=1):
        sheet.add(
            [
                ("int", number),
                ("text", row.org.name),
                ("text", names.get(row.org_path[:-step], "")),
                ("points", Decimal(row.breakdown.get("score") or to_points(row.score_micro))),
                ("text", row.grade),
                ("int", row.rank),
                ("int", row.project_count),
            ]
        )
    sheet.finish()


def _project_columns(run: ScoreRun) -> list[str]:
    if run.period_id is None:
        return [_("平时成绩（各期平均）"), _("年终成绩")]
    return [dimension.name for dimension in run.scheme.dimensions.all()]


def _project_parts(run: ScoreRun, breakdown: dict, columns: list[str]) -> list[Decimal | None]:
    """The per-dimension figures of one project (or the year's two parts)."""
    if run.period_id is None:
        regular = breakdown.get("regular") or []
        mean = (
            to_points(Fraction(sum(r["micro"] for r in regular), len(regular))) if regular else None
        )
        final = breakdown.get("final") or {}
        return [mean, to_points(final.get("micro", 0))]
    by_name = {d["name"]: d for d in breakdown.get("dimensions", [])}
    return [to_points(by_name[name]["micro"]) if name in by_name else None for name in columns]


def _project_sheet(
    book: _Book, *, user, run: ScoreRun, org: Org, title: str, subtitle: str
) -> None:
    parts = _project_columns(run)
    bonus_label = _("加分（计入总分）") if run.scheme.bonus_in_total else _("加分（不计入总分）")
    sheet = _Sheet(
        book,
        _("项目得分"),
        [
            (_("序号"), 6),
            (_("项目编号"), 12),
            (_("项目名称"), 36),
            (_("责任组织"), 22),
            (_("牵头人"), 10),
            *[(name, 10) for name in parts],
            (_("扣分"), 8),
            (bonus_label, 10),
            (_("总分"), 10),
            (_("等次"), 10),
        ],
    )
    sheet.head(title, subtitle)
    rows = selectors.subtree_project_scores(user, run, org).iterator(chunk_size=2000)
    for number, row in enumerate(rows, start=1):
        breakdown = row.breakdown or {}
        deducted = breakdown.get("deducted_micro")
        sheet.add(
            [
                ("int", number),
                ("text", row.project.code),
                ("text", row.project.title),
                ("text", row.org.name),
                ("text", row.project.lead.name),
                *[("points", value) for value in _project_parts(run, breakdown, parts)],
                ("points", to_points(deducted) if deducted is not None else None),
                ("points", to_points(row.bonus_micro)),
                ("points", to_points(row.total_micro)),
                ("text", row.grade),
            ]
        )
    sheet.finish()


def _about_sheet(book: _Book, *, run: ScoreRun, org: Org, title: str) -> None:
    ws = book.workbook.add_worksheet(_("说明"))
    fmt = book.fmt
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 60)
    campaign = run.scheme.campaign
    rows: list[tuple[str, str, Any]] = [
        (_("标题"), "text", title),
        (_("活动"), "text", campaign.name),
        (_("考核周期"), "text", _period_label(run)),
    ]
    if run.period_id:
        rows += [
            (_("周期开始"), "date", run.period.start_date),
            (_("周期结束"), "date", run.period.end_date),
        ]
    rows += [
        (_("组织范围"), "text", _("%(org)s及下级") % {"org": org.name}),
        (_("考核方案"), "text", str(run.scheme)),
        (_("汇总规则"), "text", str(dict(RollupRule.choices).get(run.scheme.rollup_rule, ""))),
        (
            _("状态"),
            "text",
            _("已发布 第 %(version)s 版") % {"version": run.version}
            if run.kind == RunKind.PUBLISHED
            else _("草稿"),
        ),
    ]
    if run.kind == RunKind.PUBLISHED:
        rows += [
            (_("发布人"), "text", str(run.published_by)),
            (_("发布时间"), "datetime", _local(run.published_at)),
        ]
    else:
        rows.append((_("计算时间"), "datetime", _local(run.created_at)))
    rows += [
        (_("导出时间"), "datetime", _local(timezone.now())),
        (
            _("舍入规则"),
            "text",
            _("得分按百万分之一分精确累计，最后一次四舍五入（半数进位）保留两位小数。"),
        ),
    ]
    for number, (label, kind, value) in enumerate(rows):
        ws.write_string(number, 0, label, fmt["key"])
        if kind in ("date", "datetime") and value is not None:
            if kind == "date":
                ws.write_datetime(number, 1, dt.datetime.combine(value, dt.time()), fmt["date"])
            else:
                ws.write_datetime(number, 1, value, fmt["datetime"])
        else:
            ws.write_string(number, 1, str(value or ""), fmt["value"])


def write_assessment_sheet(out: IO[bytes], *, user, run: ScoreRun, org: Org) -> None:
    """Write the sheet of `run` for `org`'s subtree to `out`, only with rows `user` may see."""
    title = sheet_title(run, org)
    subtitle = _subtitle(run)
    book = _Book(out)
    try:
        _org_sheet(book, user=user, run=run, org=org, title=title, subtitle=subtitle)
        _project_sheet(book, user=user, run=run, org=org, title=title, subtitle=subtitle)
        _about_sheet(book, run=run, org=org, title=title)
    finally:
        book.close()


def sheet_scope(
    user, campaign: Campaign, *, period: str, org: str, run: str
) -> tuple[ScoreRun, Org]:
    """The run and org subtree a sheet covers, from the scores page's parameters
    (`period`: an id or "year", `org`: an id, `run`: an id or "draft"; empty for the
    defaults). The web download and the API both read them here, so they print the same
    sheet. An org, period or run out of the user's scope (or absent) raises Http404."""
    periods = list(campaign.periods.order_by("start_date"))
    picked_period, _key = selectors.pick_period(campaign, periods, period)
    picked_org = selectors.pick_org(user, campaign, org)
    scheme = selectors.active_scheme(campaign)
    published = list(selectors.published_runs(campaign, picked_period))
    picked_run = selectors.pick_run(run, published, selectors.draft_run(scheme, picked_period))
    if picked_org is None or picked_run is None:
        raise Http404
    return picked_run, picked_org
