"""Static objects: things shaped like people that never move are not shoppers.

Mannequins, posters, reflections and cardboard cut-outs fool any person detector, on every
frame, in the same place. A shopper may stand still for a while, but never for long *without any
motion of their own*: they breathe, turn their head, shift their weight. So each camera keeps
*anchors*: places where a detection keeps being found (the same box, IoU >= ``match_iou``),
each with the time since the picture inside it last changed. An anchor still for
``static_after_s`` is a static-object candidate, and detections on it are dropped before the
tracker, as an ignore area would drop them: the pixels are still seen, so a shopper walking in
front of it is found (and their passing does not restart the anchor's clock, below). When a
candidate moves, its detections no longer fall on the anchor, so they are counted again; an
anchor not found for ``forget_after_s`` is forgotten. The installer's word (``decisions``, from
the camera editor) overrides the clock: a confirmed place is static from its first sighting
until its picture changes for good, a dismissed one never is.

A detector finds a mannequin only now and then (a pose it scores 0.4 one second and 0.6 the
next), so the time since it was first *detected* says little about how long it has stood there.
The picture does: each camera keeps a short history of its frames (small, grey, one every
``HISTORY_STEP_S``, as far back as ``static_after_s``), and a new anchor's clock starts when the
picture inside its box last differed from now. A passer-by in front of it (another detection
covering part of it, not on it) hides the object without moving it, so a difference while
someone else stood there does not restart the clock, here or later, and neither does a change
that is over within ``PASSING_S`` with the picture back as it was (a passer-by the detector did
not find on their own, merged into the thing's box). A shopper's own motion does: it leaves the
picture changed. So does the place being seen without its thing while nothing was detected on it
(the history shows its picture different, nobody in front, for longer than ``PASSING_S``): people
dressed alike walking one path seconds apart leave one trail of places, and the next walker on an
old place is someone new there, not a thing that stood there all along.

Only small grey pictures are kept, in memory, for ``static_after_s`` at most, never written
anywhere.

>>> import numpy as np
>>> from storepixel.types import Detections
>>> static = StaticObjects(static_after_s=10.0)
>>> frame = np.full((120, 160, 3), 90, np.uint8)
>>> box = Detections(np.array([[40, 20, 60, 80]], np.float32), np.array([0.8], np.float32))
>>> [len(static.apply(box, frame, t)) for t in (0.0, 5.0, 9.0, 11.0)]
[1, 1, 1, 0]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.types import Detections
from storepixel.vision.nms import box_iou

THUMB = (12, 24)  # (w, h) of the grey thumbnail compared over time: coarse, so noise averages
# The history: one frame every half second is plenty to see whether a box's picture changed
# (a walking person changes it within a second), at most this wide (a 1080p camera's 60 px
# person is still 18 px), so a camera's history is a megabyte or two.
HISTORY_STEP_S = 0.5
HISTORY_WIDTH = 320
# Another person's box covering this much of an anchor hides it: a change of the picture then is
# theirs, not the anchor's.
OCCLUDED = 0.25
# A passer-by crosses a person-width in about a second when walking; two allow for a slow one.
PASSING_S = 2.0


@dataclass(slots=True)
class Anchor:
    """A place where a person-shaped thing keeps being detected."""

    xyxy: NDArray[np.float64]
    thumb: NDArray[np.float32]  # the picture inside the box when it last changed
    still_since: float  # capture time of that last change
    last_seen: float
    first_seen: float
    dismissed: bool = False  # an installer said "this is a person's place, count it"
    differs_since: float | None = None  # the picture has differed from ``thumb`` since then

    def still_for(self, now: float) -> float:
        return now - self.still_since


class StaticObjects:
    """Per-camera anchors; ``apply`` drops the detections on static-object candidates.

    ``change``: mean absolute grey-level change of the thumbnail that counts as motion of its
    own. Compression noise on a still picture stays well under it, a person turning their head
    or moving an arm in a box of 30-100 px moves it past it.
    """

    def __init__(
        self,
        static_after_s: float = 10.0,
        match_iou: float = 0.6,
        change: float = 6.0,
        forget_after_s: float = 30.0,
        decisions: Sequence[tuple[tuple[float, float, float, float], str]] | None = None,
    ) -> None:
        self.static_after_s = float(static_after_s)
        # The installer's word: (normalised xyxy, "confirmed" | "dismissed")
        self.decisions = list(decisions or [])
        self._shape: tuple[int, ...] | None = None  # (height, width) of the last frame
        self.match_iou = float(match_iou)
        self.change = float(change)
        self.forget_after_s = float(forget_after_s)
        self.anchors: list[Anchor] = []
        self.found: list[NDArray[np.float64]] = []  # every anchor that was ever static (boxes)
        # (time, small grey frame, its scale, that frame's boxes), oldest first
        self._history: deque[tuple[float, NDArray[np.uint8], float, NDArray[np.float64]]] = deque()

    def candidates(self, now: float) -> list[Anchor]:
        """Anchors currently treated as static objects (not dismissed)."""
        # ``_is_static`` written out: this runs on every analysed frame, over every anchor of
        # the last ``forget_after_s`` (a hundred on a busy minute: each walker leaves a trail).
        after = self.static_after_s
        return [a for a in self.anchors if not a.dismissed and now - a.still_since >= after]

    def decide(self, decisions: Sequence[tuple[tuple[float, float, float, float], str]]) -> None:
        """The installer's word changed: apply it to what was learnt so far."""
        self.decisions = list(decisions)
        if self._shape is None:
            return
        for a in self.anchors:
            decided = self._decision(a.xyxy, self._shape)
            a.dismissed = decided == "dismissed"
            if decided == "confirmed":
                a.still_since = -np.inf

    def dismiss(self, xyxy: NDArray[np.floating]) -> None:
        """The installer says the anchor at ``xyxy`` is a real person's place: never suppress it."""
        for a in self.anchors:
            if box_iou(a.xyxy[None], np.asarray(xyxy, np.float64)[None])[0, 0] >= self.match_iou:
                a.dismissed = True

    def standing(self) -> NDArray[np.float64]:
        """Places (xyxy, N x 4) where something stands: detected there again and again with
        the picture unchanged over longer than anyone walking by stays on one place
        (``PASSING_S``), counting from before it was first detected when the history shows
        it already there, and not changing as last seen (a walker's box on an old place changes
        its picture). That is every static-object candidate and every thing becoming one
        (and a person standing stock still; an installer's dismissed places are people's, left
        out). The tracker holds a lost track that was born on such a place and never left it to
        that place (``Tracker.update``'s ``standing``): a thing that has never moved does not
        walk off unseen, so a passer-by's box next to it is not its."""
        places = [
            a.xyxy
            for a in self.anchors
            if not a.dismissed
            and a.differs_since is None  # not while its picture is changing: something moves
            and a.last_seen - a.still_since >= PASSING_S
        ]
        return np.array(places, np.float64).reshape(-1, 4)

    def _is_static(self, a: Anchor, now: float) -> bool:
        return not a.dismissed and a.still_for(now) >= self.static_after_s

    def apply(
        self, detections: Detections, image: NDArray[np.uint8], timestamp: float
    ) -> Detections:
        """``detections`` less those on a static-object candidate; updates the anchors."""
        self.anchors = [a for a in self.anchors if timestamp - a.last_seen <= self.forget_after_s]
        self._shape = image.shape[:2]
        grey, scale = _small_grey(image)
        boxes = detections.xyxy.astype(np.float64)
        keep = np.ones(len(detections), bool)
        iou = (
            box_iou(boxes, np.array([a.xyxy for a in self.anchors]))
            if self.anchors and len(boxes)
            else np.zeros((len(boxes), 0))
        )
        used: set[int] = set()
        for i in np.argsort(-detections.confidence):
            j = int(np.argmax(iou[i])) if iou.shape[1] else -1
            if j < 0 or j in used or iou[i, j] < self.match_iou:
                thumb = _thumb(grey, boxes[i] * scale)
                since = self._still_since(boxes[i], thumb, timestamp)
                decided = self._decision(boxes[i], image.shape)
                if decided == "confirmed":  # not a person: static from the start, until it moves
                    since = -np.inf
                self.anchors.append(
                    Anchor(boxes[i], thumb, since, timestamp, timestamp, decided == "dismissed")
                )
                if self._is_static(self.anchors[-1], timestamp):
                    keep[i] = False
                    self.found.append(boxes[i])
                continue
            used.add(j)
            a = self.anchors[j]
            # The picture is sampled at the anchor's own box, not the detection's: detector boxes
            # jitter by a few pixels, which alone would look like motion of a textured thing.
            thumb = _thumb(grey, a.xyxy * scale)
            if self._changed_unseen(a):  # e.g. the next walker on a path: a new clock
                a.thumb, a.still_since, a.differs_since = thumb, timestamp, None
            elif float(np.abs(thumb - a.thumb).mean()) <= self.change:
                a.differs_since = None  # as it was: still, or whoever passed in front has gone
            elif not _occluded(a.xyxy, boxes, self.match_iou):
                if a.differs_since is None:
                    a.differs_since = timestamp
                elif timestamp - a.differs_since > PASSING_S:  # it moved: start again
                    a.thumb, a.still_since, a.differs_since = thumb, timestamp, None
            a.last_seen = timestamp
            if self._is_static(a, timestamp):
                keep[i] = False
                if not any(b is a.xyxy for b in self.found):
                    self.found.append(a.xyxy)
        self._remember(timestamp, grey, scale, boxes)
        return detections if keep.all() else detections.select(keep)

    def _decision(self, box: NDArray[np.float64], shape: tuple[int, ...]) -> str | None:
        if not self.decisions:
            return None
        h, w = shape[:2]
        places = np.array([d[0] for d in self.decisions], np.float64) * [w, h, w, h]
        iou = box_iou(box[None], places)[0]
        best = int(np.argmax(iou))
        return self.decisions[best][1] if iou[best] >= self.match_iou else None

    def _changed_unseen(self, a: Anchor) -> bool:
        """While nothing was detected on the anchor (since ``last_seen``), its picture differed
        from its own, with nobody in front, for longer than ``PASSING_S``: whatever is there now
        came back or is new, and has stood for no longer than that. Without this, walkers on one
        path (seconds apart, alike in a small grey thumbnail) would keep a place's clock running
        from the first of them: a static object found under every walker passing it later."""
        first: float | None = None
        if not self._history or self._history[-1][0] <= a.last_seen:
            return False  # seen on every frame kept since: nothing unseen to look at
        for t, grey, scale, boxes in self._history:
            if t <= a.last_seen:
                continue
            if _occluded(a.xyxy, boxes, self.match_iou):
                continue  # someone in front: the picture says nothing of the place
            if float(np.abs(_thumb(grey, a.xyxy * scale) - a.thumb).mean()) <= self.change:
                first = None
            else:
                first = t if first is None else first
                if t - first > PASSING_S:
                    return True
        return False

    def _still_since(
        self, box: NDArray[np.float64], thumb: NDArray[np.float32], now: float
    ) -> float:
        """When the picture in ``box`` last differed from ``thumb`` (now), looking back through
        the history; differences while someone else's box covered it, or over within
        ``PASSING_S``, are not its own."""
        since = now
        for t, grey, scale, boxes in reversed(self._history):
            if float(np.abs(_thumb(grey, box * scale) - thumb).mean()) <= self.change:
                since = t
            elif not _occluded(box, boxes, self.match_iou) and since - t > PASSING_S:
                break
        return since

    def _remember(
        self, t: float, grey: NDArray[np.uint8], scale: float, boxes: NDArray[np.float64]
    ) -> None:
        if self._history and t - self._history[-1][0] < HISTORY_STEP_S:
            return
        self._history.append((t, grey, scale, boxes))
        while t - self._history[0][0] > self.static_after_s:
            self._history.popleft()


