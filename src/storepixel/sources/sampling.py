"""Choosing which decoded frames to analyse, by capture time rather than by frame index."""

from __future__ import annotations

import math


class TimeSampler:
    """Keeps frames on a regular time grid of ``1 / analysis_fps`` seconds.

    Sampling by time means a 25 fps and a 12.5 fps camera analysed at 5 fps give the same
    cadence, and a stream with jittery or variable frame times does not drift. A frame is taken if
    it is within half a source frame interval of the next grid point, so the grid snaps to the
    nearest real frame. ``analysis_fps=None`` (or at/above the source rate) keeps every frame.

    >>> s = TimeSampler(analysis_fps=5, source_fps=25)
    >>> [t for t in [i / 25 for i in range(11)] if s.take(t)]
    [0.0, 0.2, 0.4]
    """

    def __init__(self, analysis_fps: float | None, source_fps: float | None = None) -> None:
        self.period = 0.0 if not analysis_fps else 1.0 / analysis_fps
        interval = 1.0 / source_fps if source_fps else 0.0
        self.tolerance = max(interval / 2, 1e-4)
        self._start: float | None = None
        self._next_due = -math.inf

    def take(self, offset_s: float) -> bool:
        if self.period <= 0:
            return True
        if self._start is None:
            self._start = offset_s
        if offset_s + self.tolerance < self._next_due:
            return False
        steps = math.floor((offset_s + self.tolerance - self._start) / self.period) + 1
        self._next_due = self._start + steps * self.period
        return True
