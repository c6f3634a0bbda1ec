"""Projects (the ledger rows) with their goals, measures and participants, and the lifecycle."""

from typing import Annotated

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from ninja import Header, Query, Router, Status

from taizhang.campaigns import services
from taizhang.campaigns.models import GoalIndicator, Measure, Participant, Project
from taizhang.campaigns.permissions import (
    access_campaign,
    access_project,
    campaigns_visible_to,
    projects_visible_to,
)
from taizhang.campaigns.services import GoalInput, MeasureInput
from taizhang.orgs.permissions import access_org, orgs_visible_to, people_visible_to

from ..idempotency import KEY_DESCRIPTION, KEY_PATTERN, run_idempotent
from ..lookups import actor, pick, pick_optional
from ..schemas.campaigns import (
    GoalIn,
    GoalOut,
    GoalUpdateIn,
    MeasureIn,
    MeasureOut,
    MeasureUpdateIn,
    ParticipantIn,
    ParticipantOut,
    ParticipantUpdateIn,
    ProjectCreateIn,
    ProjectDetailOut,
    ProjectFilters,
    ProjectPage,
    ProjectUpdateIn,
    TransitionIn,
)
from ..schemas.common import Id, Page, Version, paginate

router = Router(tags=["projects"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        None,
        alias="Idempotency-Key",
        pattern=KEY_PATTERN,
        description=KEY_DESCRIPTION,
    ),
]

PROJECT_SORTS = {
    "code": ("code", "id"),
    "-code": ("-code", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "status": ("status", "code", "id"),
    "-status": ("-status", "code", "id"),
    "end_date": ("end_date", "code", "id"),
    "-end_date": ("-end_date", "code", "id"),
}


def _detail(user, project_id: int) -> Project:
    """The project as the caller sees it now, with the lifecycle moves open to the caller."""
    project = access_project(user, project_id)
    project.api_actions = [t.action for t in services.available_transitions(user, project)]  # type: ignore[attr-defined]
    return project


def _detail_body(user, project_id: int) -> dict:
    return ProjectDetailOut.from_orm(_detail(user, project_id)).model_dump(mode="json")


@router.get("/projects", response=ProjectPage, summary="Projects you can see (the ledger)")
def list_projects(request: HttpRequest, filters: Query[ProjectFilters], page: Query[Page]):
    user = actor(request)
    queryset = projects_visible_to(user).select_related("org", "lead", "project_type", "focus_area")
    if filters.campaign is not None:
        queryset = queryset.filter(campaign=access_campaign(user, filters.campaign))
    if filters.org is not None:
        queryset = queryset.filter(org__path__startswith=access_org(user, filters.org).path)
    if filters.type is not None:
        queryset = queryset.filter(project_type_id=filters.type)
    if filters.area is not None:
        queryset = queryset.filter(focus_area_id=filters.area)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.lead is not None:
        queryset = queryset.filter(lead_id=filters.lead)
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(code__icontains=term) | Q(lead__name__icontains=term)
        )
    return paginate(queryset.order_by(*PROJECT_SORTS[filters.sort]), page)


@router.get(
    "/projects/{project_id}",
    response=ProjectDetailOut,
    summary="One project with goals, measures, participants and lifecycle",
)
def get_project(request: HttpRequest, project_id: Id):
    return _detail(actor(request), project_id)


@router.post(
    "/projects",
    response={201: ProjectDetailOut},
    summary="File a project as a draft (org admin or project lead)",
    description="Send an `Idempotency-Key` header to make a retry safe: the same key returns "
    "the project created the first time.",
)
def create_project(
    request: HttpRequest, payload: ProjectCreateIn, idempotency_key: IdempotencyKey = None
):
    user = actor(request)

    def create() -> tuple[int, dict]:
        campaign = pick(campaigns_visible_to(user), payload.campaign_id, field="campaign_id")
        people = people_visible_to(user)
        project = services.project_create(
            actor=user,
            campaign=campaign,
            org=pick(orgs_visible_to(user), payload.org_id, field="org_id"),
            code=payload.code,
            title=payload.title,
            project_type=pick(
                campaign.project_types.all(), payload.project_type_id, field="project_type_id"
            ),
            focus_area=pick(
                campaign.focus_areas.all(), payload.focus_area_id, field="focus_area_id"
            ),
            lead=pick(people, payload.lead_id, field="lead_id"),
            start_date=payload.start_date,
            end_date=payload.end_date,
            rationale=payload.rationale,
            plan=payload.plan,
            goals=[_goal_input(goal) for goal in payload.goals],
            measures=[
                MeasureInput(
                    description=m.description,
                    owner=pick_optional(people, m.owner_id, field="measures.owner_id"),
                    start_date=m.start_date,
                    due_date=m.due_date,
                    status=m.status,
                    percent_complete=m.percent_complete,
                )
                for m in payload.measures
            ],
            participants=[
                (pick(people, p.person_id, field="participants.person_id"), p.role)
                for p in payload.participants
            ],
        )
        return 201, _detail_body(user, project.pk)

    return run_idempotent(
        user=user,
        key=idempotency_key,
        operation="project_create",
        payload=payload.model_dump(mode="json"),
        action=create,
    )


