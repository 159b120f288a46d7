"""A ``Detector`` over any ``OnnxModel``: runs the configured passes, merges them with NMS."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from storepixel.config.detector import PassKind
from storepixel.types import Detections
from storepixel.vision.adapters.base import Candidates, OnnxModel
from storepixel.vision.detector import Detector
from storepixel.vision.geometry import clip_boxes, tile_windows
from storepixel.vision.nms import nms

SEAM_MARGIN = 2.0  # px: a tile box this close to an inner tile edge is a cut-off person
MIN_SIDE = 2.0  # px: narrower boxes are clipping debris, not people


class OnnxDetector(Detector):
    """Person detector on an ONNX model; ``passes`` are the views of each frame it looks at.

    ``letterbox``/``stretch`` run the whole frame once; ``tiles`` runs each overlapping window of
    ``tile_grid`` (cols, rows) and drops boxes cut by an inner seam, which a neighbouring tile or
    a whole-frame pass sees in full.
    """

    def __init__(
        self,
        model: OnnxModel,
        confidence: float = 0.45,
        nms_iou: float = 0.6,
        passes: Sequence[PassKind] = ("letterbox", "stretch"),
        tile_grid: tuple[int, int] = (2, 2),
        tile_overlap: float = 0.25,
    ) -> None:
        self.model = model
        self.confidence = confidence
        self.nms_iou = nms_iou
        self.passes = tuple(passes)
        self.tile_grid = tile_grid
        self.tile_overlap = tile_overlap

    def detect(self, image_bgr: NDArray[np.uint8]) -> Detections:
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise ValueError(
                f"expected an HxWx3 uint8 BGR image, got {image_bgr.shape} {image_bgr.dtype}"
            )
        height, width = image_bgr.shape[:2]
        found: list[Candidates] = []
        for kind in self.passes:
            if kind == "tiles":
                found.extend(self._tiles(image_bgr))
            else:
                found.append(self.model.candidates(image_bgr, kind, self.confidence))
        xyxy = clip_boxes(np.concatenate([f[0] for f in found]), width, height)
        scores = np.concatenate([f[1] for f in found])
        sizable = ((xyxy[:, 2] - xyxy[:, 0]) >= MIN_SIDE) & ((xyxy[:, 3] - xyxy[:, 1]) >= MIN_SIDE)
        xyxy, scores = xyxy[sizable], scores[sizable]
        keep = nms(xyxy, scores, self.nms_iou)
        return Detections(xyxy[keep], scores[keep])

    def _tiles(self, image: NDArray[np.uint8]) -> list[Candidates]:
        height, width = image.shape[:2]
        out = []
        for x0, y0, x1, y1 in tile_windows(width, height, self.tile_grid, self.tile_overlap):
            xyxy, scores = self.model.candidates(image[y0:y1, x0:x1], "letterbox", self.confidence)
            # A box touching an inner edge of the tile is a person cut by the seam.
            cut = np.zeros(len(xyxy), bool)
            if x0 > 0:
                cut |= xyxy[:, 0] <= SEAM_MARGIN
            if y0 > 0:
                cut |= xyxy[:, 1] <= SEAM_MARGIN
            if x1 < width:
                cut |= xyxy[:, 2] >= (x1 - x0) - SEAM_MARGIN
            if y1 < height:
                cut |= xyxy[:, 3] >= (y1 - y0) - SEAM_MARGIN
            xyxy = xyxy[~cut] + np.array([x0, y0, x0, y0], np.float32)
            out.append((xyxy, scores[~cut]))
        return out
