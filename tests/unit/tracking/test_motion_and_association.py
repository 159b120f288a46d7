"""The Kalman motion model and the association helpers."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.tracking.association import (
    INFEASIBLE,
    assign,
    log_height_ratio,
    normalised_distance,
)
from storepixel.tracking.kalman import BoxKalman, MotionNoise
from storepixel.vision.nms import box_iou


def _track(fps: float, seconds: float, speed: float) -> BoxKalman:
    kf = BoxKalman(np.array([0, 0, 40, 100.0]), MotionNoise())
    for k in range(1, int(seconds * fps) + 1):
        kf.predict(1 / fps)
        x = speed * k / fps
        kf.update(np.array([x, 0, x + 40, 100.0]))
    return kf


@pytest.mark.parametrize("fps", [5.0, 12.5, 25.0])
def test_velocity_is_per_second_whatever_the_rate(fps: float) -> None:
    kf = _track(fps, 3.0, speed=60.0)
    assert kf.mean[4] == pytest.approx(60.0, rel=0.1)


def test_decaying_velocity_bounds_the_drift() -> None:
    kf = _track(10.0, 3.0, speed=60.0)
    x0 = kf.mean[0]
    for _ in range(100):
        kf.predict(0.1, tau=1.0)
    assert kf.mean[0] - x0 == pytest.approx(60.0 * 1.0, rel=0.15)  # speed * tau
    assert abs(kf.mean[4]) < 1.0


def test_non_positive_dt_is_a_no_op() -> None:
    kf = _track(10.0, 1.0, speed=60.0)
    before = kf.mean.copy()
    kf.predict(0.0)
    kf.predict(-1.0)
    np.testing.assert_array_equal(kf.mean, before)


def test_box_iou_matrix() -> None:
    a = np.array([[0, 0, 10, 10], [0, 0, 20, 20]])
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [100, 100, 110, 110]])
    iou = box_iou(a, b)
    np.testing.assert_allclose(iou[0], [1.0, 50 / 150, 0.0])
    np.testing.assert_allclose(iou[1, 0], 0.25)
    assert box_iou(np.zeros((0, 4)), b).shape == (0, 3)


def test_distance_is_in_heights_and_anchor_aware() -> None:
    a = np.array([[0, 0, 40, 100.0]])
    b = np.array([[0, 50, 40, 100.0]])  # same feet, head lower: a half-hidden person
    assert normalised_distance(a, b, "foot")[0, 0] == 0.0
    assert normalised_distance(a, b, "top")[0, 0] == pytest.approx(50 / 75)
    assert log_height_ratio(a, b)[0, 0] == pytest.approx(np.log(2))


@pytest.mark.parametrize(
    ("cost", "max_cost", "matches"),
    [
        ([[0.1, 0.9], [0.2, 0.3]], 0.5, [(0, 0), (1, 1)]),
        ([[0.1, 0.9], [0.2, 0.8]], 0.5, [(0, 0)]),  # row 1's only option is over the gate
        ([[INFEASIBLE, 0.4]], 0.5, [(0, 1)]),
        ([[0.6]], 0.5, []),
    ],
)
def test_assign_respects_the_gate(
    cost: list[list[float]], max_cost: float, matches: list[tuple[int, int]]
) -> None:
    got, un_rows, un_cols = assign(np.array(cost), max_cost)
    assert got == matches
    assert len(got) + len(un_rows) == len(cost)
    assert len(got) + len(un_cols) == len(cost[0])


def test_assign_empty() -> None:
    got, un_r, un_c = assign(np.zeros((0, 3)), 1.0)
    assert got == [] and un_r.tolist() == [] and un_c.tolist() == [0, 1, 2]
