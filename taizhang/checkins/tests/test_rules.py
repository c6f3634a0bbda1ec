import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from taizhang.checkins.rules import (
    Light,
    Thresholds,
    attainment,
    elapsed_share,
    status_light,
    weighted_attainment,
)

D = Decimal


@pytest.mark.parametrize(
    ("baseline", "target", "actual", "expected"),
    [
        (D(0), D(500), D(250), D("0.5")),
        (D(0), D(500), D(600), D(1)),
        (D(0), D(500), D(-10), D(0)),
        (D(120), D(0), D(60), D("0.5")),  # lower is better: loss from 120 down to 0
        (D(120), D(0), D(150), D(0)),
        (D(120), D(0), D(-5), D(1)),
        (D(10), D(10), D(10), D(1)),
    ],
)
def test_attainment_examples(baseline, target, actual, expected):
    assert attainment(baseline=baseline, target=target, actual=actual) == expected


decimals = st.decimals(
    min_value=-(10**6), max_value=10**6, allow_nan=False, allow_infinity=False, places=2
)


@given(
    baseline=decimals,
    target=decimals,
    actual=decimals,
    better=st.decimals(min_value=0, max_value=1000, places=2),
)
def test_attainment_is_clamped_and_monotone_in_the_right_direction(
    baseline, target, actual, better
):
    assume(baseline != target)
    share = attainment(baseline=baseline, target=target, actual=actual)
    assert D(0) <= share <= D(1)
    # Moving the actual toward the target never lowers attainment, whichever the direction.
    step = better if target > baseline else -better
    assert attainment(baseline=baseline, target=target, actual=actual + step) >= share
    assert attainment(baseline=baseline, target=target, actual=target) == D(1)
    assert attainment(baseline=baseline, target=target, actual=baseline) == D(0)


def test_weighted_attainment():
    assert weighted_attainment([]) is None
    assert weighted_attainment([(D(1), D(3)), (D(0), D(1))]) == D("0.75")
    assert weighted_attainment([(D(1), D(0)), (D(0), D(0))]) == D("0.5")


def test_elapsed_share():
    start, end = dt.date(2020, 1, 1), dt.date(2020, 12, 31)
    assert elapsed_share(start=start, end=end, as_of=dt.date(2019, 6, 1)) == 0
    assert elapsed_share(start=start, end=end, as_of=dt.date(2021, 6, 1)) == 1
    mid = elapsed_share(start=start, end=end, as_of=dt.date(2020, 7, 1))
    assert D("0.49") < mid < D("0.51")


@pytest.mark.parametrize(
    ("achieved", "elapsed", "previous", "expected"),
    [
        ("0.50", "0.50", None, Light.GREEN),
        ("0.40", "0.50", None, Light.GREEN),  # exactly 10 behind
        ("0.39", "0.50", None, Light.AMBER),
        ("0.20", "0.50", None, Light.AMBER),  # exactly 30 behind
        ("0.19", "0.50", None, Light.RED),
        ("0.30", "0.50", Light.AMBER, Light.RED),  # two ambers in a row
        ("0.30", "0.50", Light.GREEN, Light.AMBER),
        ("0.90", "0.50", None, Light.GREEN),
    ],
)
def test_status_light_bands(achieved, elapsed, previous, expected):
    assert (
        status_light(attainment_share=D(achieved), elapsed=D(elapsed), previous=previous)
        == expected
    )


def test_missing_report_is_red_even_when_ahead():
    assert status_light(attainment_share=D(1), elapsed=D("0.1"), report_missing=True) == Light.RED


shares = st.decimals(min_value=0, max_value=1, places=3)


@given(
    baseline=decimals,
    target=decimals,
    actual=decimals,
    elapsed=shares,
    previous=st.sampled_from([None, Light.GREEN, Light.AMBER, Light.RED]),
    amber=st.integers(min_value=0, max_value=50),
    extra=st.integers(min_value=0, max_value=50),
)
def test_status_light_matches_the_written_rule(
    baseline, target, actual, elapsed, previous, amber, extra
):
    """Re-derive the light from the rule's wording and compare, over both directions."""
    assume(baseline != target)
    thresholds = Thresholds(amber_after=D(amber), red_after=D(amber + extra))
    share = attainment(baseline=baseline, target=target, actual=actual)
    light = status_light(
        attainment_share=share, elapsed=elapsed, previous=previous, thresholds=thresholds
    )
    behind = (elapsed - share) * 100
    if behind <= amber:
        assert light == Light.GREEN
    elif behind <= amber + extra:
        assert light == (Light.RED if previous == Light.AMBER else Light.AMBER)
    else:
        assert light == Light.RED
    # Being further ahead can never make the light worse.
    better = status_light(
        attainment_share=D(1), elapsed=elapsed, previous=previous, thresholds=thresholds
    )
    assert better == Light.GREEN
