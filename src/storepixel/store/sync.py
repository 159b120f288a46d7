"""Edge → central sync: what an edge store still owes a central one, and how the central applies it.

The edge side reuses the delivery :class:`~storepixel.outputs.outbox.Outbox`: every row to
forward becomes an outbox message for the destination ``sync:<central URL>`` before it is sent,
and is marked ``sent`` only once the central server acknowledged the batch holding it. So an
edge that was offline (or whose central was down) resumes where the last acknowledgement left
off, and a batch sent twice (lost acknowledgement) changes nothing: the central writes are
idempotent on the same keys as every store write (event id; metric, session and coverage keys).

Message ids: an event's own id; for metric rows, hourly sessions and coverage a hash of the
row's content, so a row the edge re-analysed (new value, same key) is forwarded again and the
central upsert replaces it, while an unchanged row is never sent twice.

>>> from storepixel.store import open_store
>>> from storepixel.types import Event
>>> edge, central = open_store("sqlite://"), open_store("sqlite://")
>>> _ = edge.write_events([Event("e1", "zone_enter", "demo", "cam1", 1714557600.0, "t1", "a")])
>>> batch = next(iter(batches(edge, "sync:central", now=0.0)))
>>> [apply_batch(central, "demo", batch.body()).events_new for _ in range(2)]  # replayed: no-op
[1, 0]
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, func, select

from storepixel.errors import BadInput
from storepixel.events.schema import event_from_json, event_to_json, parse_time
from storepixel.outputs.outbox import OUTBOX, Message, Outbox
from storepixel.store.database import COVERAGE, EVENTS, METRICS, SESSIONS, Store, WriteResult
from storepixel.store.descriptions import CHUNKS
from storepixel.store.models import to_datetime
from storepixel.store.queries import _event
from storepixel.store.runs import CameraSession, CoverageInterval
from storepixel.store.web_models import EdgeHealthRecord
from storepixel.types import MetricRow

EDGE_HEALTH: Table = EdgeHealthRecord.__table__  # type: ignore[assignment]
SETTLED = ("done", "failed")  # description chunks that will not change any more
KINDS = ("events", "metrics", "sessions", "coverage", "descriptions")
HEALTH = "health"  # a batch's optional part: the edge's own state (see ``apply_health``)
MAX_BATCH = 5000  # rows the central accepts in one request


class SyncRefused(BadInput):
    """The central store refused a batch (malformed rows)."""


class ForeignRows(SyncRefused):
    """A batch holds rows of a site other than the one it is sent for."""


def destination_for(central_url: str) -> str:
    """The outbox destination of one central server (the URL, without a trailing slash)."""
    return ("sync:" + central_url.rstrip("/"))[:128]


def _content_id(kind: str, row: Mapping[str, Any]) -> str:
    text = json.dumps(row, sort_keys=True, separators=(",", ":"))
    return kind[0] + hashlib.sha256(text.encode()).hexdigest()[:40]


@dataclass(slots=True)
class Batch:
    """Outbox rows of one site, ready to send; ``seqs`` are marked sent once acknowledged."""

    site_id: str
    seqs: list[int] = field(default_factory=list)
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: {k: [] for k in KINDS})

    def body(self) -> dict[str, Any]:
        return dict(self.rows)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.rows.items()}


def _unqueued_events(store: Store, destination: str) -> list[Message]:
    """Events with no outbox row for ``destination`` yet (an anti-join: cheap when up to date)."""
    o = OUTBOX.c
    query = (
        select(EVENTS)
        .outerjoin(OUTBOX, and_(o.destination == destination, o.message_id == EVENTS.c.id))
        .where(o.seq.is_(None))
        .order_by(EVENTS.c.time, EVENTS.c.id)
    )
    with store.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for r in rows:
        ev = _event(r)
        out.append(Message(ev.id, ev.site_id, ev.camera_id, "events", event_to_json(ev)))
    return out


def _rows(store: Store, kind: str) -> list[Message]:
    """Metric, session, coverage or description rows as messages keyed by their content.

    Descriptions: only settled chunks (done or failed); the rest are still being described."""
    table = {"metrics": METRICS, "sessions": SESSIONS, "coverage": COVERAGE}.get(kind, CHUNKS)
    query = select(table)
    if table is CHUNKS:
        query = query.where(CHUNKS.c.status.in_(SETTLED))
    with store.connect() as conn:
        rows = conn.execute(query).mappings().all()
    out = []
    for r in rows:
        payload = {k: v for k, v in r.items() if k != "run_id"}  # runs stay on the edge
        out.append(Message(_content_id(kind, payload), r["site_id"], r["camera_id"], kind, payload))
    return out


def enqueue_unsent(store: Store, destination: str, *, now: float) -> int:
    """Queue every row not yet queued for ``destination``; returns how many were new."""
    box = Outbox(store)
    new = box.enqueue(destination, _unqueued_events(store, destination), now=now)
    for kind in KINDS[1:]:
        new += box.enqueue(destination, _rows(store, kind), now=now)
    return new


def batches(store: Store, destination: str, *, now: float, size: int = 1000) -> Iterator[Batch]:
    """Queue what is unsent, then yield it in per-site batches of at most ``size`` rows.

    The caller marks each batch sent (:func:`acknowledge`) after the central accepted it; a
    batch not acknowledged stays pending and comes back on the next call.
    """
    enqueue_unsent(store, destination, now=now)
    box = Outbox(store)
    done: set[int] = set()
    while True:
        queued = [
            q for q in box.due(destination, now=float("inf"), limit=size * 4) if q.seq not in done
        ]
        if not queued:
            return
        site = queued[0].site_id
        batch = Batch(site)
        for q in queued:
            if q.site_id != site or len(batch.seqs) >= size:
                continue
            batch.seqs.append(q.seq)
            batch.rows[q.topic].append(q.payload)
        done.update(batch.seqs)
        yield batch


def acknowledge(store: Store, batch: Batch, *, now: float) -> None:
    Outbox(store).mark_sent(batch.seqs, now=now)


def pending(store: Store, destination: str) -> int:
    return Outbox(store).pending([destination])


def health_report(
    store: Store, destination: str, *, now: float, cameras: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The edge's state sent after each sync round: its clock, its last acknowledged sync,
    rows still queued, its newest capture time (the central works out its own lag from it) and,
    when cameras run here, each camera's state."""
    box = Outbox(store)
    with store.connect() as conn:
        newest = conn.execute(select(func.max(EVENTS.c.time))).scalar()
    if isinstance(newest, str):
        newest = datetime.fromisoformat(newest)
    return {
        "edge_time": now,
        "last_sync_at": box.last_sent(destination),
        "pending": box.pending([destination]),
        "newest_capture": None if newest is None else to_datetime(newest).timestamp(),
        "cameras": cameras or [],
    }


