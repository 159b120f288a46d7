"""People-chunks: the stretches of one camera's footage with people in view.

A chunk opens when a confirmed person is in view (reaching back ``pad_s``), stays open across gaps
shorter than ``merge_gap_s`` and closes ``pad_s`` after the last person was seen. A long stay is
split so that no live chunk is older than ``max_chunk_s``; the next part starts ``overlap_s``
before the split, so an action at the cut is seen whole in one of them.

Seconds sent stay within ``max_sent_ratio`` × seconds with someone in view, by construction, on
any footage: when a chunk closes, its padding, merged gaps and overlap share what the ratio leaves
over its people-seconds (each analysed frame showing a confirmed person counts the time since the
frame before it, counted once even where parts overlap). A merged gap that does not fit is cut
out (the largest first), making two chunks; padding and overlap then shrink to fit. Every frame
with someone in view stays inside a chunk: only the empty time around people is given up.

The chunker keeps candidate frames, masked by ``prepare`` (the camera's privacy mask), shrunk
to ``keep_size`` and at most ``candidates_per_s`` a second: enough for frame selection (≤ 1 fps)
to favour change, small enough to hold 15 s of a camera in a few MB. Nothing is written anywhere.

>>> import numpy as np
>>> from storepixel.types import Tracks
>>> c = PeopleChunker("door", max_chunk_s=15, pad_s=1, merge_gap_s=2, overlap_s=1)
>>> img = np.zeros((48, 64, 3), np.uint8)
>>> one = Tracks(np.array([4]), np.array([[10, 10, 20, 40]]), np.array([0.9]), np.array([1]))
>>> out = []
>>> for i in range(0, 100):  # 10 s at 10 fps: a person from 2 s to 5 s
...     t = i / 10
...     out += c.update(t, img, one if 2 <= t < 5 else Tracks.empty())
>>> [(round(ch.start, 3), round(ch.end, 3), sorted(ch.people)) for ch in out]  # ≤ 1.25 × 3 s
[(1.575, 5.325, [4])]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from storepixel.describe.overlay import rescale
from storepixel.types import Tracks, TrackState

# A frame counts as most this long with people in it: a stalled stream must not turn one
# sighting into minutes of allowance.
MAX_FRAME_CREDIT_S = 1.0
EPS = 1e-9


@dataclass(frozen=True, slots=True)
class ChunkFrame:
    """One candidate frame: capture time, the (masked, shrunk) picture, people's boxes in it."""

    time: float
    image: NDArray[np.uint8]
    boxes: tuple[tuple[int, tuple[float, float, float, float]], ...]  # (track id, xyxy) in pixels


@dataclass(frozen=True, slots=True)
class Mark:
    """One analysed frame of an open chunk: who was in view, and the people-seconds it adds
    (the time since the frame before when someone is in view; 0 when nobody is, or when the
    previous part of a split stay already counted it)."""

    time: float
    people: tuple[int, ...]
    credit: float
    new: bool = True  # False for the overlap carried into the next part of a split stay


@dataclass(slots=True)
class Chunk:
    camera_id: str
    start: float
    end: float
    frames: list[ChunkFrame] = field(default_factory=list)
    people: set[int] = field(default_factory=set)
    part: int = 0  # 0 for a whole stay; 1, 2, … for the parts of a split one
    people_s: float = 0.0  # seconds with someone in view that this chunk counts (see above)

    @property
    def seconds(self) -> float:
        return self.end - self.start


def _present(tracks: Tracks) -> list[int]:
    return [
        int(i) for i, s in zip(tracks.ids, tracks.state, strict=True) if s == TrackState.CONFIRMED
    ]


@dataclass(slots=True)
class _Run:
    """Consecutive analysed frames with someone in view."""

    first: float
    last: float
    credit: float


