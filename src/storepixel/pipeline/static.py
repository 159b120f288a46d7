"""Static objects: things shaped like people that never move are not shoppers.

Mannequins, posters, reflections and cardboard cut-outs fool any person detector, on every
frame, in the same place. A shopper may stand still for a while, but never for long *without any
motion of their own*: they breathe, turn their head, shift their weight. So each camera keeps
*anchors*: places where a detection keeps being found (the same box, IoU >= ``match_iou``),
each with the time since the picture inside it last changed. An anchor still for
``static_after_s`` is a static-object candidate, and detections on it are dropped before the
tracker, as an ignore area would drop them: the pixels are still seen, so a shopper walking in
front of it is found (and the change of the picture restarts the anchor's clock). When a
candidate moves, its detections no longer fall on the anchor, so they are counted again; an
anchor not found for ``forget_after_s`` is forgotten.

Only small grey thumbnails of the boxes are kept, in memory, never written anywhere.

>>> import numpy as np
>>> from storepixel.types import Detections
>>> static = StaticObjects(static_after_s=10.0)
>>> frame = np.full((120, 160, 3), 90, np.uint8)
>>> box = Detections(np.array([[40, 20, 60, 80]], np.float32), np.array([0.8], np.float32))
>>> [len(static.apply(box, frame, t)) for t in (0.0, 5.0, 9.0, 11.0)]
[1, 1, 1, 0]
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.types import Detections
from storepixel.vision.nms import box_iou

THUMB = (12, 24)  # (w, h) of the grey thumbnail compared over time: coarse, so noise averages


@dataclass(slots=True)
class Anchor:
    """A place where a person-shaped thing keeps being detected."""

    xyxy: NDArray[np.float64]
    thumb: NDArray[np.float32]  # the picture inside the box when it last changed
    still_since: float  # capture time of that last change
    last_seen: float
    first_seen: float
    dismissed: bool = False  # an installer said "this is a person's place, count it"

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
    ) -> None:
        self.static_after_s = float(static_after_s)
        self.match_iou = float(match_iou)
        self.change = float(change)
        self.forget_after_s = float(forget_after_s)
        self.anchors: list[Anchor] = []
        self.found: list[NDArray[np.float64]] = []  # every anchor that was ever static (boxes)

    def candidates(self, now: float) -> list[Anchor]:
        """Anchors currently treated as static objects (not dismissed)."""
        return [a for a in self.anchors if self._is_static(a, now)]

    def dismiss(self, xyxy: NDArray[np.floating]) -> None:
        """The installer says the anchor at ``xyxy`` is a real person's place: never suppress it."""
        for a in self.anchors:
            if box_iou(a.xyxy[None], np.asarray(xyxy, np.float64)[None])[0, 0] >= self.match_iou:
                a.dismissed = True

    def _is_static(self, a: Anchor, now: float) -> bool:
        return not a.dismissed and a.still_for(now) >= self.static_after_s

    def apply(
        self, detections: Detections, image: NDArray[np.uint8], timestamp: float
    ) -> Detections:
        """``detections`` less those on a static-object candidate; updates the anchors."""
        self.anchors = [a for a in self.anchors if timestamp - a.last_seen <= self.forget_after_s]
        if not len(detections):
            return detections
        grey = np.asarray(
            cv2.cvtColor(image, cv2.COLOR_BGR2GRAY) if image.ndim == 3 else image, np.uint8
        )
        boxes = detections.xyxy.astype(np.float64)
        keep = np.ones(len(detections), bool)
        iou = (
            box_iou(boxes, np.array([a.xyxy for a in self.anchors]))
            if self.anchors
            else np.zeros((len(boxes), 0))
        )
        used: set[int] = set()
        for i in np.argsort(-detections.confidence):
            j = int(np.argmax(iou[i])) if iou.shape[1] else -1
            if j < 0 or j in used or iou[i, j] < self.match_iou:
                thumb = _thumb(grey, boxes[i])
                self.anchors.append(Anchor(boxes[i], thumb, timestamp, timestamp, timestamp))
                continue
            used.add(j)
            a = self.anchors[j]
            # The picture is sampled at the anchor's own box, not the detection's: detector boxes
            # jitter by a few pixels, which alone would look like motion of a textured thing.
            thumb = _thumb(grey, a.xyxy)
            if float(np.abs(thumb - a.thumb).mean()) > self.change:
                a.thumb, a.still_since = thumb, timestamp  # it moved: start again
            a.last_seen = timestamp
            if self._is_static(a, timestamp):
                keep[i] = False
                if not any(b is a.xyxy for b in self.found):
                    self.found.append(a.xyxy)
        return detections if keep.all() else detections.select(keep)


def static_tracks(
    sightings: dict[int, list[NDArray[np.float64]]],
    found: list[NDArray[np.float64]],
    match_iou: float = 0.6,
) -> set[int]:
    """Track ids whose boxes lay on a place later found static for at least half their
    sightings: for a whole file, the first seconds of a mannequin (before it was found out) are
    dropped as well."""
    if not found:
        return set()
    places = np.array(found)
    out = set()
    for tid, boxes in sightings.items():
        on = box_iou(np.asarray(boxes, np.float64), places).max(axis=1) >= match_iou
        if on.mean() >= 0.5:
            out.add(tid)
    return out


def _thumb(grey: NDArray[np.uint8], xyxy: NDArray[np.float64]) -> NDArray[np.float32]:
    h, w = grey.shape[:2]
    x1, y1 = max(0, int(xyxy[0])), max(0, int(xyxy[1]))
    x2, y2 = min(w, max(x1 + 1, int(np.ceil(xyxy[2])))), min(h, max(y1 + 1, int(np.ceil(xyxy[3]))))
    crop = grey[y1:y2, x1:x2]
    return cv2.resize(crop, THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
