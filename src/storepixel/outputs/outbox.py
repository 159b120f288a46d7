"""The persisted outbox: every message for every destination is a row before it is sent.

A message is enqueued once per (destination, id): enqueuing it again (re-analysis, a replayed
batch) is a no-op, so a receiver gets each id once. Delivery takes a camera's messages in
``seq`` order and stops at the first one that is not due, so per camera they arrive in order;
cameras do not wait for each other. A row is ``pending`` until ``sent``, or ``parked`` with the
reason after the receiver rejected it ``max_attempts`` times. Because the rows live in the store,
a restart mid-delivery loses nothing.

>>> from storepixel.store import open_store
>>> store = open_store("sqlite://")
>>> box = Outbox(store)
>>> msg = Message("e1", "demo", "cam1", "events", {"id": "e1"})
>>> box.enqueue("hook", [msg, msg], now=0.0)
1
>>> [m.message_id for m in box.due("hook", now=0.0)]
['e1']
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, select, update

from storepixel.store import Store
from storepixel.store.models import to_datetime
from storepixel.store.outward_models import OutboxRecord

OUTBOX: Table = OutboxRecord.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Message:
    """What leaves the box: ``payload`` is the JSON body (it always carries ``id``)."""

    message_id: str
    site_id: str
    camera_id: str
    topic: str
    payload: dict[str, Any]
    retain: bool = False


@dataclass(slots=True)
class Queued:
    """A pending outbox row as the dispatcher sees it."""

    seq: int
    destination: str
    message_id: str
    site_id: str
    camera_id: str
    topic: str
    payload: dict[str, Any]
    retain: bool
    attempts: int
    next_attempt_at: float


@dataclass(slots=True)
class Counts:
    pending: int = 0
    sent: int = 0
    parked: int = 0
    reasons: dict[str, str] = field(default_factory=dict)  # message id → why parked


class Outbox:
    """Outbox rows in a :class:`~storepixel.store.Store` (SQLite or PostgreSQL)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def enqueue(self, destination: str, messages: Iterable[Message], *, now: float) -> int:
        """Add messages for one destination (ids already there are skipped); returns new rows."""
        rows = []
        seen: set[str] = set()
        for m in messages:
            if m.message_id in seen:
                continue
            seen.add(m.message_id)
            rows.append(
                {
                    "destination": destination,
                    "message_id": m.message_id,
                    "site_id": m.site_id,
                    "camera_id": m.camera_id,
                    "topic": m.topic,
                    "payload": m.payload,
                    "retain": m.retain,
                    "status": "pending",
                    "attempts": 0,
                    "created_at": now,
                    "next_attempt_at": now,
                }
            )
        if not rows:
            return 0
        with self.store.transaction() as conn:
            stmt = self.store._insert(OUTBOX).on_conflict_do_nothing(
                index_elements=["destination", "message_id"]
            )
            return len(conn.execute(stmt.returning(OUTBOX.c.seq), rows).all())

    def due(self, destination: str, *, now: float, limit: int = 500) -> list[Queued]:
        """Pending messages in delivery order, each camera's cut at its first not-yet-due one."""
        c = OUTBOX.c
        query = (
            select(
                c.seq,
                c.message_id,
                c.site_id,
                c.camera_id,
                c.topic,
                c.payload,
                c.retain,
                c.attempts,
                c.next_attempt_at,
            )
            .where(and_(c.destination == destination, c.status == "pending"))
            .order_by(c.seq)
            .limit(limit)
        )
        with self.store.connect() as conn:
            rows = conn.execute(query).all()
        blocked: set[str] = set()
        out: list[Queued] = []
        for r in rows:
            nxt = float(r.next_attempt_at)
            if r.camera_id in blocked or nxt > now:
                blocked.add(r.camera_id)
                continue
            out.append(
                Queued(
                    r.seq,
                    destination,
                    r.message_id,
                    r.site_id,
                    r.camera_id,
                    r.topic,
                    dict(r.payload),
                    bool(r.retain),
                    r.attempts,
                    nxt,
                )
            )
        return out

    def next_due(self, destinations: Sequence[str]) -> float | None:
        """The earliest ``next_attempt_at`` of a pending message (``None``: nothing pending)."""
        c = OUTBOX.c
        query = select(func.min(c.next_attempt_at)).where(
            and_(c.destination.in_(destinations), c.status == "pending")
        )
        with self.store.connect() as conn:
            value = conn.execute(query).scalar()
        return None if value is None else float(value)  # min() keeps the column's type

    def mark_sent(self, seqs: Sequence[int], *, now: float) -> None:
        if seqs:
            with self.store.transaction() as conn:
                conn.execute(
                    update(OUTBOX)
                    .where(OUTBOX.c.seq.in_(list(seqs)))
                    .values(status="sent", sent_at=now, last_error=None)
                )

    def mark_failed(self, seq: int, *, attempts: int, retry_at: float, error: str) -> None:
        """One rejected attempt: try again at ``retry_at``."""
        with self.store.transaction() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.seq == seq)
                .values(attempts=attempts, next_attempt_at=retry_at, last_error=error[:2000])
            )

    def park(self, seq: int, *, attempts: int, error: str) -> None:
        """Give up on one message, keeping it (and why) for an operator."""
        with self.store.transaction() as conn:
            conn.execute(
                update(OUTBOX)
                .where(OUTBOX.c.seq == seq)
                .values(status="parked", attempts=attempts, last_error=error[:2000])
            )

    def note_error(self, seqs: Sequence[int], error: str, *, park: bool = False) -> None:
        """Why a batch of messages was not delivered: kept pending (tried again), or parked."""
        values: dict[str, Any] = {"last_error": error[:2000], "attempts": OUTBOX.c.attempts + 1}
        if park:
            values["status"] = "parked"
        with self.store.transaction() as conn:
            for i in range(0, len(seqs), 500):
                chunk = list(seqs[i : i + 500])
                conn.execute(update(OUTBOX).where(OUTBOX.c.seq.in_(chunk)).values(values))

    def last_sent(self, destination: str) -> float | None:
        """When the last message to ``destination`` was acknowledged (wall clock)."""
        c = OUTBOX.c
        stmt = select(func.max(c.sent_at)).where(c.destination == destination)
        with self.store.connect() as conn:
            value = conn.execute(stmt).scalar()
        if isinstance(value, str):  # SQLite may hand an aggregate back as its stored text
            value = datetime.fromisoformat(value)
        return None if value is None else to_datetime(value).timestamp()

    def counts(self, destination: str) -> Counts:
        c = OUTBOX.c
        out = Counts()
        with self.store.connect() as conn:
            for status, n in conn.execute(
                select(c.status, func.count())
                .where(c.destination == destination)
                .group_by(c.status)
            ):
                setattr(out, status, int(n))
            for mid, why in conn.execute(
                select(c.message_id, c.last_error).where(
                    and_(c.destination == destination, c.status == "parked")
                )
            ):
                out.reasons[mid] = why or ""
        return out

    def pending(self, destinations: Sequence[str]) -> int:
        c = OUTBOX.c
        with self.store.connect() as conn:
            n = conn.execute(
                select(func.count()).where(
                    and_(c.destination.in_(list(destinations)), c.status == "pending")
                )
            ).scalar()
        return int(n or 0)

    def retry_parked(self, destination: str, *, now: float) -> int:
        """Put parked messages back in the queue (after the receiver was fixed)."""
        with self.store.transaction() as conn:
            result = conn.execute(
                update(OUTBOX)
                .where(and_(OUTBOX.c.destination == destination, OUTBOX.c.status == "parked"))
                .values(status="pending", attempts=0, next_attempt_at=now)
            )
        return int(result.rowcount or 0)

    def purge(self, before: float) -> int:
        """Delete sent and parked rows created before ``before`` (retention)."""
        with self.store.transaction() as conn:
            result = conn.execute(
                delete(OUTBOX).where(
                    and_(OUTBOX.c.status != "pending", OUTBOX.c.created_at < before)
                )
            )
        return int(result.rowcount or 0)
