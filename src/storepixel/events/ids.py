"""Deterministic, pseudonymous identifiers: same footage in, same ids out."""

from __future__ import annotations

import hashlib


def _digest(*parts: object, length: int = 16) -> str:
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def track_pseudonym(site_id: str, camera_id: str, run_anchor: float, local_id: int) -> str:
    """A stable, opaque id for one tracked person in one analysis run.

    ``run_anchor`` is the capture time the run started from, so the same file analysed with the same
    start gives the same pseudonyms, while a different day's footage never reuses them.

    >>> track_pseudonym("demo", "cam1", 0.0, 7) == track_pseudonym("demo", "cam1", 0.0, 7)
    True
    """
    return "t" + _digest(site_id, camera_id, f"{run_anchor:.3f}", local_id, length=15)


def event_id(
    kind: str, site_id: str, camera_id: str, scope_id: str | None, track_id: str, time: float
) -> str:
    """The content hash that makes re-analysis idempotent (time rounded to the millisecond)."""
    return "e" + _digest(kind, site_id, camera_id, scope_id, track_id, f"{time:.3f}", length=31)
