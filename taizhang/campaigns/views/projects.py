"""Project pages: filing a project, the full ledger row with inline editing of its goals,
measures, participants and attachments, the lifecycle, the history, delete and restore.

Views stay thin. Every read goes through `permissions.access_project` / `access_campaign`, so
a project outside the user's scope answers 404 exactly like a missing one. A project the user
may see but not change answers 403 on every edit route (the buttons are hidden, so only a
hand-made request gets there). Every write calls `campaigns.services`, which checks the rules
again; its DomainError becomes a form error or an error message, never a half-saved record.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from taizhang.core.exceptions import DomainError
from taizhang.core.forms import add_domain_error
from taizhang.orgs.models import Person

from .. import permissions, services
from ..forms.project import (
    AttachmentForm,
    DeleteForm,
    GoalEditForm,
    GoalForm,
    GoalFormSet,
    MeasureEditForm,
    MeasureForm,
    MeasureRowFormSet,
    ParticipantEditForm,
    ParticipantForm,
    ProjectCreateForm,
    ProjectEditForm,
    TransitionForm,
    filled_rows,
)
from ..models import (
    Campaign,
    GoalIndicator,
    Measure,
    Participant,
    Project,
    ProjectAttachment,
)
from ..services import GoalInput, MeasureInput

DETAIL_TEMPLATE = "campaigns/project_detail.html"


def _plain(value: Decimal) -> str:
    """500.0000 → "500": how a person typed it, for inline edit inputs."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --------------------------------------------------------------------------- create / edit


