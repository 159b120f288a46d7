"""Adaptive passes: a camera skips the extra passes while they find no one the first pass missed."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.vision.adapters.base import Candidates
from storepixel.vision.detector import for_camera
from storepixel.vision.onnx_detector import AdaptivePasses, OnnxDetector

IMAGE = np.zeros((432, 768, 3), np.uint8)
WALKER = (100, 100, 140, 200, 0.9)  # both passes find this person
NEAR = (600, 232, 768, 432, 0.8)  # a person cut by the frame edge: only the stretch pass sees them


class SceneModel:
    """Plays a scene: per call, the boxes each pass finds in the frame now on screen."""

    def __init__(self) -> None:
        self.letterbox: list[tuple[float, ...]] = [WALKER]
        self.stretch: list[tuple[float, ...]] = [WALKER]
        self.calls: list[str] = []

    def candidates(
        self, image: np.ndarray, fit: str, confidence: float, *, tight: bool = False
    ) -> Candidates:
        self.calls.append(fit)
        rows = np.array(getattr(self, fit), np.float32).reshape(-1, 5)
        return rows[:, :4].copy(), rows[:, 4].copy()


def make(model: SceneModel, window: int = 5, recheck: int = 4) -> OnnxDetector:
    return OnnxDetector(model, adaptive=AdaptivePasses(window, recheck))  # type: ignore[arg-type]


def passes_per_frame(detector: OnnxDetector, model: SceneModel, frames: int) -> list[int]:
    counts = []
    for _ in range(frames):
        before = len(model.calls)
        detector.detect(IMAGE)
        counts.append(len(model.calls) - before)
    return counts


def test_extra_passes_stop_after_a_window_in_which_they_added_no_one() -> None:
    model = SceneModel()
    detector = make(model, window=5, recheck=4)
    # Five frames with all passes and nothing added, then the first pass alone, with all passes
    # again on every 4th detection.
    assert passes_per_frame(detector, model, 13) == [2] * 5 + [1, 1, 1, 2, 1, 1, 1, 2]
    assert detector.skipping_extra_passes


def test_frames_without_people_do_not_count_towards_the_window() -> None:
    model = SceneModel()
    model.letterbox = model.stretch = []
    detector = make(model, window=3)
    assert passes_per_frame(detector, model, 10) == [2] * 10
    assert not detector.skipping_extra_passes


def test_extra_passes_return_as_soon_as_a_recheck_finds_someone_new() -> None:
    model = SceneModel()
    detector = make(model, window=3, recheck=3)
    assert passes_per_frame(detector, model, 3) == [2, 2, 2]
    assert detector.skipping_extra_passes
    model.stretch = [WALKER, NEAR]  # someone near the camera walks in
    assert passes_per_frame(detector, model, 2) == [1, 1]  # missed until the re-check...
    found = detector.detect(IMAGE)  # ...which runs every pass and finds them
    assert len(found) == 2
    assert not detector.skipping_extra_passes
    # Back for good: every frame, until a whole new window shows them adding no one.
    model.stretch = [WALKER]
    assert passes_per_frame(detector, model, 6) == [2, 2, 2, 1, 1, 2]


def test_a_person_the_first_pass_loses_brings_the_extra_passes_back_at_once() -> None:
    model = SceneModel()
    detector = make(model, window=3, recheck=100)
    model.letterbox = model.stretch = [WALKER, (*NEAR[:4], 0.9)]
    passes_per_frame(detector, model, 3)
    assert detector.skipping_extra_passes
    model.letterbox = [WALKER]  # the near person steps to the edge: only the stretch sees them
    found = detector.detect(IMAGE)
    assert model.calls[-2:] == ["letterbox", "stretch"]
    assert len(found) == 2
    assert not detector.skipping_extra_passes


def test_skipping_gives_exactly_what_all_passes_give_when_they_add_no_one() -> None:
    # The stretch pass finds the walker with a differently shaped, higher-scored box: merged, the
    # first pass's box stands, so a frame with the first pass alone is identical.
    model = SceneModel()
    model.stretch = [(96, 90, 146, 205, 0.95)]
    every = OnnxDetector(model)  # type: ignore[arg-type]
    one = OnnxDetector(model, passes=("letterbox",))  # type: ignore[arg-type]
    merged, alone = every.detect(IMAGE), one.detect(IMAGE)
    np.testing.assert_array_equal(merged.xyxy, alone.xyxy)
    np.testing.assert_array_equal(merged.confidence, alone.confidence)


def test_extra_pass_people_are_added_best_first() -> None:
    model = SceneModel()
    model.stretch = [WALKER, NEAR]
    found = OnnxDetector(model).detect(IMAGE)  # type: ignore[arg-type]
    assert found.confidence.tolist() == pytest.approx([0.9, 0.8])


def test_each_camera_keeps_its_own_statistics() -> None:
    model = SceneModel()
    shared = make(model, window=3, recheck=100)
    high, near = for_camera(shared), for_camera(shared)
    assert high is not shared and near is not shared and high.model is shared.model
    passes_per_frame(high, model, 3)
    assert high.skipping_extra_passes
    model.stretch = [WALKER, NEAR]
    passes_per_frame(near, model, 3)  # the near camera's extra pass keeps finding someone
    assert not near.skipping_extra_passes
    assert high.skipping_extra_passes  # unaffected by what the other camera saw


def test_the_naive_view_runs_every_pass_on_every_frame() -> None:
    model = SceneModel()
    naive = for_camera(make(model, window=2, recheck=100), adaptive=False)
    assert passes_per_frame(naive, model, 6) == [2] * 6
    assert not naive.skipping_extra_passes


def test_without_adaptive_settings_or_with_one_pass_nothing_is_skipped() -> None:
    model = SceneModel()
    assert passes_per_frame(OnnxDetector(model), model, 30) == [2] * 30  # type: ignore[arg-type]
    single = OnnxDetector(model, passes=("letterbox",), adaptive=AdaptivePasses(1, 2))  # type: ignore[arg-type]
    assert passes_per_frame(single, model, 5) == [1] * 5


def test_other_detectors_are_handed_over_unchanged() -> None:
    class Plain:
        pass

    plain = Plain()
    assert for_camera(plain) is plain


@pytest.mark.parametrize(
    ("moved", "lost"),
    [
        ((130, 100, 170, 200), False),  # walked 0.3 of their height since the last detection
        ((180, 100, 220, 200), True),  # 0.8 heights away: someone else, the walker is missing
        ((100, 150, 125, 200), True),  # half the height: not the same person
    ],
)
def test_a_walker_detections_apart_is_still_the_same_person(
    moved: tuple[int, ...], lost: bool
) -> None:
    model = SceneModel()
    detector = make(model, window=1, recheck=100)
    passes_per_frame(detector, model, 1)
    assert detector.skipping_extra_passes
    model.letterbox = model.stretch = [(*moved, 0.9)]
    assert passes_per_frame(detector, model, 1) == [2 if lost else 1]
