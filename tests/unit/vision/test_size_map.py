"""The person-size map converges on a synthetic camera whose perspective is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.vision.size_map import PersonSizeMap

F, CAM_H, HORIZON = 500.0, 3.0, -40.0  # focal px, camera height m, horizon row (above frame)
W, H = 640, 480


def _person(rng: np.random.Generator) -> tuple[float, float, float, float]:
    """A person 1.6-1.85 m tall standing somewhere on the floor in view: their box."""
    depth = rng.uniform(3.2, 40.0)  # metres in front of the camera
    tall = rng.uniform(1.6, 1.85)
    foot = HORIZON + F * CAM_H / depth
    head = HORIZON + F * (CAM_H - tall) / depth
    x = rng.uniform(40, W - 40)
    w = 0.4 * (foot - head)
    return (x - w / 2, head, x + w / 2, foot)


def test_converges_to_the_cameras_perspective_despite_outliers() -> None:
    rng = np.random.default_rng(7)
    m = PersonSizeMap()
    boxes = []
    for k in range(600):
        x1, y1, x2, y2 = _person(rng)
        if k % 10 == 0:  # a false box, a child, someone cut by a shelf: height off by half
            y1 = y2 - 0.5 * (y2 - y1)
        boxes.append((x1, y1 + rng.normal(0, 1.5), x2, y2 + rng.normal(0, 1.5)))
    m.add_boxes(np.array(boxes), (W, H))
    true_slope = 1.725 / CAM_H  # mean height / camera height
    assert m.converged
    assert m.slope == pytest.approx(true_slope, rel=0.06)
    assert m.horizon_y == pytest.approx(HORIZON, abs=12)
    for foot in (60.0, 200.0, 400.0):
        assert m.height_at(foot) == pytest.approx(true_slope * (foot - HORIZON), rel=0.08)
    # People under 50 px stand with their feet above row ~47: that band, heads included.
    top, bottom = m.far_band(50.0, H) or (None, None)
    assert top == 0 and bottom == pytest.approx(HORIZON + 50 / true_slope + 5, abs=12)


def test_not_trusted_before_enough_people_at_enough_rows() -> None:
    m = PersonSizeMap()
    for _ in range(100):  # everyone at the same spot: no slope to learn
        m.add(300.0, 120.0)
    assert not m.converged and m.far_band(60.0, H) is None


def test_seeded_from_calibration_and_a_moved_camera_is_relearned() -> None:
    m = PersonSizeMap(half_life=200)
    m.seed(0.5, 0.0, 100.0, 400.0)
    assert m.converged and m.height_at(200.0) == pytest.approx(100.0)
    for y in np.linspace(100, 400, 3000) % 300 + 100:  # the camera was zoomed: twice as big
        m.add(float(y), 1.0 * float(y))
    assert m.height_at(200.0) == pytest.approx(200.0, rel=0.1)
