"""Writes to campaigns, projects and their goals, measures, participants and pairings.

Every function validates before it writes, runs in one transaction and leaves a history
record naming the actor. Role checks are repeated here (not only in views) so that the web
UI, the API and commands share one set of rules.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from taizhang.core.exceptions import DomainError
from taizhang.core.history import (
    bulk_create_tracked,
    check_version,
    clean_batch,
    save_with_history,
)
from taizhang.core.uploads import check_upload
from taizhang.orgs.models import PARTY_MEMBER_STATUSES, Org, Person
from taizhang.orgs.permissions import ADMIN_ROLES, has_role
from taizhang.webhooks.services import emit

from . import permissions as perms
from .models import (
    DEFAULT_FOCUS_AREAS,
    DEFAULT_PROJECT_TYPES,
    Cadence,
    Campaign,
    Direction,
    FocusArea,
    GoalIndicator,
    Measure,
    MeasureStatus,
    Pairing,
    Participant,
    ParticipantRole,
    Project,
    ProjectAttachment,
    ProjectStatus,
    ProjectTransition,
    ProjectType,
)

# --------------------------------------------------------------------------- validation

# Choices.values builds a new list on every access, and these checks run for every row of
# an import: sets made once.
_DIRECTIONS = frozenset(Direction.values)
_MEASURE_STATUSES = frozenset(MeasureStatus.values)
_ROLES = frozenset(ParticipantRole.values)


# Callers pass `label` as gettext_lazy: it is only read in an error message, and the row
# validators run for every row of an import.
def to_decimal(value: Any, *, field: str, label: str, required: bool = True) -> Decimal | None:
    """Parse a number typed by a person ("1,200", " 3.5 ") or fail with a clear message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DomainError(_("请填写%(label)s。") % {"label": label}, "required", field=field)
        return None
    if isinstance(value, Decimal):
        result = value
    else:
        try:
            result = Decimal(str(value).strip().replace(",", "").replace("，", ""))
        except InvalidOperation as exc:
            raise DomainError(
                _("%(label)s必须是数字，“%(value)s”不是数字。") % {"label": label, "value": value},
                "not_a_number",
                field=field,
            ) from exc
    if not result.is_finite():
        raise DomainError(
            _("%(label)s必须是有限的数字。") % {"label": label}, "not_a_number", field=field
        )
    if abs(result) >= Decimal("1e14"):
        raise DomainError(_("%(label)s数值过大。") % {"label": label}, "out_of_range", field=field)
    return result


def _require_text(
    value: str | None, *, field: str, label: str, max_length: int | None = None
) -> str:
    text = (value or "").strip()
    if not text:
        raise DomainError(_("请填写%(label)s。") % {"label": label}, "required", field=field)
    if max_length and len(text) > max_length:
        raise DomainError(
            _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length},
            "too_long",
            field=field,
        )
    return text


def _check_dates(start: dt.date | None, end: dt.date | None, *, field: str = "end_date") -> None:
    if start and end and end < start:
        raise DomainError(_("结束日期不能早于开始日期。"), "dates_out_of_order", field=field)


def _forbid(message: str | None = None) -> DomainError:
    return DomainError(message or _("您没有权限执行此操作。"), "forbidden")


# --------------------------------------------------------------------------- campaigns


def _parse_type_line(line: str) -> tuple[str, str]:
    """'党组织带党员创效 | 创效' → (name, short name)."""
    name, _sep, short = line.partition("|")
    return name.strip(), short.strip()


@transaction.atomic
def campaign_create(
    *,
    actor,
    org: Org,
    name: str,
    year: int,
    start_date: dt.date,
    end_date: dt.date,
    cadence: str = Cadence.QUARTERLY,
    description: str = "",
    project_types: list[tuple[str, str]] | None = None,
    focus_areas: list[str] | None = None,
) -> Campaign:
    """Launch a campaign owned by `org`, with the default types and focus areas unless given."""
    if not perms.can_create_campaign(actor, org):
        raise _forbid(_("您无权为该组织创建活动。"))
    name = _require_text(name, field="name", label=gettext_lazy("活动名称"), max_length=200)
    if not start_date or not end_date:
        raise DomainError(_("请填写开始和结束日期。"), "required", field="start_date")
    _check_dates(start_date, end_date)
    if cadence not in Cadence.values:
        raise DomainError(_("检查周期无效。"), "invalid_choice", field="cadence")
    types = project_types if project_types is not None else DEFAULT_PROJECT_TYPES
    areas = focus_areas if focus_areas is not None else DEFAULT_FOCUS_AREAS
    _validate_type_and_area_names(types, areas)
    campaign = save_with_history(
        Campaign(
            org=org,
            name=name,
            year=year,
            start_date=start_date,
            end_date=end_date,
            cadence=cadence,
            description=description or "",
        ),
        actor=actor,
        reason=_("创建活动"),
    )
    _sync_types_and_areas(campaign, types, areas, actor=actor)
    return campaign


