"""People-chunks on many random presence patterns: every frame with someone in view lies inside
a chunk, seconds sent stay within ``max_sent_ratio`` × seconds with people (overlaps counted
twice), and no live chunk is older than ``max_chunk_s`` when it is handed over."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.describe.chunker import Chunk, PeopleChunker
from storepixel.types import Tracks

IMG = np.zeros((24, 32, 3), np.uint8)


def tracks(ids: list[int]) -> Tracks:
    if not ids:
        return Tracks.empty()
    n = len(ids)
    boxes = np.tile(np.array([[2.0, 2.0, 10.0, 20.0]]), (n, 1))
    return Tracks(np.array(ids), boxes, np.full(n, 0.9), np.ones(n, dtype=int))


def presence(rng: np.random.Generator, frames: int) -> list[list[int]]:
    """Stays of random length, gaps of random length, and detector flicker inside stays."""
    out: list[list[int]] = []
    track = 1
    while len(out) < frames:
        out += [[]] * int(rng.integers(0, 40))
        stay = int(rng.integers(1, 150))
        flicker = float(rng.choice([0.0, 0.1, 0.4]))
        out += [[] if rng.random() < flicker else [track] for _ in range(stay)]
        track += 1
    return out[:frames]


@pytest.mark.parametrize("seed", range(8))
def test_chunks_cover_people_and_stay_within_the_ratio(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ratio, max_chunk = 1.25, 15.0
    chunker = PeopleChunker("c", max_chunk_s=max_chunk, pad_s=1.0, merge_gap_s=3.0, overlap_s=1.0)
    t, chunks, present_s, seen = 0.0, list[Chunk](), 0.0, list[float]()
    previous = None
    for ids in presence(rng, 1500):
        t += float(rng.choice([0.2, 0.2, 0.2, 0.4]))  # 5 fps with dropped frames
        if ids and previous is not None:
            present_s += t - previous
            seen.append(t)
        previous = t
        for c in chunker.update(t, IMG, tracks(ids)):
            assert t - c.start <= max_chunk + 3.0 + 1e-6  # split at 15 s, or closed 3 s after
            chunks.append(c)
    chunks += chunker.finish()
    assert all(any(c.start - 1e-9 <= s <= c.end + 1e-9 for c in chunks) for s in seen)
    assert sum(c.seconds for c in chunks) <= ratio * present_s + 1e-6
    assert all(c.seconds <= max_chunk + 0.4 + 1e-6 for c in chunks)  # split at the next frame
    assert all(c.end >= c.start for c in chunks)


def test_a_long_stay_is_split_with_overlap_and_short_stays_get_less_padding() -> None:
    chunker = PeopleChunker("c", max_chunk_s=15.0, pad_s=1.0, overlap_s=1.0)
    out: list[Chunk] = []
    for i in range(300):  # 60 s at 5 fps: someone from 10 s to 50 s
        t = i / 5
        out += chunker.update(t, IMG, tracks([7] if 10 <= t < 50 else []))
    out += chunker.finish()
    assert len(out) == 3
    assert out[0].start == pytest.approx(9.0) and out[0].end == pytest.approx(24.0)
    assert out[1].start == pytest.approx(23.0)  # the next part starts 1 s before the cut
    assert out[-1].end == pytest.approx(50.0, abs=1.01)
    assert all(c.people == {7} for c in out)
