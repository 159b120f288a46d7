"""The shelf funnel per person: passed within reach → stopped and faced the shelf → reached in.

Everything is judged in the frame's pixels, scaled by each person's own box height, so it holds
for near and far people alike:

- **within reach**: the person's box, grown by ``REACH`` of its height on every side, overlaps
  the shelf polygon. A run of frames within reach (gaps shorter than ``GRACE_S`` bridged) is one
  *engagement*; it ends, and its events are written, once the person has been out of reach or
  unseen for ``GRACE_S`` (or at the end of the footage). Every engagement seen in at least two
  analysed frames is a ``shelf_pass``.
- **attention**: seconds in which the person stood still (foot point moving under
  ``STILL_SPEED`` box heights a second, over the last second) *and* faced the shelf
  (some of the shelf in front of their body plane, ``analytics.orientation``, from a pose at
  most ``POSE_FRESH_S`` old). An engagement with at
  least the shelf's ``min_attention_s`` of it is a ``shelf_attention`` carrying the seconds.
  Facing is never guessed: without a fresh, confident pose no attention is counted.
- **reach**: a hand, seen with confidence on a pose whose shoulders are seen too, of a person
  who is not walking, deeper than ``TOUCH_IN`` of the box height inside the polygon starts a
  touch. The touch is renewed while the hand stays inside (deeper than ``TOUCH_OUT``) and within
  ``WITHDRAW`` of the deepest it went; it ends once it has not been renewed for ``RELEASE_S``.
  So a hand jittering on the edge is one touch (hysteresis: in at ``TOUCH_IN``, out only at
  ``TOUCH_OUT``, and short gaps bridged), while a hand that rests on the shelf's edge, is drawn
  back by ``WITHDRAW`` (about a palm's width) and pushed in again by as much is a new touch (drawn
  back and held there, it is not: the touch ends, and the next needs the push in). A
  missing or unsure keypoint never starts a touch, it only fails to renew one; the swinging
  hand of someone walking past never starts one either. A hand already inside on a person's
  first frames, before their speed is known (footage or a track that starts mid-reach), opens a
  *pending* touch: counted, from its first frame, once the speed says they stand; dropped if it
  says they walk, or if the touch ends first. An engagement with touches is a ``shelf_reach``
  with their ``count`` and total ``duration_s``.

Event times are capture times: a pass at the first frame within reach, attention at its first
second, a reach at its first touch.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from storepixel.analytics.geometry import Polygon, segments_intersect
from storepixel.analytics.orientation import MIN_SCORE, faces
from storepixel.vision.pose import KP

REACH = 0.25  # of box height, around the box: within arm's reach of the shelf
GRACE_S = 1.5  # out of reach (or unseen) this long ends an engagement
STILL_SPEED = 0.35  # box heights per second: slower is standing
SPEED_WINDOW_S = 1.0
POSE_FRESH_S = 1.0  # a pose older than this says nothing about facing now
TOUCH_IN = 0.03  # of box height, hand inside the outline by this much: a touch starts
TOUCH_OUT = 0.0  # of box height: a hand at or outside the outline does not renew a touch
WITHDRAW = 0.05  # of box height (about a palm's width): drawn back this far from its deepest
RELEASE_S = 0.5  # not renewed this long ends a touch (gaps shorter than this are bridged)
WRISTS = (KP["left_wrist"], KP["right_wrist"])
ELBOWS = (KP["left_elbow"], KP["right_elbow"])
# The middle of the hand, beyond the wrist, in forearm lengths: half the hand's length over the
# forearm's, 0.108 H / 2 / 0.146 H = 0.37 (segment lengths as fractions of stature H, Drillis &
# Contini 1966, as tabulated in Winter, "Biomechanics and Motor Control of Human Movement").
HAND_REACH = 0.37
SHOULDERS = (KP["left_shoulder"], KP["right_shoulder"])


@dataclass(frozen=True, slots=True)
class ShelfOutcome:
    """One finished engagement of one person with one shelf."""

    shelf_id: str
    track: int
    start: float  # first frame within reach
    end: float  # last frame within reach
    frames: int
    attention_s: float
    attention_start: float | None
    touches: int
    touch_s: float
    touch_start: float | None
    touch_starts: tuple[float, ...] = ()  # every touch's first frame (for benchmarks)


@dataclass(slots=True)
class _Engagement:
    start: float
    last_near: float
    last_time: float
    frames: int = 0
    attention_s: float = 0.0
    attention_start: float | None = None
    touches: int = 0
    touch_s: float = 0.0
    touch_start: float | None = None
    touch_starts: list[float] = field(default_factory=list)
    touch_begin: float | None = None  # the open touch's first frame
    touch_last_in: float | None = None  # its last frame renewing it
    touch_peak: float = 0.0  # the open touch's deepest hand (box heights)
    touch_pending: bool = False  # the open touch began before the person's speed was known
    # Shallowest hand since the open touch was last renewed, or since the last touch ended: a
    # new touch needs the hand pushed in again from there.
    low_since_touch: float | None = None


@dataclass(slots=True)
class Motion:
    """Recent foot points of one person (pixels) and their last confident pose."""

    trail: deque[tuple[float, float, float, float]] = field(default_factory=lambda: deque())
    pose: NDArray[np.float32] | None = None
    pose_time: float = -np.inf

    def add(self, t: float, foot: NDArray[np.float64], height: float) -> None:
        self.trail.append((t, float(foot[0]), float(foot[1]), height))
        while len(self.trail) > 2 and t - self.trail[1][0] >= SPEED_WINDOW_S:
            self.trail.popleft()

    def speed(self) -> float | None:
        """Box heights per second over the last second (``None``: not enough history)."""
        if len(self.trail) < 2:
            return None
        t0, x0, y0, _ = self.trail[0]
        t1, x1, y1, h = self.trail[-1]
        if t1 - t0 < 1e-6:
            return None
        return float(np.hypot(x1 - x0, y1 - y0)) / max(h, 1.0) / (t1 - t0)


class ShelfCounter:
    """Engagements of tracks with one shelf (pixel polygon given per frame size)."""

    def __init__(
        self, shelf_id: str, polygon: list[tuple[float, float]], min_attention_s: float
    ) -> None:
        self.shelf_id = shelf_id
        self.polygon_norm = np.asarray(polygon, np.float64)
        self.min_attention_s = min_attention_s
        self._size: tuple[int, int] | None = None
        self._poly: Polygon | None = None
        self._open: dict[int, _Engagement] = {}
        self._last_t: float | None = None  # the last analysed frame's time

    def polygon(self, frame_size: tuple[int, int]) -> Polygon:
        if self._size != frame_size or self._poly is None:
            self._size = frame_size
            self._poly = Polygon(self.polygon_norm * np.asarray(frame_size, np.float64))
        return self._poly

    def near(
        self, box: NDArray[np.float32], frame_size: tuple[int, int], reach: float = REACH
    ) -> bool:
        """Whether ``box`` grown by ``reach`` of its height overlaps the shelf."""
        return boxes_near(self.polygon(frame_size), box[None], reach)[0]

    def update(
        self,
        t: float,
        ids: list[int],
        boxes: NDArray[np.float32],
        motion: dict[int, Motion],
        frame_size: tuple[int, int],
    ) -> list[ShelfOutcome]:
        poly = self.polygon(frame_size)
        self._last_t = t
        near = boxes_near(poly, boxes, REACH) if len(boxes) else np.zeros(0, bool)
        for tid, box, is_near in zip(ids, boxes, near.tolist(), strict=True):
            eng = self._open.get(tid)
            if not is_near:
                if eng is not None:
                    self._close_touch(eng, t)
                continue
            if eng is None:
                eng = self._open[tid] = _Engagement(start=t, last_near=t, last_time=t)
            dt = min(t - eng.last_time, GRACE_S)
            eng.frames += 1
            m = motion[tid]
            fresh = m.pose is not None and t - m.pose_time <= POSE_FRESH_S
            height = float(box[3] - box[1])
            speed = m.speed()
            still = speed is not None and speed < STILL_SPEED
            if fresh and still and dt > 0:
                assert m.pose is not None
                if faces(m.pose, poly.vertices):
                    if eng.attention_start is None:
                        eng.attention_start = eng.last_time
                    eng.attention_s += dt
            depth = _hand_depth(poly, m.pose, height) if fresh and m.pose_time == t else None
            self._touch(eng, t, depth, walking=None if speed is None else not still)
            eng.last_near = t
            eng.last_time = t
        return self._expire(t, set(ids))

    def between(
        self,
        t: float,
        ids: list[int],
        boxes: NDArray[np.float32],
        poses: dict[int, NDArray[np.float32]],
        motion: dict[int, Motion],
        frame_size: tuple[int, int],
    ) -> None:
        """A pose sample between analysed frames (a burst): it advances the touch of people
        already within reach, and nothing else (engagements, passes and attention are judged
        on analysed frames only)."""
        poly = self.polygon(frame_size)
        for tid, box in zip(ids, boxes, strict=True):
            eng = self._open.get(tid)
            if eng is None or eng.last_near != self._last_t:
                continue  # not within reach at the last analysed frame
            speed = motion[tid].speed() if tid in motion else None
            walking = None if speed is None else speed >= STILL_SPEED
            depth = _hand_depth(poly, poses.get(tid), float(box[3] - box[1]))
            self._touch(eng, t, depth, walking=walking)

    def _touch(
        self, eng: _Engagement, t: float, depth: float | None, *, walking: bool | None
    ) -> None:
        """Advance the touch state by one frame (``depth``: the deepest confident hand inside the
        outline, box heights; ``None`` when no confident hand was seen in this frame;
        ``walking``: ``None`` while the person's speed is not yet known)."""
        if eng.touch_pending and walking is not None:
            if walking:  # the hand was a walker's swinging by: never a touch
                eng.touch_begin = eng.touch_last_in = None
            else:
                self._count_touch(eng)
            eng.touch_pending = False
        if eng.touch_begin is not None:
            if depth is not None and depth > max(TOUCH_OUT, eng.touch_peak - WITHDRAW):
                eng.touch_last_in = t
                eng.touch_peak = max(eng.touch_peak, depth)
                eng.low_since_touch = None
                return
            if depth is not None:  # drawn back: from here it must be pushed in again
                low = eng.low_since_touch
                eng.low_since_touch = depth if low is None else min(low, depth)
            self._close_touch(eng, t)
        if eng.touch_begin is not None or depth is None:
            return
        low = eng.low_since_touch
        eng.low_since_touch = depth if low is None else min(low, depth)
        pushed_in = low is None or depth >= low + WITHDRAW
        if depth >= TOUCH_IN and pushed_in and not walking:
            eng.touch_begin = eng.touch_last_in = t
            eng.touch_peak = depth
            eng.low_since_touch = None
            if walking is None:  # speed not known yet: counted once it says they stand
                eng.touch_pending = True
            else:
                self._count_touch(eng)

    @staticmethod
    def _count_touch(eng: _Engagement) -> None:
        assert eng.touch_begin is not None
        eng.touches += 1
        eng.touch_starts.append(eng.touch_begin)
        if eng.touch_start is None:
            eng.touch_start = eng.touch_begin

    def _close_touch(self, eng: _Engagement, t: float) -> None:
        if eng.touch_begin is None or eng.touch_last_in is None:
            return
        if t - eng.touch_last_in >= RELEASE_S:
            if not eng.touch_pending:  # ended before anyone knew they stood: not counted
                eng.touch_s += eng.touch_last_in - eng.touch_begin
            eng.touch_begin = eng.touch_last_in = None
            eng.touch_pending = False

    def _expire(self, t: float, seen: set[int]) -> list[ShelfOutcome]:
        done = [tid for tid, e in self._open.items() if t - e.last_near >= GRACE_S]
        return [self._finish(tid) for tid in done]

    def _finish(self, tid: int) -> ShelfOutcome:
        eng = self._open.pop(tid)
        if eng.touch_begin is not None and eng.touch_last_in is not None and not eng.touch_pending:
            eng.touch_s += eng.touch_last_in - eng.touch_begin
        return ShelfOutcome(
            self.shelf_id,
            tid,
            eng.start,
            eng.last_near,
            eng.frames,
            round(eng.attention_s, 3),
            eng.attention_start,
            eng.touches,
            round(eng.touch_s, 3),
            eng.touch_start,
            tuple(eng.touch_starts),
        )

    def flush(self) -> list[ShelfOutcome]:
        return [self._finish(tid) for tid in list(self._open)]


def _hand_depth(poly: Polygon, kp: NDArray[np.float32] | None, height: float) -> float | None:
    """How deep the deepest confident hand of a confident pose is inside the outline, in box
    heights (negative: outside); ``None`` when no such hand is seen.

    The hand is the wrist carried on along the forearm by ``HAND_REACH`` of its length (where
    the palm is: fingers take the product, the wrist stops at the shelf's edge); the wrist
    itself when the elbow is not seen."""
    if kp is None or min(float(kp[i, 2]) for i in SHOULDERS) < MIN_SCORE:
        return None
    hands = []
    for wrist, elbow in zip(WRISTS, ELBOWS, strict=True):
        if kp[wrist, 2] < MIN_SCORE or not np.isfinite(kp[wrist, :2]).all():
            continue
        hand = kp[wrist, :2].astype(np.float64)
        if kp[elbow, 2] >= MIN_SCORE:
            hand = hand + HAND_REACH * (hand - kp[elbow, :2])
        hands.append(hand)
    if not hands:
        return None
    depth = poly.signed_depth(np.asarray(hands, np.float64))
    return float(depth.max()) / max(height, 1.0)


def boxes_near(poly: Polygon, boxes: NDArray[np.float32], reach: float) -> NDArray[np.bool_]:
    """For each box (N, 4 pixels), grown by ``reach`` of its height: does it overlap ``poly``?

    A person whose feet are above the shelf's far edge in the image stands behind it (seen over
    it, further from the camera), and so does one whose box ends in the far half of the shelf
    (the upper half of the outline, straight above or below the feet): the shelf hides them from
    the waist or knees down. Someone in front of a shelf stands on floor nearer the camera, so
    lower in the image than the shelf's near edge, or, before a shelf face drawn down to the
    floor, in its lower part. Neither kind of "behind" is ever within reach, however much the
    boxes overlap."""
    out = np.zeros(len(boxes), bool)
    v = poly.vertices
    far_edge = float(v[:, 1].min())
    boxes = np.asarray(boxes, np.float64)
    feet = np.column_stack([(boxes[:, 0] + boxes[:, 2]) / 2, boxes[:, 3]]) if len(boxes) else None
    hidden = poly.contains(feet) if feet is not None else np.zeros(0, bool)
    for i, (x0, y0, x1, y1) in enumerate(boxes):
        if y1 < far_edge or (hidden[i] and _in_far_half(v, (x0 + x1) / 2, y1)):
            continue  # standing behind the shelf (feet above it, or hidden by it): out of reach
        m = reach * (y1 - y0)
        x0, y0, x1, y1 = x0 - m, y0 - m, x1 + m, y1 + m
        if ((v[:, 0] >= x0) & (v[:, 0] <= x1) & (v[:, 1] >= y0) & (v[:, 1] <= y1)).any():
            out[i] = True
            continue
        corners = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
        if poly.contains(corners).any():
            out[i] = True
            continue
        edges = [(corners[k], corners[(k + 1) % 4]) for k in range(4)]
        out[i] = any(
            segments_intersect(a, b, v[j], v[(j + 1) % len(v)])
            for a, b in edges
            for j in range(len(v))
        )
    return out


def _in_far_half(v: NDArray[np.float64], x: float, y: float) -> bool:
    """Whether ``(x, y)`` is nearer the top than the bottom of the outline ``v`` along x."""
    ys = []
    for (ax, ay), (bx, by) in zip(v, np.roll(v, -1, axis=0), strict=True):
        if (ax <= x <= bx or bx <= x <= ax) and ax != bx:
            ys.append(ay + (x - ax) * (by - ay) / (bx - ax))
    return bool(ys) and y < (min(ys) + max(ys)) / 2


class ShelfAnalytics:
    """Every shelf of one camera, fed the tracker's confirmed people (with any keypoints the pose
    stage attached) once per analysed frame; finished engagements come out as outcomes."""

    def __init__(self, shelves: list[tuple[str, list[tuple[float, float]], float]]) -> None:
        self.counters = [ShelfCounter(sid, poly, min_s) for sid, poly, min_s in shelves]
        self.motion: dict[int, Motion] = {}
        self.outcomes: list[ShelfOutcome] = []  # every finished engagement (for summaries)

    def update(
        self,
        t: float,
        ids: NDArray[np.int64],
        boxes: NDArray[np.float32],
        keypoints: NDArray[np.float32] | None,
        frame_size: tuple[int, int],
    ) -> list[ShelfOutcome]:
        id_list = [int(i) for i in ids.tolist()]
        for k, (tid, box) in enumerate(zip(id_list, boxes, strict=True)):
            m = self.motion.setdefault(tid, Motion())
            m.add(t, np.array([(box[0] + box[2]) / 2, box[3]], np.float64), float(box[3] - box[1]))
            if keypoints is not None and np.isfinite(keypoints[k]).all():
                m.pose, m.pose_time = keypoints[k], t
        done: list[ShelfOutcome] = []
        for counter in self.counters:
            done.extend(counter.update(t, id_list, boxes, self.motion, frame_size))
        for tid in [k for k, m in self.motion.items() if t - m.trail[-1][0] > 2 * GRACE_S]:
            del self.motion[tid]
        self.outcomes.extend(done)
        return done

    def between(
        self,
        t: float,
        ids: NDArray[np.int64],
        boxes: NDArray[np.float32],
        keypoints: NDArray[np.float32] | None,
        frame_size: tuple[int, int],
    ) -> None:
        """A burst frame between analysed ones: its confident poses go to the touch rule only
        (the pose joins ``Motion`` as the freshest, so facing at the next analysed frame uses
        it if that frame has none of its own)."""
        poses: dict[int, NDArray[np.float32]] = {}
        for k, tid in enumerate(int(i) for i in ids.tolist()):
            if keypoints is not None and np.isfinite(keypoints[k]).all():
                poses[tid] = keypoints[k]
                if tid in self.motion:
                    self.motion[tid].pose, self.motion[tid].pose_time = keypoints[k], t
        if not poses:
            return
        id_list = list(poses)
        rows = [int(np.flatnonzero(ids == tid)[0]) for tid in id_list]
        for counter in self.counters:
            counter.between(t, id_list, boxes[rows], poses, self.motion, frame_size)

    def flush(self) -> list[ShelfOutcome]:
        done = [o for counter in self.counters for o in counter.flush()]
        self.outcomes.extend(done)
        return done
