"""Body keypoints for people already found: the bundled BlazePose (lite) run on person crops.

One square crop per box (the box's longer side x ``CROP_SCALE``, centred on the box, padded with
black where it leaves the frame), all crops of a frame in one batched inference. Keypoints come
back in the frame's pixels, in the COCO-17 order (``KEYPOINTS``), each with a score in 0–1: the
model's visibility times its pose-presence score, so a crop where the model sees no person has
every keypoint near 0, and a hidden wrist is low even when the model guesses where it is.

>>> import numpy as np
>>> pose = PoseEstimator()
>>> box = np.array([[100, 50, 200, 400]], np.float32)
>>> kp = pose.estimate(np.zeros((480, 640, 3), np.uint8), box)
>>> kp.shape, bool(kp[..., 2].max() < 0.5)  # a black frame: no person, every score low
((1, 17, 3), True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.errors import DetectorError

BUNDLED_POSE_MODEL = Path(__file__).parent / "models" / "pose_lite.onnx"
SIZE = 256  # the model's crop side
CROP_SCALE = 1.25  # as MediaPipe's own person ROI: the limbs reach past a tight box
KEYPOINTS = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
KP = {name: i for i, name in enumerate(KEYPOINTS)}
# BlazePose's 33 body landmarks → COCO-17 (BlazePose also has eye corners, mouth, fingers, feet).
_FROM_BLAZEPOSE = np.array([0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28])


def _sigmoid(x: NDArray[np.float32]) -> NDArray[np.float32]:
    return (1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))).astype(np.float32)


class PoseEstimator:
    """Keypoints for given person boxes in one frame (``estimate``), one batched inference."""

    def __init__(self, path: Path | None = None, threads: int = 2) -> None:
        from storepixel.vision.onnx_session import create_session

        self.path = path or BUNDLED_POSE_MODEL
        if not self.path.is_file():
            raise DetectorError(f"pose model not found: {self.path}")
        self.session: Any = create_session(self.path, threads)
        self.crops = 0  # people estimated so far (for benchmarks)
        self.batches = 0

    def estimate(
        self, image_bgr: NDArray[np.uint8], boxes: NDArray[np.float32]
    ) -> NDArray[np.float32]:
        """(N, 17, 3) keypoints ``x, y, score`` in ``image_bgr``'s pixels for ``boxes`` (N, 4)."""
        boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
        if not len(boxes):
            return np.zeros((0, len(KEYPOINTS), 3), np.float32)
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        crops = np.empty((len(boxes), SIZE, SIZE, 3), np.float32)
        origins = np.empty((len(boxes), 3), np.float32)  # x0, y0, pixels per crop pixel
        for i, (x0, y0, x1, y1) in enumerate(boxes):
            side = max(x1 - x0, y1 - y0, 1.0) * CROP_SCALE
            scale = side / SIZE
            left, top = (x0 + x1) / 2 - side / 2, (y0 + y1) / 2 - side / 2
            warp = np.array([[1 / scale, 0, -left / scale], [0, 1 / scale, -top / scale]])
            crop = cv2.warpAffine(rgb, warp, (SIZE, SIZE), flags=cv2.INTER_LINEAR)
            crops[i] = crop.astype(np.float32) / 255.0
            origins[i] = (left, top, scale)
        landmarks, presence = self.session.run(["landmarks", "presence"], {"crop": crops})
        self.crops += len(boxes)
        self.batches += 1
        points = landmarks.reshape(len(boxes), -1, 5)[:, _FROM_BLAZEPOSE]
        out = np.empty((len(boxes), len(KEYPOINTS), 3), np.float32)
        out[..., 0] = origins[:, None, 0] + points[..., 0] * origins[:, None, 2]
        out[..., 1] = origins[:, None, 1] + points[..., 1] * origins[:, None, 2]
        out[..., 2] = _sigmoid(points[..., 3]) * presence.reshape(-1, 1)
        return out
