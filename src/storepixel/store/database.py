"""The event store: open it by URL, write batches idempotently.

>>> from storepixel.types import Event
>>> store = open_store("sqlite://")  # in memory; the default is a file, data/storepixel.db
>>> ev = Event("e1", "zone_enter", "demo", "cam1", 1714557600.0, "t1", "aisle-1")
>>> store.write_events([ev]), store.write_events([ev])  # the repeat is ignored
(1, 0)
>>> store.close()

Idempotency comes from the keys: an event's id is a content hash (``INSERT … ON CONFLICT DO
NOTHING``), a metric row is keyed on site/camera/scope/metric/minute (``ON CONFLICT DO UPDATE``:
re-analysis replaces the minute's value), coverage on site/camera/start, runs on their derived id.
Each call is one transaction: a failure leaves nothing of the batch behind.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sqlalchemy import Connection, Engine, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from storepixel.errors import StoreError
from storepixel.events.schema import validate_event
from storepixel.redact import redact_url
from storepixel.store import migrate
from storepixel.store.engine import DEFAULT_URL, create_store_engine, one_line
from storepixel.store.models import (
    CoverageRecord,
    EventRecord,
    MetricRecord,
    RunRecord,
    SessionRecord,
    to_datetime,
)
from storepixel.store.runs import AnalysisRun, CameraSession, CoverageInterval
from storepixel.types import Event, MetricRow

ENV_URL = "STOREPIXEL_DB_URL"
EVENTS: Table = EventRecord.__table__  # type: ignore[assignment]
METRICS: Table = MetricRecord.__table__  # type: ignore[assignment]
RUNS: Table = RunRecord.__table__  # type: ignore[assignment]
COVERAGE: Table = CoverageRecord.__table__  # type: ignore[assignment]
SESSIONS: Table = SessionRecord.__table__  # type: ignore[assignment]
SESSION_KEY = ("site_id", "camera_id", "start_time")
METRIC_KEY = ("site_id", "camera_id", "scope_id", "metric", "bucket_start")


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What one :meth:`Store.write` did: new events, events already stored, rows upserted."""

    events_new: int = 0
    events_existing: int = 0
    metrics: int = 0
    coverage: int = 0
    run: bool = False
    sessions: int = 0


def _event_row(event: Event) -> dict[str, Any]:
    ev = validate_event(event)
    return {
        "id": ev.id,
        "schema_version": ev.schema_version,
        "kind": ev.kind,
        "site_id": ev.site_id,
        "camera_id": ev.camera_id,
        "scope_id": ev.scope_id,
        "time": ev.time,
        "track_id": ev.track_id,
        "properties": ev.properties,
    }


def _metric_row(row: MetricRow) -> dict[str, Any]:
    if not math.isfinite(row.value) or not math.isfinite(row.bucket_start):
        raise StoreError(f"metric {row.metric!r} of {row.scope_id!r}: value must be finite")
    if not -1e-9 <= row.coverage <= 1 + 1e-9 or row.sample_count < 0:
        raise StoreError(
            f"metric {row.metric!r} of {row.scope_id!r}: coverage must be 0-1 and "
            f"sample_count >= 0 (got {row.coverage}, {row.sample_count})"
        )
    return {
        "site_id": row.site_id,
        "camera_id": row.camera_id,
        "scope_id": row.scope_id,
        "metric": row.metric,
        "bucket_start": row.bucket_start,
        "value": float(row.value),
        "sample_count": int(row.sample_count),
        "coverage": min(1.0, max(0.0, float(row.coverage))),
    }


def _session_row(s: CameraSession) -> dict[str, Any]:
    return {
        "site_id": s.site_id,
        "camera_id": s.camera_id,
        "start_time": s.start,
        "end_time": s.end,
        "coverage_s": float(s.coverage_s),
        "visits": int(s.visits),
        "events": int(s.events),
        "summary": s.summary,
        "closed_at": s.closed_at,
        "run_id": s.run_id,
    }


def _dedupe(rows: Iterable[dict[str, Any]], key: Sequence[str]) -> list[dict[str, Any]]:
    """Last row wins per key: PostgreSQL refuses to upsert one key twice in a statement."""
    out: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in rows:
        k = tuple(to_datetime(row[c]) if c.endswith(("_start", "_time")) else row[c] for c in key)
        out[k] = row
    return list(out.values())


