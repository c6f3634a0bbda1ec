"""检查记录 (.docx): one inspection with its rectification items (整改事项), signed by the
inspectors and the inspected side."""

from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.checkins.models import Inspection, RectificationItem

from .docx_common import (
    add_body,
    add_form,
    add_heading,
    add_table,
    add_title,
    blank_date,
    display,
    new_document,
    to_bytes,
)


def inspection_filename(inspection: Inspection) -> str:
    return f"{_('检查记录')}-{inspection.subject_org}-{inspection.date.isoformat()}.docx"


def _closing(item: RectificationItem) -> str:
    """销号说明 and the office date it was closed on."""
    closed_on = timezone.localtime(item.closed_at).date() if item.closed_at else None
    return "\n".join(part for part in (item.closing_note, display(closed_on)) if part)


def build_inspection_record(inspection: Inspection) -> bytes:
    """The 检查记录 of `inspection` (fetched through access_inspection by the caller)."""
    campaign = inspection.campaign
    if inspection.project_id:
        project = inspection.project
        subject = f"{project.code} {project.title}（{project.org}）"
    else:
        subject = str(inspection.target_org)
    title = _("检查记录")
    document = new_document(title=f"{title} {inspection.date.isoformat()}", subject=campaign.name)
    add_title(document, title, campaign.name)
    add_form(
        document,
        [
            [(_("被检查对象"), subject)],
            [
                (_("检查组织"), str(inspection.inspecting_org)),
                (_("检查日期"), display(inspection.date)),
            ],
            [(_("检查人员"), inspection.inspectors)],
            [
                (_("检查方式"), "、".join(inspection.method_labels())),
                (_("评价"), str(inspection.get_rating_display())),
            ],
            [(_("检查发现"), inspection.findings)],
        ],
        heights_cm={4: 4.0},
    )

    add_heading(document, _("整改事项"), 1)
    items = list(inspection.items.select_related("owner"))
    if items:
        add_table(
            document,
            [_("序号"), _("整改事项"), _("责任人"), _("整改时限"), _("状态"), _("销号说明")],
            [
                [
                    index,
                    item.description,
                    item.owner.name,
                    item.due_date,
                    item.get_status_display(),
                    _closing(item),
                ]
                for index, item in enumerate(items, start=1)
            ],
            widths_cm=[1.2, 5.4, 1.8, 2.2, 1.6, 2.8],
            align=["center", "left", "left", "center", "center", "left"],
        )
    else:
        add_body(document, _("本次检查未提出整改事项。"))

    add_form(
        document,
        [
            [(_("检查人员（签字）"), f"\n\n{blank_date()}")],
            [(_("被检查单位负责人（签字）"), f"\n\n{blank_date()}")],
        ],
        label_cm=4.2,
        heights_cm={0: 2.2, 1: 2.2},
    )
    return to_bytes(document)
