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


def test_a_mannequin_found_late_and_passed_in_front_of_is_static_by_its_picture() -> None:
    """The detector finds the mannequin only from 6 s, and a passer-by (not detected on their own)
    covers it for a second at 7 s: the picture in its box has not changed since 0 s, so it is a
    static object at 10 s, not 16 s or later."""
    static = StaticObjects(static_after_s=10.0)
    rng = np.random.default_rng(3)
    texture = rng.integers(0, 255, (80, 30, 3), dtype=np.uint8)
    passer = rng.integers(0, 255, (90, 30, 3), dtype=np.uint8)
    box = Detections(np.array([[100, 100, 130, 180]], np.float32), np.array([0.7], np.float32))
    none = Detections.empty()
    kept = {}
    for k in range(int(12.0 * 5)):
        t = k / 5
        img = np.full((H, W, 3), 120, np.uint8)
        img[100:180, 100:130] = texture
        if 7.0 <= t < 8.0:  # someone walks past in front of it
            x = 90 + round((t - 7.0) * 50)
            img[95:185, x : x + 30] = passer
        kept[round(t, 1)] = len(static.apply(box if t >= 6.0 else none, img, t))
    assert kept[6.0] == 1 and kept[9.8] == 1  # found, and not yet ten seconds
    assert kept[10.0] == 0 and kept[11.8] == 0


def test_a_shopper_who_walks_in_and_stands_still_gets_the_full_time() -> None:
    """Before they came, the floor was there: their clock starts when they arrive, even though
    the detector finds them only a few seconds later."""
    static = StaticObjects(static_after_s=10.0)
    texture = np.random.default_rng(4).integers(0, 255, (80, 30, 3), dtype=np.uint8)
    box = Detections(np.array([[100, 100, 130, 180]], np.float32), np.array([0.7], np.float32))
    kept = {}
    for k in range(int(16.0 * 5)):
        t = k / 5
        img = np.full((H, W, 3), 120, np.uint8)
        if t >= 3.0:  # arrives at 3 s and stands stock still; first detected at 6 s
            img[100:180, 100:130] = texture
        kept[round(t, 1)] = len(static.apply(box if t >= 6.0 else Detections.empty(), img, t))
    assert kept[12.8] == 1 and kept[13.0] == 0


def test_installer_confirms_at_once_dismisses_for_good_and_a_confirmed_one_that_moves_counts() -> (
    None
):
    scene = _Scene()
    x1, y1, x2, y2 = scene.box()
    confirmed = ((x1 / W, y1 / H, x2 / W, y2 / H), "confirmed")
    static = StaticObjects(static_after_s=10.0, decisions=[confirmed])
    pipeline = CameraPipeline(scene, Tracker(), static=static)
    assert all(ids == [] for ids in _run(scene, pipeline, 0.0, 5.0, 5.0))  # never a person
    assert len(static.candidates(5.0)) == 1
    walk = _run(scene, pipeline, 5.0, 4.0, 5.0, speed=40.0)  # it walks off: re-checked, counted
    assert walk[-1]
    # Dismissed ("a person's place"): never suppressed, however long it stands; a decision made
    # while running applies to what was learnt.
    still = StaticObjects(static_after_s=2.0)
    img = np.full((H, W, 3), 120, np.uint8)
    box = Detections(np.array([[10, 10, 40, 90]], np.float32), np.array([0.9], np.float32))
    assert [len(still.apply(box, img, t)) for t in (0.0, 1.0, 3.0)] == [1, 1, 0]
    still.decide([((10 / W, 10 / H, 40 / W, 90 / H), "dismissed")])
    assert [len(still.apply(box, img, t)) for t in (4.0, 60.0)] == [1, 1]


