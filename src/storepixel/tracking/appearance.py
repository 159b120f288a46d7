"""A cheap colour cue: hue-saturation histogram of the middle of a person's box.

Shoppers differ most by clothing colour, and a 2-D H-S histogram ignores brightness changes from
lighting along an aisle. Only the middle of the box is used (torso and thighs), where the box is
mostly the person rather than floor or shelf. It is used only to choose between candidates when a
lost track is recovered after an occlusion, never as the main association cue.
"""

from __future__ import annotations

import cv2
import numpy as np
from numpy.typing import NDArray

H_BINS, S_BINS = 8, 4


def colour_histogram(
    image_bgr: NDArray[np.uint8], xyxy: NDArray[np.floating]
) -> NDArray[np.float32]:
    """L1-normalised H-S histogram (``H_BINS * S_BINS``) of the box's central region."""
    height, width = image_bgr.shape[:2]
    x1, y1, x2, y2 = (float(v) for v in xyxy)
    w, h = x2 - x1, y2 - y1
    cx1, cx2 = int(max(0, x1 + 0.25 * w)), int(min(width, x2 - 0.25 * w))
    cy1, cy2 = int(max(0, y1 + 0.2 * h)), int(min(height, y1 + 0.7 * h))
    out = np.zeros(H_BINS * S_BINS, np.float32)
    if cx2 - cx1 < 2 or cy2 - cy1 < 2:
        return out
    hsv = cv2.cvtColor(np.ascontiguousarray(image_bgr[cy1:cy2, cx1:cx2]), cv2.COLOR_BGR2HSV)
    hist = cv2.calcHist([hsv], [0, 1], None, [H_BINS, S_BINS], [0, 180, 0, 256])
    out = hist.reshape(-1).astype(np.float32)
    total = float(out.sum())
    return out / total if total > 0 else out


def histogram_distance(
    ref: NDArray[np.float32], others: NDArray[np.float32]
) -> NDArray[np.float64]:
    """Hellinger (Bhattacharyya) distance in [0, 1] from ``ref`` to each row of ``others``.

    An empty histogram (box off-frame or tiny) is treated as unknown: distance 0, no veto.
    """
    rows = np.asarray(others, np.float64).reshape(len(others), -1)
    r = np.asarray(ref, np.float64)
    if r.sum() <= 0:
        return np.zeros(len(rows))
    bc = np.sqrt(r[None, :] * rows).sum(axis=1)
    d = np.sqrt(np.clip(1.0 - bc, 0.0, 1.0))
    return np.where(rows.sum(axis=1) > 0, d, 0.0)
