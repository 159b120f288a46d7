"""Helpers that turn scripted people into per-frame detections."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from storepixel.tracking import Tracker
from storepixel.types import Detections, Tracks

Box = tuple[float, float, float, float]


def person_box(foot_x: float, foot_y: float, height: float) -> Box:
    """A standing person: width 0.4 of height, anchored at the foot point."""
    w = 0.4 * height
    return (foot_x - w / 2, foot_y - height, foot_x + w / 2, foot_y)


def dets(boxes: Sequence[Box], conf: float | Sequence[float] = 0.9) -> Detections:
    confs = [conf] * len(boxes) if isinstance(conf, float) else list(conf)
    return Detections(np.array(boxes, np.float32).reshape(-1, 4), np.array(confs, np.float32))


def run(
    tracker: Tracker,
    fps: float,
    seconds: float,
    boxes_at: Callable[[float], Sequence[Box]],
    conf: float = 0.9,
) -> list[Tracks]:
    """Feed ``tracker`` the boxes scripted by ``boxes_at(t)`` at ``fps``; returns every output."""
    out = []
    for k in range(round(seconds * fps)):
        t = k / fps
        out.append(tracker.update(dets(boxes_at(t), conf), t))
    return out


def confirmed_ids(history: Sequence[Tracks]) -> set[int]:
    return {int(i) for tr in history for i in tr.confirmed().ids}


def id_near(tracks: Tracks, x: float, within: float = 40) -> int | None:
    """Id of the confirmed track whose foot point is nearest ``x`` (within ``within`` px)."""
    c = tracks.confirmed()
    if len(c) == 0:
        return None
    d = np.abs(c.foot_points[:, 0] - x)
    k = int(np.argmin(d))
    return int(c.ids[k]) if d[k] < within else None