def test_standing_places_are_where_a_picture_stayed_unchanged_not_where_someone_walked() -> None:
    """A still thing's place is a standing place after a passer-by's time on one place
    (``PASSING_S``); a walker's boxes never are."""
    static = StaticObjects(static_after_s=10.0)
    texture = np.random.default_rng(6).integers(0, 255, (80, 30, 3), dtype=np.uint8)
    standing_at = {}
    for k in range(round(4.0 * 5)):
        t = k / 5
        walker_x = 200 - round(20 * t)
        img = np.full((H, W, 3), 120, np.uint8)
        img[100:180, 40:70] = texture
        img[100:180, walker_x : walker_x + 30] = texture[::-1]
        boxes = np.array([[40, 100, 70, 180], [walker_x, 100, walker_x + 30, 180]], np.float32)
        static.apply(Detections(boxes, np.array([0.8, 0.8], np.float32)), img, t)
        standing_at[round(t, 1)] = static.standing()
    assert len(standing_at[1.0]) == 0  # not yet: a slow passer-by could still be there
    assert standing_at[3.8].tolist() == [[40.0, 100.0, 70.0, 180.0]]  # the thing, not the walker


def test_a_box_beyond_the_frame_edge_is_watched_without_error() -> None:
    static = StaticObjects(static_after_s=10.0)
    img = np.full((H, W, 3), 120, np.uint8)
    boxes = np.array([[W + 5, 100, W + 35, 180], [-40, -90, -10, -5]], np.float32)
    found = static.apply(Detections(boxes, np.array([0.8, 0.8], np.float32)), img, 0.0)
    assert len(found) == 2


def test_a_place_is_not_standing_while_someone_else_changes_its_picture() -> None:
    """Something stood at a place for 3 s; then someone else, dressed differently, steps onto
    it: while its picture differs, it is not a place where something stands."""
    static = StaticObjects(static_after_s=10.0)
    rng = np.random.default_rng(7)
    thing, walker = (rng.integers(0, 255, (80, 30, 3), dtype=np.uint8) for _ in range(2))
    box = Detections(np.array([[100, 100, 130, 180]], np.float32), np.array([0.8], np.float32))
    standing = {}
    for k in range(round(4.0 * 5)):
        t = k / 5
        img = np.full((H, W, 3), 120, np.uint8)
        img[100:180, 100:130] = thing if t < 3.0 else walker
        static.apply(box, img, t)
        standing[round(t, 1)] = len(static.standing())
    assert standing[2.8] == 1 and standing[3.0] == 0 and standing[3.8] == 0


def test_a_walker_whose_boxes_each_lie_on_some_static_place_is_not_dropped() -> None:
    """The watch may take a walker's box for static here and there along their way (a plain
    floor's picture); a track is a static object only when half its sightings are on *one*
    place, as a thing that never moves is, never for the sum of many places along a walk."""
    walk = [np.array([10.0 + 20 * k, 10, 40 + 20 * k, 90]) for k in range(10)]
    found = [b.copy() for b in walk[::2]]  # every other box of the walk, once each
    mannequin = np.array([300.0, 10, 330, 90])
    sightings = {1: walk, 2: [mannequin + k % 2 for k in range(6)] + walk[:4]}
    assert static_tracks(sightings, [*found, mannequin]) == {2}


def test_walkers_alike_passing_one_place_seconds_apart_are_not_static() -> None:
    """Two people dressed alike walk the same path 12 s apart (longer than ``static_after_s``):
    the second one's boxes lie on the first one's places with the same picture, but the floor
    was seen empty there in between, so the places' clocks start again and nobody is dropped."""
    static = StaticObjects(static_after_s=10.0)
    scene = _Scene()
    kept = []
    for start in (0.0, 12.0):
        for k in range(20):  # 4 s at 5 fps, 60 px/s
            scene.x = 40.0 + 12 * k
            kept.append(
                len(static.apply(scene.detect(scene.image()), scene.image(), start + k / 5))
            )
        empty = np.full((H, W, 3), 120, np.uint8)
        none = Detections(np.zeros((0, 4), np.float32), np.zeros(0, np.float32))
        for k in range(20, 60):  # the path empty until the next walker
            static.apply(none, empty, start + k / 5)
    assert kept == [1] * 40