def _runs(marks: list[Mark]) -> list[_Run]:
    runs: list[_Run] = []
    inside = False
    for m in marks:
        if m.people and m.new:
            if inside:
                runs[-1].last = m.time
                runs[-1].credit += m.credit
            else:
                runs.append(_Run(m.time, m.time, m.credit))
            inside = True
        else:
            inside = False
    return runs


def fit(
    runs: list[_Run], ratio: float, lead: float, tail: float, pad: float
) -> list[tuple[float, float, float]]:
    """Cut runs of people into pieces whose span fits ``ratio`` × their people-seconds, and pad
    each with what is left: (start, end, people-seconds) per piece.

    ``lead``/``tail`` is the context available before the first run and after the last (padding
    or a split's overlap); between pieces each side may take up to ``pad`` and half the gap.

    >>> fit([_Run(2.0, 4.8, 3.0)], 1.25, lead=1.0, tail=1.0, pad=1.0)  # 0.95 s of context
    [(1.525, 5.275, 3.0)]
    >>> [p[:2] for p in fit([_Run(0, 2, 2), _Run(4.5, 6.5, 2)], 1.25, 0, 0, 1)]  # 2.5 s gap cut
    [(0, 2.5), (4.0, 6.5)]
    """
    pieces = [runs]
    while True:
        over = [
            i
            for i, p in enumerate(pieces)
            if len(p) > 1 and p[-1].last - p[0].first > ratio * sum(r.credit for r in p) + EPS
        ]
        if not over:
            break
        p = pieces[over[0]]
        cut = max(range(1, len(p)), key=lambda k: p[k].first - p[k - 1].last)
        pieces[over[0] : over[0] + 1] = [p[:cut], p[cut:]]
    out = []
    for i, piece in enumerate(pieces):
        a, b = piece[0].first, piece[-1].last
        credit = sum(r.credit for r in piece)
        spare = max(0.0, ratio * credit - (b - a))
        before = lead if i == 0 else min(pad, (a - pieces[i - 1][-1].last) / 2)
        after = tail if i == len(pieces) - 1 else min(pad, (pieces[i + 1][0].first - b) / 2)
        take_after = min(after, spare / 2)
        take_before = min(before, spare - take_after)
        take_after = min(after, spare - take_before)
        out.append((a - take_before, b + take_after, credit))
    return out