class Store:
    """A migrated database holding events, minute metrics, runs and coverage.

    Create it with :func:`open_store`. Safe to share between threads (SQLAlchemy pools the
    connections); use one per process.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # An in-memory SQLite database is one connection shared by every thread: uses of it
        # must take turns, or a reader's BEGIN lands inside a writer's transaction.
        self._turns: AbstractContextManager[Any] = (
            threading.RLock() if isinstance(engine.pool, StaticPool) else nullcontext()
        )
        self.url = redact_url(engine.url.render_as_string(hide_password=False))
        self.dialect = engine.dialect.name
        self._password = engine.url.password

    def __repr__(self) -> str:
        return f"Store({self.url!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the connections (the store can be opened again later)."""
        self.engine.dispose()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A connection for reads; database errors become one-line :class:`StoreError`."""
        try:
            with self._turns, self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as err:
            raise StoreError(f"cannot read store {self.url}: {self._reason(err)}") from None

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside one transaction: committed on success, rolled back on any error."""
        try:
            with self._turns, self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as err:
            raise StoreError(f"cannot write to store {self.url}: {self._reason(err)}") from None

    def _reason(self, err: BaseException) -> str:
        return one_line(err, self._password)

    def _insert(self, table: Table) -> Any:
        return (postgresql if self.dialect == "postgresql" else sqlite).insert(table)

    # --- writes -------------------------------------------------------------------------------

    def write(
        self,
        *,
        events: Iterable[Event] = (),
        metrics: Iterable[MetricRow] = (),
        coverage: Iterable[CoverageInterval] = (),
        run: AnalysisRun | None = None,
        sessions: Iterable[CameraSession] = (),
    ) -> WriteResult:
        """Write everything in one transaction (all or nothing) and say what changed.

        Events already stored (same id) are skipped; metric rows, coverage intervals and hourly
        sessions replace the rows with the same key; the run replaces the run with the same id.
        """
        event_rows = _dedupe((_event_row(e) for e in events), ("id",))
        metric_rows = _dedupe((_metric_row(m) for m in metrics), METRIC_KEY)
        coverage_rows = _dedupe(
            (
                {
                    "site_id": c.site_id,
                    "camera_id": c.camera_id,
                    "start_time": c.start,
                    "end_time": c.end,
                    "run_id": c.run_id,
                }
                for c in coverage
            ),
            ("site_id", "camera_id", "start_time"),
        )
        session_rows = _dedupe((_session_row(s) for s in sessions), SESSION_KEY)
        new = 0
        with self.transaction() as conn:
            if run is not None:
                self._upsert_run(conn, run)
            if event_rows:
                stmt = self._insert(EVENTS).on_conflict_do_nothing(index_elements=["id"])
                inserted = conn.execute(stmt.returning(EVENTS.c.id), event_rows).all()
                new = len(inserted)
            if metric_rows:
                self._upsert(conn, METRICS, metric_rows, METRIC_KEY)
            if coverage_rows:
                self._upsert(conn, COVERAGE, coverage_rows, ("site_id", "camera_id", "start_time"))
            if session_rows:
                self._upsert(conn, SESSIONS, session_rows, SESSION_KEY)
        return WriteResult(
            events_new=new,
            events_existing=len(event_rows) - new,
            metrics=len(metric_rows),
            coverage=len(coverage_rows),
            run=run is not None,
            sessions=len(session_rows),
        )

    def _upsert(
        self, conn: Connection, table: Table, rows: list[dict[str, Any]], key: Sequence[str]
    ) -> None:
        stmt = self._insert(table)
        updates = {c.name: stmt.excluded[c.name] for c in table.columns if c.name not in key}
        conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=updates), rows)

    def _upsert_run(self, conn: Connection, run: AnalysisRun) -> None:
        if run.status not in ("running", "ok", "failed"):
            raise StoreError(f"run status must be running, ok or failed, not {run.status!r}")
        row = {
            "id": run.id,
            "site_id": run.site_id,
            "camera_id": run.camera_id,
            "source_name": redact_url(run.source_name)[:512],
            "anchor_time": run.anchor_time,
            "anchor_kind": run.anchor_kind,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "frames": run.frames,
            "seconds": run.seconds,
            "status": run.status,
            "message": None if run.message is None else redact_url(run.message),
        }
        self._upsert(conn, RUNS, [row], ("id",))

    def write_events(self, events: Iterable[Event]) -> int:
        """Store events, skipping ids already stored; returns how many were new."""
        return self.write(events=events).events_new

    def write_metrics(self, rows: Iterable[MetricRow]) -> int:
        """Upsert minute metric rows on (site, camera, scope, metric, minute); returns the count."""
        return self.write(metrics=rows).metrics

    def write_coverage(self, intervals: Iterable[CoverageInterval]) -> int:
        """Record capture-time intervals a camera was analysed (upsert on site, camera, start)."""
        return self.write(coverage=intervals).coverage

    def record_run(self, run: AnalysisRun) -> None:
        """Insert or update an analysis run (same id → the row is replaced)."""
        self.write(run=run)


def open_store(
    url: str | None = None, *, connect_timeout: float = 5.0, create: bool = True
) -> Store:
    """Open (creating and migrating if needed) the store at ``url``. Commands that only read
    pass ``create=False``: a SQLite file that does not exist is then an error, not a new store.

    ``url`` defaults to ``$STOREPIXEL_DB_URL``, else ``sqlite:///data/storepixel.db`` (relative to
    the working directory; the folder is created). PostgreSQL: ``postgresql+psycopg://USER:PASS@
    HOST[:PORT]/DB`` (plain ``postgresql://`` means the same driver). Runs Alembic ``upgrade
    head``. A bad or unreachable URL raises :class:`StoreError` within about ``connect_timeout``
    seconds, with the password hidden.
    """
    raw = url or os.environ.get(ENV_URL) or DEFAULT_URL
    engine = create_store_engine(raw, connect_timeout, create=create)
    try:
        migrate.upgrade(engine)
    except StoreError:
        engine.dispose()
        raise
    except (SQLAlchemyError, OSError, ImportError) as err:
        engine.dispose()
        shown = redact_url(raw)
        raise StoreError(
            f"cannot open store {shown}: {one_line(err, engine.url.password)}"
        ) from None
    return Store(engine)
