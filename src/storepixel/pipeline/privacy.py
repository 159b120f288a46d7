"""Privacy masks: blank pixels before any model sees the frame."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from numpy.typing import NDArray

Polygon = Sequence[Sequence[float]]


class PrivacyMask:
    """Fills normalised polygons with black. The mask is rebuilt when the frame size changes, so a
    camera that switches resolution stays masked.

    >>> mask = PrivacyMask([[(0, 0), (0.5, 0), (0.5, 1), (0, 1)]])
    >>> out = mask.apply(np.full((4, 4, 3), 255, np.uint8))
    >>> int(out[:, :2].max()), int(out[:, 3].min())
    (0, 255)
    """

    def __init__(self, polygons: Sequence[Polygon]) -> None:
        self.polygons = [np.asarray(p, dtype=np.float64) for p in polygons]
        self._keep: NDArray[np.bool_] | None = None

    def __bool__(self) -> bool:
        return bool(self.polygons)

    def _keep_mask(self, height: int, width: int) -> NDArray[np.bool_]:
        if self._keep is None or self._keep.shape != (height, width):
            blank = np.zeros((height, width), np.uint8)
            for poly in self.polygons:
                # Pixel centres: x = u·W − 0.5, so a polygon edge at 0.5 splits the image evenly.
                pts = np.round(poly * [width, height] - 0.5).astype(np.int32)
                cv2.fillPoly(blank, [pts], 1)
            self._keep = blank == 0
        return self._keep

    def apply(self, image: NDArray[np.uint8]) -> NDArray[np.uint8]:
        """A masked copy of ``image`` (the original is left untouched)."""
        if not self.polygons:
            return image
        keep = self._keep_mask(image.shape[0], image.shape[1])
        return np.where(keep[..., None], image, np.uint8(0)).astype(np.uint8)
