"""The ``backlog_windows`` table: one row per DVR playback window of a backlog job.

Columns: ``id`` (hash of site, camera, start, end: the same window always has the same row),
``site_id``, ``camera_id``, ``start_time``/``end_time`` (capture time, UTC), ``status``
(``pending`` | ``done`` | ``failed`` | ``no_recording``), ``reason`` (one line, why it failed or
had nothing), ``attempts`` (connections tried, over every run), ``events`` (events found in the
window), ``events_new`` (of which new to the store), ``frames``, ``footage_s`` (capture seconds
analysed), ``started_at``/``finished_at`` (wall clock of the last attempt) and ``elapsed_s``
(its processing time).

>>> from storepixel.store import open_store
>>> store = open_store("sqlite://")
>>> key = window_id("s", "door", 0.0, 900.0)
>>> begin_window(store, "s", "door", 0.0, 900.0)
0
>>> finish_window(store, key, "done", events=4, events_new=4, footage_s=900.0, elapsed_s=60.0)
>>> window_statuses(store, "s")[key]
'done'
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from sqlalchemy import Float, Index, Integer, String, Table, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from storepixel.store.database import Store
from storepixel.store.models import ID, NAME, Base, UTCTime

STATUSES = ("pending", "done", "failed", "no_recording")
FINAL = ("done", "no_recording")  # a resumed job skips these


class BacklogWindowRecord(Base):
    __tablename__ = "backlog_windows"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    start_time: Mapped[float] = mapped_column(UTCTime())
    end_time: Mapped[float] = mapped_column(UTCTime())
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    events_new: Mapped[int] = mapped_column(Integer, default=0)
    frames: Mapped[int] = mapped_column(Integer, default=0)
    footage_s: Mapped[float] = mapped_column(Float, default=0.0)
    started_at: Mapped[float | None] = mapped_column(UTCTime())
    finished_at: Mapped[float | None] = mapped_column(UTCTime())
    elapsed_s: Mapped[float | None] = mapped_column(Float)

    __table_args__ = (
        Index(None, "site_id", "camera_id", "start_time"),
        Index(None, "site_id", "status"),
    )


WINDOWS: Table = BacklogWindowRecord.__table__  # type: ignore[assignment]


def window_id(site_id: str, camera_id: str, start: float, end: float) -> str:
    """The row key of one window (start and end to the millisecond)."""
    text = "\x1f".join((site_id, camera_id, f"{start:.3f}", f"{end:.3f}"))
    return "w" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:31]


def add_windows(store: Store, site_id: str, windows: list[tuple[str, float, float]]) -> int:
    """Record ``(camera, start, end)`` windows as pending unless already recorded; how many new."""
    if not windows:
        return 0
    rows = [
        {
            "id": window_id(site_id, cam, start, end),
            "site_id": site_id,
            "camera_id": cam,
            "start_time": start,
            "end_time": end,
            "status": "pending",
            "attempts": 0,
            "events": 0,
            "events_new": 0,
            "frames": 0,
            "footage_s": 0.0,
        }
        for cam, start, end in windows
    ]
    stmt = store._insert(WINDOWS).on_conflict_do_nothing(index_elements=["id"])
    with store.transaction() as conn:
        return len(conn.execute(stmt.returning(WINDOWS.c.id), rows).all())


def begin_window(store: Store, site_id: str, camera_id: str, start: float, end: float) -> int:
    """Mark a window's attempt as started (adding the row if needed); its attempts so far."""
    add_windows(store, site_id, [(camera_id, start, end)])
    key = window_id(site_id, camera_id, start, end)
    with store.transaction() as conn:
        conn.execute(
            update(WINDOWS)
            .where(WINDOWS.c.id == key)
            .values(status="pending", started_at=time.time(), finished_at=None)
        )
        attempts = conn.execute(select(WINDOWS.c.attempts).where(WINDOWS.c.id == key)).scalar()
        return int(attempts or 0)


def count_attempt(store: Store, key: str) -> None:
    """One more connection tried for this window."""
    with store.transaction() as conn:
        conn.execute(
            update(WINDOWS).where(WINDOWS.c.id == key).values(attempts=WINDOWS.c.attempts + 1)
        )


def finish_window(store: Store, key: str, status: str, **values: Any) -> None:
    """Set a window's outcome (``done``, ``failed`` or ``no_recording``) and its numbers."""
    if status not in STATUSES:
        raise ValueError(f"window status must be one of {STATUSES}, not {status!r}")
    with store.transaction() as conn:
        conn.execute(
            update(WINDOWS)
            .where(WINDOWS.c.id == key)
            .values(status=status, finished_at=time.time(), **values)
        )


def window_statuses(store: Store, site_id: str, camera_id: str | None = None) -> dict[str, str]:
    """``{window id: status}`` of a site's (or one camera's) recorded windows."""
    query = select(WINDOWS.c.id, WINDOWS.c.status).where(WINDOWS.c.site_id == site_id)
    if camera_id is not None:
        query = query.where(WINDOWS.c.camera_id == camera_id)
    with store.connect() as conn:
        return {row.id: row.status for row in conn.execute(query)}


def windows(store: Store, site_id: str, camera_id: str | None = None) -> list[dict[str, Any]]:
    """Every recorded window of a site (or camera), oldest first, as plain dicts."""
    query = select(WINDOWS).where(WINDOWS.c.site_id == site_id)
    if camera_id is not None:
        query = query.where(WINDOWS.c.camera_id == camera_id)
    with store.connect() as conn:
        rows = conn.execute(query.order_by(WINDOWS.c.camera_id, WINDOWS.c.start_time))
        return [dict(row._mapping) for row in rows]


def backlog_status(store: Store, site_id: str, camera_id: str | None = None) -> dict[str, Any]:
    """Counts per status, footage analysed, and the rate over the wall-clock span of the done
    windows (first start to last finish, so several workers in parallel count once)."""
    where = [WINDOWS.c.site_id == site_id]
    if camera_id is not None:
        where.append(WINDOWS.c.camera_id == camera_id)
    counts = dict.fromkeys(STATUSES, 0)
    with store.connect() as conn:
        for status, n in conn.execute(
            select(WINDOWS.c.status, func.count()).where(*where).group_by(WINDOWS.c.status)
        ):
            counts[status] = int(n)
        done = conn.execute(
            select(
                func.min(WINDOWS.c.started_at),
                func.max(WINDOWS.c.finished_at),
                func.coalesce(func.sum(WINDOWS.c.footage_s), 0.0),
                func.coalesce(func.sum(WINDOWS.c.events), 0),
            ).where(*where, WINDOWS.c.status == "done")
        ).one()
    first, last, footage, events = done
    span = None
    if first is not None and last is not None:
        # UTCTime converts on the ORM path; aggregate results come back raw from the driver.
        from storepixel.store.models import to_datetime

        span = (to_datetime(last) - to_datetime(first)).total_seconds()
    per_minute = counts["done"] / (span / 60.0) if span else None
    return {
        **counts,
        "total": sum(counts.values()),
        "footage_s": float(footage),
        "events": int(events),
        "span_s": span,
        "windows_per_minute": per_minute,
        "footage_per_wall_s": float(footage) / span if span else None,
    }
