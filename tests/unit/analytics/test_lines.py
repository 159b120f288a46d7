"""Line crossings: k crossings give the right in/out; jitter in the band and passing beside the
segment add nothing; crossings while hidden still count."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storepixel.analytics.lines import LineCounter


def _frame(line: LineCounter, u: float, d: float) -> list[float]:
    """Image point at fraction ``u`` along the segment, ``d`` to its right (positive = in side)."""
    a, direction = line.line.a, line.line.direction
    normal = np.array([-direction[1], direction[0]]) / line.line.length  # right of a→b, y down
    return (a + u * direction + d * normal).tolist()


def _run(line: LineCounter, path: list[tuple[float, float]], times: list[float], tid: int = 1):
    out = []
    for (u, d), t in zip(path, times, strict=True):
        out += line.update([tid], [_frame(line, u, d)], t)
    return out


@st.composite
def lines(draw: st.DrawFn) -> LineCounter:
    a = draw(st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)))
    b = draw(st.tuples(st.floats(0.05, 0.95), st.floats(0.05, 0.95)))
    if np.hypot(a[0] - b[0], a[1] - b[1]) < 0.2:
        b = (
            (1.0 - a[0], 1.0 - a[1])
            if np.hypot(1 - 2 * a[0], 1 - 2 * a[1]) >= 0.2
            else (0.05, 0.05)
        )
    h = draw(st.floats(0.005, 0.05))
    return LineCounter("l", a, b, hysteresis=h)


@st.composite
def crossing_walks(
    draw: st.DrawFn,
) -> tuple[LineCounter, list[tuple[float, float]], list[float], int, int]:
    """A walk through ``k`` waypoints alternating sides (beyond the band), sampled unevenly, with
    jitter of up to 45 % of the band across the line; returns it with the expected in/out."""
    line = draw(lines())
    h = line.hysteresis
    k = draw(st.integers(0, 6))
    first = draw(st.sampled_from([-1, 1]))
    sides = [first * (-1) ** i for i in range(k + 1)]
    waypoints = [
        (draw(st.floats(0.1, 0.9)), s * draw(st.floats(1.5 * h, 1.5 * h + 0.2))) for s in sides
    ]
    steps = draw(st.integers(1, 6))
    jitter = draw(st.floats(0.0, 0.45)) * h
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    path = [waypoints[0]]
    for (u0, d0), (u1, d1) in itertools.pairwise(waypoints):
        for f in np.linspace(0, 1, steps + 1)[1:]:
            path.append((u0 + f * (u1 - u0), d0 + f * (d1 - d0)))
    path = [(u, d + rng.uniform(-jitter, jitter)) for u, d in path]
    times = np.cumsum(rng.uniform(0.02, 1.0, len(path))).tolist()
    ins = sum(1 for s in sides[1:] if s > 0)
    return line, path, times, ins, k - ins


@settings(max_examples=120, deadline=None)
@given(crossing_walks())
def test_k_crossings_give_exact_in_and_out(walk) -> None:
    line, path, times, ins, outs = walk
    crossings = _run(line, path, times)
    assert (line.in_count, line.out_count) == (ins, outs)
    assert [c.direction for c in crossings][:1] in ([], ["in" if path[0][1] < 0 else "out"])
    directions = [c.direction for c in crossings]
    assert all(a != b for a, b in itertools.pairwise(directions))  # alternate


@settings(max_examples=80, deadline=None)
@given(lines(), st.data())
def test_jitter_inside_the_band_counts_nothing(line: LineCounter, data: st.DataObject) -> None:
    """Dithering on the line (always within the band) after arriving from one side counts 0; then
    leaving on the far side counts exactly 1, on the near side 0."""
    h = line.hysteresis
    start = data.draw(st.sampled_from([-1, 1]))
    n = data.draw(st.integers(1, 40))
    dither = data.draw(st.lists(st.floats(-0.95 * h, 0.95 * h), min_size=n, max_size=n))
    u = data.draw(st.lists(st.floats(0.1, 0.9), min_size=n + 2, max_size=n + 2))
    leave = data.draw(st.sampled_from([-1, 1]))
    path = [(u[0], start * 2 * h), *zip(u[1:-1], dither, strict=True)]
    times = [float(i) * 0.2 for i in range(len(path) + 1)]
    assert _run(line, path, times[:-1]) == []
    final = _run(line, [(u[-1], leave * 2 * h)], times[-1:])
    expected = 0 if leave == start else 1
    assert line.in_count + line.out_count == len(final) == expected


@settings(max_examples=60, deadline=None)
@given(lines(), st.floats(1.05, 2.0), st.sampled_from([-1.0, 1.0]))
def test_passing_beside_the_segment_end_is_not_a_crossing(
    line: LineCounter, beyond: float, which_end: float
) -> None:
    """Crossing the line's extension beyond either end counts nothing, and leaves the side right:
    coming back through the segment itself then counts."""
    u = beyond if which_end > 0 else 1.0 - beyond
    d = 3 * line.hysteresis + 0.01
    path = [(u, -d), (u, d), (0.5, d), (0.5, -d)]
    crossings = _run(line, path, [0.0, 1.0, 2.0, 3.0])
    assert [c.direction for c in crossings] == ["out"]


def test_in_then_back_out_counts_both() -> None:
    line = LineCounter("door", (0.1, 0.6), (0.9, 0.6), hysteresis=0.02)
    ys = [0.5, 0.58, 0.62, 0.7, 0.62, 0.58, 0.5]
    for t, y in enumerate(ys):
        line.update([1], [[0.5, y]], float(t))
    assert (line.in_count, line.out_count) == (1, 1)


def test_crossing_while_hidden_counts_at_reappearance() -> None:
    line = LineCounter("door", (0.1, 0.6), (0.9, 0.6), hysteresis=0.02)
    line.update([1], [[0.5, 0.4]], 0.0)
    line.update([], [], 1.0)  # hidden (lost or occluded) while crossing
    got = line.update([1], [[0.52, 0.8]], 2.0)
    assert [(c.direction, c.time) for c in got] == [("in", 2.0)]


def test_first_seen_on_the_line_counts_when_leaving_the_other_side() -> None:
    line = LineCounter("door", (0.1, 0.6), (0.9, 0.6), hysteresis=0.05)
    for t, y in enumerate([0.59, 0.62, 0.7]):  # appears inside the band, above the line
        line.update([1], [[0.5, y]], float(t))
    assert (line.in_count, line.out_count) == (1, 0)


def test_tracks_are_independent_and_forgotten() -> None:
    line = LineCounter("door", (0.1, 0.6), (0.9, 0.6), hysteresis=0.02, forget_after_s=5.0)
    line.update([1, 2], [[0.5, 0.5], [0.5, 0.7]], 0.0)
    got = line.update([1, 2], [[0.5, 0.7], [0.5, 0.5]], 1.0)
    assert sorted((c.track, c.direction) for c in got) == [(1, "in"), (2, "out")]
    line.update([], [], 10.0)
    assert line._tracks == {}


def _door() -> LineCounter:
    """A door in the left wall, seen edge-on: x = 0.2, the shop (the "in" side) out of view."""
    return LineCounter("door", (0.2, 0.5), (0.2, 0.9), hysteresis=0.02, hidden_side="in")


def _walk(counter: LineCounter, tid: int, xs: list[float], t0: float, y: float = 0.7) -> float:
    for k, x in enumerate(xs):
        counter.update([tid], [[x, y]], t0 + k * 0.2)
    return t0 + len(xs) * 0.2


def test_a_door_seen_edge_on_counts_who_comes_out_of_and_vanishes_into_it() -> None:
    door = _door()
    # Comes out of the wall: first seen just outside the line, walks off into the corridor.
    t = _walk(door, 1, [0.21, 0.24, 0.28, 0.33, 0.40], 0.0)
    assert (door.in_count, door.out_count) == (0, 1)
    # Walks up to the door and vanishes a hair past the line (never beyond the band).
    t = _walk(door, 2, [0.40, 0.33, 0.27, 0.22, 0.19], t)
    for k in range(20):  # nobody seen for 4 s
        door.update([], [], t + k * 0.2)
    assert (door.in_count, door.out_count) == (1, 1)
    # Walks past along the corridor, never near the door: nothing, even when lost.
    t = _walk(door, 3, [0.45, 0.45, 0.46, 0.46], t + 4.0)
    for k in range(20):
        door.update([], [], t + k * 0.2)
    assert (door.in_count, door.out_count) == (1, 1)


def test_without_a_hidden_side_appearing_and_vanishing_at_the_line_counts_nothing() -> None:
    line = LineCounter("door", (0.2, 0.5), (0.2, 0.9), hysteresis=0.02)
    t = _walk(line, 1, [0.21, 0.24, 0.28, 0.33, 0.40], 0.0)
    t = _walk(line, 2, [0.40, 0.33, 0.27, 0.22, 0.19], t)
    for k in range(20):
        line.update([], [], t + k * 0.2)
    assert (line.in_count, line.out_count) == (0, 0)
