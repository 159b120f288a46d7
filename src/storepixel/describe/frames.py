"""Which of a chunk's candidate frames are sent: within a token budget, at most one a second,
at least three, favouring the frames where the picture changed most; first and last always in.

>>> import numpy as np
>>> from storepixel.describe.chunker import ChunkFrame
>>> still = np.zeros((24, 32, 3), np.uint8)
>>> moved = still.copy(); moved[:, :16] = 255
>>> frames = [ChunkFrame(t / 3, moved if t == 7 else still, ()) for t in range(31)]  # 10 s
>>> [round(f.time, 2) for f in select_frames(frames, max_frames=3)]
[0.0, 2.33, 10.0]
>>> chosen = select_frames(frames, max_frames=100)  # ≤ 1 a second over 10 s
>>> 9 <= len(chosen) <= 11, min(b.time - a.time for a, b in zip(chosen, chosen[1:])) > 0.999
(True, True)
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import cv2
import numpy as np

from storepixel.describe.chunker import ChunkFrame

MIN_FRAMES = 3
MIN_SPACING_S = 1.0  # at most one frame a second


def frame_budget(seconds: float, chunk_tokens: int, tokens_per_frame: int) -> int:
    """How many frames a chunk of ``seconds`` may send: ≤ 1 a second, within ``chunk_tokens``,
    and never fewer than three (a short chunk still needs a before, a during and an after)."""
    by_rate = int(seconds // MIN_SPACING_S) + 1
    return max(MIN_FRAMES, min(by_rate, chunk_tokens // tokens_per_frame))


def _change(frames: Sequence[ChunkFrame]) -> list[float]:
    """Mean absolute difference of each frame from the one before (small greyscale copies)."""
    thumbs = [
        cv2.resize(
            cv2.cvtColor(f.image, cv2.COLOR_BGR2GRAY), (64, 48), interpolation=cv2.INTER_AREA
        ).astype(np.float32)
        for f in frames
    ]
    return [0.0] + [float(np.abs(b - a).mean()) for a, b in itertools.pairwise(thumbs)]


def select_frames(frames: Sequence[ChunkFrame], max_frames: int) -> list[ChunkFrame]:
    """The frames to send, in time order."""
    if len(frames) <= 2:
        return list(frames)
    want = max(MIN_FRAMES, max_frames)
    chosen = {0, len(frames) - 1}
    change = _change(frames)
    order = sorted(range(1, len(frames) - 1), key=lambda i: -change[i])
    for spacing in (MIN_SPACING_S, 0.0):  # relax spacing only to reach the minimum of three
        for i in order:
            if len(chosen) >= want or (spacing == 0.0 and len(chosen) >= MIN_FRAMES):
                break
            if i in chosen:
                continue
            if all(abs(frames[i].time - frames[j].time) >= spacing - 1e-6 for j in chosen):
                chosen.add(i)
    return [frames[i] for i in sorted(chosen)]