@login_required
def project_create(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = permissions.access_campaign(request.user, campaign_id)
    if not permissions.orgs_for_new_project(request.user, campaign).exists():
        raise PermissionDenied
    form_kwargs = {"user": request.user, "campaign": campaign}
    if request.method == "POST":
        form = ProjectCreateForm(request.POST, request.FILES, **form_kwargs)
        goal_formset = GoalFormSet(request.POST, prefix="goals", form_kwargs={"user": request.user})
        measure_formset = MeasureRowFormSet(
            request.POST, prefix="measures", form_kwargs={"user": request.user}
        )
        # `&`, not `and`: validate all three so every error shows on the first round trip.
        if form.is_valid() & goal_formset.is_valid() & measure_formset.is_valid():
            project = _create_from_forms(request, campaign, form, goal_formset, measure_formset)
            if project is not None:
                messages.success(request, _("项目已创建为草稿。"))
                return redirect("campaigns:project_detail", project_id=project.pk)
    else:
        form = ProjectCreateForm(initial=_create_initial(request, campaign), **form_kwargs)
        goal_formset = GoalFormSet(prefix="goals", form_kwargs={"user": request.user})
        measure_formset = MeasureRowFormSet(prefix="measures", form_kwargs={"user": request.user})
    return render(
        request,
        "campaigns/project_form.html",
        {
            "campaign": campaign,
            "form": form,
            "goal_formset": goal_formset,
            "measure_formset": measure_formset,
            "creating": True,
        },
    )


def _create_initial(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    """Prefill what is nearly always true: the user's own org and, for a Party member, the
    user as lead (党员带头)."""
    initial: dict[str, Any] = {"start_date": campaign.start_date, "end_date": campaign.end_date}
    person = getattr(request.user, "person", None)
    if person is not None and not person.is_deleted:
        if (
            permissions.orgs_for_new_project(request.user, campaign)
            .filter(pk=person.org_id)
            .exists()
        ):
            initial["org"] = person.org_id
        if person.is_party_member:
            initial["lead"] = person.pk
    return initial


# Service error fields that belong to a goal or measure row rather than the project itself.
# `start_date` is left out: a measure's date error names `due_date`, the project's names
# `start_date`/`end_date`.
GOAL_FIELDS = frozenset(GoalForm.base_fields)
MEASURE_FIELDS = frozenset(MeasureForm.base_fields) - {"start_date"}


def _create_from_forms(
    request: HttpRequest,
    campaign: Campaign,
    form: ProjectCreateForm,
    goal_formset: forms.BaseFormSet,
    measure_formset: forms.BaseFormSet,
) -> Project | None:
    """Create the project, its goals, measures and plan attachment as one unit, or show why not."""
    data = form.cleaned_data
    try:
        # Two services, one transaction: a refused attachment must not leave the project
        # behind without it (the user would then submit the form again and hit a duplicate code).
        with transaction.atomic():
            project = services.project_create(
                actor=request.user,
                campaign=campaign,
                org=data["org"],
                code=data["code"],
                title=data["title"],
                project_type=data["project_type"],
                focus_area=data["focus_area"],
                lead=data["lead"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                rationale=data["rationale"],
                plan=data["plan"],
                goals=[GoalInput(**row) for row in filled_rows(goal_formset)],
                measures=[MeasureInput(**row) for row in filled_rows(measure_formset)],
            )
            if data.get("plan_file"):
                services.attachment_add(
                    actor=request.user, project=project, upload=data["plan_file"]
                )
    except DomainError as error:
        # The service names the field, not the row; a rule about one goal or measure (e.g. a
        # target on the wrong side of the baseline) is shown above that table.
        if error.field in GOAL_FIELDS:
            goal_formset.non_form_errors().append(_("目标指标：%(msg)s") % {"msg": error.message})
        elif error.field in MEASURE_FIELDS:
            measure_formset.non_form_errors().append(
                _("具体措施：%(msg)s") % {"msg": error.message}
            )
        elif error.field == "file":
            form.add_error("plan_file", error.message)
        else:
            add_domain_error(form, error)
        return None
    return project


@login_required
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    project = permissions.access_project(request.user, project_id)
    if not permissions.can_edit_project(request.user, project):
        raise PermissionDenied
    form_kwargs = {"user": request.user, "campaign": project.campaign, "project": project}
    stale: list[StaleChange] = []
    if request.method == "POST":
        form = ProjectEditForm(request.POST, initial=_edit_initial(project), **form_kwargs)
        if form.is_valid():
            # Only what changed goes to the service: an untouched lead is not re-validated, so
            # editing the title does not fail because the lead's status changed meanwhile.
            changes = {
                name: form.cleaned_data[name]
                for name in form.changed_data
                if name not in ("reason", "version")
            }
            if not changes:
                messages.info(request, _("没有修改。"))
                return redirect("campaigns:project_detail", project_id=project.pk)
            try:
                services.project_update(
                    actor=request.user,
                    project=project,
                    reason=form.cleaned_data["reason"],
                    expected_version=form.cleaned_data["version"],
                    **changes,
                )
            except DomainError as error:
                add_domain_error(form, error)
                # project_update assigned the rejected values to this instance before refusing.
                project = permissions.access_project(request.user, project_id)
                if error.code == "stale":
                    stale = _stale_context(Project, project, form.cleaned_data["version"])
                    # Saving again now overwrites knowingly: the form carries the version
                    # that was just shown, with the other person's change listed above it.
                    form = ProjectEditForm(
                        _with_version(request.POST, project.lock_version),
                        initial=_edit_initial(project),
                        **form_kwargs,
                    )
                    form.is_valid()
                    add_domain_error(form, error)
            else:
                messages.success(request, _("项目已保存。"))
                return redirect("campaigns:project_detail", project_id=project.pk)
    else:
        form = ProjectEditForm(initial=_edit_initial(project), **form_kwargs)
    return render(
        request,
        "campaigns/project_form.html",
        {
            "campaign": project.campaign,
            "project": project,
            "form": form,
            "creating": False,
            "stale": stale,
        },
    )


def _with_version(data: Any, version: int) -> Any:
    copy = data.copy()
    copy["version"] = str(version)
    return copy


@dataclass(frozen=True)
class StaleChange:
    when: dt.datetime
    user: Any
    reason: str
    changes: list["FieldChange"]


def _stale_context(model: type[Model], obj: Model, since_version: int | None) -> list[StaleChange]:
    """The saves of `obj` made after the version the editor had open, oldest first, each
    with its field-level diff: what "someone changed this since you opened it" refers to."""
    if since_version is None:
        return []
    records = list(
        model.history.filter(id=obj.pk)  # type: ignore[attr-defined]
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    wanted: dict[type[Model], set[Any]] = {}
    pairs = []
    for previous, record in zip(records, records[1:], strict=False):
        if record.lock_version <= since_version:
            continue
        delta = record.diff_against(previous)
        pairs.append((record, delta))
        for change in delta.changes:
            model_field = model._meta.get_field(change.field)
            if model_field.is_relation:
                wanted.setdefault(model_field.related_model, set()).update([change.old, change.new])
    names = _related_names(wanted)
    result = []
    for record, delta in pairs:
        changes = [
            FieldChange(
                label=str(model._meta.get_field(change.field).verbose_name),
                old=_display_value(model._meta.get_field(change.field), change.old, names),
                new=_display_value(model._meta.get_field(change.field), change.new, names),
            )
            for change in delta.changes
            if change.field not in HISTORY_HIDDEN_FIELDS | {"lock_version"}
        ]
        result.append(
            StaleChange(
                when=record.history_date,
                user=record.history_user,
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return result


def _add_stale_errors(form: forms.Form, model: type[Model], item: Model, version: Any) -> None:
    """For an inline row: the other person's changes as lines under the 409 message."""
    for entry in _stale_context(model, item, version if isinstance(version, int) else None):
        who = str(entry.user) if entry.user else _("系统")
        for change in entry.changes:
            form.add_error(
                None,
                _("%(who)s 把“%(label)s”由“%(old)s”改为“%(new)s”")
                % {"who": who, "label": change.label, "old": change.old, "new": change.new},
            )


def _edit_initial(project: Project) -> dict[str, Any]:
    return {
        "version": project.lock_version,
        "org": project.org_id,
        "code": project.code,
        "title": project.title,
        "project_type": project.project_type_id,
        "focus_area": project.focus_area_id,
        "lead": project.lead_id,
        "start_date": project.start_date,
        "end_date": project.end_date,
        "rationale": project.rationale,
        "plan": project.plan,
    }


# --------------------------------------------------------------------------- child sections


@dataclass(frozen=True)
class ChildSection:
    """One inline-editable section of the detail page and how it maps onto the services.

    `name` is the partial in project_detail.html (`goals`) and its edit row is
    `<name>_edit_row`; the URL routes pass `section=<name>`.
    """

    name: str
    rows: Callable[[Project], QuerySet]
    add_form: type[forms.Form]
    add: Callable[[Any, Project, dict[str, Any]], Model]
    edit_form: type[forms.Form] | None = None
    initial: Callable[[Any], dict[str, Any]] = field(default=lambda item: {})
    update: Callable[[Any, Any, dict[str, Any]], Model] | None = None


def _goal_initial(goal: GoalIndicator) -> dict[str, Any]:
    return {
        "version": goal.lock_version,
        "name": goal.name,
        "unit": goal.unit,
        "baseline": _plain(goal.baseline),
        "target": _plain(goal.target),
        "direction": goal.direction,
        "weight": _plain(goal.weight),
    }


def _measure_initial(measure: Measure) -> dict[str, Any]:
    return {
        "version": measure.lock_version,
        "description": measure.description,
        "owner": measure.owner_id,
        "start_date": measure.start_date,
        "due_date": measure.due_date,
        "status": measure.status,
        "percent_complete": measure.percent_complete,
    }


def _measure_input(data: dict[str, Any]) -> MeasureInput:
    percent = data.get("percent_complete")
    fields = {k: v for k, v in data.items() if k != "version"}
    return MeasureInput(**{**fields, "percent_complete": 0 if percent is None else percent})


def _goal_input(data: dict[str, Any]) -> GoalInput:
    return GoalInput(**{k: v for k, v in data.items() if k != "version"})


SECTIONS: dict[str, ChildSection] = {
    section.name: section
    for section in [
        ChildSection(
            name="goals",
            rows=lambda project: project.goals.all(),
            add_form=GoalForm,
            add=lambda actor, project, data: services.goal_add(
                actor=actor, project=project, data=GoalInput(**data)
            ),
            edit_form=GoalEditForm,
            initial=_goal_initial,
            update=lambda actor, goal, data: services.goal_update(
                actor=actor, goal=goal, data=_goal_input(data), expected_version=data["version"]
            ),
        ),
        ChildSection(
            name="measures",
            rows=lambda project: project.measures.select_related("owner"),
            add_form=MeasureForm,
            add=lambda actor, project, data: services.measure_add(
                actor=actor, project=project, data=_measure_input(data)
            ),
            edit_form=MeasureEditForm,
            initial=_measure_initial,
            update=lambda actor, measure, data: services.measure_update(
                actor=actor,
                measure=measure,
                data=_measure_input(data),
                expected_version=data["version"],
            ),
        ),
        ChildSection(
            name="participants",
            rows=lambda project: project.participants.select_related("person", "person__org"),
            add_form=ParticipantForm,
            add=lambda actor, project, data: services.participant_add(
                actor=actor, project=project, **data
            ),
            edit_form=ParticipantEditForm,
            initial=lambda item: {
                "version": item.lock_version,
                "role": item.role,
                "duty": item.duty,
            },
            update=lambda actor, participant, data: services.participant_update(
                actor=actor,
                participant=participant,
                role=data["role"],
                duty=data["duty"],
                expected_version=data["version"],
            ),
        ),
        ChildSection(
            name="attachments",
            rows=lambda project: project.attachments.select_related("uploaded_by"),
            add_form=AttachmentForm,
            add=lambda actor, project, data: services.attachment_add(
                actor=actor, project=project, upload=data["file"]
            ),
        ),
    ]
}


def _section(name: str) -> ChildSection:
    try:
        return SECTIONS[name]
    except KeyError as exc:
        raise Http404 from exc


def _add_form(section: ChildSection, request: HttpRequest, *args: Any) -> forms.Form:
    # A per-section prefix keeps ids unique when all four add forms share the detail page.
    return section.add_form(*args, user=request.user, prefix=f"{section.name}-new")


def _edit_form(section: ChildSection, request: HttpRequest, item: Any, *args: Any) -> forms.Form:
    assert section.edit_form is not None
    return section.edit_form(
        *args, user=request.user, initial=section.initial(item), prefix=f"{section.name}-{item.pk}"
    )


def _section_context(
    request: HttpRequest, project: Project, section: ChildSection, **extra: Any
) -> dict[str, Any]:
    context: dict[str, Any] = {
        "project": project,
        "can_edit_children": permissions.can_edit_project_children(request.user, project),
        section.name: section.rows(project),
        f"{section.name}_add_form": _add_form(section, request),
        "editing_section": None,
        "editing_id": None,
    }
    context.update(extra)
    return context


def _render_section(
    request: HttpRequest, project: Project, section: ChildSection, **extra: Any
) -> HttpResponse:
    return render(
        request,
        f"{DETAIL_TEMPLATE}#{section.name}",
        _section_context(request, project, section, **extra),
    )


def _children_editable(request: HttpRequest, project_id: int) -> Project:
    """The project, if the user may change its goals, measures, participants and files.

    Out of scope → 404 (from access_project); in scope but not allowed → 403.
    """
    project = permissions.access_project(request.user, project_id)
    if not permissions.can_edit_project_children(request.user, project):
        raise PermissionDenied
    return project


def _child(section: ChildSection, project: Project, item_id: int) -> Any:
    return get_object_or_404(section.rows(project), pk=item_id)


def _detail_url(project: Project, anchor: str = "") -> str:
    url = reverse("campaigns:project_detail", kwargs={"project_id": project.pk})
    return f"{url}#{anchor}" if anchor else url


def _after_write(
    request: HttpRequest,
    project: Project,
    section: ChildSection,
    *,
    failed_form: forms.Form | None = None,
    section_error: str = "",
    **extra: Any,
) -> HttpResponse:
    """htmx gets the re-rendered section (errors included); a plain form post (no JavaScript)
    goes back to the page with the errors as messages."""
    if request.htmx:
        if section_error:
            extra["section_error"] = section_error
        return _render_section(request, project, section, **extra)
    if failed_form is not None:
        for errors in failed_form.errors.values():
            messages.error(request, " ".join(errors))
    if section_error:
        messages.error(request, section_error)
    return redirect(_detail_url(project, section.name))


@login_required
@require_GET
def child_section(request: HttpRequest, project_id: int, section: str) -> HttpResponse:
    """The section alone: what "cancel" on an inline edit row swaps back in."""
    spec = _section(section)
    project = permissions.access_project(request.user, project_id)
    return _render_section(request, project, spec)


@login_required
@require_POST
def child_add(request: HttpRequest, project_id: int, section: str) -> HttpResponse:
    spec = _section(section)
    project = _children_editable(request, project_id)
    form = _add_form(spec, request, request.POST, request.FILES)
    if form.is_valid():
        try:
            spec.add(request.user, project, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            return _after_write(request, project, spec)
    return _after_write(request, project, spec, failed_form=form, **{f"{spec.name}_add_form": form})


@login_required
@require_GET
def child_edit(request: HttpRequest, project_id: int, section: str, item_id: int) -> HttpResponse:
    """The inline form that replaces one row (hx-get, hx-target="closest tr")."""
    spec = _section(section)
    if spec.edit_form is None:
        raise Http404
    project = _children_editable(request, project_id)
    item = _child(spec, project, item_id)
    if not request.htmx:
        return redirect(_detail_url(project, spec.name))
    return render(
        request,
        f"{DETAIL_TEMPLATE}#{spec.name}_edit_row",
        {"project": project, "item": item, "edit_form": _edit_form(spec, request, item)},
    )


@login_required
@require_POST
def child_update(request: HttpRequest, project_id: int, section: str, item_id: int) -> HttpResponse:
    spec = _section(section)
    if spec.update is None:
        raise Http404
    project = _children_editable(request, project_id)
    item = _child(spec, project, item_id)
    form = _edit_form(spec, request, item, request.POST)
    if form.is_valid():
        try:
            spec.update(request.user, item, form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
            if error.code == "stale":
                _add_stale_errors(form, type(item), item, form.cleaned_data.get("version"))
        else:
            return _after_write(request, project, spec)
    # The section comes back with this row still in edit mode, showing the errors.
    return _after_write(
        request,
        project,
        spec,
        failed_form=form,
        editing_section=spec.name,
        editing_id=item.pk,
        edit_form=form,
    )


@login_required
@require_POST
def child_delete(request: HttpRequest, project_id: int, section: str, item_id: int) -> HttpResponse:
    spec = _section(section)
    project = _children_editable(request, project_id)
    item = _child(spec, project, item_id)
    try:
        services.child_delete(actor=request.user, item=item)
    except DomainError as error:
        return _after_write(request, project, spec, section_error=error.message)
    return _after_write(request, project, spec)


@login_required
@require_GET
def attachment_download(request: HttpRequest, project_id: int, attachment_id: int) -> FileResponse:
    """Files are served through the project's visibility check, never from a public media URL
    (a plan must not leak to a sibling branch that guesses the path)."""
    project = permissions.access_project(request.user, project_id)
    attachment: ProjectAttachment = get_object_or_404(project.attachments, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


# --------------------------------------------------------------------------- detail


@login_required
@require_GET
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = permissions.access_project(request.user, project_id)
    user = request.user
    context: dict[str, Any] = {
        "project": project,
        "campaign": project.campaign,  # the sidebar links orgs to this campaign's ledger
        "can_edit": permissions.can_edit_project(user, project),
        "can_edit_children": permissions.can_edit_project_children(user, project),
        "can_delete": permissions.can_delete_project(user, project),
        "editing_section": None,
        "editing_id": None,
    }
    for spec in SECTIONS.values():
        context[spec.name] = spec.rows(project)
        context[f"{spec.name}_add_form"] = _add_form(spec, request)
    context.update(_lifecycle_context(request, project))
    return render(request, DETAIL_TEMPLATE, context)


def _lifecycle_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    return {
        "transitions": services.available_transitions(request.user, project),
        "transition_log": project.transitions.select_related("actor").order_by("-at", "-id"),
    }


# --------------------------------------------------------------------------- lifecycle


@login_required
@require_POST
def project_transition(request: HttpRequest, project_id: int) -> HttpResponse:
    """Who may make which move is the service's call (TRANSITIONS); a refused move is shown as
    an error message and changes nothing. A full page load follows, because a move changes
    the badge and who may edit every section."""
    project = permissions.access_project(request.user, project_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请重试。"))
        return redirect("campaigns:project_detail", project_id=project.pk)
    action = form.cleaned_data["action"]
    try:
        services.project_transition(
            actor=request.user, project=project, action=action, reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("已执行“%(action)s”。") % {"action": services.transition_label(action)}
        )
    return redirect("campaigns:project_detail", project_id=project.pk)


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    user: Any
    kind: str
    subject: str
    action: str
    changes: list[FieldChange]
    reason: str


# Fields a reader does not need in the diff: bookkeeping, or shown as the action itself
# (deleted_at/deleted_by read as 删除/恢复).
HISTORY_HIDDEN_FIELDS = frozenset({"order", "deleted_at", "deleted_by", "project", "campaign"})
HISTORY_TEXT_LIMIT = 300


def _history_records(project: Project) -> list[tuple[type[Model], Any]]:
    """Every historical row of the project and its children, one query per model, the user
    joined in (a page of 100 entries costs the same handful of queries as one of 10)."""
    sources: list[tuple[type[Model], QuerySet]] = [
        (Project, Project.history.filter(id=project.pk)),
        (GoalIndicator, GoalIndicator.history.filter(project_id=project.pk)),
        (Measure, Measure.history.filter(project_id=project.pk)),
        (Participant, Participant.history.filter(project_id=project.pk)),
        (ProjectAttachment, ProjectAttachment.history.filter(project_id=project.pk)),
    ]
    return [
        (model, record)
        for model, queryset in sources
        for record in queryset.select_related("history_user").order_by("history_date", "history_id")
    ]


def _related_names(wanted: dict[type[Model], set[Any]]) -> dict[tuple[type[Model], Any], str]:
    """Display names for foreign keys met in the diffs, one query per related model; deleted
    rows are included because a history must still name a person who was later removed."""
    names: dict[tuple[type[Model], Any], str] = {}
    for model, pks in wanted.items():
        manager = getattr(model, "all_objects", model._default_manager)
        for pk, obj in manager.in_bulk([pk for pk in pks if pk is not None]).items():
            names[(model, pk)] = str(obj)
    return names


def _display_value(model_field: Any, value: Any, names: dict) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if isinstance(value, Decimal):
        return _plain(value)
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= HISTORY_TEXT_LIMIT else text[:HISTORY_TEXT_LIMIT] + "…"


def _history_subject(model: type[Model], record: Any, names: dict) -> str:
    if model is Project:
        return f"{record.code} {record.title}"
    if model is Measure:
        return record.description[:40]
    if model is Participant:
        return names.get((Person, record.person_id), f"#{record.person_id}")
    return record.name


def history_entries(project: Project) -> list[HistoryEntry]:
    """The project's and its children's history, newest first, with field-level diffs.

    Each record is diffed against the previous record of the same row, found in the list
    already loaded: `record.prev_record` would cost one query per record.
    """
    records = _history_records(project)
    previous: dict[tuple[type[Model], Any], Any] = {}
    diffs: list[tuple[type[Model], Any, Any]] = []
    wanted: dict[type[Model], set[Any]] = {Person: set()}
    for model, record in records:
        key = (model, record.id)
        delta = record.diff_against(previous[key]) if key in previous else None
        previous[key] = record
        diffs.append((model, record, delta))
        if model is Participant:
            wanted[Person].add(record.person_id)
        for change in delta.changes if delta else []:
            model_field = model._meta.get_field(change.field)
            if model_field.is_relation and change.field not in HISTORY_HIDDEN_FIELDS:
                wanted.setdefault(model_field.related_model, set()).update([change.old, change.new])
    names = _related_names(wanted)
    entries = []
    for model, record, delta in diffs:
        action = {"+": _("新增"), "-": _("删除"), "~": _("修改")}[record.history_type]
        changes: list[FieldChange] = []
        for change in delta.changes if delta else []:
            if change.field == "deleted_at":
                # Soft delete is a change of 删除时间: say what it means.
                action = _("删除") if change.old is None else _("恢复")
            if change.field in HISTORY_HIDDEN_FIELDS:
                continue
            model_field = model._meta.get_field(change.field)
            changes.append(
                FieldChange(
                    label=str(model_field.verbose_name),
                    old=_display_value(model_field, change.old, names),
                    new=_display_value(model_field, change.new, names),
                )
            )
        entries.append(
            HistoryEntry(
                when=record.history_date,
                user=record.history_user,
                kind=str(model._meta.verbose_name),
                subject=_history_subject(model, record, names),
                action=action,
                changes=changes,
                reason=record.history_change_reason or "",
            )
        )
    # Ascending stable sort then reverse: rows saved within the same instant keep their
    # save order, newest first.
    entries.sort(key=lambda entry: entry.when)
    entries.reverse()
    return entries


@login_required
@require_GET
def project_history(request: HttpRequest, project_id: int) -> HttpResponse:
    project = permissions.access_project(request.user, project_id)
    page = Paginator(history_entries(project), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/project_history.html",
        {"project": project, "campaign": project.campaign, "page": page},
    )


# --------------------------------------------------------------------------- delete / restore


@login_required
def project_delete(request: HttpRequest, project_id: int) -> HttpResponse:
    """GET asks for confirmation (and an optional reason); POST soft-deletes."""
    project = permissions.access_project(request.user, project_id)
    if not permissions.can_delete_project(request.user, project):
        raise PermissionDenied
    form = DeleteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_delete(
                actor=request.user, project=project, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("项目 %(code)s 已删除，组织管理员可在回收站中恢复。") % {"code": project.code},
            )
            return redirect("campaigns:ledger", campaign_id=project.campaign_id)
    return render(
        request,
        "campaigns/project_delete.html",
        {"project": project, "campaign": project.campaign, "form": form},
    )


@login_required
@require_POST
def project_restore(request: HttpRequest, project_id: int) -> HttpResponse:
    # A deleted project is outside access_project; look it up through the same visibility
    # filter with deleted rows included, so the out-of-scope answer is still a 404.
    project = get_object_or_404(
        permissions.projects_visible_to(request.user, include_deleted=True)
        .filter(deleted_at__isnull=False)
        .select_related("campaign", "org"),
        pk=project_id,
    )
    if not permissions.can_restore(request.user, project.org):
        raise PermissionDenied
    try:
        services.project_restore(actor=request.user, project=project)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("campaigns:trash", campaign_id=project.campaign_id)
    messages.success(request, _("项目 %(code)s 已恢复。") % {"code": project.code})
    return redirect("campaigns:project_detail", project_id=project.pk)
