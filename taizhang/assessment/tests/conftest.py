import datetime as dt
from decimal import Decimal

import pytest

from taizhang.assessment import services
from taizhang.assessment.services import (
    BandSpec,
    BonusSpec,
    CriterionSpec,
    DeductionSpec,
    DimensionSpec,
    SchemeSpec,
    VetoSpec,
)
from taizhang.campaigns.models import ProjectStatus
from taizhang.campaigns.tests.factories import GoalFactory, MeasureFactory, ProjectFactory
from taizhang.checkins.models import IndicatorReading, Period, ProgressReport, ReportStatus

D = Decimal


def single_criterion_spec(kind: str, **extra) -> SchemeSpec:
    """A scheme where one criterion is worth all 100 points, so the score shows its share."""
    return SchemeSpec(
        name="测试方案",
        dimensions=[
            DimensionSpec(
                "唯一维度",
                "100",
                [CriterionSpec("唯一内容", kind, "100", extra.pop("params", None))],
            )
        ],
        bands=extra.pop(
            "bands",
            [
                BandSpec("优秀", "90", "100"),
                BandSpec("达标", "60", "89.99"),
                BandSpec("不达标", "0", "59.99"),
            ],
        ),
        **extra,
    )


def submit_report(project, period, actuals: dict, *, late: bool = False) -> ProgressReport:
    """A submitted report with readings, written directly (the check-in services are tested
    elsewhere; here only its numbers matter)."""
    report = ProgressReport.objects.create(
        project=project,
        period=period,
        status=ReportStatus.SUBMITTED,
        progress="x",
        is_late=late,
        revision=1,
    )
    for goal, actual in actuals.items():
        IndicatorReading.objects.create(report=report, goal=goal, actual=D(str(actual)))
    return report


@pytest.fixture
def q3(world) -> Period:
    return Period.objects.create(
        campaign=world.campaign,
        name="2020年第3季度",
        start_date=dt.date(2020, 7, 1),
        end_date=dt.date(2020, 9, 30),
        deadline=dt.date(2020, 10, 10),
    )


@pytest.fixture
def running(world):
    """Factory for an in-progress project of an org with goals (baseline, target, weight)."""

    def make(org=None, goals=((0, 100, 1),), lead=None, **kwargs):
        project = ProjectFactory(
            campaign=world.campaign,
            org=org or world.branch_a1,
            lead=lead or world.lead_person_a1,
            status=ProjectStatus.IN_PROGRESS,
            **kwargs,
        )
        made = [
            GoalFactory(
                project=project,
                baseline=D(str(b)),
                target=D(str(t)),
                weight=D(str(w)),
                direction="higher" if t > b else "lower",
            )
            for b, t, w in goals
        ]
        return project, made

    return make


__all__ = ["BonusSpec", "DeductionSpec", "VetoSpec", "MeasureFactory", "services"]
