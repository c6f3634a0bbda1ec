"""Fixed-point arithmetic shared by the SQL aggregates and the Python reference.

Shares are integers in millionths (1.0 = 1,000,000) and scores integers in micro-points;
ledger decimals (4 places) are scaled to integers before any division, and every division
truncates toward zero. SQLite (which stores decimals as floats) and PostgreSQL (numeric)
then compute the same integers, and the only rounding a reader sees is the final one, half
up, to 2 places (`to_points`).
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import BigIntegerField, Case, ExpressionWrapper, F, When
from django.db.models import Value as _Value
from django.db.models.functions import Cast, Round
from django.db.models.lookups import GreaterThan, LessThan

ONE = 1_000_000  # a share of 1.0, in millionths
VALUE_SCALE = 10_000  # ledger decimals have 4 places
WEIGHT_SCALE = 100  # weights and points have 2 places
CENT = Decimal("0.01")


def Value(number: int) -> _Value:  # noqa: N802 - reads like the ORM's Value
    return _Value(number, output_field=BigIntegerField())


def scaled_sql(field: str, scale: int):
    """CAST(ROUND(field * scale) AS BIGINT): the exact integer behind a 4- or 2-place decimal."""
    return Cast(Round(F(field) * Value(scale)), output_field=BigIntegerField())


def scaled(value: Decimal, scale: int) -> int:
    return int((value * scale).to_integral_value(rounding=ROUND_HALF_UP))


def attainment_share_sql(baseline: str, target: str, actual: str):
    """The clamped linear share of the way from baseline to target, in millionths, in SQL."""
    b = scaled_sql(baseline, VALUE_SCALE)
    t = scaled_sql(target, VALUE_SCALE)
    a = scaled_sql(actual, VALUE_SCALE)
    raw = ExpressionWrapper((a - b) * Value(ONE) / (t - b), output_field=BigIntegerField())
    return Case(
        When(
            **{f"{target}": F(baseline)},
            then=Case(When(**{actual: F(target)}, then=Value(ONE)), default=Value(0)),
        ),
        default=Case(
            When(LessThan(raw, Value(0)), then=Value(0)),
            When(GreaterThan(raw, Value(ONE)), then=Value(ONE)),
            default=raw,
        ),
        output_field=BigIntegerField(),
    )


def truncdiv(numerator: int, denominator: int) -> int:
    """Integer division truncating toward zero, as SQL does (Python's // floors)."""
    quotient = abs(numerator) // abs(denominator)
    return quotient if (numerator >= 0) == (denominator > 0) else -quotient


def attainment_share(baseline: Decimal, target: Decimal, actual: Decimal) -> int:
    """Python twin of attainment_share_sql, for explanations and the reference tests."""
    b, t, a = (
        scaled(baseline, VALUE_SCALE),
        scaled(target, VALUE_SCALE),
        scaled(actual, VALUE_SCALE),
    )
    if t == b:
        return ONE if a == t else 0
    return max(0, min(ONE, truncdiv((a - b) * ONE, t - b)))


def contribution(points: Decimal, share: int) -> int:
    """Micro-points earned by a criterion worth `points` at `share` millionths."""
    return contribution_scaled(scaled(points, WEIGHT_SCALE), share)


def contribution_scaled(weight: int, share: int) -> int:
    """contribution() for points already scaled by WEIGHT_SCALE (once per criterion)."""
    return truncdiv(weight * share, WEIGHT_SCALE)


def to_points(micro: int | Fraction) -> Decimal:
    """The one rounding: micro-points (or an exact mean of them) to points, half up, 2 places."""
    cents = Fraction(micro) * 100 / ONE
    n, d = cents.numerator, cents.denominator
    # Exact half-up (away from zero) on the rational value: no intermediate Decimal context.
    whole = (2 * n + d) // (2 * d) if n >= 0 else -((-2 * n + d) // (2 * d))
    return Decimal(whole).scaleb(-2).quantize(CENT)


def points_to_micro(points: Decimal) -> int:
    return scaled(points, ONE)
