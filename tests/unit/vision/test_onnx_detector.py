"""Passes and tiles: how views of a frame are merged, with a stand-in model (no ONNX)."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.vision.adapters.base import Candidates
from storepixel.vision.onnx_detector import OnnxDetector


class ScriptedModel:
    """Returns fixed boxes (in the pixels of whatever image it is given) and records calls."""

    def __init__(self, boxes: dict[str, list[tuple[float, float, float, float, float]]]) -> None:
        self.boxes = boxes
        self.calls: list[tuple[str, tuple[int, ...], bool]] = []

    def candidates(
        self, image: np.ndarray, fit: str, confidence: float, *, tight: bool = False
    ) -> Candidates:
        self.calls.append((fit, image.shape[:2], tight))
        rows = np.array(self.boxes.get(fit, []), np.float32).reshape(-1, 5)
        rows = rows[rows[:, 4] >= confidence]
        return rows[:, :4].copy(), rows[:, 4].copy()


def make(model: ScriptedModel, **kwargs: object) -> OnnxDetector:
    return OnnxDetector(model, **kwargs)  # type: ignore[arg-type]


def test_extra_passes_add_the_people_the_first_missed_best_first() -> None:
    model = ScriptedModel(
        {
            "letterbox": [(10, 10, 50, 110, 0.6), (200, 10, 240, 110, 0.8)],
            "stretch": [(12, 10, 52, 112, 0.7), (400, 10, 440, 110, 0.5)],
        }
    )
    found = make(model, passes=("letterbox", "stretch"), confidence=0.45).detect(
        np.zeros((480, 640, 3), np.uint8)
    )
    # Whole-frame passes may use a tight canvas (the model decides for which fits).
    assert [(fit, tight) for fit, _, tight in model.calls] == [
        ("letterbox", True),
        ("stretch", True),
    ]
    # The person both passes found keeps the first pass's box; the stretch pass adds the one at
    # x=400 that the first pass missed.
    assert found.confidence.tolist() == pytest.approx([0.8, 0.6, 0.5])
    np.testing.assert_allclose(found.xyxy[1], [10, 10, 50, 110])


def test_boxes_are_clipped_and_slivers_dropped() -> None:
    model = ScriptedModel({"letterbox": [(-20, -5, 30, 500, 0.9), (639, 0, 700, 50, 0.9)]})
    found = make(model, passes=("letterbox",)).detect(np.zeros((480, 640, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[0, 0, 30, 480]])


def test_tiles_shift_boxes_and_drop_the_ones_cut_by_a_seam() -> None:
    # Every tile reports a whole person inside it and one touching its right edge.
    model = ScriptedModel({"letterbox": [(20, 20, 40, 80, 0.9), (300, 20, 340, 80, 0.8)]})
    detector = make(model, passes=("tiles",), tile_grid=(2, 1), tile_overlap=0.0)
    found = detector.detect(np.zeros((200, 680, 3), np.uint8))  # tiles 340 px wide
    # Tiles stay on the model's square input.
    assert [(shape, tight) for _, shape, tight in model.calls] == [
        ((200, 340), False),
        ((200, 340), False),
    ]
    # Left tile: the right-edge box is on the inner seam → dropped. Right tile: its right edge
    # is the image edge → kept, shifted by 340.
    np.testing.assert_allclose(
        found.xyxy[np.argsort(found.xyxy[:, 0])],
        [[20, 20, 40, 80], [360, 20, 380, 80], [640, 20, 680, 80]],
    )
