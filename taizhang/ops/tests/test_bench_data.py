"""`taizhang bench-data`: exact sizes, a valid tree, the services' invariants, determinism."""

from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from taizhang.campaigns.models import Campaign, GoalIndicator, Measure, Participant, Project
from taizhang.campaigns.permissions import projects_visible_to
from taizhang.checkins import rules
from taizhang.checkins.models import IndicatorReading, Period, ProgressReport, ReportStatus
from taizhang.core.audit import verify_chain
from taizhang.manage import command_argv
from taizhang.ops.benchdata import SCALES, split_total
from taizhang.orgs.models import (
    PARTY_MEMBER_STATUSES,
    Membership,
    Org,
    OrgKind,
    Person,
    PoliticalStatus,
    Role,
)

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("bench_data", *args, stdout=out)
    return out.getvalue()


def test_tiny_scale_has_the_exact_sizes_and_a_valid_tree():
    out = _run("--scale", "tiny", "--seed", "7")
    scale = SCALES["tiny"]
    assert Org.objects.filter(kind=OrgKind.BRANCH).count() == scale.branches
    assert Person.objects.count() == scale.people
    assert Project.objects.count() == scale.projects
    assert GoalIndicator.objects.count() == scale.goals
    assert Measure.objects.count() == scale.measures
    assert Participant.objects.count() == scale.participants
    assert Period.objects.count() == 4
    assert ProgressReport.objects.count() == scale.projects * 4
    assert IndicatorReading.objects.count() == scale.goals * 4
    assert "bench-data tiny seed=7 on" in out.splitlines()[-1]

    # Paths computed directly must be what treebeard itself would keep.
    assert Org.objects.find_problems() == ([], [], [], [], [])
    root = Org.objects.get_root_nodes().get()
    assert Org.objects.get_descendant_count(root) == Org.objects.count() - 1
    assert {o.depth for o in Org.objects.filter(kind=OrgKind.BRANCH)} <= {4, 5, 6}
    # Bench data keeps the normal bookkeeping values.
    assert set(Project.objects.values_list("lock_version", flat=True)) == {1}
    assert not Project.objects.filter(created_at__isnull=True).exists()
    # Only the few ordinary saves (campaign, types, areas, periods, scheme) have history,
    # and each of those is chained.
    assert Project.history.count() == 0
    assert verify_chain().ok


def test_the_data_keeps_the_rules_the_services_keep():
    _run("--scale", "tiny")
    for project in Project.objects.select_related("lead__org", "org", "campaign__org"):
        assert project.lead.political_status in PARTY_MEMBER_STATUSES  # 党员带头
        assert project.lead.org_id == project.org_id
        assert project.org.path.startswith(project.campaign.org.path)
        assert project.end_date >= project.start_date
    for goal in GoalIndicator.objects.all():
        assert goal.target != goal.baseline
        assert (goal.target > goal.baseline) == (goal.direction == "higher")
    campaign = Campaign.objects.get()
    thresholds = rules.Thresholds(amber_after=campaign.amber_after, red_after=campaign.red_after)
    submitted = (
        ProgressReport.objects.exclude(status=ReportStatus.DRAFT)
        .select_related("project", "period")
        .order_by("project_id", "period__start_date")
    )
    previous: dict[int, str] = {}
    for report in submitted:
        goals = list(report.project.goals.all())
        actual = {r.goal_id: r.actual for r in report.readings.all()}
        pairs = [
            (rules.attainment(baseline=g.baseline, target=g.target, actual=actual[g.pk]), g.weight)
            for g in goals
        ]
        attained = rules.weighted_attainment(pairs)
        elapsed = rules.elapsed_share(
            start=report.project.start_date,
            end=report.project.end_date,
            as_of=report.period.end_date,
        )
        assert report.attainment == attained.quantize(Decimal("0.0001"))
        assert report.elapsed == elapsed.quantize(Decimal("0.0001"))
        assert report.computed_light == rules.status_light(
            attainment_share=attained,
            elapsed=elapsed,
            previous=previous.get(report.project_id),
            thresholds=thresholds,
        )
        previous[report.project_id] = report.computed_light
        assert report.submitted_at is not None and report.submitted_by_id is not None


