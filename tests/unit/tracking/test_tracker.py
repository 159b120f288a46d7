"""Tracker behaviour on scripted scenes: the situations a store camera produces all day."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.tracking import Tracker, TrackerConfig
from storepixel.types import Detections, TrackState
from tests.unit.tracking.scenes import confirmed_ids, dets, id_near, person_box, run

FPS = [5.0, 25.0]


@pytest.mark.parametrize("fps", FPS)
def test_one_walker_keeps_one_id(fps: float) -> None:
    history = run(Tracker(), fps, 6.0, lambda t: [person_box(100 + 80 * t, 400, 200)])
    assert confirmed_ids(history) == {1}
    last = history[-1].confirmed()
    assert last.foot_points[0, 0] == pytest.approx(100 + 80 * (6.0 - 1 / fps), abs=8)


@pytest.mark.parametrize("fps", FPS)
def test_crossing_paths_keep_ids(fps: float) -> None:
    """A walks right in front; B walks left behind A and is hidden while they overlap."""

    def scene(t: float) -> list[tuple[float, float, float, float]]:
        a = person_box(100 + 90 * t, 450, 220)  # nearer the camera: lower and taller
        b = person_box(620 - 70 * t, 380, 170)
        hidden = abs((100 + 90 * t) - (620 - 70 * t)) < 90
        return [a] if hidden else [a, b]

    tracker = Tracker()
    history = run(tracker, fps, 6.5, scene)
    start, end = history[int(fps)], history[-1]
    a0, b0 = id_near(start, 190), id_near(start, 550)
    a1, b1 = id_near(end, 100 + 90 * 6.4), id_near(end, 620 - 70 * 6.4)
    assert a0 is not None and b0 is not None and a0 != b0
    assert (a1, b1) == (a0, b0)
    assert confirmed_ids(history) == {a0, b0}


@pytest.mark.parametrize("fps", FPS)
@pytest.mark.parametrize("speed", [0.0, 60.0])
def test_two_second_occlusion_resumes_same_id(fps: float, speed: float) -> None:
    """Hidden behind a shelf for 2 s (standing, or walking on at ~0.3 heights/s)."""

    def scene(t: float) -> list[tuple[float, float, float, float]]:
        return [] if 2.0 <= t < 4.0 else [person_box(200 + speed * t, 420, 200)]

    history = run(Tracker(), fps, 6.0, scene)
    assert confirmed_ids(history) == {1}
    during = history[int(3.0 * fps)]
    assert during.ids.tolist() == [1] and during.state.tolist() == [TrackState.LOST]


@pytest.mark.parametrize("fps", FPS)
def test_gap_beyond_memory_gets_new_id(fps: float) -> None:
    cfg = TrackerConfig(max_lost_s=3.0)

    def scene(t: float) -> list[tuple[float, float, float, float]]:
        return [] if 2.0 <= t < 5.5 else [person_box(300, 420, 200)]

    history = run(Tracker(cfg), fps, 7.0, scene)
    assert confirmed_ids(history) == {1, 2}
    assert len(history[int(5.2 * fps)]) == 0  # forgotten, not reported as lost


@pytest.mark.parametrize("fps", FPS)
def test_one_frame_flicker_never_becomes_a_person(fps: float) -> None:
    tracker = Tracker()
    real = person_box(200, 400, 200)
    history = []
    for k in range(int(3 * fps)):
        boxes = [real]
        if k == int(fps):  # a one-frame false box, confident, far from anyone
            boxes.append(person_box(600, 300, 150))
        history.append(tracker.update(dets(boxes), k / fps))
    assert confirmed_ids(history) == {1}
    flicker = history[int(fps)]
    assert TrackState.TENTATIVE in flicker.state.tolist()
    flicker_id = int(flicker.ids[flicker.state == TrackState.TENTATIVE][0])
    # Gone the next frame: an unmatched tentative track is not reported, and its id never
    # comes back as a person.
    assert flicker_id not in history[int(fps) + 1].ids.tolist()
    for k in range(int(3 * fps), int(5 * fps)):
        out = tracker.update(dets([real, person_box(500, 450, 220)]), k / fps)
    confirmed = sorted(out.confirmed().ids.tolist())
    assert len(confirmed) == 2 and flicker_id not in confirmed


def test_a_track_keeps_its_id_from_birth_to_confirmation() -> None:
    tracker = Tracker(TrackerConfig(confirm_hits=3))
    outs = [tracker.update(dets([person_box(200 + 5 * k, 400, 200)]), k * 0.2) for k in range(4)]
    assert [o.ids.tolist() for o in outs] == [[1], [1], [1], [1]]
    assert [o.state.tolist() for o in outs] == [[TrackState.TENTATIVE]] * 2 + [
        [TrackState.CONFIRMED]
    ] * 2


def test_confirmation_needs_hits_and_tentatives_die_fast() -> None:
    tracker = Tracker(TrackerConfig(confirm_hits=3, tentative_max_misses=1))
    box = [person_box(200, 400, 200)]
    states = [tracker.update(dets(box), k * 0.2).state.tolist() for k in range(3)]
    assert states == [[TrackState.TENTATIVE], [TrackState.TENTATIVE], [TrackState.CONFIRMED]]

    tracker = Tracker(TrackerConfig(confirm_hits=3, tentative_max_misses=1))
    tracker.update(dets(box), 0.0)
    tracker.update(dets([]), 0.2)  # one miss: kept
    assert len(tracker.update(dets([]), 0.4)) == 0  # second miss: gone


def test_weak_detections_only_continue_tracks() -> None:
    """A low-confidence box keeps a seen person alive but never starts one."""
    tracker = Tracker()
    weak = dets([person_box(200, 400, 200)], 0.3)
    assert all(len(tracker.update(weak, k * 0.2)) == 0 for k in range(5))

    tracker = Tracker()
    run(tracker, 5.0, 1.0, lambda t: [person_box(200, 400, 200)])
    out = tracker.update(weak, 1.0)
    assert out.state.tolist() == [TrackState.CONFIRMED]


def test_irregular_frame_intervals() -> None:
    """Dropped and bunched frames: motion follows the timestamps, not the frame count."""
    rng = np.random.default_rng(7)
    times = np.cumsum(rng.choice([0.04, 0.1, 0.3, 0.6], size=60))
    tracker = Tracker()
    history = [tracker.update(dets([person_box(100 + 50 * t, 400, 200)]), float(t)) for t in times]
    assert confirmed_ids(history) == {1}
    # A gap of 0.6 s: the prediction has walked on with the person.
    tracker.update(dets([]), float(times[-1] + 0.6))
    lost = tracker.update(dets([]), float(times[-1] + 1.2))
    expected = 100 + 50 * (times[-1] + 1.2)
    assert lost.state.tolist() == [TrackState.LOST]
    assert lost.foot_points[0, 0] == pytest.approx(expected, abs=40)


def test_same_motion_at_5_and_25_fps_predicts_alike() -> None:
    preds = []
    for fps in FPS:
        tracker = Tracker()
        run(tracker, fps, 3.0, lambda t: [person_box(100 + 80 * t, 400, 200)])
        preds.append(tracker.update(dets([]), 3.4).foot_points[0, 0])
    assert preds[0] == pytest.approx(preds[1], abs=6)


def test_lost_prediction_stops_drifting() -> None:
    tracker = Tracker(TrackerConfig(max_lost_s=10.0))
    run(tracker, 5.0, 3.0, lambda t: [person_box(100 + 80 * t, 400, 200)])
    x = [tracker.update(dets([]), 3.0 + s).foot_points[0, 0] for s in (2.0, 5.0, 9.0)]
    last_seen = 100 + 80 * 2.8
    assert x[2] - x[1] < 5  # has come to rest
    assert x[2] - last_seen < 80 * 2.0  # less than two seconds of walking on


def test_person_leaving_at_edge_is_not_recycled() -> None:
    """Someone walks out on the right; a different person walks in there 2 s later."""
    size = (640, 480)
    tracker = Tracker()
    ids = set()
    for k in range(60):
        t = k / 10
        if t < 2.5:
            boxes = [person_box(500 + 60 * t, 450, 200)]  # reaches the edge at ~t=2.3
            boxes = [(x1, y1, min(x2, 640.0), y2) for x1, y1, x2, y2 in boxes if x1 < 640]
        elif t >= 4.5:
            boxes = [person_box(600 - 40 * (t - 4.5), 450, 200)]
        else:
            boxes = []
        out = tracker.update(dets(boxes), t, frame_size=size)
        ids |= {int(i) for i in out.confirmed().ids}
    assert ids == {1, 2}


def test_deterministic() -> None:
    rng = np.random.default_rng(3)
    frames = []
    for _ in range(80):
        n = int(rng.integers(0, 6))
        xy = rng.uniform(0, 500, (n, 2))
        boxes = np.column_stack([xy, xy + rng.uniform(40, 160, (n, 2))])
        frames.append(Detections(boxes.astype(np.float32), rng.uniform(0, 1, n).astype(np.float32)))

    def once() -> list[tuple[list[int], list[int], list[list[float]]]]:
        tr = Tracker()
        outs = [tr.update(d, k / 10) for k, d in enumerate(frames)]
        return [(o.ids.tolist(), o.state.tolist(), o.xyxy.tolist()) for o in outs]

    assert once() == once()


def test_empty_and_reset() -> None:
    tracker = Tracker()
    assert len(tracker.update(Detections.empty(), 0.0)) == 0
    run(tracker, 5.0, 1.0, lambda t: [person_box(200, 400, 200)])
    tracker.reset()
    history = run(tracker, 5.0, 1.0, lambda t: [person_box(200, 400, 200)])
    assert confirmed_ids(history) == {1}


def test_timestamp_going_back_is_harmless() -> None:
    tracker = Tracker()
    run(tracker, 5.0, 1.0, lambda t: [person_box(200, 400, 200)])
    out = tracker.update(dets([person_box(200, 400, 200)]), 0.5)
    assert out.ids.tolist() == [1]


def test_config_validation() -> None:
    with pytest.raises(ValueError):
        TrackerConfig(low_threshold=0.6, high_threshold=0.5)
    with pytest.raises(ValueError):
        TrackerConfig(confirm_hits=0)


def test_an_update_taken_back_by_restore_leaves_no_trace() -> None:
    boxes = [person_box(20 + 8 * i, 120, 60) for i in range(8)]
    plain, tried = Tracker(), Tracker()
    for i, box in enumerate(boxes[:5]):
        plain.update(dets([box]), i * 0.2)
        tried.update(dets([box]), i * 0.2)
    saved = tried.checkpoint()
    tried.update(dets([boxes[5], person_box(200, 120, 60)]), 1.0)  # a newcomer, taken back
    tried.restore(saved)
    for i, box in enumerate(boxes[5:], start=5):
        want, got = plain.update(dets([box]), i * 0.2), tried.update(dets([box]), i * 0.2)
        assert got.ids.tolist() == want.ids.tolist()
        np.testing.assert_array_equal(got.xyxy, want.xyxy)


@pytest.mark.parametrize("fps", FPS)
def test_a_box_straddling_two_walkers_side_by_side_is_nobody_new(fps: float) -> None:
    """Two small people walk side by side; from 1 s on the detector also boxes the pair as one
    (between them, at 0.7). Every pixel of that box is already theirs: no third person."""

    def scene(t: float) -> list[tuple[float, float, float, float]]:
        a = person_box(200 + 40 * t, 300, 60)
        b = person_box(226 + 40 * t, 302, 58)
        pair = (a[0] + 4, min(a[1], b[1]), b[2] - 4, max(a[3], b[3]))
        return [a, b, pair] if t >= 1.0 else [a, b]

    history = run(Tracker(), fps, 4.0, scene)
    assert len(confirmed_ids(history)) == 2


@pytest.mark.parametrize("fps", FPS)
def test_a_box_straddling_two_walkers_does_not_bring_back_a_lost_third(fps: float) -> None:
    """C walks left behind a pair walking right and is hidden (not detected) from 1.5 s; while
    the detector boxes the pair as one (2.0–2.4 s), that box is where C's motion puts C, but it
    shows only the pair: C stays lost rather than taking it."""

    def people(t: float) -> list[tuple[float, float, float, float]]:
        a = person_box(300 + 30 * t, 300, 60)
        b = person_box(326 + 30 * t, 302, 58)
        c = person_box(500 - 60 * t, 296, 60)
        pair = (a[0] + 4, min(a[1], b[1]), b[2] - 4, max(a[3], b[3]))
        return [a, b] + ([c] if t < 1.5 else []) + ([pair] if 2.0 <= t < 2.4 else [])

    tracker = Tracker()
    history = run(tracker, fps, 2.4, people)
    c = id_near(history[int(fps)], 500 - 60 * 1.0)
    assert c is not None
    pair_frames = history[round(2.0 * fps) :]
    assert all(
        TrackState(int(s)) == TrackState.LOST
        for tr in pair_frames
        for i, s in zip(tr.ids, tr.state, strict=True)
        if i == c
    )
