"""The detection region around a camera's zones and lines."""

from __future__ import annotations

import pytest

from storepixel.config.site import CameraConfig
from storepixel.pipeline.roi import detection_region, to_pixels


def _camera(**geometry: object) -> CameraConfig:
    return CameraConfig.model_validate({"id": "cam", **geometry})


def test_no_geometry_means_the_whole_frame() -> None:
    assert detection_region(_camera()) is None


def test_region_covers_zones_and_lines_with_margin_and_head_room() -> None:
    cam = _camera(
        lines=[{"id": "door", "points": [[0.2, 0.8], [0.3, 0.8]]}],
        zones=[{"id": "till", "polygon": [[0.5, 0.6], [0.6, 0.6], [0.6, 0.7]]}],
    )
    x0, y0, x1, y1 = detection_region(cam, margin=0.05, head_room=0.2)  # type: ignore[misc]
    assert (x0, y0, x1, y1) == pytest.approx((0.15, 0.35, 0.65, 0.85))


def test_region_is_clipped_to_the_frame() -> None:
    cam = _camera(lines=[{"id": "door", "points": [[0.0, 0.05], [0.1, 0.05]]}])
    assert detection_region(cam) == (0.0, 0.0, 0.2, 0.15)


def test_a_region_covering_most_of_the_frame_is_no_region() -> None:
    cam = _camera(zones=[{"id": "floor", "polygon": [[0.05, 0.2], [0.95, 0.2], [0.5, 0.95]]}])
    assert detection_region(cam) is None
    assert detection_region(cam, max_fraction=1.0) == (0.0, 0.0, 1.0, 1.0)


def test_pixels_grow_outwards_and_stay_inside() -> None:
    assert to_pixels((0.101, 0.0, 0.499, 1.0), 100, 50) == (10, 0, 50, 50)
    assert to_pixels((0.0, 0.0, 1.0, 1.0), 7, 5) == (0, 0, 7, 5)
