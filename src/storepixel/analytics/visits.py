"""Camera visits: a confirmed track appearing in view starts a visit; gone past a grace ends it.

The tracker already demands several matched frames before a track is confirmed, so a visit starts
at the first confirmed frame. A track the tracker no longer reports ends its visit once unseen
for ``grace_s``; the end is dated to the last frame the person was seen. A track it still holds
as *hidden* (lost: not matched, but remembered and recoverable) keeps its visit open past the
grace, for at most ``max_hidden_s``: a person hidden behind another and recovered is one visit,
as they are one stay; if the tracker gives them up, the visit ends at the last sighting all
the same.

>>> v = VisitCounter(grace_s=2.0)
>>> [(c.kind, c.time) for t in range(6) for c in v.update([4] if t < 3 else [], float(t))]
[('start', 0.0), ('end', 2.0)]
>>> v = VisitCounter(grace_s=1.0)  # hidden for 3 s (t = 2-4), then seen again: one visit
>>> seen = lambda t: [4] if t < 2 or 5 <= t < 7 else []
>>> hidden = lambda t: [4] if 2 <= t < 5 else []
>>> [(c.kind, c.time) for t in range(10) for c in v.update(seen(t), float(t), hidden(t))]
[('start', 0.0), ('end', 6.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

# The longest a hidden (lost) track keeps its visits open, whatever the tracker says: longer than
# the bundled tracker's memory (3 s), and a bound on how late an ending can be revealed.
MAX_HIDDEN_S = 10.0


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

    def __init__(self, grace_s: float = 2.0, max_hidden_s: float = MAX_HIDDEN_S) -> None:
        if grace_s < 0 or max_hidden_s < 0:
            raise ValueError("grace_s and max_hidden_s must be >= 0")
        self.grace_s = float(grace_s)
        self.max_hidden_s = float(max_hidden_s)
        self.started = 0
        self.durations: list[float] = []
        self._open: dict[int, _Visit] = {}

    @property
    def in_view(self) -> int:
        """Visits open now (including people hidden for less than the grace)."""
        return len(self._open)

    def update(self, ids: ArrayLike, timestamp: float, hidden: ArrayLike = ()) -> list[VisitChange]:
        """Tracks ``ids`` seen at ``timestamp``; ``hidden``: tracks the tracker still holds
        without seeing them (their visits stay open, see the module docs)."""
        t = float(timestamp)
        out: list[VisitChange] = []
        seen = {int(i) for i in np.asarray(ids, dtype=np.int64).reshape(-1).tolist()}
        held = {int(i) for i in np.asarray(hidden, dtype=np.int64).reshape(-1).tolist()}
        for tid in sorted(seen):
            visit = self._open.get(tid)
            if visit is None:
                self._open[tid] = _Visit(t, t)
                self.started += 1
                out.append(VisitChange(tid, "start", t))
            else:
                visit.last_seen = t
        for tid, visit in list(self._open.items()):
            if tid in seen or t - visit.last_seen < self.grace_s:
                continue
            if tid in held and t - visit.last_seen <= self.max_hidden_s:
                continue
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
