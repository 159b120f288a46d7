"""The face stage: one estimate and one descriptor per visit, only from faces in a person's head
area and large enough, counted per zone and hour (models replaced by counters: what is tested is
the bookkeeping; the real models run in tests/integration/test_faces_privacy.py)."""

from __future__ import annotations

import numpy as np

from storepixel.pipeline.face_stage import WHOLE_VIEW, FaceStage
from storepixel.types import Event, Tracks, TrackState


def face(x: float, y: float, w: float, score: float = 0.9) -> list[float]:
    eyes = [x + 0.3 * w, y + 0.4 * w, x + 0.7 * w, y + 0.4 * w]
    return [x, y, w, w, *eyes, x + w / 2, y + 0.6 * w, x + 0.35 * w, y + 0.8 * w,
            x + 0.65 * w, y + 0.8 * w, score]  # fmt: skip


class Faces:
    def __init__(self, rows: list[list[float]]) -> None:
        self.rows = np.asarray(rows, np.float32).reshape(-1, 15)
        self.calls = 0

    def detect(self, image: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.rows


class Models:
    def __init__(self) -> None:
        self.estimates = 0
        self.descriptors = 0

    def estimate(self, image: np.ndarray, face: np.ndarray) -> tuple[str, str]:
        self.estimates += 1
        assert image.shape[0] >= face[3]  # the kept crop holds the face
        return "25-34", "female"

    def describe(self, image: np.ndarray, face: np.ndarray) -> np.ndarray:
        self.descriptors += 1
        return np.full(128, float(face[2]), np.float32)


def people(*boxes: list[float]) -> Tracks:
    ids = list(range(1, len(boxes) + 1))
    return Tracks(ids, boxes, [0.9] * len(boxes), [TrackState.CONFIRMED] * len(boxes))


def stage(faces: Faces, models: Models, **kw: float) -> FaceStage:
    return FaceStage(faces, lambda tid: f"t{tid}", attributes=models, descriptor=models, **kw)


def test_one_estimate_per_visit_counted_per_zone_and_hour() -> None:
    models = Models()
    faces = Faces([face(110, 20, 40), face(400, 300, 40)])  # the second is at nobody's head
    s = stage(faces, models, look_interval_s=0.5)
    image = np.zeros((480, 640, 3), np.uint8)
    tracks = people([100, 10, 170, 250], [380, 100, 460, 350])
    enter = Event("e", "zone_enter", "demo", "cam1", 3600.0, "t1", "aisle")
    for k in range(20):  # 4 s at 5 fps: looked at every 0.6 s (3rd frame), estimated once
        s.observe(image, tracks, 3600.0 + k * 0.2, [enter] if k == 3 else [])
    assert faces.calls == 7 and models.estimates == 0  # nothing estimated while they stay
    s.finish()
    assert models.estimates == 1 and models.descriptors == 1  # person 2 showed no face
    assert s.counts == {
        (3600.0, "aisle", "age_band", "25-34"): 1,
        (3600.0, "aisle", "gender", "female"): 1,
        (3600.0, WHOLE_VIEW, "age_band", "25-34"): 1,
        (3600.0, WHOLE_VIEW, "gender", "female"): 1,
    }
    assert len(s.visits) == 1 and s.visits[0].first_t == 3600.0


def test_a_person_gone_for_long_is_closed_and_small_faces_are_skipped() -> None:
    models = Models()
    s = stage(Faces([face(110, 20, 40), face(400, 110, 10)]), models, min_face_px=24)
    image = np.zeros((480, 640, 3), np.uint8)
    s.observe(image, people([100, 10, 170, 250], [380, 100, 460, 350]), 0.0, [])
    s.observe(image, Tracks.empty(), 6.0, [])  # both unseen for more than FORGET_S
    assert models.estimates == 1 and not s._people  # the 10-px face gave nothing


def test_the_best_face_of_the_visit_is_the_one_described() -> None:
    models = Models()
    faces = Faces([face(110, 20, 30, 0.6)])
    s = stage(faces, models)
    image = np.zeros((480, 640, 3), np.uint8)
    tracks = people([100, 10, 170, 250])
    s.observe(image, tracks, 0.0, [])
    faces.rows = np.asarray([face(105, 15, 50, 0.9)], np.float32)
    s.observe(image, tracks, 1.0, [])
    faces.rows = np.asarray([face(110, 20, 26, 0.95)], np.float32)
    s.observe(image, tracks, 2.0, [])
    s.finish()
    assert s.visits[0].descriptor[0] == 50.0  # the largest, most confident face