@router.patch(
    "/projects/{project_id}",
    response=ProjectDetailOut,
    summary="Change a project's ledger fields (send `version`)",
    description="Only the fields sent are changed. A stale `version` answers 409 with the "
    "current version and the latest change, and changes nothing.",
)
def update_project(request: HttpRequest, project_id: Id, payload: ProjectUpdateIn):
    user = actor(request)
    project = access_project(user, project_id)
    sent = payload.model_dump(exclude_unset=True, exclude={"version", "reason"})
    sent = {k: v for k, v in sent.items() if v is not None}
    references = {
        "org_id": ("org", orgs_visible_to(user)),
        "project_type_id": ("project_type", project.campaign.project_types.all()),
        "focus_area_id": ("focus_area", project.campaign.focus_areas.all()),
        "lead_id": ("lead", people_visible_to(user)),
    }
    changes = {}
    for name, value in sent.items():
        if name in references:
            target, queryset = references[name]
            changes[target] = pick(queryset, value, field=name)
        else:
            changes[name] = value
    services.project_update(
        actor=user,
        project=project,
        reason=payload.reason,
        expected_version=payload.version,
        **changes,
    )
    return _detail(user, project_id)


@router.post(
    "/projects/{project_id}/transitions",
    response=ProjectDetailOut,
    summary="Move a project along its lifecycle (submit, approve, start, …)",
    description="submit/start: the lead or an org admin; return/approve/complete/terminate: "
    "an org admin. return, complete and terminate need a `reason`.",
)
def transition_project(request: HttpRequest, project_id: Id, payload: TransitionIn):
    user = actor(request)
    services.project_transition(
        actor=user,
        project=access_project(user, project_id),
        action=payload.action,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(user, project_id)


@router.delete(
    "/projects/{project_id}",
    response={204: None},
    summary="Delete a project (recoverable from the trash by an org admin)",
)
def delete_project(request: HttpRequest, project_id: Id, version: Version | None = None):
    user = actor(request)
    services.project_delete(
        actor=user, project=access_project(user, project_id), expected_version=version
    )
    return Status(204, None)


# --------------------------------------------------------------------------- children


def _child(model: type[Model], user, item_id: int) -> Model:
    """A goal, measure or participant of a project the caller can see, else 404."""
    queryset: QuerySet = model.objects.filter(project__in=projects_visible_to(user)).select_related(
        "project", "project__org", "project__lead", "project__campaign"
    )
    item = queryset.filter(pk=item_id).first()
    if item is None:
        raise Http404
    return item


def _goal_input(data: GoalIn) -> GoalInput:
    return GoalInput(
        name=data.name,
        unit=data.unit,
        baseline=data.baseline,
        target=data.target,
        direction=data.direction,
        weight=data.weight,
    )


@router.post(
    "/projects/{project_id}/goals",
    response={201: GoalOut},
    tags=["goals"],
    summary="Add a goal indicator",
)
def create_goal(request: HttpRequest, project_id: Id, payload: GoalIn):
    user = actor(request)
    goal = services.goal_add(
        actor=user, project=access_project(user, project_id), data=_goal_input(payload)
    )
    return Status(201, goal)


@router.patch(
    "/goals/{goal_id}", response=GoalOut, tags=["goals"], summary="Change a goal indicator"
)
def update_goal(request: HttpRequest, goal_id: Id, payload: GoalUpdateIn):
    user = actor(request)
    goal: GoalIndicator = _child(GoalIndicator, user, goal_id)  # type: ignore[assignment]
    sent = payload.model_dump(exclude_unset=True, exclude={"version"})
    current = {
        "name": goal.name,
        "unit": goal.unit,
        "baseline": goal.baseline,
        "target": goal.target,
        "direction": goal.direction,
        "weight": goal.weight,
    }
    current.update({k: v for k, v in sent.items() if v is not None})
    return services.goal_update(
        actor=user, goal=goal, data=GoalInput(**current), expected_version=payload.version
    )


@router.delete(
    "/goals/{goal_id}", response={204: None}, tags=["goals"], summary="Delete a goal indicator"
)
def delete_goal(request: HttpRequest, goal_id: Id, version: Version | None = None):
    user = actor(request)
    services.child_delete(
        actor=user, item=_child(GoalIndicator, user, goal_id), expected_version=version
    )
    return Status(204, None)


@router.post(
    "/projects/{project_id}/measures",
    response={201: MeasureOut},
    tags=["measures"],
    summary="Add a measure",
)
def create_measure(request: HttpRequest, project_id: Id, payload: MeasureIn):
    user = actor(request)
    project = access_project(user, project_id)
    measure = services.measure_add(
        actor=user,
        project=project,
        data=MeasureInput(
            description=payload.description,
            owner=pick_optional(people_visible_to(user), payload.owner_id, field="owner_id"),
            start_date=payload.start_date,
            due_date=payload.due_date,
            status=payload.status,
            percent_complete=payload.percent_complete,
        ),
    )
    return Status(201, measure)


@router.patch(
    "/measures/{measure_id}", response=MeasureOut, tags=["measures"], summary="Change a measure"
)
def update_measure(request: HttpRequest, measure_id: Id, payload: MeasureUpdateIn):
    user = actor(request)
    measure: Measure = _child(Measure, user, measure_id)  # type: ignore[assignment]
    sent = payload.model_dump(exclude_unset=True, exclude={"version"})
    owner = measure.owner
    if "owner_id" in sent:
        # null clears the owner; an id must name someone the caller can see.
        owner = pick_optional(people_visible_to(user), sent.pop("owner_id"), field="owner_id")
    data = {
        "description": measure.description,
        "start_date": measure.start_date,
        "due_date": measure.due_date,
        "status": measure.status,
        "percent_complete": measure.percent_complete,
    }
    for name in ("start_date", "due_date"):
        if name in sent:  # null clears a date
            data[name] = sent.pop(name)
    data.update({k: v for k, v in sent.items() if v is not None})
    return services.measure_update(
        actor=user,
        measure=measure,
        data=MeasureInput(owner=owner, **data),
        expected_version=payload.version,
    )


@router.delete(
    "/measures/{measure_id}", response={204: None}, tags=["measures"], summary="Delete a measure"
)
def delete_measure(request: HttpRequest, measure_id: Id, version: Version | None = None):
    user = actor(request)
    services.child_delete(
        actor=user, item=_child(Measure, user, measure_id), expected_version=version
    )
    return Status(204, None)


@router.post(
    "/projects/{project_id}/participants",
    response={201: ParticipantOut},
    tags=["participants"],
    summary="Add a participant",
)
def create_participant(request: HttpRequest, project_id: Id, payload: ParticipantIn):
    user = actor(request)
    participant = services.participant_add(
        actor=user,
        project=access_project(user, project_id),
        person=pick(people_visible_to(user), payload.person_id, field="person_id"),
        role=payload.role,
        duty=payload.duty,
    )
    return Status(201, participant)


@router.patch(
    "/participants/{participant_id}",
    response=ParticipantOut,
    tags=["participants"],
    summary="Change a participant's role or duty",
)
def update_participant(request: HttpRequest, participant_id: Id, payload: ParticipantUpdateIn):
    user = actor(request)
    participant: Participant = _child(Participant, user, participant_id)  # type: ignore[assignment]
    return services.participant_update(
        actor=user,
        participant=participant,
        role=payload.role if payload.role is not None else participant.role,
        duty=payload.duty if payload.duty is not None else participant.duty,
        expected_version=payload.version,
    )


@router.delete(
    "/participants/{participant_id}",
    response={204: None},
    tags=["participants"],
    summary="Remove a participant",
)
def delete_participant(request: HttpRequest, participant_id: Id, version: Version | None = None):
    user = actor(request)
    services.child_delete(
        actor=user, item=_child(Participant, user, participant_id), expected_version=version
    )
    return Status(204, None)
