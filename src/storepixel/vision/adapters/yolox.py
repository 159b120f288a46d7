"""YOLOX ONNX export (``tools/export_onnx.py`` of Megvii's YOLOX).

One output (1, N, 5+C): ``x, y, w, h, objectness, C class scores`` (scores already sigmoid);
person score = objectness × class score. The default export leaves boxes raw: ``x, y`` are offsets
in grid cells and ``w, h`` logs, so ``centre = (offset + cell) · stride`` and
``size = exp(log) · stride`` over strides 8/16/32, cells at integer positions. An export with
``--decode_in_inference`` already gives pixels; the two are told apart by the x column: raw offsets
stay within a few cells, decoded centres spread over the input (mean ≈ half its width).
Input: BGR, 0–255 (no normalisation), letterboxed at the top-left, grey 114, NCHW, always on the
square input: YOLOX's exports fix the input size (``--dynamic`` frees only the batch), and the
raw decoding's cell grid is built for that one size.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from storepixel.vision.adapters.base import Candidates, OnnxModel, Shape, bgr_to_nchw, known

STRIDES = (8, 16, 32)
# Mean raw x offset is about 0.5 cell; mean decoded x is about half the input width (≥ 16 px).
DECODED_MEAN_X = 8.0


class YoloXModel(OnnxModel):
    """YOLOX export: (1, N, 5+C), raw grid offsets (decoded here) or already-decoded pixels."""

    format_name = "yolox"
    centre_letterbox = False  # YOLOX's preprocessing pads at the right and bottom
    tight_canvas = False

    def check_outputs(self, shapes: list[Shape]) -> None:
        if len(shapes) != 1 or len(shapes[0]) != 3:
            raise self.mismatch(f"expected one (1, N, 5+C) output, got {shapes}")
        width = known(shapes[0][2])
        if width is not None and width < 6:
            raise self.mismatch(f"expected one (1, N, 5+C) output, got {shapes}")
        if width is not None and self.person_class_id >= width - 5:
            raise self.mismatch(
                f"person_class_id {self.person_class_id} but only {width - 5} classes"
            )
        w, h = self.input_size
        grids, strides = [], []
        for stride in STRIDES:
            ys, xs = np.mgrid[0 : h // stride, 0 : w // stride]
            grids.append(np.stack([xs.ravel(), ys.ravel()], 1))
            strides.append(np.full(xs.size, stride))
        self._grid = np.concatenate(grids).astype(np.float32)
        self._strides = np.concatenate(strides).astype(np.float32)[:, None]
        rows = known(shapes[0][1])
        if rows is not None and rows != len(self._grid):
            raise self.mismatch(
                f"{rows} candidates, but strides {STRIDES} at {w}x{h} give {len(self._grid)}"
            )

    def to_tensor(self, canvas_bgr: NDArray[np.uint8]) -> NDArray[np.float32]:
        return bgr_to_nchw(canvas_bgr, rgb=False)

    def decode(
        self, outputs: list[NDArray[np.float32]], confidence: float, canvas: tuple[int, int]
    ) -> Candidates:
        out = outputs[0][0]
        if out.ndim != 2 or out.shape[1] < 6:
            raise self.mismatch(f"output shape at run time is {outputs[0].shape}")
        column = 5 + self.person_class_id
        if column >= out.shape[1]:
            raise self.mismatch(f"person_class_id {self.person_class_id} beyond {out.shape[1] - 5}")
        score = out[:, 4] * out[:, column]
        hit = np.flatnonzero(score >= confidence)
        xy, wh = out[hit, :2], out[hit, 2:4]
        if float(out[:, 0].mean()) < DECODED_MEAN_X:
            if len(out) != len(self._grid):
                raise self.mismatch(
                    f"{len(out)} raw candidates but strides {STRIDES} give {len(self._grid)}"
                )
            xy = (xy + self._grid[hit]) * self._strides[hit]
            wh = np.exp(wh) * self._strides[hit]
        xyxy = np.concatenate([xy - wh / 2, xy + wh / 2], axis=1)
        return xyxy.astype(np.float32), score[hit].astype(np.float32)
