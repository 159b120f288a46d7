"""Directional line crossings as a per-track state machine with a hysteresis band.

Each track has a *reference side* of the line. It changes only when the foot point is seen beyond
the band (``|distance| >= hysteresis``) on the other side, and the change counts as a crossing
only if the foot point passed through the segment itself (not beside one of its ends). So:

- dithering on the line, or jitter inside the band, counts nothing;
- crossing in and later back out counts ``in`` once and ``out`` once (that really happened);
- a person hidden while crossing still counts, from the positions before and after.

A track's first position decides its starting side, even inside the band, so a person first seen
on the line who walks off the other side is counted.

A door the camera sees from the side (a shop door in a corridor's wall) hides one side of its
line: people come out of nowhere at the line and vanish into it, so their foot point is never
seen beyond the band on that side. With ``hidden_side`` set, a track first seen within
``door_band`` of the line (beside the segment, not past its ends) starts on the hidden side, and
a track last seen within the band (or past the line) that stays unseen for ``vanish_s`` has gone
through: counted at the time it was last seen.

>>> counter = LineCounter("door", (0.1, 0.6), (0.9, 0.6), hysteresis=0.02)
>>> path = [0.50, 0.59, 0.61, 0.595, 0.605, 0.65, 0.70]  # y of one walker going down the image
>>> crossings = [c for t, y in enumerate(path) for c in counter.update([7], [[0.5, y]], float(t))]
>>> [(c.direction, c.time) for c in crossings], counter.in_count, counter.out_count
([('in', 4.0)], 1, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from storepixel.analytics.geometry import DirectedLine, PointLike, as_points

Direction = Literal["in", "out"]


@dataclass(frozen=True, slots=True)
class Crossing:
    """One counted crossing; ``time``: the first frame past the line on its final pass."""

    line_id: str
    track: int
    time: float
    direction: Direction


@dataclass(slots=True)
class _TrackState:
    side: int  # reference side: +1 right ("in" side), -1 left
    last_d: float  # signed distance at the last observation
    last_u: float  # position along the segment at the last observation (0..1 inside)
    last_time: float
    pending_ok: bool | None = None  # last sign change since the reference: through the segment?
    pending_time: float = 0.0
    vanished: bool = False  # already counted as gone through a door's hidden side


def _sign(d: float) -> int:
    return 1 if d >= 0.0 else -1


class LineCounter:
    """Counts ``in``/``out`` crossings of one directed line from tracks' normalised foot points.

    ``forget_after_s`` drops tracks unseen for that long, so memory stays bounded on live cameras.
    ``hidden_side`` (``"in"`` or ``"out"``), ``door_band`` and ``vanish_s``: a door whose far
    side the camera cannot see (module doc).
    """

    def __init__(
        self,
        line_id: str,
        a: PointLike,
        b: PointLike,
        hysteresis: float = 0.02,
        forget_after_s: float = 60.0,
        hidden_side: Direction | None = None,
        door_band: float = 0.05,
        vanish_s: float = 3.0,
    ) -> None:
        if hysteresis < 0:
            raise ValueError("hysteresis must be >= 0")
        # +1: the "in" side (right of the line) is hidden; -1: the "out" side; 0: both seen.
        self.hidden = {"in": 1, "out": -1, None: 0}[hidden_side]
        self.door_band = float(door_band)
        self.vanish_s = float(vanish_s)
        self.line_id = line_id
        self.line = DirectedLine(a, b)
        self.hysteresis = float(hysteresis)
        self.forget_after_s = float(forget_after_s)
        self.in_count = 0
        self.out_count = 0
        self._tracks: dict[int, _TrackState] = {}

    def update(self, ids: ArrayLike, points: ArrayLike, timestamp: float) -> list[Crossing]:
        """Feed the observed (not predicted) foot points of one frame; returns new crossings."""
        ids_arr = np.asarray(ids, dtype=np.int64).reshape(-1)
        pts = as_points(points)
        out: list[Crossing] = []
        if len(ids_arr):
            dist = self.line.side(pts)
            along = self.line.along(pts)
            for tid, d, u in zip(ids_arr.tolist(), dist.tolist(), along.tolist(), strict=True):
                crossing = self._step(int(tid), float(d), float(u), timestamp)
                if crossing is not None:
                    out.append(crossing)
        if self.hidden:
            out.extend(self._vanish(timestamp))
        self._forget(timestamp)
        return out

    def _at_door(self, d: float, u: float) -> bool:
        return 0.0 <= u <= 1.0 and (abs(d) < self.door_band or _sign(d) == self.hidden)

    def _vanish(self, now: float) -> list[Crossing]:
        """Tracks last seen at the door, on the seen side, and unseen since: gone through."""
        out = []
        for tid, st in self._tracks.items():
            if (
                st.side == -self.hidden
                and not st.vanished
                and now - st.last_time > self.vanish_s
                and self._at_door(st.last_d, st.last_u)
            ):
                st.side, st.vanished, st.pending_ok = self.hidden, True, None
                out.append(self._count(tid, st.last_time, self.hidden))
        return out

    def _count(self, tid: int, t: float, side: int) -> Crossing:
        direction: Direction = "in" if side > 0 else "out"
        if direction == "in":
            self.in_count += 1
        else:
            self.out_count += 1
        return Crossing(self.line_id, tid, t, direction)

    def _step(self, tid: int, d: float, u: float, t: float) -> Crossing | None:
        st = self._tracks.get(tid)
        if st is None:
            if self.hidden and abs(d) < self.door_band and 0.0 <= u <= 1.0:
                # Out of nowhere at a door: came through it, from the side the camera cannot see.
                st = _TrackState(self.hidden, d, u, t, pending_ok=True, pending_time=t)
            else:
                st = _TrackState(side=_sign(d), last_d=d, last_u=u, last_time=t)
            self._tracks[tid] = st
            return None
        if st.vanished:  # seen again after it was counted through the door
            st.vanished = False
            if abs(d) < self.door_band and 0.0 <= u <= 1.0:
                st.pending_ok, st.pending_time = True, t  # back out the same way
            else:
                st.side = _sign(d)  # it had not gone: carry on from where it is
        if _sign(d) != _sign(st.last_d):
            # Where along the segment did the foot pass the line? Interpolate between positions.
            frac = st.last_d / (st.last_d - d) if st.last_d != d else 0.0
            u_cross = st.last_u + (u - st.last_u) * frac
            st.pending_ok = 0.0 <= u_cross <= 1.0
            st.pending_time = t
        result: Crossing | None = None
        if abs(d) >= self.hysteresis:
            if _sign(d) != st.side:
                if st.pending_ok:
                    result = self._count(tid, st.pending_time, _sign(d))
                st.side = _sign(d)
            st.pending_ok = None  # settled on a side: earlier sign changes no longer matter
        st.last_d, st.last_u, st.last_time = d, u, t
        return result

    def _forget(self, now: float) -> None:
        stale = [
            tid for tid, st in self._tracks.items() if now - st.last_time > self.forget_after_s
        ]
        for tid in stale:
            del self._tracks[tid]
