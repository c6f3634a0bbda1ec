"""The import template: an empty ledger with the recognised headers, one example row (its
序号 says 示例, so an import skips it) and a sheet of instructions."""

import datetime as dt
from typing import IO

import xlsxwriter
from django.utils.translation import gettext as _

from taizhang.campaigns.models import Campaign, ParticipantRole, ProjectStatus

TEMPLATE_FIELDS = (
    "seq", "code", "title", "project_type", "focus_area", "org", "lead", "participants",
    "goals", "measures", "rationale", "start_date", "end_date", "status",
)  # fmt: skip
REQUIRED = {"title", "project_type", "focus_area", "org", "lead", "end_date"}
WIDTHS = {"title": 28, "participants": 24, "goals": 34, "measures": 34, "rationale": 30, "org": 20}
VALIDATION_ROWS = 2000


def template_filename(campaign: Campaign) -> str:
    return _("%(campaign)s-台账导入模板") % {"campaign": campaign.name} + ".xlsx"


def write_template(target: str | IO[bytes], *, campaign: Campaign) -> None:
    from .headers import PROJECT_FIELDS

    labels = {spec.key: str(spec.label) for spec in PROJECT_FIELDS}
    book = xlsxwriter.Workbook(
        target,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    title = book.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    info = book.add_format(
        {"font_size": 9, "font_color": "#555555", "text_wrap": True, "valign": "vcenter"}
    )
    header = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#DDEBF7",
        }
    )
    required = book.add_format(
        {
            "bold": True,
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
            "bg_color": "#DDEBF7",
            "font_color": "#C00000",
        }
    )
    example = book.add_format(
        {"border": 1, "text_wrap": True, "valign": "top", "font_color": "#7F7F7F", "italic": True}
    )
    example_date = book.add_format({"border": 1, "valign": "top", "font_color": "#7F7F7F", "italic": True, "num_format": "yyyy-mm-dd"})  # fmt: skip

    ws = book.add_worksheet(_("项目台账"))
    last = len(TEMPLATE_FIELDS) - 1
    ws.set_row(0, 30)
    ws.merge_range(0, 0, 0, last, "", title)
    ws.write_string(
        0, 0, _("%(campaign)s 项目台账（导入模板）") % {"campaign": campaign.name}, title
    )
    ws.set_row(1, 42)
    ws.merge_range(1, 0, 1, last, "", info)
    ws.write_string(
        1,
        0,
        _(
            "红色列为必填。序号写“示例”的行不会导入，可以删除。项目编号留空时自动编号；"
            "已有项目按项目编号更新。人员写姓名，重名时写“姓名(工号)”。其余说明见“填写说明”。"
        ),
        info,
    )
    for col, key in enumerate(TEMPLATE_FIELDS):
        ws.set_column(col, col, WIDTHS.get(key, 12))
        ws.write_string(2, col, labels[key], required if key in REQUIRED else header)
    ws.freeze_panes(3, 0)

    types = list(campaign.project_types.values_list("name", flat=True))
    areas = list(campaign.focus_areas.values_list("name", flat=True))
    member = str(ParticipantRole.CORE.label)
    # Example data, like the demo's, stays Chinese whatever the interface language; "示例"
    # in 序号 is what the import skips.
    values = {
        "seq": "示例",
        "code": "",
        "title": "稀土贸易创效（示例）",
        "project_type": types[0] if types else "",
        "focus_area": areas[0] if areas else "",
        "org": str(campaign.org),
        "lead": "张明",
        "participants": f"李华（{member}）、王强、赵丽",
        "goals": "1. 全年实现贸易利润500万元\n2. 经营亏损由120万元降至0万元",
        "measures": "1. 拓展独居石采购渠道\n2. 与板块内单位开展加工贸易",
        "rationale": "落实公司年度经营目标",
        "start_date": dt.date(campaign.year, 3, 1),
        "end_date": f"{campaign.year}年12月",
        "status": str(ProjectStatus.DRAFT.label),
    }
    ws.set_row(3, 48)
    for col, key in enumerate(TEMPLATE_FIELDS):
        value = values[key]
        if isinstance(value, dt.date):
            ws.write_datetime(3, col, value, example_date)
        else:
            ws.write_string(3, col, value, example)
    choices = {
        "project_type": types,
        "focus_area": areas,
        "status": [str(label) for _v, label in ProjectStatus.choices],
    }
    for key, options in choices.items():
        # Excel caps a list validation's source at 255 characters.
        if options and len(",".join(options)) <= 255:
            col = TEMPLATE_FIELDS.index(key)
            ws.data_validation(3, col, 3 + VALIDATION_ROWS, col, {"validate": "list", "source": options, "ignore_blank": True, "error_type": "warning"})  # fmt: skip

    notes = book.add_worksheet(_("填写说明"))
    notes.set_column(0, 0, 16)
    notes.set_column(1, 1, 90)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True, "valign": "top"})
    rows = [
        (
            _("表头"),
            _(
                "表头可以在标题行下面；常见写法都能识别（如“课题名称”“负责人”“主要措施”“时间节点”“所属支部”），上传后可以调整每列对应的字段。"
            ),
        ),
        (
            _("日期"),
            _(
                "可写 2020-12-31、2020.12.31、2020/12/31、2020年12月31日，或只写月份（2020年12月：完成时限按月末、开始日期按月初）。"
            ),
        ),
        (
            _("预期目标"),
            _(
                "每行一个指标，写明名称、数值和单位，如“目标利润500万元”；越低越好的指标写明基准值，如“经营亏损由120万元降至0万元”。"
            ),
        ),
        (_("具体措施"), _("每行一项，或写成“1.……；2.……”。")),
        (
            _("人员"),
            _(
                "牵头人须是中共党员或预备党员；参与人员用顿号分隔，可在括号中写角色（骨干成员、成员、指导、联络员）；重名时写“姓名(工号)”。人员须先在组织中登记。"
            ),
        ),
        (
            _("状态"),
            _(
                "可填草稿、已申报、已立项、实施中等；导入只会按流程向前办理，且只办理您有权办理的步骤。"
            ),
        ),
        (
            _("不会删除"),
            _("导入只新增和修改，不删除项目、指标、措施或参与人员；单元格留空表示保持原值。"),
        ),
        (
            _("预检"),
            _(
                "上传后先预检，列出每个有问题的行及原因；只有整个文件没有错误时才能导入，导入在一个事务中完成。"
            ),
        ),
    ]
    for index, (label, text) in enumerate(rows):
        notes.write_string(index, 0, str(label), bold)
        notes.write_string(index, 1, str(text), wrap)
    book.close()
