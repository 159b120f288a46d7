"""The person detector interface: what the pipelines call, whatever model is behind it."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from numpy.typing import NDArray

from storepixel.types import Detections


class Detector(ABC):
    """Finds people in BGR frames; boxes are pixels of the frame given, NMS already applied."""

    @abstractmethod
    def detect(self, image_bgr: NDArray[np.uint8]) -> Detections:
        """People in one HxWx3 uint8 BGR image: xyxy in its pixels and confidences, best first."""

    def detect_batch(self, images: list[NDArray[np.uint8]]) -> list[Detections]:
        """``detect`` for each image (one inference each for now; true batching can come later)."""
        return [self.detect(image) for image in images]
