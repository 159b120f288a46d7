"""Offline stitching: a person hidden for a moment under a new id gets their first id back."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.tracking.offline import TrackLog
from storepixel.tracking.stitch import Tracklet, stitch
from storepixel.types import Tracks, TrackState

C = TrackState.CONFIRMED
FPS = 10.0
H = 100.0  # person height, px; walkers move 0.8 heights a second


def walker(tid: int, x0: float, speed: float, t0: float, t1: float, scale: float = 1.0):
    """(time, id, xyxy) sightings of someone walking along x from ``x0`` at ``t0``."""
    out = []
    for k in range(round(t0 * FPS), round(t1 * FPS) + 1):
        t = k / FPS
        x = (x0 + speed * (t - t0)) * scale
        out.append((t, tid, np.array([x, 200 * scale, x + 0.4 * H * scale, (200 + H) * scale])))
    return out


def log_of(*people, frame_size=(1000, 600), until: float = 6.0) -> TrackLog:
    log = TrackLog(max_gap_s=3.0)
    seen = [s for p in people for s in p]
    for k in range(round(until * FPS) + 1):
        t = k / FPS
        now = [(tid, box) for ts, tid, box in seen if abs(ts - t) < 1e-6]
        tracks = Tracks(
            [tid for tid, _ in now],
            [box for _, box in now] or np.zeros((0, 4)),
            [0.9] * len(now),
            [C] * len(now),
        )
        log.add(k + 1, t, tracks, frame_size=frame_size)
    return log


def ids_over_time(log: TrackLog) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for frame, tid, *_ in log.rows():
        out.setdefault(tid, []).append(frame)
    return out


def test_a_person_hidden_for_1_5_s_where_their_motion_says_is_one_id() -> None:
    before = walker(1, 100, 80, 0.0, 2.0)
    after = walker(7, 100 + 80 * 3.5, 80, 3.5, 5.0)  # hidden 2.0–3.5 s behind a post
    people = ids_over_time(log_of(before, after))
    assert list(people) == [1]
    assert people[1] == list(range(1, 52))  # the hidden frames are filled in too


def test_two_people_whose_paths_cross_while_hidden_are_joined_by_motion() -> None:
    # A walks right, B walks left; both vanish behind a pillar at 2 s and reappear at 3 s,
    # each past where the other vanished: the nearest end would swap them.
    a = walker(1, 140, 80, 0.0, 2.0)  # ends at x=300
    b = walker(2, 520, -80, 0.0, 2.0)  # ends at x=360
    a_again = walker(3, 380, 80, 3.0, 4.5)
    b_again = walker(4, 280, -80, 3.0, 4.5)
    log = log_of(a, b, a_again, b_again)
    assert log.joins({1, 2, 3, 4}) == {3: 1, 4: 2}


def test_tracks_seen_at_the_same_time_never_join() -> None:
    first = walker(1, 100, 80, 0.0, 2.0)
    overlapping = walker(2, 100 + 80 * 1.9, 80, 1.9, 4.0)  # where the first would be, too early
    log = log_of(first, overlapping)
    assert log.joins({1, 2}) == {}
    assert set(ids_over_time(log)) == {1, 2}


def test_a_new_start_far_from_where_the_motion_leads_is_someone_else() -> None:
    first = walker(1, 100, 80, 0.0, 2.0)
    far = walker(2, 100 + 80 * 3.0 + 4 * H, 80, 3.0, 4.5)  # 4 heights beyond the prediction
    assert log_of(first, far).joins({1, 2}) == {}


def test_someone_who_walked_out_of_the_picture_is_not_joined_to_someone_coming_in() -> None:
    out = walker(1, 840, 80, 0.0, 2.0)  # reaches the right border (1000 px) and walks on
    back_in = walker(2, 960, 0, 3.0, 4.5)  # someone standing just inside it a second later
    assert log_of(out, back_in).joins({1, 2}) == {}
    assert log_of(out, back_in, frame_size=None).joins({1, 2}) == {2: 1}  # no frame: motion only


@pytest.mark.parametrize("scale", [0.3, 1.0, 2.5])
def test_the_rule_is_in_body_heights_so_it_holds_for_small_and_large_people(scale: float) -> None:
    # 1.2 heights from the prediction after a 1 s gap: the same decision at every size.
    first = walker(1, 100, 80, 0.0, 2.0, scale)
    near = walker(2, 100 + 80 * 3.0 + 0.6 * H, 80, 3.0, 4.5, scale)
    far = walker(3, 100 + 80 * 3.0 + 3.0 * H, 80, 3.0, 4.5, scale)
    assert stitch(_tracklets(first, near), 3.0) == {2: 1}
    assert stitch(_tracklets(first, far), 3.0) == {}


def test_chains_map_to_the_first_id_and_longer_gaps_than_the_memory_stay_apart() -> None:
    a = walker(1, 100, 80, 0.0, 1.0)
    b = walker(2, 100 + 80 * 1.5, 80, 1.5, 2.5)
    c = walker(3, 100 + 80 * 3.0, 80, 3.0, 4.0)
    d = walker(4, 100 + 80 * 7.5, 80, 7.5, 8.0)  # 3.5 s unseen: over max_gap_s
    assert stitch(_tracklets(a, b, c, d), 3.0) == {2: 1, 3: 1}


def _tracklets(*people) -> list[Tracklet]:
    return [
        Tracklet(p[0][1], np.array([s[0] for s in p]), np.array([s[2] for s in p])) for p in people
    ]


def test_someone_walking_back_the_way_they_came_is_someone_else() -> None:
    # Into a doorway walking left, and out of it walking right 0.7 s later: where the first
    # vanished, but a steady walker does not turn round that fast.
    into = walker(1, 400, -80, 0.0, 2.0)  # vanishes at x=240
    out_of = walker(2, 240, 80, 2.7, 4.5)
    assert log_of(into, out_of).joins({1, 2}) == {}
    onward = walker(3, 240 - 80 * 0.7, -80, 2.7, 4.5)  # walking on instead: the same person
    assert log_of(into, onward).joins({1, 3}) == {3: 1}
