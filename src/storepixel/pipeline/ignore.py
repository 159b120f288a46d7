"""Ignore areas: drop detections standing where no shopper can stand.

A camera sees people that are not visitors: a poster or a screen showing people, mannequins on a
plinth, people behind a window onto the street or the next shop. An ignore area is a polygon of
the camera's view; a detection whose foot point (bottom-centre) falls inside it is dropped
before the tracker sees it. Unlike a privacy mask the pixels stay, so a shopper walking *in
front of* the area (their feet on the floor below it) is still seen whole.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from storepixel.analytics.geometry import Polygon
from storepixel.types import Detections


class IgnoreAreas:
    """Normalised polygons; ``apply`` keeps the detections whose feet are outside all of them.

    >>> areas = IgnoreAreas([[(0, 0), (1, 0), (1, 0.5), (0, 0.5)]])  # the top half
    >>> boxes = np.array([[10, 10, 20, 40], [30, 50, 40, 90]], np.float32)  # feet at y 40, 90
    >>> kept = areas.apply(Detections(boxes, np.array([0.9, 0.8], np.float32)), (100, 100))
    >>> kept.xyxy.tolist()
    [[30.0, 50.0, 40.0, 90.0]]
    """

    def __init__(self, polygons: Sequence[Sequence[Sequence[float]]]) -> None:
        self.polygons = [Polygon(p) for p in polygons]

    def __bool__(self) -> bool:
        return bool(self.polygons)

    def apply(self, detections: Detections, frame_size: tuple[int, int]) -> Detections:
        """``detections`` (pixels of a ``(width, height)`` frame) less those standing inside."""
        if not self.polygons or not len(detections):
            return detections
        width, height = frame_size
        xyxy = detections.xyxy.astype(np.float64)
        feet = np.stack([(xyxy[:, 0] + xyxy[:, 2]) / 2 / width, xyxy[:, 3] / height], axis=1)
        inside = np.zeros(len(detections), dtype=bool)
        for polygon in self.polygons:
            inside |= polygon.contains(feet)
        return detections if not inside.any() else detections.select(~inside)
