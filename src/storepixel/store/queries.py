"""Reading the store: events, minute metrics, line counts, simple stats, coverage and runs.

Every function takes the :class:`Store` first and keyword filters after; ``None`` means "any".
Time bounds accept POSIX seconds, an aware ``datetime`` or an ISO-8601 string with an offset;
``start`` is inclusive and ``end`` exclusive, in capture time.

>>> from storepixel.store import open_store
>>> from storepixel.types import Event
>>> store = open_store("sqlite://")
>>> ev = Event("e1", "line_crossing", "demo", "cam1", 1714557600.0, "t1", "door",
...            {"direction": "in", "line_id": "door"})
>>> _ = store.write_events([ev])
>>> line_counts(store, site_id="demo")
{'door': {'in': 1, 'out': 0}}
>>> query_events(store, kinds="line_crossing").events == [ev]
True
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from storepixel.errors import StorepixelError
from storepixel.events.schema import parse_time
from storepixel.store.database import COVERAGE, EVENTS, METRICS, RUNS, SESSIONS, Store
from storepixel.store.models import to_datetime
from storepixel.store.runs import AnalysisRun, CameraSession, CoverageInterval
from storepixel.types import Event, EventKind, MetricRow

TimeLike = float | int | datetime | str
Kinds = str | Sequence[str] | None


def _between(
    first: Any, last: Any, start: TimeLike | None, end: TimeLike | None, overlap: bool = False
) -> list[Any]:
    """Conditions for rows in ``[start, end)``: ``first``/``last`` are a row's own start and end
    columns (the same column for instants); ``overlap`` keeps intervals that merely overlap."""
    conds = []
    if start is not None:
        lo = to_posix(start, "start")
        conds.append(last > lo if overlap else last >= lo)
    if end is not None:
        conds.append(first < to_posix(end, "end"))
    return conds


def _equal(columns: Any, **values: str | None) -> list[Any]:
    """``column == value`` conditions for the filters that were given (None = any)."""
    return [columns[name] == value for name, value in values.items() if value is not None]


def to_posix(value: TimeLike, name: str = "time") -> float:
    """POSIX seconds from a time bound; a naive or malformed time is a :class:`StorepixelError`."""
    try:
        return parse_time(value)
    except ValueError as err:
        raise StorepixelError(f"invalid {name} {value!r}: {err}") from None


def _kinds(kinds: Kinds) -> list[str] | None:
    if kinds is None:
        return None
    names = [kinds] if isinstance(kinds, str) else list(kinds)
    unknown = sorted(set(names) - set(EventKind.ALL))
    if unknown:
        raise StorepixelError(
            f"unknown event kind {', '.join(unknown)}: expected one of {', '.join(EventKind.ALL)}"
        )
    return names


def event_conditions(
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    kinds: Kinds = None,
    scope_id: str | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions on the ``events`` table for the usual filters (shared by export)."""
    c = EVENTS.c
    conds: list[ColumnElement[bool]] = []
    conds.extend(_equal(c, site_id=site_id, camera_id=camera_id))
    names = _kinds(kinds)
    if names is not None:
        conds.append(c.kind.in_(names))
    if scope_id is not None:
        conds.append(c.scope_id == scope_id)
    conds.extend(_between(c.time, c.time, start, end))
    return conds


def _event(row: Any) -> Event:
    return Event(
        id=row.id,
        kind=row.kind,
        site_id=row.site_id,
        camera_id=row.camera_id,
        time=row.time,
        track_id=row.track_id,
        scope_id=row.scope_id,
        properties=dict(row.properties or {}),
        schema_version=row.schema_version,
    )


@dataclass(frozen=True, slots=True)
class EventPage:
    """One page of events in (time, id) order; pass ``next_cursor`` back to get the next page."""

    events: list[Event]
    next_cursor: str | None


def _cursor_condition(cursor: str, newest_first: bool = False) -> ColumnElement[bool]:
    try:
        time_text, event_id = cursor.split("/", 1)
        t = float(time_text)
        to_datetime(t)  # nan, inf or beyond the calendar: refused here, not by the database
    except (ValueError, OverflowError, OSError):
        raise StorepixelError(f"invalid page cursor {cursor[:80]!r}") from None
    c = EVENTS.c
    if newest_first:
        return or_(c.time < t, and_(c.time == t, c.id < event_id))
    return or_(c.time > t, and_(c.time == t, c.id > event_id))


