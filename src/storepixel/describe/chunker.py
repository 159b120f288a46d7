"""People-chunks: the stretches of one camera's footage with people in view.

A chunk opens when a confirmed person is in view (reaching back ``pad_s``), stays open across gaps
shorter than ``merge_gap_s`` and closes ``pad_s`` after the last person was seen. A long stay is
split so that no live chunk is older than ``max_chunk_s``; the next part starts ``overlap_s``
before the split, so an action at the cut is seen whole in one of them.

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
>>> [(ch.start, ch.end, sorted(ch.people)) for ch in out]
[(1.0, 5.9, [4])]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from storepixel.describe.overlay import rescale
from storepixel.types import Tracks, TrackState


@dataclass(frozen=True, slots=True)
class ChunkFrame:
    """One candidate frame: capture time, the (masked, shrunk) picture, people's boxes in it."""

    time: float
    image: NDArray[np.uint8]
    boxes: tuple[tuple[int, tuple[float, float, float, float]], ...]  # (track id, xyxy) in pixels


@dataclass(slots=True)
class Chunk:
    camera_id: str
    start: float
    end: float
    frames: list[ChunkFrame] = field(default_factory=list)
    people: set[int] = field(default_factory=set)
    part: int = 0  # 0 for a whole stay; 1, 2, … for the parts of a split one

    @property
    def seconds(self) -> float:
        return self.end - self.start


def _present(tracks: Tracks) -> list[int]:
    return [
        int(i) for i, s in zip(tracks.ids, tracks.state, strict=True) if s == TrackState.CONFIRMED
    ]


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
        self.keep_size = keep_size
        self.min_step = 1.0 / candidates_per_s
        self.prepare = prepare  # the camera's privacy mask: applied to every frame kept
        self._open: Chunk | None = None
        self._last_seen = 0.0
        self._preroll: deque[ChunkFrame] = deque()
        self._last_kept: float | None = None
        self._first: float | None = None  # first capture time seen: a chunk starts no earlier

    @property
    def open_since(self) -> float | None:
        return None if self._open is None else self._open.start

    def update(self, t: float, image: NDArray[np.uint8], tracks: Tracks) -> list[Chunk]:
        """Take one frame (masked here by ``prepare``); the chunks this frame closes."""
        present = _present(tracks)
        if self._first is None:
            self._first = t
        frame = self._keep(t, image, tracks)
        closed: list[Chunk] = []
        chunk = self._open
        if chunk is None:
            if frame is not None:
                self._preroll.append(frame)
            while self._preroll and self._preroll[0].time < t - self.pad_s - 1e-9:
                self._preroll.popleft()
            if not present:
                return closed
            start = max(self._first, t - self.pad_s)
            chunk = self._open = Chunk(self.camera_id, start, t, list(self._preroll))
            self._preroll.clear()
        elif frame is not None:
            chunk.frames.append(frame)
        chunk.end = t
        if present:
            self._last_seen = t
            chunk.people.update(present)
        elif t - self._last_seen >= self.merge_gap_s:
            closed.append(self._close(min(t, self._last_seen + self.pad_s)))
            return closed
        if present and t - chunk.start >= self.max_chunk_s - 1e-9:
            closed.append(self._split(t))
        return closed

    def finish(self) -> list[Chunk]:
        """End of footage: close what is open at the last frame seen."""
        if self._open is None:
            return []
        return [self._close(min(self._open.end, self._last_seen + self.pad_s))]

    def _close(self, end: float) -> Chunk:
        chunk, self._open = self._open, None
        assert chunk is not None
        chunk.end = end
        chunk.frames = [f for f in chunk.frames if f.time <= end + 1e-9]
        self._preroll.clear()
        return chunk

    def _split(self, t: float) -> Chunk:
        """Close the open chunk at ``t`` and open the next part ``overlap_s`` before it."""
        chunk = self._open
        assert chunk is not None
        part = chunk.part or 1
        chunk.part = part
        start = t - self.overlap_s
        carried = [f for f in chunk.frames if f.time >= start - 1e-9]
        people = {tid for f in carried for tid, _ in f.boxes}
        self._open = Chunk(self.camera_id, start, t, carried, people, part + 1)
        return chunk

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