def static_tracks(
    sightings: dict[int, list[NDArray[np.float64]]],
    found: list[NDArray[np.float64]],
    match_iou: float = 0.6,
) -> set[int]:
    """Track ids whose boxes lay on one place later found static for at least half their
    sightings: for a whole file, the first seconds of a mannequin (before it was found out) are
    dropped as well.

    One place, not any: a thing that never moves is seen where it stands. A walker's boxes
    can each lie on some place the watch once took for static (on a plain floor a walker's
    first box there can look like the floor's picture before them), and a track that walked
    across the picture must never be dropped whole for the sum of those."""
    if not found:
        return set()
    places = np.array(found)
    out = set()
    for tid, boxes in sightings.items():
        on = box_iou(np.asarray(boxes, np.float64), places) >= match_iou  # (sightings, places)
        if on.mean(axis=0).max() >= 0.5:
            out.add(tid)
    return out


def _small_grey(image: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], float]:
    """The frame in grey, at most ``HISTORY_WIDTH`` wide, and the scale it was shrunk by."""
    # A copy either way: the history must not hold on to (or see changes in) the caller's frame.
    grey = (
        np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), np.uint8)
        if image.ndim == 3
        else np.array(image, np.uint8, copy=True)
    )
    scale = min(1.0, HISTORY_WIDTH / grey.shape[1])
    if scale < 1.0:
        size = (HISTORY_WIDTH, max(1, round(grey.shape[0] * scale)))
        grey = np.asarray(cv2.resize(grey, size, interpolation=cv2.INTER_AREA), np.uint8)
    return grey, scale


