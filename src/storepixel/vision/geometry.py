"""Placing an image on a model's input canvas, and mapping boxes back to the image's pixels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import cv2
import numpy as np
from numpy.typing import NDArray

Fit = Literal["letterbox", "stretch"]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an image went on the canvas: ``canvas = image * scale + pad`` per axis."""

    scale_x: float
    scale_y: float
    pad_x: float = 0.0
    pad_y: float = 0.0

    def to_image(self, xyxy: NDArray[np.float32]) -> NDArray[np.float32]:
        """Canvas-pixel boxes (N,4) → image-pixel boxes."""
        out = np.empty_like(xyxy, dtype=np.float32)
        out[:, 0::2] = (xyxy[:, 0::2] - self.pad_x) / self.scale_x
        out[:, 1::2] = (xyxy[:, 1::2] - self.pad_y) / self.scale_y
        return out


def place(
    image: NDArray[np.uint8],
    size: tuple[int, int],
    fit: Fit,
    pad_value: int = 114,
    centre: bool = True,
) -> tuple[NDArray[np.uint8], Placement]:
    """Resize ``image`` onto a ``size`` = (width, height) canvas.

    ``letterbox`` keeps the aspect ratio and pads with ``pad_value`` (centred, or at the right and
    bottom when ``centre`` is false, as YOLOX does); ``stretch`` fills the canvas.

    >>> img = np.zeros((100, 200, 3), np.uint8)
    >>> canvas, p = place(img, (64, 64), "letterbox")
    >>> canvas.shape, p.scale_x, p.pad_y
    ((64, 64, 3), 0.32, 16.0)
    """
    height, width = image.shape[:2]
    out_w, out_h = size
    if fit == "stretch":
        stretched = np.asarray(
            cv2.resize(image, (out_w, out_h), interpolation=cv2.INTER_LINEAR), np.uint8
        )
        return stretched, Placement(out_w / width, out_h / height)
    scale = min(out_w / width, out_h / height)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    pad_x, pad_y = ((out_w - new_w) // 2, (out_h - new_h) // 2) if centre else (0, 0)
    canvas: NDArray[np.uint8] = np.full((out_h, out_w, 3), pad_value, np.uint8)
    canvas[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = cv2.resize(
        image, (new_w, new_h), interpolation=cv2.INTER_LINEAR
    )
    return canvas, Placement(new_w / width, new_h / height, float(pad_x), float(pad_y))


def tight_size(width: int, height: int, size: tuple[int, int], stride: int) -> tuple[int, int]:
    """The smallest canvas within ``size`` = (width, height) that a ``width`` × ``height`` image
    letterboxes onto at the same scale as onto ``size``, each side a multiple of ``stride``.

    A model with a dynamic input accepts any side that is a multiple of its largest stride, so the
    side the image does not fill shrinks to the image's, rounded up: less grey to run the model
    on. A 16:9 frame on a 416 canvas:

    >>> tight_size(768, 432, (416, 416), 32)
    (416, 256)
    """
    out_w, out_h = size
    scale = min(out_w / width, out_h / height)
    new_w, new_h = max(1, round(width * scale)), max(1, round(height * scale))
    return min(out_w, -(-new_w // stride) * stride), min(out_h, -(-new_h // stride) * stride)


def tile_windows(
    width: int, height: int, grid: tuple[int, int], overlap: float
) -> list[tuple[int, int, int, int]]:
    """Overlapping (x0, y0, x1, y1) windows covering a ``width`` × ``height`` image.

    Neighbouring tiles share ``overlap`` of a tile's width/height.

    >>> tile_windows(100, 50, (2, 1), 0.0)
    [(0, 0, 50, 50), (50, 0, 100, 50)]
    """
    cols, rows = grid
    tile_w = width / (cols - (cols - 1) * overlap)
    tile_h = height / (rows - (rows - 1) * overlap)
    windows = []
    for row in range(rows):
        for col in range(cols):
            x0, y0 = round(col * tile_w * (1 - overlap)), round(row * tile_h * (1 - overlap))
            x1, y1 = min(width, round(x0 + tile_w)), min(height, round(y0 + tile_h))
            windows.append((x0, y0, x1, y1))
    return windows


def clip_boxes(xyxy: NDArray[np.float32], width: int, height: int) -> NDArray[np.float32]:
    """Clip boxes to the image, in place, and return them."""
    np.clip(xyxy[:, 0::2], 0, width, out=xyxy[:, 0::2])
    np.clip(xyxy[:, 1::2], 0, height, out=xyxy[:, 1::2])
    return xyxy
