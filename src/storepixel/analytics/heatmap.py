"""Where people stood: foot points accumulated in person-seconds on a normalised grid.

Each frame's foot points are weighted by how long they held (until the next frame, like occupancy),
so a slow frame rate does not under-count and a stall does not over-count. The grid is in
normalised coordinates and renders over any frame size (main stream or substream).

>>> hm = Heatmap(grid=(4, 4))
>>> hm.update([[0.1, 0.1], [0.9, 0.9]], 0.0); hm.update([[0.1, 0.1]], 0.5); hm.close()
>>> float(hm.grid[0, 0]), float(hm.grid[3, 3]), hm.total_s
(1.0, 0.5, 1.5)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from storepixel.analytics.geometry import as_points


class Heatmap:
    """Person-seconds per cell of a ``grid = (rows, cols)`` over the normalised frame."""

    def __init__(self, grid: tuple[int, int] = (48, 64), max_gap_s: float = 2.0) -> None:
        rows, cols = grid
        if rows < 1 or cols < 1:
            raise ValueError("grid must have at least one row and column")
        self.grid = np.zeros((rows, cols), np.float64)
        self.max_gap_s = float(max_gap_s)
        self._pending: tuple[float, NDArray[np.float64]] | None = None
        self._last_interval: float | None = None

    @property
    def total_s(self) -> float:
        """Person-seconds accumulated so far."""
        return float(self.grid.sum())

    def update(self, points: ArrayLike, timestamp: float) -> None:
        """Foot points (normalised) of one frame; the previous frame's points get their weight."""
        self._settle(float(timestamp))
        self._pending = (float(timestamp), as_points(points).copy())

    def close(self, end: float | None = None) -> None:
        """Weight the last frame until ``end`` (default: one more frame interval)."""
        if self._pending is None:
            return
        t0 = self._pending[0]
        if end is None or end <= t0:
            end = t0 + (self._last_interval or 0.0)
        self._settle(end)
        self._pending = None

    def _settle(self, t1: float) -> None:
        if self._pending is None:
            return
        t0, pts = self._pending
        dt = t1 - t0
        if dt <= 0 or dt > self.max_gap_s:
            return  # nothing elapsed, or a gap with no analysis: no weight
        self._last_interval = dt
        rows, cols = self.grid.shape
        inside = (pts[:, 0] >= 0) & (pts[:, 0] < 1) & (pts[:, 1] >= 0) & (pts[:, 1] < 1)
        c = np.clip((pts[inside, 0] * cols).astype(np.intp), 0, cols - 1)
        r = np.clip((pts[inside, 1] * rows).astype(np.intp), 0, rows - 1)
        np.add.at(self.grid, (r, c), dt)

    def render(
        self,
        frame: NDArray[np.uint8] | None = None,
        size: tuple[int, int] = (640, 480),
        alpha: float = 0.6,
        blur: float = 0.02,
    ) -> NDArray[np.uint8]:
        """A BGR image: the heat coloured (JET) over ``frame``, or over black at ``size`` (w, h).

        ``blur`` is the Gaussian sigma as a fraction of the frame width; opacity grows with heat,
        so places nobody stood show the frame as it is.
        """
        import cv2  # only needed for drawing; the counting code does not depend on OpenCV

        if frame is None:
            width, height = size
            base = np.zeros((height, width, 3), np.uint8)
        else:
            base = np.ascontiguousarray(frame[..., :3], dtype=np.uint8)
            height, width = base.shape[:2]
        heat = cv2.resize(
            self.grid.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR
        )
        sigma = max(blur * width, 0.5)
        heat = cv2.GaussianBlur(heat, (0, 0), sigmaX=sigma, sigmaY=sigma)
        top = float(heat.max())
        if top <= 0:
            return base.copy()
        norm = np.clip(heat / top, 0.0, 1.0)
        colour = cv2.applyColorMap((norm * 255).astype(np.uint8), cv2.COLORMAP_JET)
        weight = (alpha * np.sqrt(norm))[..., None]  # sqrt: faint paths stay visible
        out = base.astype(np.float32) * (1 - weight) + colour.astype(np.float32) * weight
        return np.clip(out + 0.5, 0, 255).astype(np.uint8)

    def render_png(
        self,
        frame: NDArray[np.uint8] | None = None,
        size: tuple[int, int] = (640, 480),
        alpha: float = 0.6,
        blur: float = 0.02,
    ) -> bytes:
        """``render`` encoded as PNG bytes (for reports and the API)."""
        import cv2

        ok, buf = cv2.imencode(".png", self.render(frame, size, alpha, blur))
        if not ok:
            raise RuntimeError("PNG encoding failed")
        return buf.tobytes()