def _validate_type_and_area_names(types: list[tuple[str, str]], areas: list[str]) -> None:
    type_names = [name for name, _short in types]
    if not type_names or any(not n for n in type_names):
        raise DomainError(_("至少需要一个项目类型。"), "required", field="project_types")
    if len(set(type_names)) != len(type_names):
        raise DomainError(_("项目类型不能重复。"), "duplicate", field="project_types")
    if not areas or any(not a for a in areas):
        raise DomainError(_("至少需要一个中心工作。"), "required", field="focus_areas")
    if len(set(areas)) != len(areas):
        raise DomainError(_("中心工作不能重复。"), "duplicate", field="focus_areas")


def _sync_types_and_areas(
    campaign: Campaign, types: list[tuple[str, str]], areas: list[str], *, actor
) -> None:
    """Make the campaign's types and areas equal the lists; removing one in use is refused."""
    existing_types = {t.name: t for t in campaign.project_types.all()}
    for order, (name, short) in enumerate(types):
        item = existing_types.pop(name, None) or ProjectType(campaign=campaign, name=name)
        item.short_name = short
        item.order = order
        # 创效 types are the ones that declare benefits; the default names say so.
        item.is_benefit = "创效" in name or "创效" in short
        save_with_history(item, actor=actor)
    for leftover in existing_types.values():
        if leftover.projects.exists():
            raise DomainError(
                _("项目类型“%(name)s”已有项目使用，不能删除。") % {"name": leftover.name},
                "in_use",
                field="project_types",
            )
        leftover._history_user = actor  # type: ignore[attr-defined]
        leftover.delete()
    existing_areas = {a.name: a for a in campaign.focus_areas.all()}
    for order, name in enumerate(areas):
        area = existing_areas.pop(name, None) or FocusArea(campaign=campaign, name=name)
        area.order = order
        save_with_history(area, actor=actor)
    for leftover in existing_areas.values():
        if leftover.projects.exists():
            raise DomainError(
                _("中心工作“%(name)s”已有项目使用，不能删除。") % {"name": leftover.name},
                "in_use",
                field="focus_areas",
            )
        leftover._history_user = actor  # type: ignore[attr-defined]
        leftover.delete()


@transaction.atomic
def campaign_update(
    *,
    actor,
    campaign: Campaign,
    project_types: list[tuple[str, str]] | None = None,
    focus_areas: list[str] | None = None,
    expected_version: int | None = None,
    **changes: Any,
) -> Campaign:
    """Edit a campaign's name, dates, cadence, description, types and focus areas."""
    if not perms.can_edit_campaign(actor, campaign):
        raise _forbid(_("您无权修改该活动。"))
    check_version(campaign, expected_version)
    allowed = {"name", "year", "start_date", "end_date", "cadence", "description"}
    if set(changes) - allowed:
        raise DomainError(_("不能修改这些字段。"), "invalid")
    for key, value in changes.items():
        setattr(campaign, key, value)
    campaign.name = _require_text(
        campaign.name, field="name", label=gettext_lazy("活动名称"), max_length=200
    )
    _check_dates(campaign.start_date, campaign.end_date)
    if campaign.cadence not in Cadence.values:
        raise DomainError(_("检查周期无效。"), "invalid_choice", field="cadence")
    if project_types is not None or focus_areas is not None:
        types = (
            project_types
            if project_types is not None
            else [(t.name, t.short_name) for t in campaign.project_types.all()]
        )
        areas = (
            focus_areas if focus_areas is not None else [a.name for a in campaign.focus_areas.all()]
        )
        _validate_type_and_area_names(types, areas)
        _sync_types_and_areas(campaign, types, areas, actor=actor)
    return save_with_history(campaign, actor=actor, reason=_("修改活动"))


# --------------------------------------------------------------------------- projects


@dataclass(frozen=True)
class GoalInput:
    name: str
    target: Any
    baseline: Any = "0"
    unit: str = ""
    direction: str = Direction.HIGHER
    weight: Any = "1"


