"""Reads behind the ledger export: the ledger view's projects (the same selector, so the
same filters and visibility) and their goals, measures, reports, claims, inspections and
scores. Each sheet is one query over a subquery of the filtered projects, streamed with
iterator(); the project sheet prefetches participants per chunk. The number of queries
does not depend on the number of rows."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from taizhang.assessment.models import ProjectScore, RunKind, ScoreRun
from taizhang.campaigns.models import Campaign, GoalIndicator, Measure, Participant, Project
from taizhang.campaigns.selectors import LEDGER_SORTS, LedgerFilters, ledger_projects
from taizhang.checkins.models import (
    BenefitClaim,
    Inspection,
    ProgressReport,
    RectificationStatus,
)

CHUNK = 1000


def export_projects(user, campaign: Campaign, filters: LedgerFilters) -> QuerySet[Project]:
    """The ledger view's rows, exactly: ledger_projects with the same filters and sort."""
    return ledger_projects(user, campaign, filters).prefetch_related(
        Prefetch(
            "participants",
            queryset=Participant.objects.select_related("person").order_by("id"),
        )
    )


def _project_order(filters: LedgerFilters) -> list[str]:
    """Detail rows follow their projects in the ledger's sort order."""
    keys = LEDGER_SORTS.get(filters.sort, LEDGER_SORTS["code"])
    return [f"-project__{key[1:]}" if key.startswith("-") else f"project__{key}" for key in keys]


def _ids(projects: QuerySet[Project]) -> QuerySet[Project]:
    return projects.order_by().values("pk")


def goal_rows(projects: QuerySet[Project], filters: LedgerFilters) -> Iterator[tuple[Any, ...]]:
    return (
        GoalIndicator.objects.filter(project__in=_ids(projects))
        .order_by(*_project_order(filters), "order", "id")
        .values_list(
            "project__code",
            "project__title",
            "name",
            "unit",
            "baseline",
            "target",
            "direction",
            "weight",
        )
        .iterator(chunk_size=CHUNK)
    )


def measure_rows(projects: QuerySet[Project], filters: LedgerFilters) -> Iterator[tuple[Any, ...]]:
    return (
        Measure.objects.filter(project__in=_ids(projects))
        .order_by(*_project_order(filters), "order", "id")
        .values_list(
            "project__code",
            "project__title",
            "description",
            "owner__name",
            "start_date",
            "due_date",
            "status",
            "percent_complete",
        )
        .iterator(chunk_size=CHUNK)
    )


def report_rows(projects: QuerySet[Project], filters: LedgerFilters) -> Iterator[tuple[Any, ...]]:
    return (
        ProgressReport.objects.filter(project__in=_ids(projects))
        .order_by(*_project_order(filters), "period__start_date", "id")
        .values_list(
            "project__code",
            "project__title",
            "period__name",
            "status",
            "progress",
            "problems",
            "next_steps",
            "submitted_at",
            "is_late",
            "attainment",
            "elapsed",
            "computed_light",
            "override_light",
        )
        .iterator(chunk_size=CHUNK)
    )


def claim_rows(projects: QuerySet[Project], filters: LedgerFilters) -> Iterator[tuple[Any, ...]]:
    return (
        BenefitClaim.objects.filter(project__in=_ids(projects))
        .order_by(*_project_order(filters), "period__start_date", "id")
        .values_list(
            "project__code",
            "project__title",
            "period__name",
            "source",
            "amount",
            "status",
            "verified_amount",
            "verified_at",
            "description",
            "decision_note",
        )
        .iterator(chunk_size=CHUNK)
    )


def inspection_rows(
    projects: QuerySet[Project], filters: LedgerFilters
) -> Iterator[tuple[Any, ...]]:
    """Inspections of the exported projects (inspections of whole orgs are not ledger rows)."""
    alive = Q(items__deleted_at__isnull=True)
    return (
        Inspection.objects.filter(project__in=_ids(projects))
        .annotate(
            item_count=Count("items", filter=alive),
            open_count=Count("items", filter=alive & Q(items__status=RectificationStatus.OPEN)),
        )
        .order_by(*_project_order(filters), "date", "id")
        .values_list(
            "project__code",
            "project__title",
            "date",
            "inspecting_org__name",
            "inspectors",
            "methods",
            "rating",
            "findings",
            "item_count",
            "open_count",
        )
        .iterator(chunk_size=CHUNK)
    )


def latest_published_run(campaign: Campaign) -> ScoreRun | None:
    return (
        ScoreRun.objects.filter(scheme__campaign=campaign, kind=RunKind.PUBLISHED)
        .select_related("scheme", "period", "published_by")
        .order_by("-published_at", "-pk")
        .first()
    )


def score_rows(
    run: ScoreRun, projects: QuerySet[Project], filters: LedgerFilters
) -> Iterator[tuple[Any, ...]]:
    return (
        ProjectScore.objects.filter(run=run, project__in=_ids(projects))
        .order_by(*_project_order(filters))
        .values_list(
            "project__code",
            "project__title",
            "org__name",
            "org__short_name",
            "total_micro",
            "bonus_micro",
            "grade",
        )
        .iterator(chunk_size=CHUNK)
    )
