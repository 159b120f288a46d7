"""Ultralytics YOLOv8 / YOLO11 ONNX export (``yolo export format=onnx``).

One output (1, 4+C, N): per candidate ``cx, cy, w, h`` in input pixels, then C class scores
(already sigmoid; no objectness). Some tools transpose it to (1, N, 4+C); both are read, telling
them apart by the candidate axis being the longer one. Input: RGB, 0–1, letterboxed (centred,
grey 114), NCHW. Boxes come out in input pixels, so a dynamic export (``dynamic=True``) reads
just as well off a tight, non-square canvas, as Ultralytics' own rectangular inference feeds it:
sides in multiples of the ``stride`` its metadata gives (32; 64 for the P6 models).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from storepixel.vision.adapters.base import Candidates, OnnxModel, Shape, bgr_to_nchw, known


class YoloV8Model(OnnxModel):
    """YOLOv8/YOLO11 detection export: (1, 4+C, N) boxes in cx, cy, w, h + class scores."""

    format_name = "yolov8"

    def check_outputs(self, shapes: list[Shape]) -> None:
        if len(shapes) != 1 or len(shapes[0]) != 3:
            raise self.mismatch(f"expected one (1, 4+C, N) output, got {shapes}")
        a, b = known(shapes[0][1]), known(shapes[0][2])
        width = min(d for d in (a, b) if d is not None) if (a or b) else None
        if width is not None and width < 5:
            raise self.mismatch(f"expected one (1, 4+C, N) output, got {shapes}")
        if width is not None and self.person_class_id >= width - 4:
            raise self.mismatch(
                f"person_class_id {self.person_class_id} but only {width - 4} classes"
            )
        stride = self.session.get_modelmeta().custom_metadata_map.get("stride", "")
        self.max_stride = int(stride) if stride.isdigit() and int(stride) > 0 else 32

    def to_tensor(self, canvas_bgr: NDArray[np.uint8]) -> NDArray[np.float32]:
        return bgr_to_nchw(canvas_bgr, rgb=True) / np.float32(255.0)

    def decode(
        self, outputs: list[NDArray[np.float32]], confidence: float, canvas: tuple[int, int]
    ) -> Candidates:
        out = outputs[0][0]
        if out.ndim != 2 or min(out.shape) < 5:
            raise self.mismatch(f"output shape at run time is {outputs[0].shape}")
        if out.shape[0] < out.shape[1]:  # (4+C, N): the usual export; make it one row per box
            out = out.T
        column = 4 + self.person_class_id
        if column >= out.shape[1]:
            raise self.mismatch(f"person_class_id {self.person_class_id} beyond {out.shape[1] - 4}")
        score = out[:, column]
        hit = np.flatnonzero(score >= confidence)
        cx, cy, w, h = (out[hit, k] for k in range(4))
        xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
        return xyxy.astype(np.float32), score[hit].astype(np.float32)