@dataclass(frozen=True)
class MeasureInput:
    description: str
    owner: Person | None = None
    start_date: dt.date | None = None
    due_date: dt.date | None = None
    status: str = MeasureStatus.NOT_STARTED
    percent_complete: int = 0


def _validate_lead(lead: Person | None, campaign: Campaign) -> Person:
    if lead is None:
        raise DomainError(_("请选择牵头人。"), "required", field="lead")
    if lead.political_status not in PARTY_MEMBER_STATUSES:
        raise DomainError(
            _("牵头人必须是中共党员或中共预备党员，%(name)s 的政治面貌是“%(status)s”。")
            % {"name": lead.name, "status": lead.get_political_status_display()},
            "lead_not_party_member",
            field="lead",
        )
    if not lead.org.path.startswith(campaign.org.path):
        raise DomainError(_("牵头人必须属于本活动的组织范围。"), "out_of_scope", field="lead")
    return lead


def _check_person_in_scope(
    actor, person: Person, *, field: str, visible: set[int] | None = None
) -> None:
    """People picked on a form must be visible to the actor: no reaching into a sibling branch.

    `visible`: the pks of the people the actor may see among those a batch names, read
    once for the batch (_CreateLookups); without it the check asks the database."""
    from taizhang.orgs.permissions import people_visible_to

    if visible is not None:
        allowed = person.pk is not None and person.pk in visible
    else:
        allowed = people_visible_to(actor).filter(pk=person.pk).exists()
    if not allowed:
        raise DomainError(_("所选人员不在您的管理范围内。"), "out_of_scope", field=field)


def _validated_goal(project: Project, data: GoalInput, order: int = 0) -> GoalIndicator:
    name = _require_text(data.name, field="name", label=gettext_lazy("指标名称"), max_length=200)
    target = to_decimal(data.target, field="target", label=gettext_lazy("目标值"))
    baseline = to_decimal(data.baseline, field="baseline", label=gettext_lazy("基准值"))
    weight = to_decimal(data.weight, field="weight", label=gettext_lazy("权重"))
    if weight < 0:
        raise DomainError(_("权重不能为负数。"), "out_of_range", field="weight")
    if data.direction not in _DIRECTIONS:
        raise DomainError(_("指标方向无效。"), "invalid_choice", field="direction")
    if target == baseline:
        raise DomainError(
            _("目标值不能等于基准值，否则无法衡量进度。"), "target_equals_baseline", field="target"
        )
    if data.direction == Direction.HIGHER and target < baseline:
        raise DomainError(
            _("“越高越好”的指标，目标值应高于基准值。"), "target_direction", field="target"
        )
    if data.direction == Direction.LOWER and target > baseline:
        raise DomainError(
            _("“越低越好”的指标，目标值应低于基准值。"), "target_direction", field="target"
        )
    return GoalIndicator(
        project=project,
        name=name,
        unit=(data.unit or "").strip()[:30],
        baseline=baseline,
        target=target,
        direction=data.direction,
        weight=weight,
        order=order,
    )


def _validated_measure(project: Project, data: MeasureInput, order: int = 0) -> Measure:
    description = _require_text(
        data.description, field="description", label=gettext_lazy("具体措施")
    )
    _check_dates(data.start_date, data.due_date, field="due_date")
    if data.status not in _MEASURE_STATUSES:
        raise DomainError(_("措施状态无效。"), "invalid_choice", field="status")
    try:
        percent = int(data.percent_complete)
    except (TypeError, ValueError) as exc:
        raise DomainError(
            _("完成百分比必须是 0 到 100 的整数。"), "out_of_range", field="percent_complete"
        ) from exc
    if not 0 <= percent <= 100:
        raise DomainError(
            _("完成百分比必须是 0 到 100 的整数。"), "out_of_range", field="percent_complete"
        )
    return Measure(
        project=project,
        description=description,
        owner=data.owner,
        start_date=data.start_date,
        due_date=data.due_date,
        status=data.status,
        percent_complete=percent,
        order=order,
    )


