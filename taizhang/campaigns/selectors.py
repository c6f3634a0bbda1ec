"""Reads for campaign pages: the ledger, linkage figures and the trash."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from taizhang.orgs.models import PARTY_MEMBER_STATUSES, Org, Person
from taizhang.orgs.permissions import org_scope_q

from .models import Campaign, Pairing, Participant, Project, ProjectStatus
from .permissions import projects_visible_to

LEDGER_SORTS = {
    "code": ("code", "id"),
    "-code": ("-code", "-id"),
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "org": ("org__name_pinyin", "code"),
    "-org": ("-org__name_pinyin", "code"),
    "lead": ("lead__name_pinyin", "code"),
    "-lead": ("-lead__name_pinyin", "code"),
    "status": ("status", "code"),
    "-status": ("-status", "code"),
    "end_date": ("end_date", "code"),
    "-end_date": ("-end_date", "code"),
}


@dataclass(frozen=True)
class LedgerFilters:
    org: Org | None = None
    project_type: int | None = None
    focus_area: int | None = None
    status: str | None = None
    lead: int | None = None
    q: str = ""
    sort: str = "code"


def ledger_projects(user, campaign: Campaign, filters: LedgerFilters) -> QuerySet[Project]:
    """The campaign's ledger rows the user may see, filtered and sorted, with everything a
    row shows joined or annotated so a page costs the same few queries at any size."""
    queryset = (
        projects_visible_to(user)
        .filter(campaign=campaign)
        .select_related("org", "lead", "project_type", "focus_area")
        # A correlated count, not a JOIN + GROUP BY: the paginator's COUNT(*) then drops
        # it, and neither query groups the whole filtered ledger (P1 in BENCHMARKS.md).
        .annotate(
            participant_count=Coalesce(
                Subquery(
                    Participant.objects.filter(project=OuterRef("pk"))
                    .order_by()
                    .values("project")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
    )
    if filters.org is not None:
        queryset = queryset.filter(org__path__startswith=filters.org.path)
    if filters.project_type:
        queryset = queryset.filter(project_type_id=filters.project_type)
    if filters.focus_area:
        queryset = queryset.filter(focus_area_id=filters.focus_area)
    if filters.status in ProjectStatus.values:
        queryset = queryset.filter(status=filters.status)
    if filters.lead:
        queryset = queryset.filter(lead_id=filters.lead)
    if filters.q:
        term = filters.q.strip()
        queryset = queryset.filter(
            Q(title__icontains=term) | Q(code__icontains=term) | Q(lead__name__icontains=term)
        )
    return queryset.order_by(*LEDGER_SORTS.get(filters.sort, LEDGER_SORTS["code"]))


@dataclass(frozen=True)
class LinkageFigures:
    """三级联动 in numbers: the branch owns, members lead, the masses take part."""

    projects: int
    projects_led_by_members: int
    participants: int
    non_member_participants: int
    members_in_scope: int
    members_leading: int
    members_paired: int
    colleagues_covered: int

    @property
    def share_led_by_members(self) -> float:
        return self.projects_led_by_members / self.projects if self.projects else 0.0

    @property
    def share_members_leading(self) -> float:
        return self.members_leading / self.members_in_scope if self.members_in_scope else 0.0

    @property
    def colleagues_per_paired_member(self) -> float:
        return self.colleagues_covered / self.members_paired if self.members_paired else 0.0


def linkage_figures(user, campaign: Campaign, org: Org | None = None) -> LinkageFigures:
    """Counts over the user's visible part of the campaign (optionally one subtree)."""
    scope = org_scope_q(user)
    projects = Project.objects.filter(scope, campaign=campaign)
    if org is not None:
        projects = projects.filter(org__path__startswith=org.path)
    project_counts = projects.aggregate(
        total=Count("id"),
        by_members=Count("id", filter=Q(lead__political_status__in=PARTY_MEMBER_STATUSES)),
        leads=Count(
            "lead", distinct=True, filter=Q(lead__political_status__in=PARTY_MEMBER_STATUSES)
        ),
    )
    participant_counts = Participant.objects.filter(project__in=projects).aggregate(
        people=Count("person", distinct=True),
        non_members=Count(
            "person", distinct=True, filter=~Q(person__political_status__in=PARTY_MEMBER_STATUSES)
        ),
    )
    pairings = Pairing.objects.filter(campaign=campaign).filter(
        org_scope_q(user, field="member__org__path")
    )
    if org is not None:
        pairings = pairings.filter(member__org__path__startswith=org.path)
    pairing_counts = pairings.aggregate(
        members=Count("member", distinct=True), colleagues=Count("colleague", distinct=True)
    )
    root_path = (org or campaign.org).path
    members = Person.objects.filter(
        scope, org__path__startswith=root_path, political_status__in=PARTY_MEMBER_STATUSES
    )
    return LinkageFigures(
        projects=project_counts["total"],
        projects_led_by_members=project_counts["by_members"],
        participants=participant_counts["people"],
        non_member_participants=participant_counts["non_members"],
        members_in_scope=members.count(),
        members_leading=project_counts["leads"],
        members_paired=pairing_counts["members"],
        colleagues_covered=pairing_counts["colleagues"],
    )


def campaign_pairings(user, campaign: Campaign) -> QuerySet[Pairing]:
    return (
        Pairing.objects.filter(campaign=campaign)
        .filter(org_scope_q(user, field="member__org__path"))
        .select_related("member", "member__org", "colleague", "colleague__org")
        .order_by("member__name_pinyin", "colleague__name_pinyin")
    )


def trash_projects(user, campaign: Campaign) -> QuerySet[Project]:
    return (
        projects_visible_to(user, include_deleted=True)
        .filter(campaign=campaign, deleted_at__isnull=False)
        .select_related("org", "lead", "deleted_by")
        .order_by("-deleted_at")
    )
