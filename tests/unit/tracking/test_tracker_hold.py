"""``Tracker.hold``: the motion gate skipped the detector, so every track stays where it was."""

from __future__ import annotations

import numpy as np

from storepixel.tracking import Tracker, TrackerConfig
from storepixel.types import Detections, TrackState

BOX = [100.0, 100.0, 140.0, 200.0]


def _det(*boxes: list[float]) -> Detections:
    return Detections(np.array(boxes, np.float32), np.full(len(boxes), 0.9, np.float32))


def _confirmed_tracker() -> Tracker:
    tracker = Tracker(TrackerConfig(confirm_hits=2))
    tracker.update(_det(BOX), 0.0)
    tracker.update(_det(BOX), 0.2)
    return tracker


def test_hold_keeps_a_seen_person_confirmed_in_place_for_long() -> None:
    tracker = _confirmed_tracker()
    before = tracker.update(_det(BOX), 0.4)
    # Far longer than max_lost_s: a person standing still is not aged out while held.
    for i in range(1, 60):
        held = tracker.hold(0.4 + 0.2 * i)
    assert held.ids.tolist() == before.ids.tolist()
    assert held.state.tolist() == [TrackState.CONFIRMED]
    np.testing.assert_allclose(held.xyxy, before.xyxy)
    # and the next detection continues the same person
    after = tracker.update(_det(BOX), 0.4 + 0.2 * 60)
    assert after.ids.tolist() == before.ids.tolist()
    assert after.state.tolist() == [TrackState.CONFIRMED]


def test_hold_lets_a_lost_track_expire_on_the_usual_clock() -> None:
    tracker = _confirmed_tracker()
    lost = tracker.update(Detections.empty(), 0.4)
    assert lost.state.tolist() == [TrackState.LOST]
    assert tracker.hold(1.0).state.tolist() == [TrackState.LOST]
    assert len(tracker.hold(0.2 + tracker.config.max_lost_s + 0.5)) == 0


def test_hold_does_not_confirm_or_move_anything() -> None:
    tracker = Tracker(TrackerConfig(confirm_hits=3))
    first = tracker.update(_det(BOX), 0.0)
    held = tracker.hold(0.2)
    assert held.state.tolist() == first.state.tolist() == [TrackState.TENTATIVE]
    np.testing.assert_allclose(held.xyxy, first.xyxy)


def test_time_going_backwards_is_no_time() -> None:
    tracker = _confirmed_tracker()
    tracker.hold(1.0)
    out = tracker.hold(0.5)  # a source glitch: no time passes
    assert out.state.tolist() == [TrackState.CONFIRMED]