def _validate_project_fields(
    *,
    campaign: Campaign,
    org: Org,
    code: str,
    title: str,
    project_type: ProjectType | None,
    focus_area: FocusArea | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    exclude_pk: int | None = None,
    taken_codes: set[str] | None = None,
) -> tuple[str, str]:
    """The ledger row's own rules. `taken_codes`: the codes alive in the campaign, read once
    for a batch of new projects; without it the code is looked up here."""
    code = _require_text(code, field="code", label=gettext_lazy("项目编号"), max_length=50)
    title = _require_text(title, field="title", label=gettext_lazy("项目名称"), max_length=300)
    if not org.path.startswith(campaign.org.path):
        raise DomainError(_("责任组织必须在本活动的组织范围内。"), "out_of_scope", field="org")
    if project_type is None or project_type.campaign_id != campaign.pk:
        raise DomainError(_("请选择本活动的项目类型。"), "required", field="project_type")
    if focus_area is None or focus_area.campaign_id != campaign.pk:
        raise DomainError(_("请选择本活动的中心工作。"), "required", field="focus_area")
    if not start_date or not end_date:
        raise DomainError(_("请填写开始日期和完成时限。"), "required", field="start_date")
    _check_dates(start_date, end_date)
    if taken_codes is not None:
        duplicate = code in taken_codes
    else:
        duplicates = Project.objects.filter(campaign=campaign, code=code)
        if exclude_pk:
            duplicates = duplicates.exclude(pk=exclude_pk)
        duplicate = duplicates.exists()
    if duplicate:
        raise DomainError(
            _("项目编号 %(code)s 在本活动中已存在。") % {"code": code},
            "duplicate_code",
            field="code",
        )
    return code, title


@dataclass(frozen=True)
class ProjectInput:
    """One project to file: what project_create takes, as projects_create_bulk takes many."""

    org: Org
    code: str
    title: str
    project_type: ProjectType | None
    focus_area: FocusArea | None
    lead: Person | None
    start_date: dt.date | None
    end_date: dt.date | None
    rationale: str = ""
    plan: str = ""
    goals: Sequence[GoalInput] = ()
    measures: Sequence[MeasureInput] = ()
    participants: Sequence[tuple[Person, str]] = ()


@dataclass
class _NewProject:
    """A validated, unsaved project with its children (their `project` set on save)."""

    project: Project
    goals: list[GoalIndicator]
    measures: list[Measure]
    participants: list[Participant]


class _CreateLookups:
    """What validating new projects reads from the database, read once for a whole batch:
    the codes alive in the campaign and which of the people the items name the actor may
    see. One project costs the same two queries as ten thousand (chunked by 500)."""

    CHUNK = 500

    def __init__(self, *, actor, campaign: Campaign, items: Sequence[ProjectInput]) -> None:
        from taizhang.orgs.permissions import people_visible_to

        codes = sorted({(item.code or "").strip() for item in items} - {""})
        self.taken_codes: set[str] = set()
        for start in range(0, len(codes), self.CHUNK):
            self.taken_codes.update(
                Project.objects.filter(
                    campaign=campaign, code__in=codes[start : start + self.CHUNK]
                ).values_list("code", flat=True)
            )
        people: set[int] = set()
        for item in items:
            named = [
                item.lead,
                *(m.owner for m in item.measures),
                *(p for p, _r in item.participants),
            ]
            people.update(p.pk for p in named if p is not None and p.pk is not None)
        ordered = sorted(people)
        self.visible_people: set[int] = set()
        for start in range(0, len(ordered), self.CHUNK):
            self.visible_people.update(
                people_visible_to(actor)
                .filter(pk__in=ordered[start : start + self.CHUNK])
                .values_list("pk", flat=True)
            )


def _prepare_project(
    *, actor, campaign: Campaign, item: ProjectInput, lookups: _CreateLookups
) -> _NewProject:
    """Every rule a new project must pass, checked before anything is written; the one
    validator behind project_create and projects_create_bulk. The item's code counts as
    taken afterwards, so a batch cannot file one code twice."""
    if not perms.can_create_project(actor, campaign, item.org):
        raise _forbid(_("您无权在该组织申报项目。"))
    code, title = _validate_project_fields(
        campaign=campaign,
        org=item.org,
        code=item.code,
        title=item.title,
        project_type=item.project_type,
        focus_area=item.focus_area,
        start_date=item.start_date,
        end_date=item.end_date,
        taken_codes=lookups.taken_codes,
    )
    visible = lookups.visible_people
    lead = _validate_lead(item.lead, campaign)
    _check_person_in_scope(actor, lead, field="lead", visible=visible)
    project = Project(
        campaign=campaign,
        org=item.org,
        code=code,
        title=title,
        project_type=item.project_type,
        focus_area=item.focus_area,
        lead=lead,
        start_date=item.start_date,
        end_date=item.end_date,
        rationale=item.rationale or "",
        plan=item.plan or "",
        status=ProjectStatus.DRAFT,
    )
    # Validate every child before the first write, so a bad goal saves nothing at all.
    goal_rows = [_validated_goal(project, g, i) for i, g in enumerate(item.goals)]
    measure_rows = [_validated_measure(project, m, i) for i, m in enumerate(item.measures)]
    for m in item.measures:
        if m.owner is not None:
            _check_person_in_scope(actor, m.owner, field="owner", visible=visible)
    seen: set[int] = set()
    participant_rows = []
    for person, role in item.participants:
        _check_person_in_scope(actor, person, field="participants", visible=visible)
        if role not in _ROLES:
            raise DomainError(_("参与角色无效。"), "invalid_choice", field="participants")
        if person.pk in seen:
            raise DomainError(_("参与人员不能重复。"), "duplicate", field="participants")
        seen.add(person.pk)
        participant_rows.append(Participant(project=project, person=person, role=role))
    lookups.taken_codes.add(code)
    return _NewProject(project, goal_rows, measure_rows, participant_rows)