def query_events(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    kinds: Kinds = None,
    scope_id: str | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
    limit: int = 1000,
    cursor: str | None = None,
    newest_first: bool = False,
) -> EventPage:
    """Events matching the filters, oldest first (``newest_first``: the latest first, as people
    browse them), at most ``limit`` per page.

    Paging is by key (capture time, id), so pages stay consistent while new events arrive.
    """
    if limit < 1:
        raise StorepixelError(f"limit must be at least 1, got {limit}")
    conds = event_conditions(
        site_id=site_id, camera_id=camera_id, kinds=kinds, scope_id=scope_id, start=start, end=end
    )
    if cursor:
        conds.append(_cursor_condition(cursor, newest_first))
    order = (
        (EVENTS.c.time.desc(), EVENTS.c.id.desc()) if newest_first else (EVENTS.c.time, EVENTS.c.id)
    )
    stmt = select(EVENTS).where(*conds).order_by(*order).limit(limit + 1)
    with store.connect() as conn:
        rows = conn.execute(stmt).all()
    events = [_event(r) for r in rows[:limit]]
    more = len(rows) > limit
    next_cursor = f"{events[-1].time!r}/{events[-1].id}" if more and events else None
    return EventPage(events, next_cursor)


def iter_events(store: Store, *, page_size: int = 5000, **filters: Any) -> Iterator[Event]:
    """All events matching ``filters`` (as :func:`query_events`), fetched page by page."""
    cursor: str | None = None
    while True:
        page = query_events(store, limit=page_size, cursor=cursor, **filters)
        yield from page.events
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def query_metrics(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    scope_id: str | None = None,
    metrics: str | Sequence[str] | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> list[MetricRow]:
    """Minute metric rows whose bucket starts in ``[start, end)``, ordered by minute then key."""
    c = METRICS.c
    stmt: Select[Any] = select(METRICS)
    stmt = stmt.where(*_equal(c, site_id=site_id, camera_id=camera_id, scope_id=scope_id))
    if metrics is not None:
        stmt = stmt.where(c.metric.in_([metrics] if isinstance(metrics, str) else list(metrics)))
    stmt = stmt.where(*_between(c.bucket_start, c.bucket_start, start, end))
    stmt = stmt.order_by(c.bucket_start, c.site_id, c.camera_id, c.scope_id, c.metric)
    with store.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        MetricRow(
            site_id=r.site_id,
            camera_id=r.camera_id,
            scope_id=r.scope_id,
            metric=r.metric,
            bucket_start=r.bucket_start,
            value=r.value,
            sample_count=r.sample_count,
            coverage=r.coverage,
        )
        for r in rows
    ]


