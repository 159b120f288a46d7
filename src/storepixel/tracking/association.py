"""Costs between predicted track boxes and detections, and gated optimal assignment."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

F64 = NDArray[np.float64]
IntArray = NDArray[np.intp]

# Cost given to pairs outside the gate; never accepted, large enough not to sway the optimum.
INFEASIBLE = 1e6


def _anchor_points(b: F64, anchor: str) -> F64:
    x = (b[:, 0] + b[:, 2]) / 2
    if anchor == "top":
        y = b[:, 1]
    elif anchor == "foot":
        y = b[:, 3]
    else:
        y = (b[:, 1] + b[:, 3]) / 2
    return np.stack([x, y], axis=1)


def normalised_distance(
    a: NDArray[np.floating], b: NDArray[np.floating], anchor: str = "centre"
) -> F64:
    """Distance between box anchor points divided by the mean of the two box heights.

    Dividing by height makes one gate fit people near and far from the camera. ``anchor`` is
    ``"centre"``, ``"top"`` (head) or ``"foot"`` (bottom-centre).
    """
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    ha = np.maximum(a[:, 3] - a[:, 1], 1.0)
    hb = np.maximum(b[:, 3] - b[:, 1], 1.0)
    d = np.linalg.norm(
        _anchor_points(a, anchor)[:, None, :] - _anchor_points(b, anchor)[None], axis=2
    )
    return d / ((ha[:, None] + hb[None, :]) / 2)


def log_height_ratio(a: NDArray[np.floating], b: NDArray[np.floating]) -> F64:
    """``|log(h_a / h_b)|`` pairwise: 0 for equal heights, symmetric in growth and shrinkage."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    ha = np.maximum(a[:, 3] - a[:, 1], 1.0)
    hb = np.maximum(b[:, 3] - b[:, 1], 1.0)
    return np.abs(np.log(ha[:, None] / hb[None, :]))


def assign(cost: F64, max_cost: float) -> tuple[list[tuple[int, int]], IntArray, IntArray]:
    """Minimum-cost one-to-one assignment keeping only pairs with ``cost <= max_cost``.

    Gated pairs are set to ``INFEASIBLE`` before solving, so a forbidden pair can never push a
    feasible one out of the optimum. Returns matches and the unmatched row and column indices,
    all in ascending order (deterministic).
    """
    n, m = cost.shape
    if n == 0 or m == 0:
        return [], np.arange(n, dtype=np.intp), np.arange(m, dtype=np.intp)
    c = np.where(cost <= max_cost, cost, INFEASIBLE)
    rows, cols = linear_sum_assignment(c)
    matches = [(int(r), int(k)) for r, k in zip(rows, cols, strict=True) if c[r, k] <= max_cost]
    matched_r = {r for r, _ in matches}
    matched_c = {k for _, k in matches}
    un_r = np.array([i for i in range(n) if i not in matched_r], dtype=np.intp)
    un_c = np.array([j for j in range(m) if j not in matched_c], dtype=np.intp)
    return sorted(matches), un_r, un_c
