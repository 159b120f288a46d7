"""Bookkeeping values for analysis runs and camera coverage.

A run's id is derived from what was analysed (site, camera, source name, anchor time), so
analysing the same file with the same ``--start`` again updates the same run row instead of adding
one: the store ends up unchanged apart from the run's processing timestamps.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any


def run_id(site_id: str, camera_id: str, source_name: str, anchor_time: float) -> str:
    """Deterministic id of one analysis of one source.

    >>> run_id("demo", "cam1", "front.mp4", 0.0) == run_id("demo", "cam1", "front.mp4", 0.0)
    True
    """
    text = "\x1f".join((site_id, camera_id, source_name, f"{anchor_time:.3f}"))
    return "r" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:31]


@dataclass(frozen=True, slots=True)
class AnalysisRun:
    """What one analysis did. ``source_name`` is redacted before it is stored.

    ``anchor_time`` is the capture time the source's timeline starts at and ``anchor_kind`` says
    where it came from (``"start"`` for ``--start``, ``"container"``, ``"mtime"``, ``"live"``).
    ``started_at``/``finished_at`` are processing (wall-clock) times; ``seconds`` is capture time
    analysed. ``status`` is ``"running"``, ``"ok"`` or ``"failed"``.
    """

    id: str
    site_id: str
    camera_id: str
    source_name: str
    anchor_time: float
    started_at: float
    status: str = "running"
    anchor_kind: str | None = None
    finished_at: float | None = None
    frames: int = 0
    seconds: float = 0.0
    message: str | None = None


@dataclass(frozen=True, slots=True)
class CoverageInterval:
    """A capture-time interval ``[start, end)`` during which a camera was analysed."""

    site_id: str
    camera_id: str
    start: float
    end: float
    run_id: str | None = None


@dataclass(frozen=True, slots=True)
class CameraSession:
    """One camera's capture-time hour ``[start, end)``, closed once nothing can change it.

    ``summary`` = ``{"lines": {line: {"in", "out"}}, "zones": {zone: {"visits", "dwell_p50_s",
    "dwell_p90_s"}}, "people_peak": n}``; ``coverage_s`` is the analysed part of the hour,
    ``events`` how many events it holds, ``closed_at`` the wall time it was closed.
    """

    site_id: str
    camera_id: str
    start: float
    end: float
    coverage_s: float
    visits: int
    events: int
    summary: dict[str, Any]
    closed_at: float
    run_id: str | None = None
