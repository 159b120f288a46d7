"""The colour cue: it only vetoes recovering a lost track onto someone dressed differently."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.tracking import Tracker
from storepixel.tracking.appearance import colour_histogram, histogram_distance
from tests.unit.tracking.scenes import dets, person_box

RED, BLUE = (30, 30, 200), (200, 60, 30)


def _frame(
    boxes_colours: list[tuple[tuple[float, float, float, float], tuple[int, int, int]]],
) -> np.ndarray:
    img = np.full((480, 640, 3), 90, np.uint8)
    for (x1, y1, x2, y2), colour in boxes_colours:
        img[int(y1) : int(y2), int(x1) : int(x2)] = colour
    return img


def test_histogram_distance() -> None:
    box = np.array(person_box(200, 400, 200))
    red = colour_histogram(_frame([(tuple(box), RED)]), box)
    blue = colour_histogram(_frame([(tuple(box), BLUE)]), box)
    assert red.sum() == pytest.approx(1.0)
    d = histogram_distance(red, np.stack([red, blue, np.zeros_like(red)]))
    assert d[0] == pytest.approx(0.0, abs=1e-6)
    assert d[1] > 0.9
    assert d[2] == 0.0  # unknown (empty) histogram never vetoes


@pytest.mark.parametrize(
    ("second", "use_image", "expected"),
    [
        (RED, True, {1}),  # same clothes: the lost track is recovered
        (BLUE, True, {1, 2}),  # different clothes at the same spot: someone else
        (BLUE, False, {1}),  # without the image, position alone decides
    ],
)
def test_colour_vetoes_recovery(
    second: tuple[int, int, int], use_image: bool, expected: set[int]
) -> None:
    tracker = Tracker()
    a = person_box(200, 400, 200)
    b = person_box(290, 400, 200)  # 0.45 heights away: no overlap, within the recovery gate
    ids: set[int] = set()
    for k in range(25):
        t = k / 5
        if t < 2.0:
            boxes = [(a, RED)]
        elif t < 3.0:
            boxes = []
        else:
            boxes = [(b, second)]
        img = _frame(boxes)
        out = tracker.update(dets([bx for bx, _ in boxes]), t, img if use_image else None)
        ids |= {int(i) for i in out.confirmed().ids}
    assert ids == expected