# --- central side ---------------------------------------------------------------------------------


def _list(body: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    rows = body.get(kind, [])
    if not isinstance(rows, list) or not all(isinstance(r, Mapping) for r in rows):
        raise SyncRefused(f"{kind!r} must be a list of objects")
    return rows


def apply_batch(store: Store, site_id: str, body: Mapping[str, Any]) -> WriteResult:
    """Write one batch from an edge of ``site_id`` in one transaction (idempotent).

    Every row must belong to ``site_id``: a batch naming another site is refused whole.
    """
    unknown = set(body) - {*KINDS, HEALTH}
    if unknown:
        raise SyncRefused(f"unknown parts in the batch: {', '.join(sorted(unknown))}")
    total = sum(len(_list(body, k)) for k in KINDS)
    if total > MAX_BATCH:
        raise SyncRefused(f"batch too large: {total} rows (at most {MAX_BATCH})")
    try:
        events = [event_from_json(r) for r in _list(body, "events")]
        metrics = [
            MetricRow(
                str(r["site_id"]),
                str(r["camera_id"]),
                str(r["scope_id"]),
                str(r["metric"]),
                parse_time(r["bucket_start"]),
                float(r["value"]),
                int(r["sample_count"]),
                float(r["coverage"]),
            )
            for r in _list(body, "metrics")
        ]
        sessions = [
            CameraSession(
                str(r["site_id"]),
                str(r["camera_id"]),
                parse_time(r["start_time"]),
                parse_time(r["end_time"]),
                float(r["coverage_s"]),
                int(r["visits"]),
                int(r["events"]),
                dict(r["summary"]),
                parse_time(r["closed_at"]),
            )
            for r in _list(body, "sessions")
        ]
        coverage = [
            CoverageInterval(
                str(r["site_id"]),
                str(r["camera_id"]),
                parse_time(r["start_time"]),
                parse_time(r["end_time"]),
            )
            for r in _list(body, "coverage")
        ]
        descriptions = [_chunk(r) for r in _list(body, "descriptions")]
    except (KeyError, TypeError, ValueError) as err:
        raise SyncRefused(f"malformed row in the batch: {err}") from None
    sites = {x.site_id for group in (events, metrics, sessions, coverage) for x in group}
    sites |= {str(d["site_id"]) for d in descriptions}
    if sites - {site_id}:
        others = ", ".join(sorted(sites - {site_id}))
        raise ForeignRows(f"the batch for site {site_id!r} holds rows of site {others}")
    health = body.get(HEALTH)
    if health is not None and not isinstance(health, Mapping):
        raise SyncRefused("'health' must be an object")
    result = store.write(events=events, metrics=metrics, sessions=sessions, coverage=coverage)
    if descriptions:
        _upsert_chunks(store, descriptions)
    if health is not None:
        apply_health(store, site_id, health, now=time.time())
    return result


_CHUNK_TIMES = ("start_time", "end_time", "created_at", "updated_at")


def _chunk(row: Mapping[str, Any]) -> dict[str, Any]:
    """A described chunk as the central stores it (its own id, its columns, times parsed)."""
    columns = set(CHUNKS.c.keys())
    unknown = set(row) - columns
    if unknown:
        raise ValueError(f"unknown description fields {sorted(unknown)}")
    if str(row.get("status")) not in SETTLED:
        raise ValueError("only done or failed descriptions are forwarded")
    out = dict(row)
    for name in _CHUNK_TIMES:
        out[name] = parse_time(row[name])
    if not isinstance(row["id"], str) or not isinstance(row["site_id"], str):
        raise ValueError("a description needs a text id and site_id")
    return out


def _upsert_chunks(store: Store, rows: list[dict[str, Any]]) -> None:
    stmt = store._insert(CHUNKS)
    keep = {c: stmt.excluded[c] for c in rows[0] if c != "id"}  # ("items" is a method name)
    with store.transaction() as conn:
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=keep), rows)


