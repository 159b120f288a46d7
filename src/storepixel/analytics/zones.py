"""Zone membership per track: minimum presence, exit grace and an edge band, then enter/exit.

A track's *side* of the zone changes only when its foot point is at least ``hysteresis`` inside
(or outside) the outline, so jitter on the edge never opens or closes a visit. The *times* are
those of the foot point itself: a visit starts at the first frame of the run inside the outline
that led in, and is reported (``enter``, dated to that frame) once the person has been inside for
``min_presence_s``. It ends when the person has been on the outside, or unseen, for
``exit_grace_s``; the ``exit`` is dated to the last frame inside the outline and carries
``dwell_s = last inside − first inside``. Being unseen or stepping out for less than the grace
keeps the same visit.

A person the tracker still holds as *hidden* (lost: not matched, but remembered and recoverable,
``update(..., hidden=...)``) whose last sighting was on the inside keeps the visit open past the
grace, for at most ``max_hidden_s``: hidden behind another shopper is still being in the zone.
Where they are while hidden is judged by that last sighting, never by the tracker's prediction,
which drifts on a decaying velocity and would move people across an edge they never crossed.
Recovered inside, the visit goes on as one stay (its dwell includes the hidden time, as it
would for anyone watching); recovered outside past the grace, or given up by the tracker, it
ends at the last frame seen inside, so no time after the last sighting is counted.

>>> zone = ZoneCounter("aisle", [(0.2, 0.2), (0.8, 0.2), (0.8, 0.8), (0.2, 0.8)],
...                    min_presence_s=1.0, exit_grace_s=2.0, hysteresis=0.0)
>>> xs = [0.1, 0.5, 0.5, 0.5, None, 0.5, 0.9, 0.9, 0.9, 0.9]  # None: hidden for a frame
>>> for t, x in enumerate(xs):
...     for ch in zone.update([] if x is None else [1], [] if x is None else [[x, 0.5]], float(t)):
...         print(ch.kind, ch.time, ch.dwell_s)
enter 1.0 None
exit 5.0 4.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from storepixel.analytics.geometry import Polygon, as_points
from storepixel.analytics.visits import MAX_HIDDEN_S


@dataclass(frozen=True, slots=True)
class ZoneChange:
    """A visit reported as entered or ended (``time`` is backdated, see the module docs)."""

    zone_id: str
    track: int
    kind: Literal["enter", "exit"]
    time: float
    dwell_s: float | None = None  # on exit
    ended_by: Literal["left", "end"] | None = None  # on exit: walked off, or footage ended


@dataclass(slots=True)
class _Visit:
    first_in: float  # first frame of the run inside the outline that led in
    last_in: float  # last frame inside the outline
    last_side_in: float  # last frame seen on the inside of the band (drives the grace)
    entered: bool = False


@dataclass(slots=True)
class _TrackState:
    inside: bool  # side of the zone after the band
    last_seen: float
    raw_in_since: float | None = None  # start of the current run of frames inside the outline
    visit: _Visit | None = None


class ZoneCounter:
    """Visits of tracks to one polygon zone; ``occupancy`` is the people believed inside now.

    Occupancy counts tracks whose last known side is inside while their visit is open: seen inside
    this frame, or unseen since being seen inside, for less than the grace or while the tracker
    holds them as hidden. It is a live count: someone hidden who turns out to have left (the
    tracker gives them up) was counted until then. People are counted from their first frame
    inside (minimum presence decides whether a *visit* is reported, not whether someone
    physically occupies the zone).
    """

    def __init__(
        self,
        zone_id: str,
        polygon: ArrayLike,
        min_presence_s: float = 1.0,
        exit_grace_s: float = 2.0,
        hysteresis: float = 0.01,
        forget_after_s: float = 60.0,
        max_hidden_s: float = MAX_HIDDEN_S,
    ) -> None:
        if min(min_presence_s, exit_grace_s, hysteresis, max_hidden_s) < 0:
            raise ValueError("min_presence_s, exit_grace_s, hysteresis, max_hidden_s must be >= 0")
        self.zone_id = zone_id
        self.polygon = Polygon(polygon)
        self.min_presence_s = float(min_presence_s)
        self.exit_grace_s = float(exit_grace_s)
        self.hysteresis = float(hysteresis)
        self.forget_after_s = max(float(forget_after_s), self.exit_grace_s)
        self.max_hidden_s = float(max_hidden_s)
        self.visits = 0  # visits reported as entered
        self.dwells: list[float] = []  # dwell of each ended visit, in the order they ended
        self._tracks: dict[int, _TrackState] = {}

    @property
    def occupancy(self) -> int:
        return sum(1 for st in self._tracks.values() if st.visit is not None and st.inside)

    def inside_ids(self) -> list[int]:
        """Tracks counted in ``occupancy``."""
        return sorted(t for t, st in self._tracks.items() if st.visit is not None and st.inside)

    def update(
        self, ids: ArrayLike, points: ArrayLike, timestamp: float, hidden: ArrayLike = ()
    ) -> list[ZoneChange]:
        """Feed the observed foot points of one frame (tracks not listed count as unseen);
        ``hidden``: tracks the tracker still holds without seeing them (see the module docs)."""
        ids_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        held = {int(i) for i in np.asarray(hidden, dtype=np.int64).reshape(-1).tolist()}
        pts = as_points(points)
        t = float(timestamp)
        out: list[ZoneChange] = []
        seen_inside: set[int] = set()
        if len(ids_arr):
            depth = self.polygon.signed_depth(pts)
            for tid, dep in zip(ids_arr.tolist(), depth.tolist(), strict=True):
                st = self._observe(int(tid), float(dep), t)
                if st.inside:
                    change = self._inside(int(tid), st, float(dep), t)
                    if st.visit is not None:
                        seen_inside.add(int(tid))
                    if change is not None:
                        out.append(change)
        for tid, st in self._tracks.items():
            visit = st.visit
            if visit is None or tid in seen_inside or t - visit.last_side_in < self.exit_grace_s:
                continue
            # ``inside`` is the side last seen on: hidden after being seen outside, the grace runs.
            if tid in held and st.inside and t - st.last_seen <= self.max_hidden_s:
                continue
            out.extend(self._close(tid, st, "left"))
        self._forget(t)
        return out

    def flush(self, timestamp: float) -> list[ZoneChange]:
        """End every open visit (end of footage); visits not yet entered are dropped."""
        out: list[ZoneChange] = []
        for tid, st in sorted(self._tracks.items()):
            if st.visit is not None:
                out.extend(self._close(tid, st, "end"))
        self._tracks.clear()
        return out

    def _observe(self, tid: int, depth: float, t: float) -> _TrackState:
        st = self._tracks.get(tid)
        if st is None:
            # First sighting inside the band: take the raw side rather than guess.
            st = _TrackState(inside=depth > 0.0, last_seen=t)
            self._tracks[tid] = st
        if depth > 0.0:
            if st.raw_in_since is None:
                st.raw_in_since = t
        else:
            st.raw_in_since = None
        if depth >= self.hysteresis and depth > 0.0:
            st.inside = True
        elif depth <= -self.hysteresis and depth <= 0.0:
            st.inside = False
        st.last_seen = t
        return st

    def _inside(self, tid: int, st: _TrackState, depth: float, t: float) -> ZoneChange | None:
        """A frame on the inside of the band (the foot may be just outside the outline)."""
        visit = st.visit
        if visit is None:
            if depth <= 0.0:
                return None  # a visit opens only with the foot inside the outline
            first = st.raw_in_since if st.raw_in_since is not None else t
            visit = st.visit = _Visit(first_in=first, last_in=t, last_side_in=t)
        visit.last_side_in = t
        if depth > 0.0:
            visit.last_in = t
        if not visit.entered and visit.last_in - visit.first_in >= self.min_presence_s:
            visit.entered = True
            self.visits += 1
            return ZoneChange(self.zone_id, tid, "enter", visit.first_in)
        return None

    def _close(self, tid: int, st: _TrackState, why: Literal["left", "end"]) -> list[ZoneChange]:
        visit, st.visit = st.visit, None
        st.raw_in_since = None  # a later visit starts from its own frames, not from before a gap
        if visit is None or not visit.entered:
            return []
        dwell = visit.last_in - visit.first_in
        self.dwells.append(dwell)
        return [ZoneChange(self.zone_id, tid, "exit", visit.last_in, dwell, why)]

    def _forget(self, now: float) -> None:
        stale = [
            tid
            for tid, st in self._tracks.items()
            if st.visit is None and now - st.last_seen > self.forget_after_s
        ]
        for tid in stale:
            del self._tracks[tid]
