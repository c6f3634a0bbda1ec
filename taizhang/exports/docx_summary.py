"""分析总结 (.docx): the analysis & summary of an org subtree, a campaign and a period.

Every number comes from analysis.selectors, the same functions the dashboard draws, so the
document and the page agree. The texts quoted under 存在问题 and 下步工作 are what the
projects' reports for the period say.
"""

import datetime as dt
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from taizhang.analysis import selectors
from taizhang.analysis.selectors import Figure, ProjectLine
from taizhang.campaigns.models import Campaign
from taizhang.checkins.models import Period
from taizhang.checkins.rules import Light
from taizhang.checkins.selectors import BoardState
from taizhang.checkins.services import local_today
from taizhang.core.exceptions import DomainError
from taizhang.orgs.models import Org

from .docx_common import (
    add_body,
    add_heading,
    add_picture,
    add_signature,
    add_table,
    add_title,
    format_decimal,
    long_date,
    new_document,
    to_bytes,
)

NUMERALS = "一二三四五六七八九十"


def _numeral(n: int) -> str:
    """Section numbers: 一、二、… in Chinese, 1, 2, … in other languages."""
    return NUMERALS[n - 1] if get_language().startswith("zh") and n <= len(NUMERALS) else str(n)


def _name(line: ProjectLine) -> str:
    return f"{line.code} {line.title}"


def _percent(share: Decimal | None) -> str:
    return f"{share * 100:.1f}%" if share is not None else "—"


def _score(score: Decimal | None) -> str:
    return format_decimal(score, 2) if score is not None else "—"


def summary_filename(campaign: Campaign, org: Org, period: Period) -> str:
    return f"{campaign.name}-{org}-{period.name}-{_('分析总结')}.docx"


def _figure_table(document, figure: Figure) -> None:
    headers = [figure.category_label, *(series.name for series in figure.series)]
    align = ["left", *("right" for _series in figure.series)]
    rows = [[row.category, *(cell.value for cell in row.cells)] for row in figure.rows]
    add_table(document, headers, rows, align=align)


def _chart(document, figure: Figure) -> bool:
    # Imported here: matplotlib costs a noticeable start-up (and a font scan on its first
    # run) that only the summary needs, not every process that loads the URLs.
    from . import docx_charts

    png = docx_charts.chart_png(figure)
    if png is None:
        return False
    add_picture(document, png)
    return True


class _Sections:
    """Numbers the headings: 一、二、… and （一）（二）… below each."""

    def __init__(self, document) -> None:
        self.document = document
        self.top = 0
        self.sub = 0

    def heading(self, text: str) -> None:
        self.top += 1
        self.sub = 0
        number = _numeral(self.top)
        add_heading(
            self.document, _("%(number)s、%(title)s") % {"number": number, "title": text}, 1
        )

    def subheading(self, text: str) -> None:
        self.sub += 1
        number = _numeral(self.sub)
        add_heading(
            self.document, _("（%(number)s）%(title)s") % {"number": number, "title": text}, 2
        )


