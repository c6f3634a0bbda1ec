"""立项申报书 (.docx): one project's application, as it is filed for approval (选题立项).

The form sheet, then the ledger's columns: goals (预期目标), measures (具体措施) and
participants (参与人员), and a block for the signatures and dates of the approval chain.
"""

from django.utils.translation import gettext as _

from taizhang.campaigns.models import Project

from .docx_common import (
    add_body,
    add_form,
    add_heading,
    add_table,
    add_title,
    blank_date,
    display,
    format_decimal,
    new_document,
    to_bytes,
)


def application_filename(project: Project) -> str:
    return f"{project.code}-{project.title}-{_('立项申报书')}.docx"


def build_application(project: Project) -> bytes:
    """The 立项申报书 of `project` (fetched through access_project by the caller)."""
    campaign = project.campaign
    lead = project.lead
    title = _("项目立项申报书")
    document = new_document(title=f"{project.code} {project.title}", subject=title)
    add_title(document, title, campaign.name)

    add_form(
        document,
        [
            [(_("项目名称"), project.title)],
            [(_("项目编号"), project.code), (_("项目类型"), project.project_type.name)],
            [(_("中心工作"), project.focus_area.name), (_("责任组织"), str(project.org))],
            [(_("牵头人"), lead.name), (_("政治面貌"), str(lead.get_political_status_display()))],
            [(_("职务"), lead.position or ""), (_("项目状态"), str(project.get_status_display()))],
            [
                (_("开始日期"), display(project.start_date)),
                (_("完成时限"), display(project.end_date)),
            ],
            [(_("选题依据"), project.rationale or _("未填写。"))],
            [(_("实施方案"), project.plan or _("未填写。"))],
        ],
    )

    add_heading(document, _("一、预期目标"), 1)
    goals = list(project.goals.all())
    if goals:
        add_table(
            document,
            [_("序号"), _("指标名称"), _("单位"), _("基准值"), _("目标值"), _("方向"), _("权重")],
            [
                [
                    index,
                    goal.name,
                    goal.unit,
                    format_decimal(goal.baseline),
                    format_decimal(goal.target),
                    goal.get_direction_display(),
                    format_decimal(goal.weight),
                ]
                for index, goal in enumerate(goals, start=1)
            ],
            widths_cm=[1.2, 4.6, 1.6, 2.0, 2.0, 2.0, 1.3],
            align=["center", "left", "center", "right", "right", "center", "right"],
        )
    else:
        add_body(document, _("未填写预期目标。"))

    add_heading(document, _("二、具体措施"), 1)
    measures = list(project.measures.select_related("owner"))
    if measures:
        add_table(
            document,
            [_("序号"), _("具体措施"), _("责任人"), _("开始日期"), _("完成时限"), _("状态")],
            [
                [
                    index,
                    measure.description,
                    measure.owner.name if measure.owner else "",
                    measure.start_date,
                    measure.due_date,
                    measure.get_status_display(),
                ]
                for index, measure in enumerate(measures, start=1)
            ],
            widths_cm=[1.2, 6.2, 1.8, 2.2, 2.2, 1.4],
            align=["center", "left", "left", "center", "center", "center"],
        )
    else:
        add_body(document, _("未填写具体措施。"))

    add_heading(document, _("三、参与人员"), 1)
    participants = list(project.participants.select_related("person", "person__org"))
    if participants:
        add_table(
            document,
            [_("序号"), _("姓名"), _("政治面貌"), _("所属组织"), _("角色"), _("分工")],
            [
                [
                    index,
                    item.person.name,
                    item.person.get_political_status_display(),
                    str(item.person.org),
                    item.get_role_display(),
                    item.duty,
                ]
                for index, item in enumerate(participants, start=1)
            ],
            widths_cm=[1.2, 2.0, 2.2, 3.4, 1.8, 4.1],
            align=["center", "left", "left", "left", "center", "left"],
        )
    else:
        add_body(document, _("未登记参与人员。"))

    add_heading(document, _("四、审批意见"), 1)
    sign = _("签字（盖章）：")
    add_form(
        document,
        [
            [(_("牵头人"), f"{_('签字：')}\n{blank_date()}")],
            [(_("党支部意见"), f"\n\n{sign}\n{blank_date()}")],
            [(_("上级党委意见"), f"\n\n{sign}\n{blank_date()}")],
        ],
        heights_cm={0: 2.0, 1: 3.5, 2: 3.5},
    )
    return to_bytes(document)
