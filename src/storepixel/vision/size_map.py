"""How tall a person is at each place of one camera's view, learned from what it detects.

A fixed camera looking down at a flat floor sees a standing person's pixel height grow linearly
with how low their feet are in the picture: ``height = slope · (foot_y − horizon_y)`` (a pinhole
camera without roll; the floor's horizon is where people would shrink to nothing). So two
numbers describe the whole view, and they can be learned from the detector's own confident,
uncut boxes while the camera runs: a weighted least-squares line through (foot y, height), its
sums decaying so that a moved camera relearns within minutes, outliers (a child, a person cut by
a shelf, a false box) down-weighted once a line exists.

What it is for: the detector's default input shrinks a far person below what the model finds
(NanoDet at 416 wide finds few people under ~55 px of its input). ``far_band`` says which rows of
the frame hold people that small; the detector then spends extra passes only there, sliced and
upscaled (``OnnxDetector``), and nowhere on a camera whose people are all big enough.

>>> m = PersonSizeMap()
>>> for y in range(150, 480, 10):  # a camera whose horizon is at y = 50, 0.5 px per px
...     m.add(y, 0.5 * (y - 50))
>>> round(m.height_at(250), 1), round(m.horizon_y, 1), m.converged
(100.0, 50.0, True)
"""

from __future__ import annotations

import numpy as np

MIN_SAMPLES = 20  # boxes before the line is trusted
MIN_SPREAD_PX = 20.0  # and their feet must span this many rows (else the slope is a guess)


class PersonSizeMap:
    """Online fit of person height against foot row for one camera.

    ``half_life``: samples after which an old sample weighs half (forgetting, for cameras that
    are moved or zoomed); ``outlier``: once converged, a sample further than this fraction from
    the line weighs a tenth.
    """

    def __init__(self, half_life: float = 2000.0, outlier: float = 0.35) -> None:
        self.decay = 0.5 ** (1.0 / half_life)
        self.outlier = outlier
        # Weighted sums for least squares of h on y: n, Σy, Σh, Σy², Σyh.
        self._s = np.zeros(5)
        self._y_lo, self._y_hi = np.inf, -np.inf
        self.samples = 0

    def add(self, foot_y: float, height: float) -> None:
        if height <= 0:
            return
        w = 1.0
        if self.converged:
            expected = self.height_at(foot_y)
            if expected <= 0 or abs(height - expected) > self.outlier * expected:
                w = 0.1
        self._s *= self.decay
        self._s += w * np.array([1.0, foot_y, height, foot_y * foot_y, foot_y * height])
        self._y_lo, self._y_hi = min(self._y_lo, foot_y), max(self._y_hi, foot_y)
        self.samples += 1

    def seed(
        self, slope: float, horizon_y: float, y_lo: float, y_hi: float, weight: int = 50
    ) -> None:
        """Start from a measured line (``storepixel calibrate``) as if ``weight`` people had been
        seen along it, spread over the foot rows ``y_lo``..``y_hi``; new people still move it."""
        for y in np.linspace(y_lo, y_hi, weight):
            self.add(float(y), slope * (float(y) - horizon_y))

    def describe(self) -> tuple[float, float, float, float] | None:
        """(slope, horizon row, lowest and highest foot row seen), what ``seed`` takes; None
        while not converged."""
        if not self.converged:
            return None
        return (self.slope, self.horizon_y, float(self._y_lo), float(self._y_hi))

    def add_boxes(self, xyxy: np.ndarray, frame_size: tuple[int, int], margin: float = 2.0) -> None:
        """Learn from boxes not cut by the frame's edges (a cut box is not a person's height)."""
        width, height = frame_size
        for x1, y1, x2, y2 in np.asarray(xyxy, np.float64).reshape(-1, 4):
            if y1 > margin and y2 < height - margin and x1 > margin and x2 < width - margin:
                self.add(y2, y2 - y1)

    def _line(self) -> tuple[float, float]:
        n, sy, sh, syy, syh = self._s
        den = n * syy - sy * sy
        if n <= 0 or den <= 1e-9:
            return 0.0, (sh / n if n > 0 else 0.0)
        slope = (n * syh - sy * sh) / den
        return float(slope), float((sh - slope * sy) / n)

    @property
    def converged(self) -> bool:
        return self.samples >= MIN_SAMPLES and self._y_hi - self._y_lo >= MIN_SPREAD_PX

    @property
    def slope(self) -> float:
        return self._line()[0]

    @property
    def horizon_y(self) -> float:
        """Row where people would shrink to nothing (may lie above the frame)."""
        slope, icpt = self._line()
        return -icpt / slope if slope > 1e-6 else -np.inf

    def height_at(self, foot_y: float) -> float:
        """Expected height in pixels of a person whose feet are at row ``foot_y``."""
        slope, icpt = self._line()
        return slope * foot_y + icpt

    def far_band(self, min_height: float, frame_height: int) -> tuple[int, int] | None:
        """Rows ``(top, bottom)`` of the frame holding people shorter than ``min_height`` (their
        heads included), or None when there are none or the map is not trusted yet."""
        if not self.converged or self.slope <= 1e-6:
            return None
        slope, icpt = self._line()
        foot_limit = (min_height - icpt) / slope  # feet above this row: smaller than min_height
        if foot_limit <= 0:
            return None
        bottom = int(min(frame_height, np.ceil(foot_limit + 0.1 * min_height)))
        top = int(max(0.0, np.floor(self.horizon_y)))
        return (top, bottom) if bottom - top >= 16 else None
