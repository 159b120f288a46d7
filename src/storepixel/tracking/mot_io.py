"""MOTChallenge text rows: ``frame,id,x,y,w,h,conf,-1,-1,-1`` (frame is 1-based).

>>> import io, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
>>> write_mot_rows(p, [(1, 3, 10.0, 20.0, 30.0, 60.0, 0.9)])
1
>>> read_mot_file(p)[0, :7].tolist()
[1.0, 3.0, 10.0, 20.0, 30.0, 60.0, 0.9]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from storepixel.types import Tracks, TrackState

MotRow = Sequence[float]


def tracks_to_mot_rows(
    frame: int, tracks: Tracks, include_lost: bool = False
) -> list[tuple[int, int, float, float, float, float, float]]:
    """Rows for one frame: confirmed tracks (and, if asked, lost ones at their prediction)."""
    keep = tracks.state == TrackState.CONFIRMED
    if include_lost:
        keep |= tracks.state == TrackState.LOST
    rows = []
    for tid, box, conf in zip(
        tracks.ids[keep], tracks.xyxy[keep], tracks.confidence[keep], strict=True
    ):
        x1, y1, x2, y2 = (float(v) for v in box)
        rows.append((int(frame), int(tid), x1, y1, x2 - x1, y2 - y1, float(conf)))
    return rows


def write_mot_rows(path: str | Path, rows: Iterable[MotRow]) -> int:
    """Write rows ``(frame, id, x, y, w, h, conf)`` as MOTChallenge text; returns the row count.

    Extra columns beyond seven are ignored; the three world-coordinate columns are written as -1.
    """
    n = 0
    with Path(path).open("w", encoding="utf-8") as fh:
        for r in rows:
            frame, tid, x, y, w, h, conf = r[:7]
            fh.write(
                f"{int(frame)},{int(tid)},{x:.2f},{y:.2f},{w:.2f},{h:.2f},{conf:.4f},-1,-1,-1\n"
            )
            n += 1
    return n


def read_mot_file(path: str | Path) -> NDArray[np.float64]:
    """Read a MOTChallenge file (gt, det or results) as an (N, 10) float array.

    Short rows (MOT15 ground truth has 7 columns) are padded with -1; blank lines are skipped.
    """
    rows: list[list[float]] = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            continue
        vals = [float(v) for v in line.replace(" ", "").split(",") if v != ""]
        rows.append((vals + [-1.0] * 10)[:10])
    if not rows:
        return np.zeros((0, 10), np.float64)
    return np.array(rows, np.float64)
