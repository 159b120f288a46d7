"""TrackLog: backfilled tentative frames, interpolated gaps, never a track that did not confirm."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.tracking import Tracker, TrackerConfig
from storepixel.tracking.offline import TrackLog
from storepixel.types import Detections, Tracks, TrackState

T, C, L = TrackState.TENTATIVE, TrackState.CONFIRMED, TrackState.LOST


def one(tid: int, x: float, state: int) -> Tracks:
    return Tracks([tid], [[x, 100, x + 40, 200]], [0.8], [state])


def test_tentative_frames_of_a_confirmed_track_are_backfilled() -> None:
    log = TrackLog()
    for f, state in enumerate([T, T, C, C], start=1):
        log.add(f, f * 0.1, one(3, 10.0 * f, state))
    rows = [(r[0], r[1], r[2]) for r in log.rows()]
    assert rows == [(1, 3, 10.0), (2, 3, 20.0), (3, 3, 30.0), (4, 3, 40.0)]


def test_a_track_that_never_confirms_is_never_written() -> None:
    log = TrackLog()
    log.add(1, 0.0, one(9, 0.0, T))
    log.add(2, 0.1, one(9, 5.0, T))
    log.add(3, 0.2, Tracks.empty())
    assert log.rows() == []


def test_gaps_within_the_memory_are_interpolated_at_analysed_frames() -> None:
    log = TrackLog(max_gap_s=1.0)
    log.add(1, 0.0, one(1, 0.0, C))
    for f in (2, 3, 4):  # hidden: the tracker reports its prediction, which is not a sighting
        log.add(f, (f - 1) * 0.2, one(1, 500.0, L))
    log.add(5, 0.8, one(1, 80.0, C))
    rows = log.rows()
    assert [r[0] for r in rows] == [1, 2, 3, 4, 5]
    assert [r[2] for r in rows] == pytest.approx([0.0, 20.0, 40.0, 60.0, 80.0])
    assert rows[2][4:6] == pytest.approx((40.0, 100.0))  # width and height carried over


def test_longer_gaps_stay_gaps_and_unanalysed_frames_are_not_invented() -> None:
    log = TrackLog(max_gap_s=0.5)
    log.add(1, 0.0, one(1, 0.0, C))
    log.add(3, 0.2, Tracks.empty())  # frame 2 was not analysed (analysis fps below the file's)
    log.add(5, 0.4, one(1, 40.0, C))
    log.add(7, 0.6, Tracks.empty())
    log.add(9, 1.4, one(1, 80.0, C))  # 1.0 s after the last sighting: over the limit
    assert [r[0] for r in log.rows()] == [1, 3, 5, 9]


def test_rows_are_sorted_by_frame_then_id() -> None:
    log = TrackLog()
    log.add(1, 0.0, Tracks([4, 2], [[0, 0, 10, 20], [50, 0, 60, 20]], [0.9, 0.9], [C, C]))
    log.add(2, 0.1, Tracks([2, 4], [[50, 0, 60, 20], [0, 0, 10, 20]], [0.9, 0.9], [C, C]))
    assert [(r[0], r[1]) for r in log.rows()] == [(1, 2), (1, 4), (2, 2), (2, 4)]


def test_with_the_tracker_a_person_is_written_from_the_first_frame() -> None:
    tracker = Tracker(TrackerConfig(confirm_hits=3))
    log = TrackLog(tracker.config.max_lost_s)
    box = np.array([[100, 100, 140, 200]], np.float32)
    for f in range(1, 11):
        dets = Detections(box, np.array([0.9])) if f not in (5, 6) else Detections.empty()
        log.add(f, f / 5, tracker.update(dets, f / 5))
    assert [r[0] for r in log.rows()] == list(range(1, 11))


def test_negative_gap_is_refused() -> None:
    with pytest.raises(ValueError):
        TrackLog(max_gap_s=-1)
