"""The arithmetic of check-ins, as pure functions: attainment, time elapsed, status light.

Kept free of the ORM so the rule can be tested exhaustively (hypothesis) and reused by the
assessment roll-up, which computes the same figures in SQL.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


class Light:
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class Thresholds:
    """Points of attainment behind the time-elapsed expectation (campaign settings)."""

    amber_after: Decimal = Decimal(10)  # more than this behind → amber
    red_after: Decimal = Decimal(30)  # more than this behind → red


def clamp(value: Decimal, low: Decimal = ZERO, high: Decimal = ONE) -> Decimal:
    return max(low, min(high, value))


def attainment(*, baseline: Decimal, target: Decimal, actual: Decimal) -> Decimal:
    """Share of the way from baseline to target, clamped to [0, 1].

    One formula serves both directions: for lower-is-better the target sits below the
    baseline, so numerator and denominator are both negative when things improve.
    """
    span = target - baseline
    if span == 0:
        # A goal with no distance to travel: met when the actual is at least as good.
        return ONE if actual == target else ZERO
    return clamp((actual - baseline) / span)


def weighted_attainment(items: Iterable[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Weighted mean of (attainment, weight) pairs; equal weights when all weights are zero.

    None when there is nothing to measure, so callers can tell "no goals" from "0 %".
    """
    pairs = list(items)
    if not pairs:
        return None
    total_weight = sum((w for _a, w in pairs), ZERO)
    if total_weight <= 0:
        return sum((a for a, _w in pairs), ZERO) / len(pairs)
    return sum((a * w for a, w in pairs), ZERO) / total_weight


def elapsed_share(*, start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """Share of the project's time gone by at `as_of`, clamped to [0, 1]."""
    total = (end - start).days
    if total <= 0:
        return ONE if as_of >= end else ZERO
    return clamp(Decimal((as_of - start).days) / Decimal(total))


def status_light(
    *,
    attainment_share: Decimal | None,
    elapsed: Decimal,
    previous: str | None = None,
    report_missing: bool = False,
    thresholds: Thresholds = Thresholds(),
) -> str:
    """Red/amber/green by how far attainment trails the time elapsed (in points of 100).

    Within `amber_after` points (or ahead) is green, up to `red_after` behind is amber,
    further behind is red; two ambers in a row make red; a report missing after its
    deadline is red whatever the numbers say.
    """
    if report_missing:
        return Light.RED
    achieved = attainment_share if attainment_share is not None else ZERO
    gap = (elapsed - achieved) * HUNDRED
    if gap > thresholds.red_after:
        return Light.RED
    if gap > thresholds.amber_after:
        return Light.RED if previous == Light.AMBER else Light.AMBER
    return Light.GREEN
