"""Camera visits: a confirmed track appearing in view starts a visit; gone past a grace ends it.

The tracker already demands several matched frames before a track is confirmed, so a visit starts
at the first confirmed frame. Lost (predicted) or deleted tracks end their visit once unseen for
``grace_s``; the end is dated to the last frame the person was seen.

>>> v = VisitCounter(grace_s=2.0)
>>> [(c.kind, c.time) for t in range(6) for c in v.update([4] if t < 3 else [], float(t))]
[('start', 0.0), ('end', 2.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True, slots=True)
class VisitChange:
    track: int
    kind: Literal["start", "end"]
    time: float
    duration_s: float | None = None  # on end
    ended_by: Literal["left", "end"] | None = None


@dataclass(slots=True)
class _Visit:
    first_seen: float
    last_seen: float


class VisitCounter:
    """Start/end of each confirmed track's presence in one camera's view."""

    def __init__(self, grace_s: float = 2.0) -> None:
        if grace_s < 0:
            raise ValueError("grace_s must be >= 0")
        self.grace_s = float(grace_s)
        self.started = 0
        self.durations: list[float] = []
        self._open: dict[int, _Visit] = {}

    @property
    def in_view(self) -> int:
        """Visits open now (including people hidden for less than the grace)."""
        return len(self._open)

    def update(self, ids: ArrayLike, timestamp: float) -> list[VisitChange]:
        t = float(timestamp)
        out: list[VisitChange] = []
        seen = {int(i) for i in np.asarray(ids, dtype=np.int64).reshape(-1).tolist()}
        for tid in sorted(seen):
            visit = self._open.get(tid)
            if visit is None:
                self._open[tid] = _Visit(t, t)
                self.started += 1
                out.append(VisitChange(tid, "start", t))
            else:
                visit.last_seen = t
        for tid in [
            k for k, v in self._open.items() if k not in seen and t - v.last_seen >= self.grace_s
        ]:
            out.append(self._end(tid, "left"))
        return out

    def flush(self) -> list[VisitChange]:
        """End every open visit (end of footage)."""
        return [self._end(tid, "end") for tid in sorted(self._open)]

    def _end(self, tid: int, why: Literal["left", "end"]) -> VisitChange:
        visit = self._open.pop(tid)
        duration = visit.last_seen - visit.first_seen
        self.durations.append(duration)
        return VisitChange(tid, "end", visit.last_seen, duration, why)