def test_logins_for_benchmarks_and_their_scopes():
    _run("--scale", "tiny", "--password", "s3cret-bench")
    viewer = authenticate(username="bench_group_viewer", password="s3cret-bench")
    branch_admin = authenticate(username="bench_branch_admin", password="s3cret-bench")
    lead = authenticate(username="bench_lead", password="s3cret-bench")
    assert viewer and branch_admin and lead
    assert Membership.objects.get(user=viewer).role == Role.VIEWER
    assert projects_visible_to(viewer).count() == Project.objects.count()
    branch = Membership.objects.get(user=branch_admin).org
    assert projects_visible_to(branch_admin).count() == Project.objects.filter(org=branch).count()
    assert Project.objects.filter(lead__user=lead).exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_does_not():
    def fingerprint(root: Org) -> list:
        orgs = Org.objects.filter(path__startswith=root.path)
        projects = Project.objects.filter(org__path__startswith=root.path).order_by("pk")
        return [
            [(o.path[4:], o.name, o.kind) for o in orgs.order_by("path")],
            [
                (name, status, path[4:])
                for name, status, path in Person.objects.filter(org__path__startswith=root.path)
                .order_by("pk")
                .values_list("name", "political_status", "org__path")
            ],
            list(projects.values_list("title", "status", "lead__name", "start_date")),
            list(
                ProgressReport.objects.filter(project__in=projects)
                .order_by("pk")
                .values_list("status", "computed_light", "attainment")
            ),
            list(
                GoalIndicator.objects.filter(project__in=projects)
                .order_by("pk")
                .values_list("name", "baseline", "target", "weight")
            ),
        ]

    _run("--scale", "tiny", "--seed", "3")
    _run("--scale", "tiny", "--seed", "3", "--force")
    _run("--scale", "tiny", "--seed", "4", "--force")
    first, again, other = (fingerprint(root) for root in Org.objects.get_root_nodes())
    assert first == again
    assert first != other
    assert Counter(status for _name, status, _path in first[1])[PoliticalStatus.MASSES] > 0


def test_a_non_empty_database_is_refused_unless_forced():
    _run("--scale", "tiny")
    with pytest.raises(CommandError, match="--force"):
        _run("--scale", "tiny")
    _run("--scale", "tiny", "--force")
    assert Org.objects.get_root_nodes().count() == 2
    assert Project.objects.count() == 2 * SCALES["tiny"].projects
    assert Person.objects.filter(staff_no__startswith="R2-").count() == SCALES["tiny"].people
    assert Org.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize("total,parts", [(150_000, 5000), (30, 12), (7, 3), (0, 4)])
def test_split_total_is_exact(total, parts):
    import random

    values = split_total(total, parts, random.Random(1), 1, 5)
    assert sum(values) == total
    assert len(values) == parts


def test_dashed_command_names_reach_their_commands():
    assert command_argv(["taizhang", "bench-data", "--scale", "tiny"]) == [
        "taizhang",
        "bench_data",
        "--scale",
        "tiny",
    ]
    assert command_argv(["taizhang", "audit-verify"])[1] == "audit_verify"
    assert command_argv(["taizhang", "--help"]) == ["taizhang", "--help"]
    assert command_argv(["taizhang", "migrate"]) == ["taizhang", "migrate"]


def test_postgresql_gets_statistics_after_the_load():
    """Without them (autovacuum off) PostgreSQL planned the import's lookups for empty
    tables: a nested loop over every org, each scanning every person."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL statistics (SQLite is left without them on purpose)")
    _run("--scale", "tiny", "--seed", "3")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('orgs_person', 'orgs_org', 'campaigns_project')"
        )
        tuples = dict(cursor.fetchall())
    scale = SCALES["tiny"]
    assert tuples["orgs_person"] >= scale.people
    assert tuples["campaigns_project"] >= scale.projects
    assert tuples["orgs_org"] > scale.branches
