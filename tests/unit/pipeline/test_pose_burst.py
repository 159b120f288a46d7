"""Pose bursts (``performance.pose_burst_fps``): while someone stands at a shelf, the pose stage
also looks at the decoded frames between analysed ones, and the touch rule takes those poses; a
burst never starts for someone far away or walking, ends when they leave, and a camera without
shelves is never asked."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import CameraConfig
from storepixel.pipeline import factory
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.types import Detections, EventKind, Frame, Tracks, TrackState
from tests.unit.analytics.test_shelves import CAMERA, SHELF_X, SIZE, pose

SOURCE_FPS = 30
STEP = 6  # analysed every 6th decoded frame: 5 fps


class Counting:
    """A pose model that says where it was asked to look (and what time it was)."""

    def __init__(self) -> None:
        self.calls: list[float] = []
        self.now = 0.0

    def estimate(self, image: NDArray[np.uint8], boxes: NDArray[np.float32]) -> NDArray[np.float32]:
        self.calls.append(self.now)
        return np.ones((len(boxes), 17, 3), np.float32)


class OnePerson:
    """A detector that finds one person, centred at ``x``, 300 px tall."""

    def __init__(self) -> None:
        self.x = 40.0

    def detect(self, image: NDArray[np.uint8]) -> Detections:
        box = np.array([[self.x - 30, 100, self.x + 30, 400]], np.float32)
        return Detections(box, np.array([0.9], np.float32))


def where(t: float) -> float:
    """Stands far from the shelf (x 40) for 2 s, walks to it (x 250, within reach of the shelf
    from x 320) in 1 s, stands there 3 s, walks back in 1 s and stands far away 2 s."""
    if t < 2.0:
        return 40.0
    if t < 3.0:
        return 40.0 + 210.0 * (t - 2.0)
    if t < 6.0:
        return 250.0
    if t < 7.0:
        return 250.0 - 210.0 * (t - 6.0)
    return 40.0


def replay(camera: CameraConfig, monkeypatch: pytest.MonkeyPatch) -> tuple[Counting, list[float]]:
    """Feed 9 s of 30 fps footage as a file source does: every 6th frame analysed, the others
    handed over only when the pipeline wants them. Returns the model and the between frames'
    times."""
    model = Counting()
    monkeypatch.setattr(factory, "shared_pose_estimator", lambda: model)
    detector = OnePerson()
    pipeline = build_camera_pipeline(camera, "demo", detector, 0.0)
    image = np.zeros((480, 1280, 3), np.uint8)  # the shelf spans x 320-1280 px
    between: list[float] = []
    for index in range(9 * SOURCE_FPS):
        t = index / SOURCE_FPS
        detector.x, model.now = where(t), t
        if index % STEP == 0:
            pipeline.process(Frame("aisle", index, t, t, image))
        elif pipeline.wants(t):
            between.append(t)
            assert pipeline.process(Frame("aisle", index, t, t, image, between=True)) == []
    pipeline.finish()
    return model, between


def shelf_camera(burst_fps: float) -> CameraConfig:
    return CameraConfig.model_validate(
        {
            "id": "aisle",
            "shelves": [{"id": "s", "polygon": [[0.25, 0.0], [1.0, 0.0], [1.0, 1.0], [0.25, 1.0]]}],
            "performance": {"pose_burst_fps": burst_fps},
        }
    )


def test_a_burst_starts_when_someone_stands_at_a_shelf_and_stops_when_they_leave(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, between = replay(shelf_camera(30), monkeypatch)
    assert between, "standing at the shelf for 3 s starts a burst"
    # Never while far away or walking up: standing is judged over the last second of motion.
    assert min(between) > 3.0
    # Ends within a second of walking off at 6 s (standing is judged over the last second):
    # nothing while they stand far away again.
    assert 6.0 < max(between) < 7.0
    # While it runs, every decoded frame is looked at: 5 between frames per analysed frame.
    assert len(between) >= 5 * 5 * (6.0 - 4.0)
    assert set(between) <= set(model.calls)


def test_the_burst_rate_is_capped_and_zero_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    _, capped = replay(shelf_camera(10), monkeypatch)
    _, full = replay(shelf_camera(30), monkeypatch)
    assert capped and len(capped) <= len(full) / 2  # 10 fps: 1 in 3 decoded frames, some analysed
    assert min(np.diff(capped)) >= 0.1 - 1e-3
    _, off = replay(shelf_camera(0), monkeypatch)
    assert off == []


def test_a_camera_without_shelves_never_asks_for_a_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    factory.shared_pose_estimator.cache_clear()
    camera = CameraConfig.model_validate({"id": "aisle", "performance": {"pose_burst_fps": 30}})
    pipeline = build_camera_pipeline(camera, "demo", OnePerson(), 0.0)
    image = np.zeros((480, 1280, 3), np.uint8)
    for index in range(60):
        t = index / SOURCE_FPS
        if index % STEP == 0:
            pipeline.process(Frame("aisle", index, t, t, image))
        else:
            assert not pipeline.wants(t)
    assert pipeline.pose is None


def touches(hand_in_between: bool, *, burst: bool, wrist_score: float = 0.9) -> list[int]:
    """Touch counts of one person standing at the shelf (analytics only): analysed frames at
    5 fps show the hand outside the shelf; from 1.27 to 1.37 s, between two analysed frames, the
    hand goes 30 px in (a short reach), seen only if ``burst`` hands those frames over."""
    ca = CameraAnalytics("demo", CAMERA, run_anchor=0.0)
    events = []
    for index in range(3 * SOURCE_FPS):
        t = index / SOURCE_FPS
        inside = hand_in_between and 1.26 < t < 1.38
        kp = pose(260.0, wrist=(SHELF_X + (30.0 if inside else -30.0), 250.0))
        if inside:
            kp[10, 2] = wrist_score  # the right wrist's confidence
        tracks = Tracks(
            [1],
            [[210.0, 100, 310.0, 400]],
            [0.9],
            [TrackState.CONFIRMED],
            np.zeros(1, np.int32),
            kp[None],
        )
        if index % STEP == 0:
            events += ca.update(tracks, t, SIZE)
        elif burst:
            ca.between(tracks, t, SIZE)
    events += ca.flush()
    assert sum(e.kind == EventKind.SHELF_PASS for e in events) == 1
    return [int(e.properties["count"]) for e in events if e.kind == EventKind.SHELF_REACH]


def test_a_reach_between_analysed_frames_is_a_touch_only_with_a_burst() -> None:
    assert touches(True, burst=False) == []  # 5 fps never sees it
    assert touches(True, burst=True) == [1]
    assert touches(False, burst=True) == []  # the burst itself creates nothing
    # An unsure wrist on the burst frames never creates a reach either.
    assert touches(True, burst=True, wrist_score=0.2) == []
