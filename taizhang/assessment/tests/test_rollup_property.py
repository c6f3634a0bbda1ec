"""On random trees and readings, the database roll-up equals a plain-Python Decimal reference.

The reference re-implements the documented rule independently, with Decimal only: each
reading's attainment, the weighted project share and each contribution are carried to six
decimal places (truncated), and an org's score is the mean over its subtree's projects (or of
its children, or of its children weighted by the scheme's explicit org weights), rounded
once, half up, to 2 places.
"""

import datetime as dt
import decimal
from collections import defaultdict
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.assessment import services
from taizhang.assessment.models import CriterionKind
from taizhang.assessment.tests.conftest import single_criterion_spec
from taizhang.campaigns.models import GoalIndicator, Project, ProjectStatus
from taizhang.checkins.models import IndicatorReading, Period, ProgressReport, ReportStatus
from taizhang.orgs.models import Org
from taizhang.orgs.tests.factories import OrgFactory, PersonFactory

MICRO = Decimal("0.000001")
CENT = Decimal("0.01")
REF = decimal.Context(prec=60)

values = st.decimals(min_value=-10000, max_value=10000, places=2)
goal = st.tuples(values, values, values, st.decimals(min_value=0, max_value=10, places=2)).filter(
    lambda g: g[0] != g[1]
)
project = st.tuples(st.integers(min_value=0, max_value=30), st.lists(goal, min_size=1, max_size=3))
tree = st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=7)
# One optional explicit weight per node below the root (None: the default weight 1).
org_weights = st.lists(
    st.one_of(st.none(), st.decimals(min_value=Decimal("0.01"), max_value=1000, places=2)),
    min_size=7,
    max_size=7,
)


def ref_share(baseline: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    raw = REF.divide(actual - baseline, target - baseline)
    return min(Decimal(1), max(Decimal(0), raw.quantize(MICRO, rounding=ROUND_DOWN, context=REF)))


def ref_project_points(goals) -> Decimal:
    shares = [(ref_share(b, t, a), w) for b, t, a, w in goals]
    total_weight = sum(w for _s, w in shares)
    if total_weight:
        share = REF.divide(sum(s * w for s, w in shares), total_weight)
    else:
        share = REF.divide(sum(s for s, _w in shares), len(shares))
    share = share.quantize(MICRO, rounding=ROUND_DOWN, context=REF)
    return (Decimal(100) * share).quantize(MICRO, rounding=ROUND_DOWN)


def ref_rollup(
    rule: str,
    root: str,
    project_points: list[tuple[str, Decimal]],
    weights: dict[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    step = Org.steplen
    if rule == "project_weighted":
        buckets: dict[str, list[Decimal]] = defaultdict(list)
        for path, points in project_points:
            for end in range(len(root), len(path) + 1, step):
                buckets[path[:end]].append(points)
        return {
            p: REF.divide(sum(v), len(v)).quantize(CENT, rounding=ROUND_HALF_UP)
            for p, v in buckets.items()
        }
    direct: dict[str, list[Decimal]] = defaultdict(list)
    paths: set[str] = set()
    for path, points in project_points:
        direct[path].append(points)
        paths.update(path[:end] for end in range(len(root), len(path) + 1, step))
    # mean_children is the weighted mean with every weight 1; under explicit_weights a child
    # without a weight, and the org's own projects, weigh 1.
    weight_of = (weights or {}) if rule == "explicit_weights" else {}
    exact: dict[str, Decimal] = {}
    for path in sorted(paths, key=len, reverse=True):
        parts = [
            (weight_of.get(c, Decimal(1)), exact[c])
            for c in paths
            if c[:-step] == path and len(c) == len(path) + step and c in exact
        ]
        if direct.get(path):
            parts.append((Decimal(1), REF.divide(sum(direct[path]), len(direct[path]))))
        exact[path] = REF.divide(
            REF.add(0, sum((REF.multiply(w, v) for w, v in parts), Decimal(0))),
            sum(w for w, _v in parts),
        )
    return {p: v.quantize(CENT, rounding=ROUND_HALF_UP, context=REF) for p, v in exact.items()}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shape=tree,
    projects=st.lists(project, min_size=1, max_size=8),
    rule=st.sampled_from(["project_weighted", "mean_children", "explicit_weights"]),
    weights=org_weights,
)
def test_database_rollup_equals_decimal_reference(world, shape, projects, rule, weights):
    with transaction.atomic():
        # A random tree under company a: node i hangs under an earlier node (or the company).
        nodes = [world.company_a]
        for parent_index in shape:
            nodes.append(OrgFactory(parent=nodes[parent_index % len(nodes)]))
        lead = PersonFactory(org=world.company_a)
        period = Period.objects.create(
            campaign=world.campaign,
            name="Q",
            start_date=dt.date(2020, 7, 1),
            end_date=dt.date(2020, 9, 30),
            deadline=dt.date(2020, 10, 10),
        )
        kind = world.campaign.project_types.first()
        area = world.campaign.focus_areas.first()
        expected_points = []
        for index, (org_index, goals) in enumerate(projects):
            org = Org.objects.get(pk=nodes[org_index % len(nodes)].pk)
            p = Project.objects.create(
                campaign=world.campaign,
                org=org,
                code=f"H{index}",
                title="t",
                project_type=kind,
                focus_area=area,
                lead=lead,
                start_date=dt.date(2020, 1, 1),
                end_date=dt.date(2020, 12, 31),
                status=ProjectStatus.IN_PROGRESS,
            )
            report = ProgressReport.objects.create(
                project=p, period=period, status=ReportStatus.SUBMITTED
            )
            for baseline, target, actual, weight in goals:
                g = GoalIndicator.objects.create(
                    project=p, name="g", baseline=baseline, target=target, weight=weight
                )
                IndicatorReading.objects.create(report=report, goal=g, actual=actual)
            expected_points.append((org.path, ref_project_points(goals)))
        chosen = {
            node.pk: weight for node, weight in zip(nodes[1:], weights, strict=False) if weight
        }
        if not chosen:  # the rule needs at least one explicit weight
            chosen = {nodes[1].pk: Decimal("2.5")}
        scheme = services.scheme_create(
            actor=world.admin_company_a,
            campaign=world.campaign,
            spec=single_criterion_spec(
                CriterionKind.GOAL_ATTAINMENT,
                rollup_rule=rule,
                org_weights=[services.OrgWeightSpec(pk, w) for pk, w in chosen.items()],
            ),
        )
        run = services.draft_compute(scheme=scheme, period=period)
        got = {s.org_path: Decimal(s.breakdown["score"]) for s in run.org_scores.all()}
        paths = dict(Org.objects.filter(pk__in=chosen).values_list("pk", "path"))
        expected = ref_rollup(
            rule,
            world.company_a.path,
            expected_points,
            {paths[pk]: w for pk, w in chosen.items()},
        )
        # Orgs without projects below them have no score, in both.
        assert got == {p: v for p, v in expected.items()}
        transaction.set_rollback(True)