@transaction.atomic
def project_create(
    *,
    actor,
    campaign: Campaign,
    org: Org,
    code: str,
    title: str,
    project_type: ProjectType | None,
    focus_area: FocusArea | None,
    lead: Person | None,
    start_date: dt.date | None,
    end_date: dt.date | None,
    rationale: str = "",
    plan: str = "",
    goals: list[GoalInput] | None = None,
    measures: list[MeasureInput] | None = None,
    participants: list[tuple[Person, str]] | None = None,
) -> Project:
    """File a project as a draft. The lead must be a Party member (党员带头)."""
    item = ProjectInput(
        org=org,
        code=code,
        title=title,
        project_type=project_type,
        focus_area=focus_area,
        lead=lead,
        start_date=start_date,
        end_date=end_date,
        rationale=rationale,
        plan=plan,
        goals=tuple(goals or ()),
        measures=tuple(measures or ()),
        participants=tuple(participants or ()),
    )
    lookups = _CreateLookups(actor=actor, campaign=campaign, items=[item])
    new = _prepare_project(actor=actor, campaign=campaign, item=item, lookups=lookups)
    project = save_with_history(new.project, actor=actor, reason=_("创建项目"))
    for row in new.goals:
        row.project = project
        save_with_history(row, actor=actor, reason=_("创建项目"))
    for row in new.measures:
        row.project = project
        save_with_history(row, actor=actor, reason=_("创建项目"))
    for participant in new.participants:
        participant.project = project
        save_with_history(participant, actor=actor)
    return project


@transaction.atomic
def projects_create_bulk(
    *, actor, campaign: Campaign, items: Sequence[ProjectInput]
) -> list[Project]:
    """File many projects as drafts under exactly project_create's rules (one validator,
    _prepare_project), written in bulk: a fixed number of queries per batch instead of
    dozens per project, each row still with its historical record and audit entry.

    Every item is validated before the first write; a refusal names the item's index in
    `extra["item"]` and writes nothing. Model validation is full_clean's except that
    foreign keys are checked once per batch (clean_batch); the unique code and the dates
    are the rules above, and the database enforces both constraints again."""
    items = list(items)
    if not items:
        return []
    lookups = _CreateLookups(actor=actor, campaign=campaign, items=items)
    prepared: list[_NewProject] = []
    for index, item in enumerate(items):
        try:
            prepared.append(
                _prepare_project(actor=actor, campaign=campaign, item=item, lookups=lookups)
            )
        except DomainError as error:
            error.extra["item"] = index
            raise
    reason = _("创建项目")
    projects = [new.project for new in prepared]
    clean_batch(projects)
    bulk_create_tracked(Project, projects, actor=actor, reason=reason)
    goals: list[GoalIndicator] = []
    measures: list[Measure] = []
    participants: list[Participant] = []
    for new in prepared:
        # Re-assigning sets project_id, now that the project has its key.
        for goal in new.goals:
            goal.project = new.project
        for measure in new.measures:
            measure.project = new.project
        for participant in new.participants:
            participant.project = new.project
        goals.extend(new.goals)
        measures.extend(new.measures)
        participants.extend(new.participants)
    for model, rows, why in (
        (GoalIndicator, goals, reason),
        (Measure, measures, reason),
        # project_create saves participants without a reason; so does the bulk path.
        (Participant, participants, ""),
    ):
        if rows:
            clean_batch(rows)
            bulk_create_tracked(model, rows, actor=actor, reason=why)
    return projects


