"""Importing an existing ledger (.xlsx): upload, column mapping, dry run, import.

ledger_import_parse     checks the file (size, container, macros, zip bomb, XML) before
                        anything is unpacked, keeps it and finds the table
ledger_import_set_mapping  records which column holds which field
ledger_import_dry_run   works out every row's outcome and writes nothing but the report
ledger_import_apply     does it, in one transaction through the campaign services, only
                        when the whole file is clean and still plans what the dry run showed;
                        with register_unknown it first registers the people the file names
                        who are not in the system (orgs.services.person_create), in the same
                        transaction
"""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import Campaign, FocusArea, Project, ProjectType
from taizhang.core.exceptions import DomainError
from taizhang.core.history import check_version
from taizhang.orgs import services as org_services
from taizhang.orgs.models import Org, Person

from . import safety
from .headers import PROJECT_FIELDS
from .models import ImportStatus, LedgerImport
from .permissions import can_import
from .planning import NewPerson, Plan, Progress, RowPlan, build_plan, field_label
from .reader import Workbook, read_layout

MAPPABLE_FIELDS = tuple(spec.key for spec in PROJECT_FIELDS if spec.key != "seq")
# Fields a row cannot do without unless the mapping page gives a default.
NEED_COLUMN = ("title", "lead", "end_date")
# New projects per projects_create_bulk call: bounds the objects held at once, while the
# queries per call stay a fixed number.
CREATE_BATCH = 1000
NEED_COLUMN_OR_DEFAULT = {
    "org": "default_org",
    "project_type": "default_type",
    "focus_area": "default_area",
}


def _forbid() -> DomainError:
    return DomainError(_("您没有权限执行此操作。"), "forbidden")


def _check_owner(actor, ledger_import: LedgerImport) -> None:
    if ledger_import.owner_id != getattr(actor, "pk", None):
        raise _forbid()


def ledger_import_parse(*, actor, campaign: Campaign, upload: UploadedFile | None) -> LedgerImport:
    """Accept an uploaded ledger: every safety check runs before openpyxl sees the file,
    then the table's position and a guess of the column mapping are kept."""
    if not can_import(actor, campaign):
        raise _forbid()
    if upload is None:
        raise DomainError(_("请选择文件。"), "required", field="file")
    safety.check_size(upload.size)
    safety.check_name(upload.name or "")
    safety.check_xlsx(upload)
    with Workbook(upload) as book:
        layout = read_layout(book)
    upload.seek(0)
    columns = {
        str(col): field
        for col, field in enumerate(layout.projects.header.fields)
        if field and field != "seq"
    }
    ledger_import = LedgerImport(
        owner=actor,
        campaign=campaign,
        file_name=(upload.name or "ledger.xlsx")[:255],
        file_size=upload.size or 0,
        layout={
            "projects": layout.projects.to_json(),
            "goals": layout.goals.to_json() if layout.goals else None,
            "measures": layout.measures.to_json() if layout.measures else None,
            "estimated_rows": layout.estimated_rows,
        },
        mapping={"columns": columns},
    )
    ledger_import.file.save("ledger.xlsx", upload, save=False)
    ledger_import.save()
    return ledger_import


def ledger_import_set_mapping(
    *,
    actor,
    ledger_import: LedgerImport,
    columns: dict[int, str],
    default_org: Org | None = None,
    default_type: ProjectType | None = None,
    default_area: FocusArea | None = None,
) -> LedgerImport:
    """Record which column holds which field: each field in one column at most, a title
    column always, and the other essentials as a column or a default."""
    _check_owner(actor, ledger_import)
    if ledger_import.status == ImportStatus.APPLIED:
        raise DomainError(_("该文件已导入，请重新上传。"), "already_applied")
    chosen = {col: key for col, key in columns.items() if key and key != "ignore"}
    unknown = set(chosen.values()) - set(MAPPABLE_FIELDS)
    if unknown:
        raise DomainError(_("列对应无效。"), "invalid")
    seen: dict[str, int] = {}
    for col, key in sorted(chosen.items()):
        if key in seen:
            raise DomainError(
                _("“%(field)s”对应了多列，请只保留一列。") % {"field": field_label(key)},
                "duplicate_column",
            )
        seen[key] = col
    for key in NEED_COLUMN:
        if key not in seen:
            raise DomainError(
                _("请指定“%(field)s”对应的列。") % {"field": field_label(key)}, "column_required"
            )
    defaults = {
        "default_org": default_org,
        "default_type": default_type,
        "default_area": default_area,
    }
    for key, default_key in NEED_COLUMN_OR_DEFAULT.items():
        if key not in seen and defaults[default_key] is None:
            raise DomainError(
                _("请指定“%(field)s”对应的列，或选择默认的%(field)s。")
                % {"field": field_label(key)},
                "column_required",
            )
    campaign = ledger_import.campaign
    if default_org is not None and not default_org.path.startswith(campaign.org.path):
        raise DomainError(_("默认责任组织必须在本活动的组织范围内。"), "out_of_scope")
    for item in (default_type, default_area):
        if item is not None and item.campaign_id != campaign.pk:
            raise DomainError(_("请选择本活动的项目类型和中心工作。"), "invalid")
    ledger_import.mapping = {
        "columns": {str(col): key for col, key in chosen.items()},
        "default_org": default_org.pk if default_org else None,
        "default_type": default_type.pk if default_type else None,
        "default_area": default_area.pk if default_area else None,
    }
    ledger_import.status = ImportStatus.UPLOADED
    ledger_import.is_clean = False
    ledger_import.report = {}
    ledger_import.report_digest = ""
    ledger_import.save()
    return ledger_import


