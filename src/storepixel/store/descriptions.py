"""Reads and writes of the describe tables (see ``store.describe_models`` for their columns).

The chunk key makes describing at most once: ``add_chunk`` inserts or leaves an existing row as
it is; ``claim`` moves a chunk from pending/waiting to sending in one UPDATE, so two workers (or
two runs over the same footage) never both pay for it; a chunk already ``done`` or ``failed`` is
never claimed again.

>>> from storepixel.store import open_store
>>> store = open_store("sqlite://")
>>> row = dict(id="k1", site_id="s", camera_id="c", start_time=0.0, end_time=15.0,
...            provider="gemini", model="m", prompt_version="v1", track_ids=[1], sent_times=[0.0])
>>> add_chunk(store, row), add_chunk(store, row)
(True, False)
>>> claim(store, "k1"), claim(store, "k1")
(True, False)
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, func, select, update

from storepixel.store.database import Store
from storepixel.store.describe_models import DescribeChunkRecord, DescribeLedgerRecord
from storepixel.store.models import to_datetime

CHUNKS: Table = DescribeChunkRecord.__table__  # type: ignore[assignment]
LEDGER: Table = DescribeLedgerRecord.__table__  # type: ignore[assignment]
OPEN = ("pending", "waiting")


def add_chunk(store: Store, row: dict[str, Any]) -> bool:
    """Record a chunk as pending unless its key is already stored; whether it was new."""
    now = time.time()
    values = {
        "status": "pending",
        "attempts": 0,
        "tokens_in": 0,
        "tokens_out": 0,
        "observations": [],
        "items": [],
        "people": [],
        "alerts": [],
        "flags": [],
        "created_at": now,
        "updated_at": now,
        **row,
    }
    values["start_time"] = to_datetime(values["start_time"])
    values["end_time"] = to_datetime(values["end_time"])
    stmt = store._insert(CHUNKS).values(**values).on_conflict_do_nothing(index_elements=["id"])
    with store.transaction() as conn:
        return bool(conn.execute(stmt).rowcount)


def chunk_status(store: Store, chunk_id: str) -> str | None:
    with store.connect() as conn:
        return conn.execute(select(CHUNKS.c.status).where(CHUNKS.c.id == chunk_id)).scalar()


def claim(store: Store, chunk_id: str) -> bool:
    """Take a pending or waiting chunk for sending; ``False`` if another took it or it is done."""
    stmt = (
        update(CHUNKS)
        .where(CHUNKS.c.id == chunk_id, CHUNKS.c.status.in_(OPEN))
        .values(status="sending", updated_at=to_datetime(time.time()))
    )
    with store.transaction() as conn:
        return bool(conn.execute(stmt).rowcount)


def settle(store: Store, chunk_id: str, status: str, **values: Any) -> None:
    """Set a chunk's outcome (done, failed or waiting) and any result columns."""
    stmt = (
        update(CHUNKS)
        .where(CHUNKS.c.id == chunk_id)
        .values(status=status, updated_at=to_datetime(time.time()), **values)
    )
    with store.transaction() as conn:
        conn.execute(stmt)


def release_stale(store: Store, reason: str) -> int:
    """Chunks left ``sending`` by a process that stopped go back to ``waiting``."""
    stmt = (
        update(CHUNKS).where(CHUNKS.c.status == "sending").values(status="waiting", reason=reason)
    )
    with store.transaction() as conn:
        return int(conn.execute(stmt).rowcount)


def add_ledger(store: Store, row: dict[str, Any]) -> None:
    values = {**row, "requested_at": to_datetime(row["requested_at"])}
    with store.transaction() as conn:
        conn.execute(LEDGER.insert().values(**values))


