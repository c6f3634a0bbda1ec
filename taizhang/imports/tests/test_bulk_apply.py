"""The import files new projects in bulk: same rows, history and audit trail as
project_create, one transaction for the file, and queries that do not grow per row."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.campaigns import services as campaign_services
from taizhang.campaigns.models import (
    GoalIndicator,
    Measure,
    Participant,
    Project,
    ProjectStatus,
    ProjectTransition,
)
from taizhang.core import audit
from taizhang.core.exceptions import DomainError
from taizhang.core.models import AuditEntry
from taizhang.imports import services
from taizhang.imports.models import ImportStatus
from taizhang.webhooks import services as webhook_services
from taizhang.webhooks.models import Delivery

from .test_services import dry_run, ledger, row

TRACKED = (Project, GoalIndicator, Measure, Participant)


def _apply(world, *rows, actor=None):
    actor = actor or world.admin_company_a
    ledger_import, report = dry_run(world, ledger(*rows), actor=actor)
    assert report["errors"] == []
    counts = services.ledger_import_apply(actor=actor, ledger_import=ledger_import)
    return ledger_import, counts


def test_imported_projects_have_history_and_a_clean_audit_chain(world):
    _ledger_import, counts = _apply(world, row(1), row(2), row(3))
    assert counts["created"] == 3
    projects = list(Project.objects.order_by("code"))
    assert [p.code for p in projects] == ["IM-001", "IM-002", "IM-003"]
    for project in projects:
        assert project.goals.count() == 1
        assert project.measures.count() == 2
        assert sorted(p.person.name for p in project.participants.all()) == ["群众乙", "群众甲"]
        record = project.history.get()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            world.admin_company_a,
            "创建项目",
        )
    for model in TRACKED:
        history = model.history.all()
        assert history.exists()
        assert (
            AuditEntry.objects.filter(
                model=history.model._meta.label, history_id__in=history.values("history_id")
            ).count()
            == history.count()
        )
    result = audit.verify_chain()
    assert result.ok, result.problems


def test_imported_rows_equal_what_project_create_gives(world):
    _apply(world, row(1))
    imported = Project.objects.get()
    made = campaign_services.project_create(
        actor=world.admin_company_a,
        campaign=world.campaign,
        org=imported.org,
        code="BY-HAND",
        title=imported.title,
        project_type=imported.project_type,
        focus_area=imported.focus_area,
        lead=imported.lead,
        start_date=imported.start_date,
        end_date=imported.end_date,
        rationale=imported.rationale,
        plan=imported.plan,
        goals=[
            campaign_services.GoalInput(
                name=g.name,
                target=g.target,
                baseline=g.baseline,
                unit=g.unit,
                direction=g.direction,
                weight=g.weight,
            )
            for g in imported.goals.all()
        ],
        measures=[
            campaign_services.MeasureInput(description=m.description)
            for m in imported.measures.all()
        ],
        participants=[(p.person, p.role) for p in imported.participants.all()],
    )

    def shape(project):
        skip = {"id", "created_at", "updated_at", "code", "project_id"}

        def fields(obj):
            return {
                f.attname: getattr(obj, f.attname)
                for f in type(obj)._meta.concrete_fields
                if f.attname not in skip
            }

        def history(obj):
            return [
                (h.history_type, h.history_user_id, h.history_change_reason or "")
                for h in obj.history.all()
            ]

        return (
            fields(project),
            history(project),
            [(fields(g), history(g)) for g in project.goals.all()],
            [(fields(m), history(m)) for m in project.measures.all()],
            [(fields(p), history(p)) for p in project.participants.all()],
        )

    assert shape(Project.objects.get(pk=imported.pk)) == shape(Project.objects.get(pk=made.pk))


def test_a_refusal_in_row_n_rolls_every_row_back(world, monkeypatch):
    ledger_import, report = dry_run(world, ledger(row(1), row(2), row(3), row(4)))
    assert report["errors"] == []
    real = campaign_services._prepare_project
    calls = []

    def third_fails(**kwargs):
        calls.append(kwargs["item"].code)
        if len(calls) == 3:
            raise DomainError("模拟的拒绝", "simulated")
        return real(**kwargs)

    monkeypatch.setattr(campaign_services, "_prepare_project", third_fails)
    entries = AuditEntry.objects.count()
    with pytest.raises(DomainError) as info:
        services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    # Row 5 of the sheet is the file's third project (a title and a header row first).
    assert info.value.message == "第 5 行（导入项目3）：模拟的拒绝"
    assert info.value.code == "simulated"
    assert calls == ["IM-001", "IM-002", "IM-003"]
    assert not Project.all_objects.exists()
    assert all(not model.history.exists() for model in TRACKED)
    assert AuditEntry.objects.count() == entries
    ledger_import.refresh_from_db()
    assert ledger_import.status == ImportStatus.CHECKED


def test_a_failure_after_the_bulk_write_rolls_it_back_too(world, monkeypatch):
    """The projects are written before the status moves; a refusal there undoes them."""
    ledger_import, report = dry_run(world, ledger(row(1), row(2, 状态="已申报")))
    assert report["errors"] == []

    def refuse(**kwargs):
        raise DomainError("不能申报", "refused")

    monkeypatch.setattr(campaign_services, "project_transition", refuse)
    with pytest.raises(DomainError) as info:
        services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    assert info.value.message == "第 4 行（导入项目2）：不能申报"
    assert not Project.all_objects.exists()
    assert all(not model.history.exists() for model in TRACKED)


def test_statuses_move_through_the_lifecycle_and_approvals_announce_themselves(
    world, django_capture_on_commit_callbacks
):
    webhook_services.endpoint_create(
        actor=world.admin_company_a,
        org=world.company_a,
        url="http://127.0.0.1:9/hook",
        events=["project.approved"],
    )
    with django_capture_on_commit_callbacks(execute=True):
        _apply(world, row(1, 状态="已立项"), row(2), row(3, 状态="实施中"))
    approved, draft, started = Project.objects.order_by("code")
    assert approved.status == ProjectStatus.APPROVED
    assert draft.status == ProjectStatus.DRAFT
    assert started.status == ProjectStatus.IN_PROGRESS
    assert list(
        ProjectTransition.objects.filter(project=started).values_list("action", flat=True)
    ) == ["submit", "approve", "start"]
    assert [h.history_change_reason for h in started.history.order_by("history_id")] == [
        "创建项目",
        "按导入的台账状态办理",
        "按导入的台账状态办理",
        "按导入的台账状态办理",
    ]
    # One project.approved per approved project, as project_transition sends it.
    deliveries = Delivery.objects.filter(event="project.approved")
    assert sorted(json.loads(d.body)["data"]["project"]["code"] for d in deliveries) == [
        "IM-001",
        "IM-003",
    ]
    assert audit.verify_chain().ok


def _apply_queries(world, first: int, count: int) -> int:
    rows = [row(n) for n in range(first, first + count)]
    ledger_import, report = dry_run(world, ledger(*rows))
    assert report["counts"]["create"] == count
    with CaptureQueriesContext(connection) as ctx:
        services.ledger_import_apply(actor=world.admin_company_a, ledger_import=ledger_import)
    return len(ctx.captured_queries)


def test_import_queries_do_not_grow_per_row(world):
    _apply_queries(world, 900, 1)  # first writes register each model's audit schema
    twenty = _apply_queries(world, 1, 20)
    forty = _apply_queries(world, 100, 40)
    # Row by row an import cost about 60 queries per new project (1,200 for 20 more rows);
    # in bulk it is a fixed number per batch plus a few more insert statements on SQLite.
    assert forty - twenty <= 15, (twenty, forty)