def apply_health(store: Store, site_id: str, report: Mapping[str, Any], *, now: float) -> None:
    """Keep an edge's latest report; its lag is the edge's newest capture time minus the
    central's newest for the site (after this batch), so it reads 0 when caught up."""
    try:
        cameras = [
            {
                "camera": str(c["camera"]),
                "state": str(c["state"]),
                "failure": None if c.get("failure") is None else str(c["failure"])[:200],
                "last_frame_time": c.get("last_frame_time"),
            }
            for c in report.get("cameras", [])[:1000]
        ]
        edge_time = parse_time(report["edge_time"])
        last = report.get("last_sync_at")
        newest = report.get("newest_capture")
        row = {
            "site_id": site_id,
            "received_at": now,
            "edge_time": edge_time,
            "last_sync_at": None if last is None else parse_time(last),
            "pending": int(report.get("pending", 0)),
            "lag_s": None,
            "cameras": cameras,
        }
        newest_edge = None if newest is None else parse_time(newest)
    except (KeyError, TypeError, ValueError, AttributeError) as err:
        raise SyncRefused(f"malformed health report: {err}") from None
    if newest_edge is not None:  # (no lag until the central holds something of the site)
        with store.connect() as conn:
            mine = conn.execute(
                select(func.max(EVENTS.c.time)).where(EVENTS.c.site_id == site_id)
            ).scalar()
        if isinstance(mine, str):
            mine = datetime.fromisoformat(mine)
        if mine is not None:
            row["lag_s"] = round(max(0.0, newest_edge - to_datetime(mine).timestamp()), 3)
    stmt = store._insert(EDGE_HEALTH)
    update = {k: stmt.excluded[k] for k in row if k != "site_id"}
    with store.transaction() as conn:
        conn.execute(stmt.on_conflict_do_update(index_elements=["site_id"], set_=update), row)


def edge_health(store: Store, site_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The last report of each of ``site_ids`` that has reported (central side)."""
    with store.connect() as conn:
        rows = conn.execute(
            select(EDGE_HEALTH).where(EDGE_HEALTH.c.site_id.in_(site_ids))
        ).mappings()
        return {r["site_id"]: dict(r) for r in rows}