def _day_bounds(now: float, tz: ZoneInfo) -> tuple[datetime, datetime]:
    local = datetime.fromtimestamp(now, tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return to_datetime(local.timestamp()), to_datetime((local + timedelta(days=1)).timestamp())


def spent_today(
    store: Store, site_id: str, camera_id: str, tz: ZoneInfo, now: float | None = None
) -> tuple[tuple[int, float], tuple[int, float]]:
    """(tokens, dollars) spent today (site's local day, wall clock) by the camera and the site."""
    start, end = _day_bounds(time.time() if now is None else now, tz)
    tokens = func.coalesce(func.sum(LEDGER.c.tokens_in + LEDGER.c.tokens_out), 0)
    cost = func.coalesce(func.sum(LEDGER.c.cost), 0.0)
    base = select(tokens, cost).where(
        LEDGER.c.site_id == site_id, LEDGER.c.requested_at >= start, LEDGER.c.requested_at < end
    )
    with store.connect() as conn:
        cam = conn.execute(base.where(LEDGER.c.camera_id == camera_id)).one()
        site = conn.execute(base).one()
    return (int(cam[0]), float(cam[1])), (int(site[0]), float(site[1]))


def list_chunks(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    since: float | None = None,
    until: float | None = None,
    status: Sequence[str] | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Chunks in capture-time order, each as a dict of its columns (times as POSIX seconds)."""
    query = select(CHUNKS)
    if site_id is not None:
        query = query.where(CHUNKS.c.site_id == site_id)
    if camera_id is not None:
        query = query.where(CHUNKS.c.camera_id == camera_id)
    if since is not None:
        query = query.where(CHUNKS.c.end_time >= to_datetime(since))
    if until is not None:
        query = query.where(CHUNKS.c.start_time < to_datetime(until))
    if status:
        query = query.where(CHUNKS.c.status.in_(list(status)))
    query = query.order_by(CHUNKS.c.start_time, CHUNKS.c.camera_id).limit(limit)
    columns = [c.name for c in CHUNKS.columns]
    with store.connect() as conn:
        rows = conn.execute(query).all()
    return [dict(zip(columns, row, strict=True)) for row in rows]


def usage(store: Store, tz: ZoneInfo, site_id: str | None = None) -> list[dict[str, Any]]:
    """The ledger summed by (local day of the request, camera, model, outcome)."""
    query = select(
        LEDGER.c.requested_at,
        LEDGER.c.camera_id,
        LEDGER.c.model,
        LEDGER.c.outcome,
        LEDGER.c.tokens_in,
        LEDGER.c.tokens_out,
        LEDGER.c.cost,
        LEDGER.c.latency_s,
    )
    if site_id is not None:
        query = query.where(LEDGER.c.site_id == site_id)
    sums: dict[tuple[str, str, str], dict[str, Any]] = {}
    with store.connect() as conn:
        for at, camera, model, outcome, t_in, t_out, cost, latency in conn.execute(query):
            day = datetime.fromtimestamp(at, tz).date().isoformat()
            row = sums.setdefault(
                (day, camera, model),
                {
                    "day": day,
                    "camera_id": camera,
                    "model": model,
                    "requests": 0,
                    "ok": 0,
                    "tokens_in": 0,
                    "tokens_out": 0,
                    "cost": 0.0,
                    "latency_s": 0.0,
                },
            )
            row["requests"] += 1
            row["ok"] += outcome == "ok"
            row["tokens_in"] += t_in
            row["tokens_out"] += t_out
            row["cost"] += cost or 0.0
            row["latency_s"] += latency
    out = sorted(sums.values(), key=lambda r: (r["day"], r["camera_id"], r["model"]))
    for row in out:
        row["latency_s"] = round(row["latency_s"] / row["requests"], 3)
    return out


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")


def chunk_json(row: dict[str, Any]) -> dict[str, Any]:
    """A stored chunk as the CLI and the API show it (capture times ISO-8601 UTC)."""
    return {
        "id": row["id"],
        "site_id": row["site_id"],
        "camera_id": row["camera_id"],
        "start": _iso(row["start_time"]),
        "end": _iso(row["end_time"]),
        "status": row["status"],
        "reason": row["reason"],
        "provider": row["provider"],
        "model": row["model"],
        "prompt_version": row["prompt_version"],
        "tokens_in": row["tokens_in"],
        "tokens_out": row["tokens_out"],
        "cost": row["cost"],
        "summary": row["summary"],
        "observations": row["observations"],
        "people": row["people"],
        "items": [{**i, "time": _iso(i["time"])} for i in row["items"]],
        "alerts": [{**a, "time": _iso(a["time"])} for a in row["alerts"]],
        "flags": row["flags"],
        "track_ids": row["track_ids"],
        "sent_times": [_iso(t) for t in row["sent_times"]],
    }
