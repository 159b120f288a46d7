"""Ignore areas: detections standing inside are dropped, whatever their box covers."""

from __future__ import annotations

import numpy as np

from storepixel.pipeline.ignore import IgnoreAreas
from storepixel.types import Detections

SIZE = (200, 100)  # width, height
TOP_HALF = [(0.0, 0.0), (1.0, 0.0), (1.0, 0.5), (0.0, 0.5)]
RIGHT_STRIP = [(0.9, 0.0), (1.0, 0.0), (1.0, 1.0), (0.9, 1.0)]


def _detections(*boxes: tuple[float, float, float, float]) -> Detections:
    keypoints = np.arange(len(boxes) * 3, dtype=np.float32).reshape(len(boxes), 1, 3)
    return Detections(np.array(boxes, np.float32), np.linspace(0.9, 0.5, len(boxes)), keypoints)


def test_feet_inside_are_dropped_and_the_rest_keep_their_scores_and_keypoints() -> None:
    found = _detections(
        (10, 5, 30, 40),  # feet at y 40: inside the top half
        (50, 20, 70, 90),  # box reaches into the area, feet at y 90: a shopper in front of it
        (185, 40, 195, 95),  # feet in the right strip
    )
    kept = IgnoreAreas([TOP_HALF, RIGHT_STRIP]).apply(found, SIZE)
    assert kept.xyxy.tolist() == [[50, 20, 70, 90]]
    assert kept.confidence.tolist() == [found.confidence[1]]
    assert kept.keypoints is not None and kept.keypoints.tolist() == [[[3.0, 4.0, 5.0]]]


def test_no_areas_or_no_detections_change_nothing() -> None:
    found = _detections((10, 5, 30, 40))
    assert IgnoreAreas([]).apply(found, SIZE) is found
    assert not IgnoreAreas([])
    assert len(IgnoreAreas([TOP_HALF]).apply(Detections.empty(), SIZE)) == 0


def test_areas_are_normalised_so_they_fit_any_resolution() -> None:
    areas = IgnoreAreas([TOP_HALF])
    for width, height in ((200, 100), (1920, 1080)):
        feet_above = _detections((0.2 * width, 0.1 * height, 0.3 * width, 0.45 * height))
        feet_below = _detections((0.2 * width, 0.1 * height, 0.3 * width, 0.55 * height))
        assert len(areas.apply(feet_above, (width, height))) == 0
        assert len(areas.apply(feet_below, (width, height))) == 1