def _store_report(ledger_import: LedgerImport, plan: Plan) -> dict:
    report = plan.report()
    ledger_import.report = report
    ledger_import.report_digest = plan.digest()
    ledger_import.is_clean = not plan.has_errors
    ledger_import.status = ImportStatus.CHECKED
    ledger_import.checked_at = timezone.now()
    ledger_import.save(
        update_fields=["report", "report_digest", "is_clean", "status", "checked_at", "updated_at"]
    )
    return report


def ledger_import_dry_run(
    *,
    actor,
    ledger_import: LedgerImport,
    progress: Progress | None = None,
    register_unknown: bool = False,
) -> dict:
    """List every bad row with its reasons and what would be created or changed; the
    ledger is not touched (only the report is kept, on the upload record). People the
    file names who are not registered are listed with the org and political status they
    would be registered with; without `register_unknown` their rows count as bad."""
    _check_owner(actor, ledger_import)
    if ledger_import.status == ImportStatus.APPLIED:
        raise DomainError(_("该文件已导入，请重新上传。"), "already_applied")
    plan = build_plan(
        actor=actor,
        ledger_import=ledger_import,
        progress=progress,
        register_unknown=register_unknown,
    )
    return _store_report(ledger_import, plan)


def _registering(ledger_import: LedgerImport, register_unknown: bool | None) -> bool:
    """The option as given to the import, else as the dry run was run."""
    if register_unknown is not None:
        return register_unknown
    return bool((ledger_import.report or {}).get("register_unknown"))


def ledger_import_ready(
    *, actor, ledger_import: LedgerImport, register_unknown: bool | None = None
) -> None:
    """Refuse an import that is not the uploader's, not dry-run, not clean or done. A file
    whose only problem is unregistered people is clean when the user opts to register them."""
    _check_owner(actor, ledger_import)
    if ledger_import.status == ImportStatus.APPLIED:
        raise DomainError(_("该文件已导入，请重新上传。"), "already_applied")
    if ledger_import.status != ImportStatus.CHECKED:
        raise DomainError(_("请先预检。"), "not_checked")
    if ledger_import.is_clean:
        return
    if (ledger_import.report or {}).get("clean_if_registered"):
        if _registering(ledger_import, register_unknown):
            return
        raise DomainError(
            _(
                "文件中有未登记的人员。请勾选“登记未登记的人员”后导入，"
                "或先在人员页登记他们再重新上传。"
            ),
            "unregistered_people",
            field="register_unknown",
        )
    raise DomainError(_("预检发现错误行，请修改文件后重新上传。"), "not_clean")


def ledger_import_apply(
    *,
    actor,
    ledger_import: LedgerImport,
    progress: Progress | None = None,
    register_unknown: bool | None = None,
) -> dict:
    """Import the checked file in one transaction: every row through the campaign
    services, so their rules and history apply; one refusal rolls back the whole file.
    With `register_unknown` (default: as the dry run was run) the people the dry run listed
    as unregistered are registered first, in the same transaction."""
    ledger_import_ready(actor=actor, ledger_import=ledger_import, register_unknown=register_unknown)
    register = _registering(ledger_import, register_unknown)
    plan = build_plan(
        actor=actor, ledger_import=ledger_import, progress=progress, register_unknown=register
    )
    if plan.has_errors or plan.digest() != ledger_import.report_digest:
        _store_report(ledger_import, plan)
        raise DomainError(
            _("台账在预检之后发生了变化，请查看新的预检结果后再导入。"), "stale_dry_run"
        )
    if progress:
        progress(95, _("正在写入（一个事务，完成前不会显示部分结果）……"))
    counts = {"created": 0, "updated": 0, "unchanged": 0, "registered": 0}
    with transaction.atomic():
        registered = _register_people(actor, ledger_import, plan.new_people)
        counts["registered"] = len(registered)
        for row in plan.rows:
            _swap_stand_ins(row, registered)
        # New projects go in bulk (projects_create_bulk: project_create's rules, a fixed
        # number of queries per batch); changes to stored projects row by row.
        creates = [row for row in plan.rows if row.action == "create"]
        for start in range(0, len(creates), CREATE_BATCH):
            counts["created"] += _create_rows(
                actor, ledger_import.campaign, creates[start : start + CREATE_BATCH]
            )
        for row in plan.rows:
            if row.action == "create":
                continue
            with _naming_row(row):
                outcome = _apply_row(actor, ledger_import.campaign, row)
            counts[outcome] += 1
        ledger_import.status = ImportStatus.APPLIED
        ledger_import.applied_at = timezone.now()
        ledger_import.result = counts
        ledger_import.save(update_fields=["status", "applied_at", "result", "updated_at"])
    return counts