class PeopleChunker:
    """Feed every analysed frame of one camera in capture order; get closed chunks back."""

    def __init__(
        self,
        camera_id: str,
        *,
        max_chunk_s: float = 15.0,
        pad_s: float = 1.0,
        merge_gap_s: float = 3.0,
        overlap_s: float = 1.0,
        max_sent_ratio: float = 1.25,
        keep_size: int = 640,
        candidates_per_s: float = 3.0,
        prepare: Callable[[NDArray[np.uint8]], NDArray[np.uint8]] | None = None,
    ) -> None:
        if merge_gap_s < pad_s:
            merge_gap_s = pad_s  # a chunk cannot close before its padding has been seen
        self.camera_id = camera_id
        self.max_chunk_s = max_chunk_s
        self.pad_s = pad_s
        self.merge_gap_s = merge_gap_s
        self.overlap_s = min(overlap_s, max_chunk_s / 2)
        self.max_sent_ratio = max_sent_ratio
        self.keep_size = keep_size
        self.min_step = 1.0 / candidates_per_s
        self.prepare = prepare  # the camera's privacy mask: applied to every frame kept
        self._open: Chunk | None = None
        self._marks: list[Mark] = []  # every analysed frame of the open chunk
        self._last_seen = 0.0
        self._preroll: deque[ChunkFrame] = deque()
        self._last_kept: float | None = None
        self._first: float | None = None  # first capture time seen: a chunk starts no earlier
        self._prev: float | None = None  # the previous analysed frame's capture time

    @property
    def open_since(self) -> float | None:
        return None if self._open is None else self._open.start

    def update(self, t: float, image: NDArray[np.uint8], tracks: Tracks) -> list[Chunk]:
        """Take one frame (masked here by ``prepare``); the chunks this frame closes."""
        present = _present(tracks)
        if self._first is None:
            self._first = t
        credit = 0.0
        if present and self._prev is not None:
            credit = min(t - self._prev, MAX_FRAME_CREDIT_S)
        self._prev = t
        frame = self._keep(t, image, tracks)
        closed: list[Chunk] = []
        chunk = self._open
        if chunk is None:
            if frame is not None:
                self._preroll.append(frame)
            while self._preroll and self._preroll[0].time < t - self.pad_s - EPS:
                self._preroll.popleft()
            if not present:
                return closed
            start = max(self._first, t - self.pad_s)
            chunk = self._open = Chunk(self.camera_id, start, t, list(self._preroll))
            self._preroll.clear()
            self._marks = []
        elif frame is not None:
            chunk.frames.append(frame)
        chunk.end = t
        self._marks.append(Mark(t, tuple(present), credit))
        if present:
            self._last_seen = t
        full = t - chunk.start >= self.max_chunk_s - EPS
        if not present and (full or t - self._last_seen >= self.merge_gap_s):
            return self._close(min(t, self._last_seen + self.pad_s))  # nobody: no overlap needed
        if full:
            return self._split(t)
        return closed

    def finish(self) -> list[Chunk]:
        """End of footage: close what is open at the last frame seen."""
        if self._open is None:
            return []
        return self._close(min(self._open.end, self._last_seen + self.pad_s))

    def _pieces(self, chunk: Chunk, marks: list[Mark], end: float) -> list[Chunk]:
        """The open chunk, closed at ``end``, as chunks that fit ``max_sent_ratio``."""
        runs = _runs(marks)
        if not runs:  # a split's last part with nobody new in it: all of it was sent already
            return []
        lead = max(0.0, runs[0].first - chunk.start)
        tail = max(0.0, end - runs[-1].last)
        out = []
        for start, stop, credit in fit(runs, self.max_sent_ratio, lead, tail, self.pad_s):
            people = {p for m in marks if start - EPS <= m.time <= stop + EPS for p in m.people}
            frames = [f for f in chunk.frames if start - EPS <= f.time <= stop + EPS]
            out.append(Chunk(self.camera_id, start, stop, frames, people, chunk.part, credit))
        return out

    def _close(self, end: float) -> list[Chunk]:
        chunk, self._open = self._open, None
        assert chunk is not None
        self._preroll.clear()
        return self._pieces(chunk, self._marks, end)

    def _split(self, t: float) -> list[Chunk]:
        """Close the open chunk at ``t`` and open the next part ``overlap_s`` before it."""
        chunk = self._open
        assert chunk is not None
        part = chunk.part or 1
        chunk.part = part
        closed = self._pieces(chunk, self._marks, t)
        start = t - self.overlap_s
        carried = [f for f in chunk.frames if f.time >= start - EPS]
        # The overlap is context for the next part: its people-seconds were counted here.
        self._marks = [
            Mark(m.time, m.people, 0.0, False) for m in self._marks if m.time >= start - EPS
        ]
        people = {p for m in self._marks for p in m.people}
        self._open = Chunk(self.camera_id, start, t, carried, people, part + 1)
        return closed

    def _keep(self, t: float, image: NDArray[np.uint8], tracks: Tracks) -> ChunkFrame | None:
        """The frame as a candidate (shrunk), or ``None`` when one was kept very recently."""
        if self._last_kept is not None and t - self._last_kept < self.min_step - 1e-6:
            return None
        self._last_kept = t
        if self.prepare is not None:
            image = self.prepare(image)
        h, w = image.shape[:2]
        scale = min(1.0, self.keep_size / max(h, w))
        small = rescale(image, scale)
        boxes = tuple(
            (int(tid), tuple(float(v) * scale for v in box))
            for tid, box, state in zip(tracks.ids, tracks.xyxy, tracks.state, strict=True)
            if state == TrackState.CONFIRMED
        )
        return ChunkFrame(t, small, boxes)  # type: ignore[arg-type]
