"""Identity through crossings: two people pass each other in view, both seen, boxes overlapping."""

from __future__ import annotations

import pytest

from storepixel.tracking import Tracker
from tests.unit.tracking.scenes import dets, id_near, person_box
from tests.unit.tracking.test_appearance import BLUE, RED, _frame


def _swap_speeds(fps: float, use_image: bool) -> tuple[list[int], list[int]]:
    """Red walks right fast, blue left slowly, a little nearer the camera (so in front when
    they overlap); halfway through the crossing they swap speeds, so the motion model's
    prediction carries each track past its person onto the other. Returns, per frame after the
    crossing, the ids on red and on blue."""
    fast, slow, h = 160.0, 40.0, 200.0
    x_red, x_blue = 100.0, 500.0
    swapped = False
    on_red, on_blue = [], []
    tracker = Tracker()
    for k in range(round(5.0 * fps)):
        t = k / fps
        if not swapped and x_blue - x_red < 20:  # mid-crossing: each takes the other's pace
            swapped = True
        v_red, v_blue = (slow, fast) if swapped else (fast, slow)
        red = person_box(x_red, 400, h)
        blue = person_box(x_blue, 410, h * 1.05)
        image = _frame([(red, RED), (blue, BLUE)]) if use_image else None
        out = tracker.update(dets([red, blue]), t, image, (640, 480)).confirmed()
        if swapped and x_red - x_blue > 1.2 * 0.4 * h:  # apart again
            on_red.append(id_near(out, x_red, 10) or -1)
            on_blue.append(id_near(out, x_blue, 10) or -1)
        x_red += v_red / fps
        x_blue -= v_blue / fps
    return on_red, on_blue


@pytest.mark.parametrize("fps", [5.0, 10.0, 25.0])
def test_crossing_with_swapped_speeds_keeps_both_ids(fps: float) -> None:
    on_red, on_blue = _swap_speeds(fps, use_image=True)
    assert on_red and on_blue
    # Red was confirmed first from the left (id 1), blue from the right (id 2), and so remain.
    assert set(on_red) == {1} and set(on_blue) == {2}