def _occluded(box: NDArray[np.float64], others: NDArray[np.float64], match_iou: float) -> bool:
    """Someone else stands in front of ``box``: a box not on it (IoU under ``match_iou``)
    covers at least ``OCCLUDED`` of it."""
    if not len(others):
        return False
    ix = np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0])
    iy = np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1])
    cover = np.clip(ix, 0, None) * np.clip(iy, 0, None)
    # ``box_iou(box[None], others)[0]``, from the intersections already here (the same
    # arithmetic in float64, so the same values): this runs for every step of the history.
    own = (box[2] - box[0]) * (box[3] - box[1])
    union = own + (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1]) - cover
    iou = np.divide(cover, union, out=np.zeros_like(cover), where=union > 0)
    area = max(own, 1e-9)
    return bool(((cover / area >= OCCLUDED) & (iou < match_iou)).any())


def _thumb(grey: NDArray[np.uint8], xyxy: NDArray[np.float64]) -> NDArray[np.float32]:
    h, w = grey.shape[:2]
    # A box may reach past the frame (a detector's box at the edge, a synthetic false box): the
    # picture is what of it lies in the frame, at least the edge pixel.
    x1, y1 = min(w - 1, max(0, int(xyxy[0]))), min(h - 1, max(0, int(xyxy[1])))
    x2, y2 = min(w, max(x1 + 1, int(np.ceil(xyxy[2])))), min(h, max(y1 + 1, int(np.ceil(xyxy[3]))))
    crop = grey[y1:y2, x1:x2]
    return cv2.resize(crop, THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
