"""Static objects: a person-shaped thing that never moves is not counted; once it walks, it is."""

from __future__ import annotations

import numpy as np

from storepixel.pipeline.camera import CameraPipeline
from storepixel.pipeline.static import StaticObjects, static_tracks
from storepixel.tracking import Tracker
from storepixel.types import Detections, Frame, TrackState

W, H = 320, 240


class _Scene:
    """A grey floor with one 'mannequin' drawn at ``x`` (textured, so it has a picture of its
    own), detected wherever it is drawn: the detector is the scene itself."""

    def __init__(self) -> None:
        self.x = 100.0
        rng = np.random.default_rng(1)
        self.texture = rng.integers(0, 255, (80, 30, 3), dtype=np.uint8)

    def box(self) -> tuple[float, float, float, float]:
        return (self.x, 100.0, self.x + 30.0, 180.0)

    def image(self) -> np.ndarray:
        img = np.full((H, W, 3), 120, np.uint8)
        x = round(self.x)
        img[100:180, x : x + 30] = self.texture
        return img

    def detect(self, image: np.ndarray) -> Detections:
        return Detections(np.array([self.box()], np.float32), np.array([0.8], np.float32))


def _run(
    scene: _Scene,
    pipeline: CameraPipeline,
    t0: float,
    seconds: float,
    fps: float,
    speed: float = 0.0,
) -> list[int]:
    """Frames from ``t0`` for ``seconds``; the confirmed track ids seen on each frame."""
    ids = []
    for k in range(round(seconds * fps)):
        t = t0 + k / fps
        scene.x += speed / fps
        frame = Frame("cam", k, t, t, scene.image())
        for result in pipeline.process(frame):
            ids.append(
                sorted(
                    result.tracks.select(result.tracks.state == TrackState.CONFIRMED).ids.tolist()
                )
            )
    return ids


def test_a_box_standing_for_an_hour_is_suppressed_and_one_that_walks_is_counted() -> None:
    scene = _Scene()
    pipeline = CameraPipeline(scene, Tracker(), static=StaticObjects(static_after_s=10.0))
    first = _run(scene, pipeline, 0.0, 5.0, 5.0)
    assert first[-1] == [1]  # at first it may be someone standing: tracked
    hour = _run(scene, pipeline, 5.0, 3600.0, 0.2)
    assert all(ids == [] for ids in hour[len(hour) // 10 :])  # then, for the hour: nobody
    # It starts walking (a person, after all, or a mannequin carried away): counted again.
    walk = _run(scene, pipeline, 3605.0, 4.0, 5.0, speed=40.0)
    assert walk[-1] and all(i != 1 for i in walk[-1])


def test_a_shopper_moving_in_place_is_never_static() -> None:
    """Same box for a minute, but the picture inside changes (someone turning, gesturing)."""
    static = StaticObjects(static_after_s=10.0)
    rng = np.random.default_rng(2)
    box = Detections(np.array([[100, 100, 130, 180]], np.float32), np.array([0.9], np.float32))
    kept = []
    for k in range(300):
        img = np.full((H, W, 3), 120, np.uint8)
        img[100:180, 100:130] = rng.integers(0, 255, (80, 30, 3), dtype=np.uint8)
        kept.append(len(static.apply(box, img, k * 0.2)))
    assert kept == [1] * 300
    assert static.candidates(60.0) == []


def test_dismissed_candidates_are_counted_and_a_file_drops_the_static_tracks_whole() -> None:
    static = StaticObjects(static_after_s=2.0)
    img = np.full((H, W, 3), 120, np.uint8)
    box = Detections(np.array([[10, 10, 40, 90]], np.float32), np.array([0.9], np.float32))
    assert [len(static.apply(box, img, t)) for t in (0.0, 1.0, 3.0)] == [1, 1, 0]
    assert len(static.found) == 1
    static.dismiss(box.xyxy[0])
    assert len(static.apply(box, img, 4.0)) == 1
    boxes = {7: [box.xyxy[0].astype(np.float64)] * 3, 8: [np.array([200.0, 10, 230, 90])] * 3}
    assert static_tracks(boxes, static.found) == {7}
