"""Greedy non-maximum suppression and box IoU (numpy; a frame has tens of candidates, not 10k)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def box_iou(a: NDArray[np.floating], b: NDArray[np.floating]) -> NDArray[np.float64]:
    """Pairwise IoU of xyxy boxes: (N,4) × (M,4) → (N,M); empty inputs give an empty matrix.

    >>> box_iou(np.array([[0, 0, 2, 2]]), np.array([[1, 0, 3, 2]])).round(3).tolist()
    [[0.333]]
    """
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    x1 = np.maximum(a[:, None, 0], b[None, :, 0])
    y1 = np.maximum(a[:, None, 1], b[None, :, 1])
    x2 = np.minimum(a[:, None, 2], b[None, :, 2])
    y2 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    union = area_a[:, None] + area_b[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def nms(xyxy: NDArray[np.floating], scores: NDArray[np.floating], iou: float) -> NDArray[np.intp]:
    """Indices of the boxes kept, best first: each drops later boxes overlapping it above ``iou``.

    >>> boxes = np.array([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]])
    >>> nms(boxes, np.array([0.9, 0.8, 0.7]), 0.5)
    array([0, 2])
    """
    order = np.argsort(-np.asarray(scores), kind="stable")
    if len(order) == 0:
        return order.astype(np.intp)
    overlaps = box_iou(xyxy[order], xyxy[order])
    suppressed = np.zeros(len(order), bool)
    keep = []
    for i in range(len(order)):
        if suppressed[i]:
            continue
        keep.append(order[i])
        suppressed |= overlaps[i] > iou
    return np.asarray(keep, np.intp)
