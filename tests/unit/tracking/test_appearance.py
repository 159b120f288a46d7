"""The colour cue: descriptors, and how the tracker uses them when it is given the picture."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.tracking import Tracker, TrackerConfig
from storepixel.tracking.appearance import blend, describe, descriptor_distance
from storepixel.types import Tracks
from tests.unit.tracking.scenes import Box, dets, person_box

RED, BLUE = (30, 30, 200), (200, 60, 30)
BLACK, WHITE = (20, 20, 20), (235, 235, 235)
FLOOR = 90


def _frame(boxes_colours: list[tuple[Box, tuple[int, int, int]]]) -> np.ndarray:
    """Grey floor with people drawn far to near (lower foot point last, on top). A person fills
    the middle 60 % of their box's width, as a detector's box has some floor on each side."""
    img = np.full((480, 640, 3), FLOOR, np.uint8)
    for (x1, y1, x2, y2), colour in sorted(boxes_colours, key=lambda bc: bc[0][3]):
        w = x2 - x1
        img[int(y1) : int(y2), int(x1 + 0.2 * w) : int(x2 - 0.2 * w)] = colour
    return img


def _desc(img: np.ndarray, boxes: list[Box]) -> np.ndarray:
    return describe(img, np.array(boxes, np.float64))[0]


def test_colours_apart_and_alike() -> None:
    box = person_box(200, 400, 200)
    red, blue, black, white = (
        _desc(_frame([(box, c)]), [box])[0] for c in (RED, BLUE, BLACK, WHITE)
    )
    assert red.sum(axis=-1) == pytest.approx([1.0, 1.0])  # both regions known, normalised
    assert descriptor_distance(red, red[None])[0] == pytest.approx(0.0, abs=1e-6)
    assert descriptor_distance(red, blue[None])[0] > 0.9
    # No hue at all: black and white clothes still differ (brightness bins).
    assert descriptor_distance(black, white[None])[0] > 0.9


def test_nearer_person_is_left_out() -> None:
    far = person_box(200, 330, 150)  # foot higher in the picture: farther from the camera
    near = person_box(230, 420, 200)  # in front, covering part of the far person
    alone = _desc(_frame([(far, RED)]), [far])[0]
    desc, visible = describe(_frame([(far, RED), (near, BLUE)]), np.array([far, near]))
    assert visible[0] < 1.0 and visible[1] == 1.0
    # What is left of the far person is still red: the nearer person's blue is not counted.
    assert descriptor_distance(alone, desc[:1])[0] < 0.1


def test_hidden_person_is_unknown() -> None:
    far = person_box(200, 330, 150)
    near = person_box(200, 420, 260)  # covers the far person completely
    desc, visible = describe(_frame([(far, RED), (near, BLUE)]), np.array([far, near]))
    assert visible[0] == 0.0
    assert not desc[0].any()
    assert np.isnan(descriptor_distance(desc[1], desc[:1])[0])  # nothing to compare: no opinion


def test_blend_keeps_what_one_side_does_not_know() -> None:
    old = np.array([[1.0, 0.0], [0.0, 1.0]], np.float32)
    new = np.array([[0.0, 1.0], [0.0, 0.0]], np.float32)  # legs hidden this time
    out = blend(old, new, 0.25)
    assert out[0] == pytest.approx([0.75, 0.25])
    assert out[1] == pytest.approx([0.0, 1.0])


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


def _meet_and_turn_back(tracker: Tracker, use_image: bool) -> list[Tracks]:
    """Two shoppers walk towards each other into a display that hides them both, meet, and each
    turns back the way they came: the motion model expects them to have walked on."""
    fps, h, v = 10.0, 200.0, 100.0  # px/s: half a height per second, a stroll
    hide_lo, hide_hi = 280.0, 360.0  # the display hides foot points in this band
    out = []
    for k in range(round(5.0 * fps)):
        t = k / fps
        turn = 2.0
        # Red walks right until ``turn``, then back left; blue does the mirror image.
        xa = 150 + v * (t if t < turn else 2 * turn - t)
        xb = 490 - v * (t if t < turn else 2 * turn - t)
        people = [(person_box(xa, 400, h), RED), (person_box(xb, 400, h), BLUE)]
        seen = [(b, c) for b, c in people if not hide_lo <= (b[0] + b[2]) / 2 <= hide_hi]
        image = _frame(seen) if use_image else None
        out.append(tracker.update(dets([b for b, _ in seen]), t, image, (640, 480)))
    return out


def _final_id_of(out: list[Tracks], side: str) -> int:
    last = out[-1].confirmed()
    k = (
        int(np.argmin(last.foot_points[:, 0]))
        if side == "left"
        else int(np.argmax(last.foot_points[:, 0]))
    )
    return int(last.ids[k])


def test_colour_keeps_ids_when_people_turn_back_unseen() -> None:
    out = _meet_and_turn_back(Tracker(), use_image=True)
    # Red started on the left (id 1) and is back there; blue (id 2) on the right.
    assert (_final_id_of(out, "left"), _final_id_of(out, "right")) == (1, 2)


def test_without_image_motion_alone_swaps_them() -> None:
    # Boxes alone cannot tell: the tracks follow the motion model onto the wrong people. This
    # is the fallback (the behaviour without a picture), not a goal.
    out = _meet_and_turn_back(Tracker(), use_image=False)
    assert (_final_id_of(out, "left"), _final_id_of(out, "right")) == (2, 1)


def test_appearance_off_ignores_the_image() -> None:
    a = _meet_and_turn_back(Tracker(TrackerConfig(appearance=False)), use_image=True)
    b = _meet_and_turn_back(Tracker(), use_image=False)
    for x, y in zip(a, b, strict=True):
        assert x.ids.tolist() == y.ids.tolist()
        assert np.array_equal(x.xyxy, y.xyxy)


def test_box_that_looks_like_someone_else_pulls_the_track_less() -> None:
    """A box reaching over a differently dressed neighbour moves the track less than a box of
    the track's own person would (the straddling box of a crossing)."""

    def final_x(use_image: bool) -> float:
        tracker = Tracker()
        red = person_box(200, 400, 200)
        blue = person_box(300, 400, 200)
        straddle = person_box(250, 400, 200)  # half red, half blue: half the width on each
        out = Tracks.empty()
        for k in range(16):  # the straddling box comes in the last frame
            t = k / 10
            box = red if k < 15 else straddle
            image = _frame([(red, RED), (blue, BLUE)])
            out = tracker.update(dets([box]), t, image if use_image else None, (640, 480))
        assert out.confirmed().ids.tolist() == [1]  # still the same person, matched
        return float(out.confirmed().foot_points[0, 0])

    with_cue, boxes_only = final_x(True), final_x(False)
    assert 200 < with_cue < 200 + 0.6 * (boxes_only - 200)


def test_held_frames_teach_nothing() -> None:
    """Frames where the detector was skipped (``hold``) leave the colours learnt as they were."""
    tracker = Tracker()
    box = person_box(200, 400, 200)
    for k in range(5):
        tracker.update(dets([box]), k / 5, _frame([(box, RED)]))
    learnt = [t.appearance.copy() for t in tracker._tracks if t.appearance is not None]
    for k in range(5, 15):
        tracker.hold(k / 5)
    assert len(learnt) == 1 and learnt[0].any()
    held = tracker._tracks[0].appearance
    assert held is not None and np.array_equal(held, learnt[0])