@contextmanager
def _naming_row(row: RowPlan) -> Iterator[None]:
    """A refusal while writing a row names the row, so the user can fix the file."""
    try:
        yield
    except DomainError as error:
        raise _row_error(row, error) from error


def _row_error(row: RowPlan, error: DomainError) -> DomainError:
    return DomainError(
        _("第 %(row)s 行（%(title)s）：%(message)s")
        % {"row": row.row, "title": row.title, "message": error.message},
        error.code,
    )


def _register_people(
    actor, ledger_import: LedgerImport, new_people: list[NewPerson]
) -> dict[int, Person]:
    """Register the people the plan stands in for; returns stand-in id → saved person.

    A ledger has no staff numbers, and one is required and unique, so each gets a
    placeholder "IMP<import>-NNN" that the org admin replaces on the person page."""
    if not new_people:
        return {}
    prefix = f"IMP{ledger_import.pk}-"
    taken = set(
        Person.all_objects.filter(staff_no__startswith=prefix).values_list("staff_no", flat=True)
    )
    registered: dict[int, Person] = {}
    number = 0
    for new in new_people:
        while True:
            number += 1
            staff_no = f"{prefix}{number:03d}"
            if staff_no not in taken:
                break
        registered[id(new.person)] = org_services.person_create(
            actor=actor,
            org=new.org,
            name=new.name,
            staff_no=staff_no,
            political_status=new.person.political_status,
        )
    return registered


def _swap_stand_ins(row: RowPlan, registered: dict[int, Person]) -> None:
    """Point the row at the people just registered instead of their unsaved stand-ins."""
    if not registered:
        return
    for data in (row.create, row.changes):
        lead = data.get("lead")
        if lead is not None and id(lead) in registered:
            data["lead"] = registered[id(lead)]
    for op in row.participant_ops:
        if id(op.person) in registered:
            op.person = registered[id(op.person)]


def _project_input(row: RowPlan) -> campaign_services.ProjectInput:
    data: dict[str, Any] = row.create
    return campaign_services.ProjectInput(
        org=data["org"],
        code=row.code,
        title=row.title,
        project_type=data["project_type"],
        focus_area=data["focus_area"],
        lead=data["lead"],
        start_date=data["start_date"],
        end_date=data["end_date"],
        rationale=data["rationale"],
        plan=data["plan"],
        goals=[op.data for op in row.goal_ops],
        measures=[op.data for op in row.measure_ops],
        participants=[(op.person, op.role) for op in row.participant_ops],
    )


def _create_rows(actor, campaign: Campaign, rows: list[RowPlan]) -> int:
    """File the rows' new projects in one batch, then move each to the status its row
    gives through project_transition (history, transition log and webhooks per project)."""
    try:
        projects = campaign_services.projects_create_bulk(
            actor=actor, campaign=campaign, items=[_project_input(row) for row in rows]
        )
    except DomainError as error:
        index = error.extra.get("item")
        if index is None:
            raise
        raise _row_error(rows[index], error) from error
    for row, project in zip(rows, projects, strict=True):
        if row.transitions:
            with _naming_row(row):
                _transitions(actor, project, row.transitions)
    return len(projects)


def _apply_row(actor, campaign: Campaign, row: RowPlan) -> str:
    reason = _("导入台账")
    if row.action != "update":
        return "unchanged"
    project = row.project
    assert project is not None
    # The plan was read before this transaction: refuse if someone saved in between.
    check_version(project, project.lock_version)
    if row.changes:
        project = campaign_services.project_update(
            actor=actor, project=project, reason=reason, **row.changes
        )
    for goal_op in row.goal_ops:
        if goal_op.goal is None:
            campaign_services.goal_add(actor=actor, project=project, data=goal_op.data)
        else:
            check_version(goal_op.goal, goal_op.goal.lock_version)
            goal_op.goal.project = project
            campaign_services.goal_update(actor=actor, goal=goal_op.goal, data=goal_op.data)
    for measure_op in row.measure_ops:
        if measure_op.measure is None:
            campaign_services.measure_add(actor=actor, project=project, data=measure_op.data)
        else:
            check_version(measure_op.measure, measure_op.measure.lock_version)
            measure_op.measure.project = project
            campaign_services.measure_update(
                actor=actor, measure=measure_op.measure, data=measure_op.data
            )
    for participant_op in row.participant_ops:
        if participant_op.participant is None:
            campaign_services.participant_add(
                actor=actor, project=project, person=participant_op.person, role=participant_op.role
            )
        else:
            participant = participant_op.participant
            participant.project = project
            campaign_services.participant_update(
                actor=actor,
                participant=participant,
                role=participant_op.role,
                duty=participant.duty,
            )
    _transitions(actor, project, row.transitions)
    return "updated"


def _transitions(actor, project: Project, actions: list[str]) -> None:
    for action in actions:
        project = campaign_services.project_transition(
            actor=actor, project=project, action=action, reason=_("按导入的台账状态办理")
        )
