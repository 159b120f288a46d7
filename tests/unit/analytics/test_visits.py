"""Camera visits: start at the first confirmed frame, end past the grace, kept while hidden."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storepixel.analytics.visits import VisitChange, VisitCounter


def _feed(v: VisitCounter, frames: list[tuple[float, str]]) -> list[VisitChange]:
    """``frames``: (time, state) of track 1: "seen", "hidden" (held by the tracker) or "gone"."""
    out: list[VisitChange] = []
    for t, state in frames:
        out += v.update([1] if state == "seen" else [], t, [1] if state == "hidden" else [])
    return out


@settings(max_examples=80, deadline=None)
@given(st.floats(0.0, 3.0), st.lists(st.floats(0.0, 9.5), min_size=1, max_size=5))
def test_hidden_spells_between_sightings_keep_one_visit(grace: float, gaps: list[float]) -> None:
    v = VisitCounter(grace_s=grace)
    t, frames = 0.0, [(0.0, "seen")]
    for gap in gaps:
        frames += [(t + 0.1 * k, "hidden") for k in range(1, int(gap * 10) + 1)]
        t = round(t + 0.1 * (int(gap * 10) + 1), 6)
        frames.append((t, "seen"))
    frames.append((t + grace + 0.1, "gone"))
    changes = _feed(v, frames)
    assert [(c.kind, c.time) for c in changes] == [("start", 0.0), ("end", t)]
    assert changes[1].duration_s == pytest.approx(t) and v.started == 1


@settings(max_examples=60, deadline=None)
@given(st.floats(0.0, 3.0), st.floats(0.0, 9.0))
def test_given_up_by_the_tracker_ends_at_the_last_sighting(grace: float, hidden: float) -> None:
    v = VisitCounter(grace_s=grace)
    frames = [(0.0, "seen"), (1.0, "seen")]
    frames += [(1.0 + 0.1 * k, "hidden") for k in range(1, int(hidden * 10) + 1)]
    t_gone = 1.0 + 0.1 * (int(hidden * 10) + 1)
    frames += [(t_gone, "gone"), (t_gone + grace, "gone")]
    changes = _feed(v, frames)
    assert [(c.kind, c.time, c.duration_s, c.ended_by) for c in changes] == [
        ("start", 0.0, None, None),
        ("end", 1.0, 1.0, "left"),
    ]
    assert v.in_view == 0


def test_hidden_for_longer_than_max_hidden_ends_the_visit() -> None:
    v = VisitCounter(grace_s=1.0, max_hidden_s=3.0)
    changes = _feed(v, [(0.0, "seen"), (2.0, "hidden"), (3.0, "hidden")])
    assert [c.kind for c in changes] == ["start"] and v.in_view == 1
    changes = _feed(v, [(3.5, "hidden"), (4.0, "seen")])
    assert [(c.kind, c.time) for c in changes] == [("end", 0.0), ("start", 4.0)]


def test_flush_ends_hidden_visits_too() -> None:
    v = VisitCounter(grace_s=1.0)
    _feed(v, [(0.0, "seen"), (1.0, "seen"), (2.5, "hidden")])
    out = v.flush()
    assert [(c.kind, c.time, c.duration_s, c.ended_by) for c in out] == [("end", 1.0, 1.0, "end")]
    assert v.flush() == []
