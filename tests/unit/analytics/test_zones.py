"""Zone visits: minimum presence, exit grace, an edge band, backdated enter/exit, flush."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storepixel.analytics.queues import QueueCounter
from storepixel.analytics.zones import ZoneChange, ZoneCounter

RECT = [(0.3, 0.2), (0.7, 0.2), (0.7, 0.8), (0.3, 0.8)]  # left edge at x = 0.3


def _feed(zone: ZoneCounter, frames: list[tuple[float, float | None]], y: float = 0.5):
    """``frames``: (time, x) for track 1, x None = not seen in that frame."""
    out: list[ZoneChange] = []
    for t, x in frames:
        ids, pts = ([1], [[x, y]]) if x is not None else ([], [])
        out += zone.update(ids, pts, t)
    return out


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_jitter_on_the_edge_adds_no_visits(data: st.DataObject) -> None:
    """Walk in across the edge dithering within the band, stay, walk out dithering again: exactly
    one visit, timed by the foot point itself: from the first frame of the run inside the outline
    that led in, to the last frame inside the outline."""
    h = data.draw(st.floats(0.005, 0.04))
    presence = data.draw(st.floats(0.0, 2.0))
    grace = data.draw(st.floats(0.0, 3.0))
    zone = ZoneCounter("z", RECT, min_presence_s=presence, exit_grace_s=grace, hysteresis=h)
    band = st.floats(-0.95 * h, 0.95 * h)
    dither_in = data.draw(st.lists(band, max_size=20))
    dither_out = data.draw(st.lists(band, max_size=20))
    n_inside = data.draw(st.integers(1, 20))
    steps = data.draw(st.lists(st.floats(0.05, 0.5), min_size=300, max_size=300))
    times = iter(np.cumsum(steps).tolist())
    frames = [(next(times), x) for x in [0.3 - 2 * h - 0.05, *(0.3 + d for d in dither_in)]]
    deep = [next(times) for _ in range(n_inside)]
    while deep[-1] - deep[0] < presence + 0.01:  # stay long enough to be a visit
        deep.append(next(times))
    frames += [(t, 0.5) for t in deep]
    frames += [(next(times), 0.3 + d) for d in dither_out]
    t_out = next(times)
    frames += [(t_out, 0.1), (t_out + grace + 0.01, 0.1)]

    inside = zone.polygon.signed_depth([[x, 0.5] for _, x in frames]) > 0
    k = len(dither_in) + 1  # the first deep frame
    while inside[k - 1]:
        k -= 1
    first_in = frames[k][0]
    last_in = max(t for (t, _), i in zip(frames, inside, strict=True) if i)
    changes = _feed(zone, frames)
    assert [(c.kind, c.time) for c in changes] == [("enter", first_in), ("exit", last_in)]
    assert changes[1].dwell_s == pytest.approx(last_in - first_in)
    assert zone.visits == 1 and zone.occupancy == 0


@settings(max_examples=60, deadline=None)
@given(st.floats(0.005, 0.04), st.lists(st.floats(-0.95, 0.95), min_size=1, max_size=60))
def test_standing_on_the_edge_is_never_a_visit(h: float, offsets: list[float]) -> None:
    zone = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=1.0, hysteresis=h)
    frames = [(0.0, 0.3 - 2 * h)] + [(0.2 * (i + 1), 0.3 + o * h) for i, o in enumerate(offsets)]
    assert _feed(zone, frames) == [] and zone.occupancy == 0


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.5, 5.0),
    st.lists(
        st.tuples(st.floats(0.1, 3.0), st.floats(0.05, 0.8) | st.floats(1.5, 3.0)),
        min_size=1,
        max_size=6,
    ),
)
def test_hidden_shorter_than_grace_is_one_visit(
    grace: float, pattern: list[tuple[float, float]]
) -> None:
    """Seen inside for a while, then hidden: gaps < grace merge, gaps > grace split the visit."""
    zone = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=grace, hysteresis=0.0)
    t, frames = 0.0, []
    for seen_for, gap_factor in pattern:
        frames += [(t + dt, 0.5) for dt in np.arange(0.0, seen_for + 1e-9, 0.1)]
        t = frames[-1][0]
        hidden_for = gap_factor * grace
        frames += [(t + dt, None) for dt in np.arange(0.1, hidden_for, 0.1)]
        t += hidden_for
    frames.append((t + grace + 1.0, None))
    visits = 1 + sum(1 for _, factor in pattern[:-1] if factor > 1)
    changes = _feed(zone, frames)
    assert sum(c.kind == "enter" for c in changes) == visits
    assert sum(c.kind == "exit" for c in changes) == visits


def test_minimum_presence_filters_passers_by_and_backdates_the_enter() -> None:
    zone = ZoneCounter("z", RECT, min_presence_s=2.0, exit_grace_s=1.0, hysteresis=0.0)
    brief = _feed(zone, [(0.0, 0.1), (1.0, 0.5), (2.0, 0.5), (3.0, 0.1), (4.5, 0.1)])
    assert brief == [] and zone.visits == 0  # inside 1 s < 2 s
    stay = _feed(zone, [(10.0, 0.5), (11.0, 0.5), (12.0, 0.5)])
    assert [(c.kind, c.time) for c in stay] == [("enter", 10.0)]


def test_flush_ends_open_visits_at_the_last_frame_inside() -> None:
    zone = ZoneCounter("z", RECT, min_presence_s=0.5, exit_grace_s=5.0, hysteresis=0.0)
    _feed(zone, [(0.0, 0.5), (1.0, 0.5), (2.0, 0.5), (3.0, None)])
    assert zone.occupancy == 1  # hidden, within grace: still believed inside
    out = zone.flush(3.0)
    assert [(c.kind, c.time, c.dwell_s, c.ended_by) for c in out] == [("exit", 2.0, 2.0, "end")]
    assert zone.occupancy == 0


def test_walking_out_stops_occupancy_at_once_but_keeps_the_visit() -> None:
    zone = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=5.0, hysteresis=0.0)
    _feed(zone, [(0.0, 0.5), (1.0, 0.5)])
    assert zone.occupancy == 1
    _feed(zone, [(2.0, 0.1)])
    assert zone.occupancy == 0  # seen outside: not counted, though the visit is still open
    back = _feed(zone, [(3.0, 0.5), (9.0, 0.1), (20.0, 0.1)])
    assert [(c.kind, c.time, c.dwell_s) for c in back] == [("exit", 3.0, 3.0)]


def test_queue_reads_visits_as_waits() -> None:
    q = QueueCounter("till", RECT, min_presence_s=1.0, exit_grace_s=1.0, hysteresis=0.0)
    _feed(q, [(0.0, 0.5), (1.0, 0.5), (4.0, 0.5)])
    assert q.joins == 1 and q.length == 1 and q.current_waits(5.0) == [5.0]
    _feed(q, [(5.0, 0.1), (6.0, 0.1)])
    assert q.waits == [4.0] and q.length == 0


def test_standing_just_outside_after_a_visit_keeps_it_open_but_times_the_foot() -> None:
    """Inside, then lingering just outside the outline (within the band) for longer than the
    grace: still one visit, but its exit and dwell are dated to the last frame inside."""
    zone = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=1.0, hysteresis=0.02)
    frames = [(0.0, 0.5), (1.0, 0.5), (2.0, 0.31)]  # inside; last frame inside the outline at 2 s
    frames += [(2.0 + 0.5 * k, 0.29) for k in range(1, 10)]  # 1 % outside for 4.5 s
    frames += [(7.0, 0.5), (8.0, 0.1), (9.5, 0.1)]
    changes = _feed(zone, frames)
    assert [(c.kind, c.time, c.dwell_s) for c in changes] == [
        ("enter", 0.0, None),
        ("exit", 7.0, 7.0),
    ]
    zone2 = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=1.0, hysteresis=0.02)
    changes = _feed(zone2, [*frames[:12], (7.0, 0.1), (8.5, 0.1)])
    assert [(c.kind, c.time, c.dwell_s) for c in changes] == [
        ("enter", 0.0, None),
        ("exit", 2.0, 2.0),
    ]


def _feed_hidden(zone: ZoneCounter, frames: list[tuple[float, float | None, bool]]):
    """``frames``: (time, x, held) for track 1; x None = not seen, then ``held`` says whether the
    tracker still holds it (lost) or has given it up."""
    out: list[ZoneChange] = []
    for t, x, held in frames:
        ids, pts = ([1], [[x, 0.5]]) if x is not None else ([], [])
        out += zone.update(ids, pts, t, [1] if held and x is None else [])
    return out


@settings(max_examples=80, deadline=None)
@given(
    st.floats(0.0, 2.0),
    st.floats(0.05, 1.0),
    st.floats(0.5, 9.5),
    st.sampled_from([0.35, 0.5, 0.65]),
)
def test_hidden_inside_and_recovered_inside_is_one_stay(
    presence: float, grace: float, hidden_for: float, x_back: float
) -> None:
    """Seen inside, held as hidden by the tracker for longer than the grace (up to
    ``max_hidden_s``), seen inside again: one visit whose dwell includes the hidden time."""
    zone = ZoneCounter("z", RECT, min_presence_s=presence, exit_grace_s=grace, hysteresis=0.01)
    frames = [(0.1 * k, 0.5, False) for k in range(11)]  # inside 0-1 s
    hidden = np.arange(1.1, 1.0 + hidden_for, 0.1).tolist()
    frames += [(t, None, True) for t in hidden]
    back = 1.0 + hidden_for + 0.1
    frames += [(back, x_back, False), (back + 0.5, x_back, False), (back + 0.6, 0.1, False)]
    frames.append((back + 0.6 + grace + 0.01, 0.1, False))
    assert zone.occupancy == 0
    changes = _feed_hidden(zone, frames)
    assert [(c.kind, c.time) for c in changes] == [("enter", 0.0), ("exit", back + 0.5)]
    assert changes[1].dwell_s == pytest.approx(back + 0.5) and zone.dwells == [changes[1].dwell_s]


@settings(max_examples=80, deadline=None)
@given(st.floats(0.05, 1.0), st.floats(0.0, 9.5), st.booleans())
def test_hidden_inside_then_given_up_ends_at_the_last_sighting(
    grace: float, hidden_for: float, back_outside: bool
) -> None:
    """Held as hidden, then dropped by the tracker (or recovered outside the zone): the visit
    ends as soon as the grace since the last sighting inside has passed and the tracker no longer
    holds them inside, dated to that sighting; nothing after it is counted."""
    zone = ZoneCounter("z", RECT, min_presence_s=0.5, exit_grace_s=grace, hysteresis=0.01)
    frames = [(0.1 * k, 0.5, False) for k in range(11)]
    frames += [(t, None, True) for t in np.arange(1.1, 1.0 + hidden_for, 0.1).tolist()]
    t_end = 1.0 + hidden_for + 0.1
    out = _feed_hidden(zone, frames)
    assert [(c.kind, c.time) for c in out] == [("enter", 0.0)]
    assert zone.occupancy == 1  # hidden inside: still counted
    last = _feed_hidden(zone, [(t_end, 0.1 if back_outside else None, False)])
    if t_end - 1.0 < grace:  # not even hidden for the grace: the usual grace decides
        assert last == [] and zone.occupancy == (0 if back_outside else 1)
        last = _feed_hidden(zone, [(1.0 + 2 * grace, None, False)])
    assert [(c.kind, c.time, c.dwell_s, c.ended_by) for c in last] == [
        ("exit", 1.0, pytest.approx(1.0), "left")
    ]
    assert zone.occupancy == 0 and zone.visits == 1


def test_hidden_after_being_seen_outside_lets_the_grace_run() -> None:
    """Where a hidden person is comes from where they were last seen: stepped out, then hidden,
    the visit ends after the grace even though the tracker still holds them."""
    zone = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=1.0, hysteresis=0.01)
    frames = [(0.0, 0.5, False), (1.0, 0.5, False), (1.2, 0.1, False)]
    frames += [(1.2 + 0.2 * k, None, True) for k in range(1, 10)]
    changes = _feed_hidden(zone, frames)
    assert [(c.kind, c.time) for c in changes] == [("enter", 0.0), ("exit", 1.0)]
    assert changes[1].time == 1.0 and zone.occupancy == 0


def test_hidden_for_longer_than_max_hidden_ends_the_visit() -> None:
    zone = ZoneCounter("z", RECT, min_presence_s=0.0, exit_grace_s=0.5, max_hidden_s=3.0)
    changes = _feed_hidden(zone, [(0.0, 0.5, False), (1.0, 0.5, False), (3.9, None, True)])
    assert [c.kind for c in changes] == ["enter"]
    changes = _feed_hidden(zone, [(4.1, None, True), (5.0, 0.5, False)])
    assert [(c.kind, c.time) for c in changes] == [("exit", 1.0), ("enter", 5.0)]


def test_flush_ends_a_hidden_visit_at_the_last_frame_inside() -> None:
    zone = ZoneCounter("z", RECT, min_presence_s=0.5, exit_grace_s=0.2, hysteresis=0.0)
    _feed_hidden(zone, [(0.0, 0.5, False), (1.0, 0.5, False), (2.0, None, True), (3.0, None, True)])
    out = zone.flush(3.0)
    assert [(c.kind, c.time, c.dwell_s, c.ended_by) for c in out] == [("exit", 1.0, 1.0, "end")]
    assert zone.flush(4.0) == [] and zone.occupancy == 0