def line_counts(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    line_id: str | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> dict[str, dict[str, int]]:
    """Line crossings per line and direction: ``{line_id: {"in": n, "out": n}}``."""
    direction = EVENTS.c.properties["direction"].as_string()
    conds = event_conditions(
        site_id=site_id,
        camera_id=camera_id,
        kinds=EventKind.LINE_CROSSING,
        scope_id=line_id,
        start=start,
        end=end,
    )
    stmt = (
        select(EVENTS.c.scope_id, direction, func.count())
        .where(*conds)
        .group_by(EVENTS.c.scope_id, direction)
        .order_by(EVENTS.c.scope_id)
    )
    out: dict[str, dict[str, int]] = {}
    with store.connect() as conn:
        for scope, way, n in conn.execute(stmt):
            out.setdefault(scope, {"in": 0, "out": 0})[way] = int(n)
    return out


@dataclass(frozen=True, slots=True)
class EventStats:
    """How many events match, per kind, and the capture-time span they cover."""

    total: int
    by_kind: dict[str, int] = field(default_factory=dict)
    first_time: float | None = None
    last_time: float | None = None


def event_stats(store: Store, **filters: Any) -> EventStats:
    """Counts per kind and first/last capture time for events matching ``filters``."""
    conds = event_conditions(**filters)
    c = EVENTS.c
    stmt = (
        select(c.kind, func.count(), func.min(c.time), func.max(c.time))
        .where(*conds)
        .group_by(c.kind)
    )
    with store.connect() as conn:
        rows = conn.execute(stmt).all()
    if not rows:
        return EventStats(total=0)
    return EventStats(
        total=sum(int(r[1]) for r in rows),
        by_kind={r[0]: int(r[1]) for r in sorted(rows, key=lambda r: r[0])},
        first_time=min(float(r[2]) for r in rows),  # min/max keep the column's type: floats
        last_time=max(float(r[3]) for r in rows),
    )


def coverage(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> list[CoverageInterval]:
    """Coverage intervals overlapping ``[start, end)``: when each camera was actually analysed."""
    c = COVERAGE.c
    stmt: Select[Any] = select(COVERAGE)
    stmt = stmt.where(*_equal(c, site_id=site_id, camera_id=camera_id))
    stmt = stmt.where(*_between(c.start_time, c.end_time, start, end, overlap=True))
    stmt = stmt.order_by(c.site_id, c.camera_id, c.start_time)
    with store.connect() as conn:
        return [
            CoverageInterval(r.site_id, r.camera_id, r.start_time, r.end_time, r.run_id)
            for r in conn.execute(stmt)
        ]


def covered_seconds(
    store: Store,
    *,
    site_id: str,
    camera_id: str,
    start: TimeLike,
    end: TimeLike,
) -> float:
    """Seconds of ``[start, end)`` that a camera was analysed (overlapping intervals merged)."""
    lo, hi = to_posix(start, "start"), to_posix(end, "end")
    spans = [
        (max(i.start, lo), min(i.end, hi))
        for i in coverage(store, site_id=site_id, camera_id=camera_id, start=lo, end=hi)
    ]
    return union_seconds(spans)


def union_seconds(spans: Iterable[tuple[float, float]]) -> float:
    """Length of the union of ``(start, end)`` spans: overlapping ones count once."""
    total, cur_start, cur_end = 0.0, 0.0, None
    for s, e in sorted(spans):
        if cur_end is None or s > cur_end:
            if cur_end is not None:
                total += cur_end - cur_start
            cur_start, cur_end = s, e
        else:
            cur_end = max(cur_end, e)
    if cur_end is not None:
        total += cur_end - cur_start
    return total


def runs(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    limit: int = 100,
) -> list[AnalysisRun]:
    """Most recent analysis runs first."""
    c = RUNS.c
    stmt: Select[Any] = select(RUNS)
    stmt = stmt.where(*_equal(c, site_id=site_id, camera_id=camera_id))
    stmt = stmt.order_by(c.started_at.desc(), c.id).limit(limit)
    with store.connect() as conn:
        return [
            AnalysisRun(
                id=r.id,
                site_id=r.site_id,
                camera_id=r.camera_id,
                source_name=r.source_name,
                anchor_time=r.anchor_time,
                started_at=r.started_at,
                status=r.status,
                anchor_kind=r.anchor_kind,
                finished_at=r.finished_at,
                frames=r.frames,
                seconds=r.seconds,
                message=r.message,
            )
            for r in conn.execute(stmt)
        ]


def sessions(
    store: Store,
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> list[CameraSession]:
    """Closed hourly camera sessions whose hour starts in ``[start, end)``, oldest first."""
    c = SESSIONS.c
    stmt: Select[Any] = select(SESSIONS)
    stmt = stmt.where(*_equal(c, site_id=site_id, camera_id=camera_id))
    stmt = stmt.where(*_between(c.start_time, c.start_time, start, end))
    stmt = stmt.order_by(c.start_time, c.site_id, c.camera_id)
    with store.connect() as conn:
        return [
            CameraSession(
                site_id=r.site_id,
                camera_id=r.camera_id,
                start=r.start_time,
                end=r.end_time,
                coverage_s=r.coverage_s,
                visits=r.visits,
                events=r.events,
                summary=dict(r.summary or {}),
                closed_at=r.closed_at,
                run_id=r.run_id,
            )
            for r in conn.execute(stmt)
        ]


def site_ids(store: Store) -> set[str]:
    """The sites the store holds events of."""
    with store.connect() as conn:
        return {s for (s,) in conn.execute(select(EVENTS.c.site_id).distinct())}
