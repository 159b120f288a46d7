"""Track output for a whole file, where looking back is allowed: ``storepixel track`` writes it.

An online tracker must report a person late (only once confirmed) and cannot say where a hidden
person was until they reappear. Over a file both can be fixed after the fact, as offline MOT
trackers do:

- **backfill**: once a track is confirmed, the frames it was seen in while still tentative are
  the same person (the tracker keeps one id from birth), so they are written too; a tentative
  track that never confirms is never written;
- **interpolation**: a gap of at most ``max_gap_s`` between two sightings of one id (the
  tracker lost the person and recovered them) is filled with boxes linearly interpolated between
  the sightings, at the analysed frames in between. Longer gaps stay gaps;
- **stitching**: a track that ends and another that starts within ``max_gap_s``, never seen
  together, where the first one's motion puts the second one's start, are one person hidden
  for a moment whom the tracker did not recover: one id, the gap interpolated
  (``tracking.stitch``).

>>> import numpy as np
>>> from storepixel.types import Tracks, TrackState
>>> log = TrackLog(max_gap_s=1.0)
>>> T, C, L = TrackState.TENTATIVE, TrackState.CONFIRMED, TrackState.LOST
>>> for f, (x, state) in enumerate([(0, T), (10, C), (20, L), (30, C)], start=1):
...     log.add(f, f * 0.1, Tracks([5], [[x, 0, x + 10, 30]], [0.9], [state]))
>>> [(r[0], r[1], r[2]) for r in log.rows()]
[(1, 5, 0.0), (2, 5, 10.0), (3, 5, 20.0), (4, 5, 30.0)]
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from storepixel.tracking.stitch import StitchConfig, Tracklet, stitch
from storepixel.types import Tracks, TrackState

MotRow = tuple[int, int, float, float, float, float, float]


@dataclass(frozen=True, slots=True)
class _Sighting:
    frame: int
    time: float
    box: NDArray[np.float64]  # xyxy
    confidence: float


class TrackLog:
    """Collects the tracker's output frame by frame; ``rows()`` gives the looked-back result."""

    def __init__(self, max_gap_s: float = 3.0, stitching: StitchConfig | None = None) -> None:
        if max_gap_s < 0:
            raise ValueError("max_gap_s must be >= 0")
        self.max_gap_s = float(max_gap_s)
        self.stitching = stitching or StitchConfig()
        self._frames: list[int] = []  # analysed frames, in order
        self._seen: dict[int, list[_Sighting]] = defaultdict(list)
        self._confirmed: set[int] = set()
        self._frame_size: tuple[int, int] | None = None

    def add(
        self,
        frame: int,
        timestamp: float,
        tracks: Tracks,
        frame_size: tuple[int, int] | None = None,
    ) -> None:
        """One analysed frame (1-based ``frame`` number) and what the tracker reported for it;
        ``frame_size`` (width, height) lets stitching tell someone who walked out of the
        picture from someone hidden in it."""
        self._frames.append(int(frame))
        if frame_size is not None:
            self._frame_size = (int(frame_size[0]), int(frame_size[1]))
        for tid, box, conf, state in zip(
            tracks.ids.tolist(),
            tracks.xyxy,
            tracks.confidence.tolist(),
            tracks.state.tolist(),
            strict=True,
        ):
            if state == TrackState.LOST:
                continue  # a prediction, not a sighting
            if state == TrackState.CONFIRMED:
                self._confirmed.add(int(tid))
            self._seen[int(tid)].append(
                _Sighting(int(frame), float(timestamp), np.asarray(box, np.float64), float(conf))
            )

    def boxes(self) -> dict[int, list[NDArray[np.float64]]]:
        """The xyxy boxes each confirmed track was seen at."""
        return {tid: [s.box for s in self._seen[tid]] for tid in self._confirmed}

    def joins(self, ids: set[int]) -> dict[int, int]:
        """``{later id: earlier id}`` of the tracks among ``ids`` that are one person
        (``tracking.stitch``)."""
        tracklets = [
            Tracklet(
                tid,
                np.array([s.time for s in self._seen[tid]]),
                np.array([s.box for s in self._seen[tid]]).reshape(-1, 4),
            )
            for tid in sorted(ids)
            if self._seen[tid]
        ]
        return stitch(tracklets, self.max_gap_s, self.stitching, self._frame_size)

    def rows(
        self, interpolate: bool = True, drop: set[int] | None = None, join: bool = True
    ) -> list[MotRow]:
        """``(frame, id, x, y, w, h, conf)`` of every confirmed track (less the ids in ``drop``:
        static objects; with ``join``, stitched tracks under their first id), sorted by frame
        and id."""
        index = {f: i for i, f in enumerate(self._frames)}
        keep = self._confirmed - (drop or set())
        joined = self.joins(keep) if join else {}
        people: dict[int, list[_Sighting]] = defaultdict(list)
        for tid in sorted(keep):
            people[joined.get(tid, tid)].extend(self._seen[tid])
        out: list[MotRow] = []
        for tid, seen in people.items():
            seen.sort(key=lambda s: s.frame)
            for a, b in pairwise(seen):
                out.append(_row(a.frame, tid, a.box, a.confidence))
                if interpolate and b.time - a.time <= self.max_gap_s:
                    between = self._frames[index[a.frame] + 1 : index[b.frame]]
                    conf = min(a.confidence, b.confidence)
                    for f in between:
                        w = (f - a.frame) / (b.frame - a.frame)
                        out.append(_row(f, tid, (1 - w) * a.box + w * b.box, conf))
            last = seen[-1]
            out.append(_row(last.frame, tid, last.box, last.confidence))
        out.sort(key=lambda r: (r[0], r[1]))
        return out


def _row(frame: int, tid: int, box: NDArray[np.float64], conf: float) -> MotRow:
    x1, y1, x2, y2 = (float(v) for v in box)
    return (frame, tid, x1, y1, x2 - x1, y2 - y1, conf)