PROJECT_EDITABLE_FIELDS = {
    "org",
    "code",
    "title",
    "project_type",
    "focus_area",
    "lead",
    "start_date",
    "end_date",
    "rationale",
    "plan",
}


@transaction.atomic
def project_update(
    *,
    actor,
    project: Project,
    reason: str = "",
    expected_version: int | None = None,
    **changes: Any,
) -> Project:
    """Edit the ledger row; the lead only while it is a draft, the org admin until it closes."""
    unknown = set(changes) - PROJECT_EDITABLE_FIELDS
    if unknown:
        raise DomainError(
            _("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, "invalid"
        )
    if not perms.can_edit_project(actor, project):
        raise _forbid(_("当前状态下您不能修改该项目。"))
    check_version(project, expected_version)
    new_org = changes.get("org", project.org)
    if new_org.pk != project.org_id and not perms.can_create_project(
        actor, project.campaign, new_org
    ):
        raise _forbid(_("您无权把项目转到该组织。"))
    for key, value in changes.items():
        setattr(project, key, value.strip() if isinstance(value, str) else value)
    project.code, project.title = _validate_project_fields(
        campaign=project.campaign,
        org=project.org,
        code=project.code,
        title=project.title,
        project_type=project.project_type,
        focus_area=project.focus_area,
        start_date=project.start_date,
        end_date=project.end_date,
        exclude_pk=project.pk,
    )
    if "lead" in changes:
        _validate_lead(project.lead, project.campaign)
        _check_person_in_scope(actor, project.lead, field="lead")
    return save_with_history(project, actor=actor, reason=reason or _("修改项目"))


@dataclass(frozen=True)
class Transition:
    action: str
    sources: tuple[str, ...]
    target: str
    label: str
    # "admin": the org admin of the project's org (or above); "lead": also the lead's user.
    who: str
    reason_required: bool


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(
            "submit",
            (ProjectStatus.DRAFT,),
            ProjectStatus.SUBMITTED,
            gettext_noop("申报"),
            "lead",
            False,
        ),
        Transition(
            "return",
            (ProjectStatus.SUBMITTED,),
            ProjectStatus.DRAFT,
            gettext_noop("退回修改"),
            "admin",
            True,
        ),
        Transition(
            "approve",
            (ProjectStatus.SUBMITTED,),
            ProjectStatus.APPROVED,
            gettext_noop("批准立项"),
            "admin",
            False,
        ),
        Transition(
            "start",
            (ProjectStatus.APPROVED,),
            ProjectStatus.IN_PROGRESS,
            gettext_noop("开始实施"),
            "lead",
            False,
        ),
        Transition(
            "complete",
            (ProjectStatus.IN_PROGRESS,),
            ProjectStatus.COMPLETED,
            gettext_noop("结项"),
            "admin",
            True,
        ),
        Transition(
            "terminate",
            (ProjectStatus.SUBMITTED, ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS),
            ProjectStatus.TERMINATED,
            gettext_noop("终止"),
            "admin",
            True,
        ),
    ]
}


def transition_label(action: str) -> str:
    return _(TRANSITIONS[action].label)


def can_transition(user, project: Project, action: str) -> bool:
    transition = TRANSITIONS.get(action)
    if transition is None or project.status not in transition.sources:
        return False
    if has_role(user, project.org, ADMIN_ROLES):
        return True
    return transition.who == "lead" and perms.is_lead_user(user, project)


def available_transitions(user, project: Project) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if can_transition(user, project, t.action)]


