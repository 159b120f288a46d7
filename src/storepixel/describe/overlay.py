"""Grounding marks drawn on a sent frame: its capture time (site clock) and each tracked
person's track number by their box, so the model's times and subjects map back to ours.

>>> import numpy as np
>>> from zoneinfo import ZoneInfo
>>> img = np.zeros((120, 160, 3), np.uint8)
>>> out = draw_grounding(img, 3600.0 + 5, [(7, (40.0, 30.0, 80.0, 110.0))], ZoneInfo("UTC"))
>>> clock_label(3605.0, ZoneInfo("UTC")), bool(out[:20, :90].any()), bool(img.any())
('01:00:05', True, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import cv2
import numpy as np
from numpy.typing import NDArray

FONT = cv2.FONT_HERSHEY_SIMPLEX
LABEL = (0, 255, 255)  # yellow on black: legible on most store scenes


def clock_label(t: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(t, tz).strftime("%H:%M:%S")


def _text(image: NDArray[np.uint8], text: str, x: int, y: int, scale: float) -> None:
    """``text`` on a filled black box whose top-left corner is (x, y), kept inside the image."""
    thickness = max(1, round(scale * 2))
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    x = min(max(0, x), max(0, image.shape[1] - w - 4))
    y = min(max(0, y), max(0, image.shape[0] - h - base - 4))
    cv2.rectangle(image, (x, y), (x + w + 4, y + h + base + 4), (0, 0, 0), -1)
    cv2.putText(image, text, (x + 2, y + h + 2), FONT, scale, LABEL, thickness, cv2.LINE_AA)


def draw_grounding(
    image: NDArray[np.uint8],
    t: float,
    boxes: Sequence[tuple[int, tuple[float, float, float, float]]],
    tz: ZoneInfo,
) -> NDArray[np.uint8]:
    """A copy of ``image`` with the clock time top-left and ``#id`` by each box."""
    out = image.copy()
    scale = max(0.35, out.shape[0] / 900)
    for tid, (x0, y0, x1, y1) in boxes:
        cv2.rectangle(out, (round(x0), round(y0)), (round(x1), round(y1)), LABEL, 1)
        _text(out, f"#{tid}", round(x0), round(y0) - round(22 * scale), scale)
    _text(out, clock_label(t, tz), 0, 0, scale * 1.2)
    return out


def rescale(image: NDArray[np.uint8], scale: float) -> NDArray[np.uint8]:
    """``image`` resized by ``scale`` (area-averaged down, linear up); itself when 1."""
    if scale == 1.0:
        return image
    h, w = image.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(image, size, interpolation=interpolation), dtype=np.uint8)
