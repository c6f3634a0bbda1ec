"""Alternated rounds (baseline, subject, baseline, subject …), medians and profiles.

Each round's ratio is taken pair by pair, so a machine that slows down (other processes on
the two cores) slows both sides of a pair alike; the quoted figure is the median ratio.
"""

from __future__ import annotations

import cProfile
import gc
import io
import pstats
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Result:
    key: str
    title: str
    target: str
    # "time": subject seconds / baseline seconds, lower is better (passes at <= limit);
    # "throughput": subject ops/s / baseline ops/s, higher is better (passes at >= limit).
    kind: str
    limit: float
    subject: str = ""
    baseline: str = ""
    ratio: float | None = None
    passed: bool | None = None
    rounds: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    profile: str = ""
    error: str = ""

    def finish(self, ratios: list[float]) -> None:
        self.ratio = round(statistics.median(ratios), 4)
        if self.kind == "time":
            self.passed = self.ratio <= self.limit
        else:
            self.passed = self.ratio >= self.limit

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def timed(fn: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def alternate_times(
    baseline: Callable[[], Any], subject: Callable[[], Any], *, rounds: int, warmup: int = 1
) -> list[dict[str, float]]:
    """Seconds per call of each side, `rounds` pairs after `warmup` unrecorded pairs."""
    for _ in range(warmup):
        baseline()
        subject()
    out = []
    for number in range(1, rounds + 1):
        b = timed(baseline)
        s = timed(subject)
        out.append({"round": number, "baseline_s": round(b, 6), "subject_s": round(s, 6),
                    "ratio": round(s / b, 4) if b else float("inf")})  # fmt: skip
    return out


def throughput(fn: Callable[[], Any], min_seconds: float, min_calls: int = 3) -> tuple[int, float]:
    """Calls `fn` until `min_seconds` have passed (and at least `min_calls`): (calls, s)."""
    calls = 0
    started = time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - started
        if elapsed >= min_seconds and calls >= min_calls:
            return calls, elapsed


def alternate_throughput(
    baseline: Callable[[], Any],
    subject: Callable[[], Any],
    *,
    rounds: int,
    min_seconds: float,
    warmup: int = 3,
) -> list[dict[str, float]]:
    """Requests per second of each side per round; ratio = subject / baseline."""
    for _ in range(warmup):
        baseline()
        subject()
    out = []
    for number in range(1, rounds + 1):
        gc.collect()
        b_calls, b_s = throughput(baseline, min_seconds)
        gc.collect()
        s_calls, s_s = throughput(subject, min_seconds)
        b_rate, s_rate = b_calls / b_s, s_calls / s_s
        out.append(
            {
                "round": number,
                "baseline_calls": b_calls,
                "baseline_s": round(b_s, 4),
                "baseline_per_s": round(b_rate, 2),
                "subject_calls": s_calls,
                "subject_s": round(s_s, 4),
                "subject_per_s": round(s_rate, 2),
                "ratio": round(s_rate / b_rate, 4),
            }
        )
    return out


def profile_excerpt(fn: Callable[[], Any], *, top: int = 18) -> str:
    """cProfile of one call: the top entries by cumulative and by own time."""
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        fn()
    finally:
        profiler.disable()
    parts = [layer_table(profiler)]
    for order, count in (("cumulative", top), ("tottime", 12)):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.strip_dirs().sort_stats(order).print_stats(count)
        text = buffer.getvalue()
        # Drop pstats' preamble up to the column header.
        start = text.find("   ncalls")
        parts.append(f"sorted by {order}:\n" + (text[start:] if start >= 0 else text).rstrip())
    return "\n\n".join(parts)


# Where own time (tottime) is spent, by the library whose code spends it: the first match
# wins, so the specific entries come before the general ones.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("SQL in the database driver", ("sqlite3.", "SQLiteCursorWrapper", "/psycopg", "psycopg")),
    ("Django templates", ("/django/template/", "/template_partials/")),
    ("Django forms and widgets", ("/django/forms/",)),
    ("Django ORM (query building, model instances)", ("/django/db/",)),
    ("simple-history", ("/simple_history/",)),
    ("Django, other (request, middleware, i18n, utils)", ("/django/", "/asgiref/")),
    ("XlsxWriter", ("/xlsxwriter/",)),
    ("openpyxl and XML parsing", ("/openpyxl/", "/defusedxml/", "/et_xmlfile/", "/xml/", "xml.")),
    ("python-docx and lxml", ("/docx/", "lxml")),
    ("charts (matplotlib, PIL)", ("/matplotlib/", "/PIL/")),
    ("Taizhang code", ("/taizhang/",)),
)


def layer_of(filename: str, function: str) -> str:
    where = f"{filename} {function}"
    for name, needles in LAYERS:
        if any(needle in where for needle in needles):
            return name
    return "Python, other (stdlib, builtins)"


def layer_table(profiler: cProfile.Profile) -> str:
    """Own time per layer, the largest first: says in one table what a miss is made of."""
    stats = pstats.Stats(profiler)
    totals: dict[str, float] = {}
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        layer = layer_of(filename, function)
        totals[layer] = totals.get(layer, 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    rows = [f"{'own time by layer':<52}{'seconds':>10}{'share':>8}"]
    for layer, seconds in sorted(totals.items(), key=lambda item: -item[1]):
        rows.append(f"{layer:<52}{seconds:>10.3f}{seconds / whole:>8.0%}")
    return "\n".join(rows)
