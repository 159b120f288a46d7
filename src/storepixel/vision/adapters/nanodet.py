"""NanoDet (GFL-style head): per-cell class scores and a distribution over box-side distances.

Two ONNX layouts are read:

- **split** (the bundled model, converted from TF.js): for each stride a class output (1,N,C)
  and a box output (1,N,4·(R+1)). Anchor centres are at ``(i + 0.5)·stride``, measured: with
  ``i·stride`` every box shifts by half a cell and mean IoU with ground truth drops.
- **concatenated** (NanoDet's own ``export_onnx.py``): one (1,N,C+4·(R+1)) output, classes first,
  R = 7. Three levels (strides 8/16/32, NanoDet-m) use ``(i + 0.5)·stride`` centres; four levels
  (8/16/32/64, NanoDet-Plus) use ``i·stride``, as NanoDet-Plus places its priors.

Each box side is ``softmax(bins) · [0..R] · stride`` from the anchor centre, in the order left,
top, right, bottom. Input: BGR, ``(x − mean) / std`` per channel, NCHW.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from storepixel.vision.adapters.base import Candidates, OnnxModel, Shape, bgr_to_nchw, known

MEAN = np.array([103.53, 116.28, 123.675], np.float32)
STD = np.array([57.375, 57.12, 58.395], np.float32)
INV_STD = (1.0 / STD).astype(np.float32)
CONCAT_REG_MAX = 7
# Box-side bin counts (R + 1) of NanoDet variants; used to tell the box output from the class one.
BOX_BINS = (8, 11, 17)


@dataclass(frozen=True, slots=True)
class _Head:
    stride: int
    cls_index: int  # which output holds the class scores
    box_index: int  # which output holds the side distributions


@dataclass(frozen=True, slots=True)
class _Level:
    head: _Head
    rows: slice  # the level's rows in its outputs (all of them for the split layout)
    centres: NDArray[np.float32]  # (N,2) anchor centres x, y in canvas pixels, row-major


class NanoDetModel(OnnxModel):
    """NanoDet ONNX export (split per-stride outputs, or NanoDet's concatenated one).

    Which output holds which stride is read once, at the input size; the anchor grid of each
    canvas size the model is run at (a dynamic model's tight letterbox) is built on first use.
    """

    format_name = "nanodet"

    def check_outputs(self, shapes: list[Shape]) -> None:
        if any(len(s) != 3 for s in shapes):
            raise self.mismatch(f"expected (1, N, K) outputs, got {shapes}")
        if any(known(d) is None for s in shapes for d in s[1:]):
            # A dynamic export: its cell counts show once it runs at the input size.
            width, height = self.input_size
            probe = self.run(np.zeros((1, 3, height, width), np.float32))
            shapes = [list(out.shape) for out in probe]
        names = [o.name for o in self.session.get_outputs()]
        if len(shapes) == 1:
            self._heads, self.anchor_offset, self.num_classes = self._concatenated(shapes[0])
            self.reg_max = CONCAT_REG_MAX
        else:
            self._heads, self.num_classes, self.reg_max = self._split(shapes, names)
            self.anchor_offset = 0.5
        if self.person_class_id >= self.num_classes:
            raise self.mismatch(
                f"person_class_id {self.person_class_id} but only {self.num_classes} classes"
            )
        self.max_stride = max(head.stride for head in self._heads)
        self._grids: dict[tuple[int, int], list[_Level]] = {}

    def _split(self, shapes: list[Shape], names: list[str]) -> tuple[list[_Head], int, int]:
        by_cells: dict[int, list[int]] = {}
        for index, shape in enumerate(shapes):
            cells = known(shape[1])
            if cells is None or known(shape[2]) is None:
                raise self.mismatch(f"split outputs need fixed shapes, got {shapes}")
            by_cells.setdefault(cells, []).append(index)
        if any(len(pair) != 2 for pair in by_cells.values()):
            raise self.mismatch(f"expected a class and a box output per stride, got {shapes}")
        heads: list[_Head] = []
        num_classes: set[int] = set()
        box_width: set[int] = set()
        for cells, pair in sorted(by_cells.items(), reverse=True):
            box_index, cls_index = self._which_is_box(pair, shapes, names)
            num_classes.add(known(shapes[cls_index][2]) or 0)
            box_width.add(known(shapes[box_index][2]) or 0)
            heads.append(_Head(self._stride_for(cells), cls_index, box_index))
        if len(num_classes) != 1 or len(box_width) != 1:
            raise self.mismatch(f"class/box widths differ between strides: {shapes}")
        return heads, num_classes.pop(), box_width.pop() // 4 - 1

    @staticmethod
    def _which_is_box(pair: list[int], shapes: list[Shape], names: list[str]) -> tuple[int, int]:
        a, b = pair
        hints = [any(k in names[i].lower() for k in ("box", "reg", "bbox")) for i in pair]
        if hints[0] != hints[1]:
            return (a, b) if hints[0] else (b, a)
        a_box = shapes[a][2] in [4 * n for n in BOX_BINS]
        b_box = shapes[b][2] in [4 * n for n in BOX_BINS]
        if a_box and b_box:  # e.g. 44 and 32 both plausible: the box output is the narrower
            return (a, b) if (known(shapes[a][2]) or 0) < (known(shapes[b][2]) or 0) else (b, a)
        return (a, b) if a_box else (b, a)

    def _concatenated(self, shape: Shape) -> tuple[list[_Head], float, int]:
        cells, width = known(shape[1]), known(shape[2])
        num_classes = (width or 0) - 4 * (CONCAT_REG_MAX + 1)
        if cells is None or num_classes < 1:
            raise self.mismatch(f"expected (1, N, C + 32), got {shape}")
        w, h = self.input_size
        layouts = {(8, 16, 32, 64): 0.0, (8, 16, 32): 0.5}  # NanoDet-Plus, NanoDet-m
        for strides, offset in layouts.items():
            if sum(-(-h // s) * -(-w // s) for s in strides) == cells:
                return [_Head(s, 0, 0) for s in strides], offset, num_classes
        raise self.mismatch(f"{cells} cells fit no NanoDet stride set at {w}x{h}")

    def _stride_for(self, cells: int) -> int:
        w, h = self.input_size
        for stride in (8, 16, 32, 64, 128):
            if -(-w // stride) * -(-h // stride) == cells:
                return stride
        raise self.mismatch(f"{cells} cells fit no stride at {w}x{h}")

    def levels(self, canvas: tuple[int, int]) -> list[_Level]:
        """Each stride's rows and anchor centres for a ``canvas`` = (width, height) input: a grid
        of ⌈height/stride⌉ rows × ⌈width/stride⌉ columns, row by row."""
        levels = self._grids.get(canvas)
        if levels is None:
            w, h = canvas
            levels, start = [], 0
            for head in self._heads:
                ys, xs = np.mgrid[0 : -(-h // head.stride), 0 : -(-w // head.stride)]
                centres = np.stack([xs.ravel(), ys.ravel()], 1).astype(np.float32)
                centres = (centres + np.float32(self.anchor_offset)) * np.float32(head.stride)
                split = head.cls_index != head.box_index
                rows = slice(None) if split else slice(start, start + len(centres))
                levels.append(_Level(head, rows, centres))
                start += len(centres)
            self._grids[canvas] = levels
        return levels

    def to_tensor(self, canvas_bgr: NDArray[np.uint8]) -> NDArray[np.float32]:
        return bgr_to_nchw(canvas_bgr, rgb=False, mean=MEAN, inv_std=INV_STD)

    def decode(
        self, outputs: list[NDArray[np.float32]], confidence: float, canvas: tuple[int, int]
    ) -> Candidates:
        bins = self.reg_max + 1
        concatenated = len(outputs) == 1
        levels = self.levels(canvas)
        if concatenated and len(outputs[0][0]) != levels[-1].rows.stop:
            raise self.mismatch(f"{outputs[0].shape} does not fit a {canvas[0]}x{canvas[1]} input")
        boxes, scores = [], []
        for level in levels:
            head = level.head
            cls = outputs[head.cls_index][0, level.rows]
            box = outputs[head.box_index][0, level.rows]
            if concatenated:
                box = box[:, self.num_classes :]
            if len(cls) != len(level.centres) or box.shape[1] != 4 * bins:
                raise self.mismatch(f"output shapes changed at run time: {cls.shape}, {box.shape}")
            score = cls[:, self.person_class_id]
            hit = np.flatnonzero(score >= confidence)
            if hit.size == 0:
                continue
            logits = box[hit].reshape(-1, 4, bins).astype(np.float32)
            weights = np.exp(logits - logits.max(axis=2, keepdims=True))
            weights /= weights.sum(axis=2, keepdims=True)
            sides = weights @ np.arange(bins, dtype=np.float32) * head.stride  # (n, 4)
            centre = level.centres[hit]
            boxes.append(np.concatenate([centre - sides[:, :2], centre + sides[:, 2:]], axis=1))
            scores.append(score[hit])
        if not boxes:
            return np.zeros((0, 4), np.float32), np.zeros(0, np.float32)
        return np.concatenate(boxes).astype(np.float32), np.concatenate(scores).astype(np.float32)
