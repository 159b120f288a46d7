"""The shelf funnel from pose: properties that must hold whatever the exact motion.

A 640x480 frame, a shelf on the right (x 320–512 px), a person 300 px tall standing or walking
beside it, analysed at 5 fps; keypoints are built by hand so each test controls what the pose
"sees".
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import CameraConfig
from storepixel.types import Event, EventKind, Tracks, TrackState
from storepixel.vision.pose import KP

SIZE = (640, 480)
DT = 0.2
SHELF_X = 320.0  # the shelf's left edge, px
CAMERA = CameraConfig.model_validate(
    {
        "id": "cam",
        "shelves": [
            {
                "id": "cola",
                "polygon": [[0.5, 0.3], [0.8, 0.3], [0.8, 0.7], [0.5, 0.7]],
                "brand": "Fizz",
            }
        ],
    }
)


def pose(
    cx: float,
    *,
    facing: int = 1,
    wrist: tuple[float, float] | None = None,
    wrist_score: float = 0.9,
    shoulder_score: float = 0.9,
) -> np.ndarray:
    """A side-on standing person centred at ``cx`` (box 100 px wide, y 100–400): the nose ahead
    of the ears in the ``facing`` direction (+1 right, towards the shelf; -1 left, away);
    ``wrist`` places the right wrist, else it hangs by the hip."""
    kp = np.zeros((17, 3), np.float32)

    def put(name: str, x: float, y: float, s: float = 0.9) -> None:
        kp[KP[name]] = (x, y, s)

    put("nose", cx + 12 * facing, 125)
    put("left_ear", cx, 120)
    put("right_ear", cx, 120)
    put("left_eye", cx + 8 * facing, 118)
    put("right_eye", cx + 8 * facing, 118)
    put("left_shoulder", cx + 2 * facing, 160, shoulder_score)
    put("right_shoulder", cx - 2 * facing, 160, shoulder_score)
    put("left_hip", cx + 2 * facing, 260)
    put("right_hip", cx - 2 * facing, 260)
    put("left_elbow", cx, 210)
    put("left_wrist", cx, 255)
    put("right_elbow", cx + 10 * facing, 210)
    wx, wy = wrist if wrist is not None else (cx - 5, 255)
    put("right_wrist", wx, wy, wrist_score)
    for name in ("left_knee", "right_knee", "left_ankle", "right_ankle"):
        put(name, cx, 330 if "knee" in name else 395)
    return kp


def run(frames: list[tuple[float, np.ndarray | None]]) -> list[Event]:
    """Feed one person (track 1) frame by frame: (box centre x, keypoints or None = no pose)."""
    ca = CameraAnalytics("demo", CAMERA, run_anchor=0.0)
    events: list[Event] = []
    for i, (cx, kp) in enumerate(frames):
        keypoints = np.full((1, 17, 3), np.nan, np.float32) if kp is None else kp[None]
        tracks = Tracks(
            [1],
            [[cx - 50, 100, cx + 50, 400]],
            [0.9],
            [TrackState.CONFIRMED],
            np.zeros(1, np.int32),
            keypoints,
        )
        events += ca.update(tracks, i * DT, SIZE)
    return events + ca.flush()


def kinds(events: list[Event], kind: str) -> list[Event]:
    return [e for e in events if e.kind == kind]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        # inside?, distance from the edge (px): jitter is keypoint noise across the edge, up to
        # ~5 % of the 300 px body either side; a hand moving a palm's width and more inside the
        # shelf is a hand at work, and pushing in again after drawing back is a new reach
        # (test_drawing_back_and_pushing_in_again_is_a_new_reach)
        st.tuples(st.booleans(), st.floats(8.0, 16.0)),
        min_size=3,
        max_size=40,
    ).filter(lambda xs: any(inside for inside, _ in xs)),
    # settled first, or seen from the first frame on with the hand already at the edge (a track
    # that starts mid-reach, before its speed is known)
    st.sampled_from([6, 0]),
)
def test_wrist_jitter_at_the_shelf_edge_is_one_reach(
    steps: list[tuple[bool, float]], settle: int
) -> None:
    # Out-of-shelf runs shorter than the release time (two frames at 5 fps = 0.4 s < 0.5 s).
    frames: list[tuple[float, np.ndarray | None]] = [(260.0, pose(260.0))] * settle
    outside = 0
    for inside, depth in steps:
        outside = 0 if inside else outside + 1
        if outside > 2:
            inside, outside = True, 0
        x = SHELF_X + depth if inside else SHELF_X - depth
        frames.append((260.0, pose(260.0, wrist=(x, 250.0))))
    events = run(frames)
    reaches = kinds(events, EventKind.SHELF_REACH)
    assert len(reaches) == 1
    assert reaches[0].properties["count"] == 1
    assert len(kinds(events, EventKind.SHELF_PASS)) == 1


def test_drawing_back_and_pushing_in_again_is_a_new_reach() -> None:
    def at(depth: float) -> tuple[float, np.ndarray]:
        return (260.0, pose(260.0, wrist=(SHELF_X + depth, 250.0)))

    settle = [(260.0, pose(260.0))] * 6
    rest, push = at(4.0), at(40.0)  # resting on the edge, then deep in: 0.15 box heights more
    frames = settle + [push] * 3 + [rest] * 4 + [push] * 3 + [rest] * 4 + [push] * 2
    (reach,) = kinds(run(frames), EventKind.SHELF_REACH)
    assert reach.properties["count"] == 3
    # the same, resting outside the shelf: the same three reaches
    out = at(-30.0)
    frames = settle + [push] * 3 + [out] * 4 + [push] * 3 + [out] * 4 + [push] * 2
    (reach,) = kinds(run(frames), EventKind.SHELF_REACH)
    assert reach.properties["count"] == 3


def test_a_hand_drawn_back_but_held_inside_is_no_new_reach() -> None:
    def at(depth: float) -> tuple[float, np.ndarray]:
        return (260.0, pose(260.0, wrist=(SHELF_X + depth, 250.0)))

    settle = [(260.0, pose(260.0))] * 6
    push, held = at(40.0), at(18.0)  # deep in, then drawn back a palm's width but still inside
    (reach,) = kinds(run(settle + [push] * 3 + [held] * 8), EventKind.SHELF_REACH)
    assert reach.properties["count"] == 1  # the touch ends; no new one without a push in
    (reach,) = kinds(run(settle + [push] * 3 + [held] * 8 + [push] * 2), EventKind.SHELF_REACH)
    assert reach.properties["count"] == 2  # pushed in again from where it was held


def test_a_swinging_hand_of_someone_walking_past_is_no_reach() -> None:
    frames = []
    for i in range(8):  # 1 box height (300 px) a second past the shelf, a hand swinging into it
        cx = 100.0 + 300 * DT * i
        frames.append((cx, pose(cx, wrist=(SHELF_X + 30 if i % 2 else SHELF_X - 30, 250.0))))
    events = run(frames)
    assert kinds(events, EventKind.SHELF_REACH) == []


def test_a_walker_whose_first_frame_has_a_hand_in_the_shelf_is_no_reach() -> None:
    # Within reach from the first frame, before any speed is known, the swinging hand inside.
    frames = []
    for i in range(4):  # 1 box height a second
        cx = 240.0 + 300 * DT * i
        frames.append((cx, pose(cx, wrist=(SHELF_X + 30 if i % 2 == 0 else SHELF_X - 30, 250.0))))
    events = run(frames)
    assert kinds(events, EventKind.SHELF_REACH) == []
    assert len(kinds(events, EventKind.SHELF_PASS)) == 1


def test_a_track_that_starts_mid_reach_counts_the_touch_from_its_first_frame() -> None:
    inside, out = pose(260.0, wrist=(SHELF_X + 30, 250.0)), pose(260.0)
    (reach,) = kinds(run([(260.0, inside)] * 4 + [(260.0, out)] * 6), EventKind.SHELF_REACH)
    assert reach.properties["count"] == 1
    assert reach.time == 0.0  # timed from the first frame, once standing still said it counts
    assert reach.properties["duration_s"] == pytest.approx(3 * DT)


def test_the_hand_reaches_past_the_wrist_along_the_forearm() -> None:
    # The wrist just on the shelf (2 px in, under the 9 px = 3 % of 300 px that starts a touch).
    def at(elbow: tuple[float, float], elbow_score: float = 0.9) -> tuple[float, np.ndarray]:
        kp = pose(260.0, wrist=(SHELF_X + 2, 230.0))
        kp[KP["right_elbow"]] = (*elbow, elbow_score)
        return (260.0, kp)

    settle = [(260.0, pose(260.0))] * 6
    # forearm level, pointing into the shelf (52 px): the hand's middle is 19 px further in
    (reach,) = kinds(run(settle + [at((270.0, 230.0))] * 3), EventKind.SHELF_REACH)
    assert reach.properties["count"] == 1
    # the same wrist, the forearm hanging straight down: the hand is below it, not further in
    assert kinds(run(settle + [at((SHELF_X + 2, 180.0))] * 3), EventKind.SHELF_REACH) == []
    # the elbow unsure: no forearm to carry the hand on, the wrist alone is not far enough in
    assert kinds(run(settle + [at((270.0, 230.0), 0.3)] * 3), EventKind.SHELF_REACH) == []


@settings(max_examples=40, deadline=None)
@given(
    speed=st.floats(0.6, 2.0),  # box heights per second: walking
    direction=st.sampled_from([-1, 1]),
    look=st.sampled_from(["away", "ahead"]),
)
def test_walking_past_facing_away_is_a_pass_not_attention(
    speed: float, direction: int, look: str
) -> None:
    step = speed * 300 * DT * direction
    start = 120.0 if direction > 0 else 520.0
    frames = []
    cx = start
    while 100 <= cx <= 540:
        facing = -1 if look == "away" else direction
        frames.append((cx, pose(cx, facing=facing)))
        cx += step
    events = run(frames)
    assert len(kinds(events, EventKind.SHELF_PASS)) == 1
    assert kinds(events, EventKind.SHELF_ATTENTION) == []


def test_standing_still_facing_the_shelf_is_attention_with_its_seconds() -> None:
    frames = [(260.0, pose(260.0))] * 16  # 3.2 s, the first second has no speed history yet
    events = run(frames)
    (attention,) = kinds(events, EventKind.SHELF_ATTENTION)
    assert 2.0 <= attention.properties["attention_s"] <= 3.2
    assert attention.schema_version == 2
    assert attention.properties["brand"] == "Fizz"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["no pose", "wrist unsure", "shoulders unsure", "wrist outside"]),
        min_size=1,
        max_size=40,
    )
)
def test_a_missing_keypoint_never_creates_a_reach(kinds_of_frame: list[str]) -> None:
    inside = (SHELF_X + 30, 250.0)
    frames: list[tuple[float, np.ndarray | None]] = []
    for what in kinds_of_frame:
        if what == "no pose":
            frames.append((260.0, None))
        elif what == "wrist unsure":
            frames.append((260.0, pose(260.0, wrist=inside, wrist_score=0.2)))
        elif what == "shoulders unsure":
            frames.append((260.0, pose(260.0, wrist=inside, shoulder_score=0.3)))
        else:
            frames.append((260.0, pose(260.0, wrist=(SHELF_X - 30, 250.0))))
    assert kinds(run(frames), EventKind.SHELF_REACH) == []


def test_a_person_out_of_reach_is_not_a_pass() -> None:
    frames = [(80.0, pose(80.0, wrist=(SHELF_X + 30, 250.0)))] * 10  # box ends at 130 px
    assert run(frames) == kinds(run(frames), EventKind.VISIT_START) + kinds(
        run(frames), EventKind.VISIT_END
    )


def test_a_person_whose_box_ends_on_the_far_half_of_the_shelf_is_behind_it() -> None:
    # Seen over the shelf (x 320-512, y 144-336), legs hidden: the box ends at y 190, in its far
    # (upper) half. However long they stand there, they are not within reach.
    ca = CameraAnalytics("demo", CAMERA, run_anchor=0.0)
    events: list[Event] = []
    for i in range(15):
        tracks = Tracks([1], [[390, 90, 440, 190]], [0.9], [TrackState.CONFIRMED])
        events += ca.update(tracks, i * DT, SIZE)
    events += ca.flush()
    assert kinds(events, EventKind.SHELF_PASS) == []