@transaction.atomic
def project_transition(
    *,
    actor,
    project: Project,
    action: str,
    reason: str = "",
    expected_version: int | None = None,
) -> Project:
    """Move a project along its lifecycle; who may make which move is fixed in TRANSITIONS."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(_("未知的操作。"), "unknown_action", field="action")
    # Lock the row so two admins approving at once cannot both pass the status check.
    project = (
        Project.objects.select_for_update()
        .select_related("lead", "org", "campaign")
        .get(pk=project.pk)
    )
    check_version(project, expected_version)
    if project.status not in transition.sources:
        raise DomainError(
            _("项目当前状态为“%(status)s”，不能执行“%(action)s”。")
            % {"status": project.get_status_display(), "action": _(transition.label)},
            "invalid_transition",
        )
    if not can_transition(actor, project, action):
        raise _forbid(_("您的角色不能对该项目执行“%(action)s”。") % {"action": _(transition.label)})
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise DomainError(
            _("“%(action)s”需要填写理由。") % {"action": _(transition.label)},
            "reason_required",
            field="reason",
        )
    if action == "submit" and not project.goals.exists():
        raise DomainError(_("申报前请至少填写一个目标指标。"), "goals_required")
    if action == "submit" and not project.measures.exists():
        raise DomainError(_("申报前请至少填写一项具体措施。"), "measures_required")
    from_status = project.status
    project.status = transition.target
    save_with_history(project, actor=actor, reason=reason or _(transition.label))
    ProjectTransition.objects.create(
        project=project,
        action=action,
        from_status=from_status,
        to_status=transition.target,
        actor=actor,
        reason=reason,
    )
    if action == "approve":
        emit(
            "project.approved",
            {"project": project_event_data(project), "reason": reason},
            project.org,
            actor=actor,
        )
    return project


def project_event_data(project: Project) -> dict[str, Any]:
    """How a project appears in a webhook payload."""
    return {
        "id": project.pk,
        "code": project.code,
        "title": project.title,
        "status": project.status,
        "org_id": project.org_id,
        "campaign_id": project.campaign_id,
        "version": project.lock_version,
    }


@transaction.atomic
def project_delete(
    *, actor, project: Project, reason: str = "", expected_version: int | None = None
) -> Project:
    """Soft delete: the project leaves every list and can be restored from the trash."""
    if not perms.can_delete_project(actor, project):
        raise _forbid(_("您无权删除该项目。"))
    check_version(project, expected_version)
    project.mark_deleted(actor)
    return save_with_history(project, actor=actor, reason=reason or _("删除项目"))


@transaction.atomic
def project_restore(*, actor, project: Project) -> Project:
    if not perms.can_restore(actor, project.org):
        raise _forbid(_("只有组织管理员可以恢复已删除的项目。"))
    if (
        Project.objects.filter(campaign=project.campaign, code=project.code)
        .exclude(pk=project.pk)
        .exists()
    ):
        raise DomainError(
            _("项目编号 %(code)s 已被其他项目使用，请先修改那个项目的编号。")
            % {"code": project.code},
            "duplicate_code",
        )
    project.mark_restored()
    return save_with_history(project, actor=actor, reason=_("恢复项目"))


# --------------------------------------------------------------------------- project children


def _check_children_editable(actor, project: Project) -> None:
    if not perms.can_edit_project_children(actor, project):
        raise _forbid(_("当前状态下您不能修改该项目的指标、措施或参与人员。"))


@transaction.atomic
def goal_add(*, actor, project: Project, data: GoalInput) -> GoalIndicator:
    _check_children_editable(actor, project)
    order = project.goals.count()
    return save_with_history(
        _validated_goal(project, data, order), actor=actor, reason=_("新增目标指标")
    )


@transaction.atomic
def goal_update(
    *, actor, goal: GoalIndicator, data: GoalInput, expected_version: int | None = None
) -> GoalIndicator:
    _check_children_editable(actor, goal.project)
    check_version(goal, expected_version)
    fresh = _validated_goal(goal.project, data, goal.order)
    for field in ("name", "unit", "baseline", "target", "direction", "weight"):
        setattr(goal, field, getattr(fresh, field))
    return save_with_history(goal, actor=actor, reason=_("修改目标指标"))


@transaction.atomic
def measure_add(*, actor, project: Project, data: MeasureInput) -> Measure:
    _check_children_editable(actor, project)
    if data.owner is not None:
        _check_person_in_scope(actor, data.owner, field="owner")
    order = project.measures.count()
    return save_with_history(
        _validated_measure(project, data, order), actor=actor, reason=_("新增具体措施")
    )


@transaction.atomic
def measure_update(
    *, actor, measure: Measure, data: MeasureInput, expected_version: int | None = None
) -> Measure:
    _check_children_editable(actor, measure.project)
    check_version(measure, expected_version)
    if data.owner is not None and data.owner.pk != measure.owner_id:
        _check_person_in_scope(actor, data.owner, field="owner")
    fresh = _validated_measure(measure.project, data, measure.order)
    for field in ("description", "owner", "start_date", "due_date", "status", "percent_complete"):
        setattr(measure, field, getattr(fresh, field))
    return save_with_history(measure, actor=actor, reason=_("修改具体措施"))


@transaction.atomic
def participant_add(
    *, actor, project: Project, person: Person, role: str = ParticipantRole.MEMBER, duty: str = ""
) -> Participant:
    _check_children_editable(actor, project)
    _check_person_in_scope(actor, person, field="person")
    if role not in _ROLES:
        raise DomainError(_("参与角色无效。"), "invalid_choice", field="role")
    if person.pk == project.lead_id:
        raise DomainError(_("牵头人无需再添加为参与人员。"), "duplicate", field="person")
    if project.participants.filter(person=person).exists():
        raise DomainError(
            _("%(name)s 已是参与人员。") % {"name": person.name}, "duplicate", field="person"
        )
    return save_with_history(
        Participant(project=project, person=person, role=role, duty=(duty or "").strip()[:200]),
        actor=actor,
        reason=_("新增参与人员"),
    )


@transaction.atomic
def participant_update(
    *,
    actor,
    participant: Participant,
    role: str,
    duty: str = "",
    expected_version: int | None = None,
) -> Participant:
    _check_children_editable(actor, participant.project)
    check_version(participant, expected_version)
    if role not in _ROLES:
        raise DomainError(_("参与角色无效。"), "invalid_choice", field="role")
    participant.role = role
    participant.duty = (duty or "").strip()[:200]
    return save_with_history(participant, actor=actor, reason=_("修改参与人员"))


ChildRow = GoalIndicator | Measure | Participant | ProjectAttachment


@transaction.atomic
def child_delete(*, actor, item: ChildRow, expected_version: int | None = None) -> ChildRow:
    """Soft-delete a goal, measure, participant or attachment of a project."""
    _check_children_editable(actor, item.project)
    check_version(item, expected_version)
    item.mark_deleted(actor)
    return save_with_history(item, actor=actor, reason=_("删除"))


@transaction.atomic
def child_restore(*, actor, item: ChildRow) -> ChildRow:
    if not perms.can_restore(actor, item.project.org):
        raise _forbid(_("只有组织管理员可以恢复已删除的内容。"))
    if (
        isinstance(item, Participant)
        and item.project.participants.filter(person=item.person).exists()
    ):
        raise DomainError(_("%(name)s 已是参与人员。") % {"name": item.person.name}, "duplicate")
    item.mark_restored()
    return save_with_history(item, actor=actor, reason=_("恢复"))


@transaction.atomic
def attachment_add(*, actor, project: Project, upload: UploadedFile) -> ProjectAttachment:
    """Attach a plan document; type and size are checked here, on the server."""
    _check_children_editable(actor, project)
    check_upload(upload)
    attachment = ProjectAttachment(
        project=project,
        file=upload,
        name=(upload.name or "")[:255],
        size=upload.size,
        uploaded_by=actor,
    )
    attachment._history_user = actor  # type: ignore[attr-defined]
    attachment.save()
    return attachment


# --------------------------------------------------------------------------- pairings


@transaction.atomic
def pairing_create(*, actor, campaign: Campaign, member: Person, colleague: Person) -> Pairing:
    """Register a 1+N pair: a Party member leads a non-member colleague in this campaign."""
    if not perms.can_manage_pairing(actor, campaign, member):
        raise _forbid(_("您无权为该党员登记结对。"))
    if member.political_status not in PARTY_MEMBER_STATUSES:
        raise DomainError(_("结对的带头人必须是党员。"), "member_not_party_member", field="member")
    if colleague.political_status in PARTY_MEMBER_STATUSES:
        raise DomainError(_("结对对象应是非党员群众。"), "colleague_is_member", field="colleague")
    if not colleague.org.path.startswith(campaign.org.path):
        raise DomainError(
            _("结对对象必须属于本活动的组织范围。"), "out_of_scope", field="colleague"
        )
    _check_person_in_scope(actor, colleague, field="colleague")
    existing = (
        Pairing.objects.filter(campaign=campaign, colleague=colleague)
        .select_related("member")
        .first()
    )
    if existing:
        raise DomainError(
            _("%(c)s 已与 %(m)s 结对。") % {"c": colleague.name, "m": existing.member.name},
            "duplicate",
            field="colleague",
        )
    return save_with_history(
        Pairing(campaign=campaign, member=member, colleague=colleague),
        actor=actor,
        reason=_("登记结对"),
    )


@transaction.atomic
def pairing_delete(*, actor, pairing: Pairing, expected_version: int | None = None) -> Pairing:
    if not perms.can_manage_pairing(actor, pairing.campaign, pairing.member):
        raise _forbid(_("您无权解除该结对。"))
    check_version(pairing, expected_version)
    pairing.mark_deleted(actor)
    return save_with_history(pairing, actor=actor, reason=_("解除结对"))
