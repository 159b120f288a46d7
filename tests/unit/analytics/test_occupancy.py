"""Occupancy integrates exactly over uneven frame times; gaps are "no data", not zero."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storepixel.analytics.occupancy import StepSeries, bucket_start

T0 = 1714557600.0 + 17.3  # a real capture time, not on a minute boundary


@st.composite
def samples(draw: st.DrawFn) -> tuple[float, list[tuple[float, int]]]:
    max_gap = draw(st.floats(0.5, 5.0))
    # Mostly frame-like steps, sometimes stalls longer than the max gap.
    steps = draw(
        st.lists(
            st.floats(0.0, 1.0) | st.floats(0.0, 2 * max_gap) | st.floats(10.0, 90.0),
            min_size=1,
            max_size=120,
        )
    )
    values = draw(st.lists(st.integers(0, 6), min_size=len(steps) + 1, max_size=len(steps) + 1))
    times = [T0]
    for s in steps:
        times.append(times[-1] + s)
    return max_gap, list(zip(times, values, strict=True))


def _exact(points: list[tuple[float, int]], max_gap: float, lo: float, hi: float):
    """∫ value dt and covered seconds within [lo, hi), straight from the definition."""
    integral = covered = 0.0
    for (t0, v), (t1, _) in itertools.pairwise(points):
        if t1 - t0 <= 0 or t1 - t0 > max_gap:
            continue
        overlap = max(0.0, min(t1, hi) - max(t0, lo))
        integral += v * overlap
        covered += overlap
    return integral, covered


@settings(max_examples=150, deadline=None)
@given(samples())
def test_minute_buckets_match_the_exact_integral(case) -> None:
    max_gap, points = case
    series = StepSeries(max_gap_s=max_gap)
    for t, v in points:
        series.add(t, v)
    first = bucket_start(points[0][0])
    last = bucket_start(points[-1][0])
    start = first
    while start <= last:
        integral, covered = _exact(points, max_gap, start, start + 60.0)
        b = series.buckets.get(start)
        got_int = b.integral if b else 0.0
        got_cov = b.covered_s if b else 0.0
        assert got_int == pytest.approx(integral, abs=1e-6)
        assert got_cov == pytest.approx(covered, abs=1e-6)
        in_bucket = [v for t, v in points if start <= t < start + 60.0]
        assert (b.samples if b else 0) == len(in_bucket)
        if b is not None and b.average is not None:
            assert min(v for _, v in points) - 1e-9 <= b.average <= b.peak + 1e-9
        start += 60.0
    total, covered = _exact(points, max_gap, -math.inf, math.inf)
    assert series.total_integral == pytest.approx(total, abs=1e-6)
    assert series.total_covered_s == pytest.approx(covered, abs=1e-6)
    assert series.peak == max(v for _, v in points)


def test_uneven_frames_weight_by_time_not_by_frame_count() -> None:
    """Nine quick frames with 1 person and one 0.9 s frame with 5 people: average 2.8, not 1.4."""
    s = StepSeries(max_gap_s=2.0)
    for i in range(9):
        s.add(T0 + 0.1 * i, 1)
    s.add(T0 + 0.9, 5)
    s.add(T0 + 1.8, 0)
    assert s.average == pytest.approx((0.9 * 1 + 0.9 * 5) / 1.8)


def test_a_gap_is_no_data_and_the_peak_sees_held_values() -> None:
    s = StepSeries(max_gap_s=2.0)
    s.add(0.0, 3)
    s.add(30.0, 1)  # 30 s stall: not covered
    s.add(31.0, 1)
    b = s.buckets[0.0]
    assert (b.covered_s, b.average, b.samples) == (1.0, 1.0, 3)
    s2 = StepSeries(max_gap_s=2.0)
    s2.add(59.5, 4)
    s2.add(60.5, 0)  # the 4 holds into the next minute
    assert s2.buckets[60.0].peak == 4 and s2.buckets[60.0].integral == pytest.approx(2.0)


def test_close_holds_the_last_value_for_one_frame_interval() -> None:
    s = StepSeries(max_gap_s=2.0)
    s.add(0.0, 2)
    s.add(0.5, 2)
    s.close()
    assert s.total_covered_s == pytest.approx(1.0) and s.average == pytest.approx(2.0)
    with pytest.raises(ValueError):
        s.add(0.2, 1)


def test_pop_until_returns_completed_minutes_once() -> None:
    s = StepSeries()
    for t in range(0, 130, 1):
        s.add(float(t), 1)
    done = s.pop_until(125.0)
    assert [b.start for b in done] == [0.0, 60.0]
    assert s.pop_until(125.0) == []