def build_summary(
    user, *, campaign: Campaign, org: Org, period: Period, today: dt.date | None = None
) -> bytes:
    """The 分析总结 as .docx bytes. A period without any submitted report in the user's
    view of `org` has nothing to summarise: DomainError, not an empty document."""
    if not selectors.has_reports(user, campaign, org, period):
        raise DomainError(
            _("“%(period)s”在%(org)s及下级还没有已提交的进展报告，无法生成分析总结。")
            % {"period": period.name, "org": org},
            "empty_period",
        )
    today = today or local_today()
    title = _("%(campaign)s分析总结") % {"campaign": campaign.name}
    document = new_document(title=title, subject=f"{org} · {period.name}")
    add_title(document, title, _("（%(org)s · %(period)s）") % {"org": org, "period": period.name})
    sections = _Sections(document)
    charts_drawn = True

    # 一、总体情况
    overview = selectors.overview(user, campaign, org, period)
    timeliness = selectors.timeliness_by_period(user, campaign, org, period, today=today)
    # The last column of the timeliness figure is the period itself (as the board counts it).
    missing = {series.key: series.points[-1].value for series in timeliness.series}
    sections.heading(_("总体情况"))
    add_body(
        document,
        _(
            "截至%(period)s，%(org)s及下级共有项目%(projects)s个，其中已立项%(committed)s个、"
            "已结项%(completed)s个。本周期共收到进展报告%(reports)s份（其中逾期报送%(late)s份），"
            "逾期未报%(missing)s份；亮绿灯%(green)s个、黄灯%(amber)s个、红灯%(red)s个。"
            "累计申报创效成果%(declared)s万元，已核定%(verified)s万元。"
        )
        % {
            "period": period.name,
            "org": org,
            "projects": overview.projects,
            "committed": overview.committed,
            "completed": overview.completed,
            "missing": missing[BoardState.MISSING],
            "reports": overview.reports,
            "late": overview.reports_late,
            "green": overview.green,
            "amber": overview.amber,
            "red": overview.red,
            "declared": format_decimal(overview.declared, 2),
            "verified": format_decimal(overview.verified, 2),
        },
    )

    # 二、项目推进情况
    sections.heading(_("项目推进情况"))
    by_type = selectors.projects_by_type(user, campaign, org)
    by_area = selectors.projects_by_area(user, campaign, org)
    by_status = selectors.projects_by_status(user, campaign, org)
    lights = selectors.lights_by_period(user, campaign, org, period)
    attainment = selectors.attainment_distribution(user, campaign, org, period)
    benefit = selectors.benefit_by_branch(user, campaign, org, period)
    for figure, draw in (
        (by_type, True),
        (by_area, True),
        (by_status, False),
        (lights, True),
        (attainment, True),
        (timeliness, True),
        (benefit, True),
    ):
        sections.subheading(figure.title)
        if figure.note:
            add_body(document, figure.note)
        if figure.is_empty:
            add_body(document, _("暂无数据。"))
            continue
        if draw:
            charts_drawn = _chart(document, figure) and charts_drawn
        _figure_table(document, figure)

    # 三、工作亮点
    sections.heading(_("工作亮点"))
    best = selectors.top_projects(user, campaign, org, period)
    if best:
        add_body(
            document,
            _("本周期目标达成度居前的%(n)s个项目如下。") % {"n": len(best)},
        )
        add_table(
            document,
            [
                _("序号"),
                _("项目"),
                _("责任组织"),
                _("目标达成度"),
                _("核定效益（万元）"),
                _("考核得分"),
            ],
            [
                [
                    index,
                    f"{line.code} {line.title}",
                    line.org,
                    _percent(line.attainment),
                    format_decimal(line.verified, 2),
                    _score(line.score),
                ]
                for index, line in enumerate(best, start=1)
            ],
            widths_cm=[1.2, 5.6, 2.6, 2.0, 2.4, 1.8],
            align=["center", "left", "left", "right", "right", "right"],
        )
        for line in best:
            if line.progress:
                add_body(
                    document,
                    _("%(project)s：%(text)s") % {"project": _name(line), "text": line.progress},
                )
    else:
        add_body(document, _("本周期的报告尚未填报目标实际值。"))

    # 四、存在问题
    sections.heading(_("存在问题"))
    problems, problem_count = selectors.problem_projects(user, campaign, org, period)
    if problems:
        add_body(
            document,
            _("本周期亮红灯%(red)s个、黄灯%(amber)s个，各项目报告的问题如下：")
            % {"red": overview.red, "amber": overview.amber},
        )
        for line in problems:
            add_body(document, _problem_text(line))
        _more(document, len(problems), problem_count)
    else:
        add_body(document, _("本周期没有亮红灯或黄灯的项目。"))

    # 五、整改落实情况
    sections.heading(_("整改落实情况"))
    rectification = selectors.rectification_summary(user, campaign, org, period, today=today)
    if rectification.items:
        add_body(
            document,
            _(
                "截至%(period)s共开展检查%(inspections)s次，提出整改事项%(items)s项，"
                "已销号%(closed)s项（%(share)s），整改中%(open)s项，其中逾期%(overdue)s项。"
            )
            % {
                "period": period.name,
                "inspections": rectification.inspections,
                "items": rectification.items,
                "closed": rectification.closed,
                "share": rectification.closed_share,
                "open": rectification.open,
                "overdue": rectification.overdue,
            },
        )
        if rectification.open_items:
            add_table(
                document,
                [_("序号"), _("整改事项"), _("检查对象"), _("责任人"), _("整改时限"), _("逾期")],
                [
                    [
                        index,
                        item.description,
                        item.subject,
                        item.owner,
                        item.due_date,
                        _("是") if item.overdue else _("否"),
                    ]
                    for index, item in enumerate(rectification.open_items, start=1)
                ],
                widths_cm=[1.2, 5.4, 3.8, 1.8, 2.2, 1.2],
                align=["center", "left", "left", "left", "center", "center"],
            )
            _more(document, len(rectification.open_items), rectification.open)
    elif rectification.inspections:
        add_body(document, _("检查未提出整改事项。"))
    else:
        add_body(document, _("本周期尚未开展检查。"))

    # 六、三级联动情况
    sections.heading(_("三级联动情况"))
    participation = selectors.participation(user, campaign, org)
    add_body(document, participation.note)
    _figure_table(document, participation)

    # 七、考核得分与排名
    sections.heading(_("考核得分与排名"))
    scores = selectors.branch_scores(user, campaign, org, period)
    add_body(document, scores.note)
    if not scores.is_empty:
        charts_drawn = _chart(document, scores) and charts_drawn
        _figure_table(document, scores)

    # 八、下步工作
    sections.heading(_("下步工作"))
    steps, step_count = selectors.next_steps(user, campaign, org, period)
    if steps:
        for line in steps:
            add_body(
                document,
                _("%(project)s（%(org)s）：%(text)s")
                % {"project": _name(line), "org": line.org, "text": line.next_steps},
            )
        _more(document, len(steps), step_count)
    else:
        add_body(document, _("本周期的报告未填写下步计划。"))

    if not charts_drawn:
        add_body(document, _("（服务器未安装中文字体，部分图表从略。）"))
    add_signature(document, [str(org), long_date(today)])
    return to_bytes(document)


def _problem_text(line: ProjectLine) -> str:
    label = _("红灯") if line.light == Light.RED else _("黄灯")
    problems = line.problems or _("报告未填写存在问题。")
    return _("【%(light)s】%(project)s（%(org)s，牵头人%(lead)s）：%(problems)s") % {
        "light": label,
        "project": _name(line),
        "org": line.org,
        "lead": line.lead,
        "problems": problems,
    }


def _more(document, shown: int, total: int) -> None:
    if total > shown:
        add_body(
            document,
            _("（仅列出前%(shown)s项，共%(total)s项。）") % {"shown": shown, "total": total},
        )
