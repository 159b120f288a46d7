"""The numbers behind the analytics endpoints, read from the store and bucketed in local time.

Counts (footfall, visits, dwell, transitions) come from events, which are exact and written as
they happen; series (occupancy, queue length, waiting time) from the minute metric rows. A
bucket with no analysed minute reports ``null``, not zero: "no data" is not "nobody came".

Footfall is people entering the store: without a ``line``, only crossings of the lines marked
``footfall`` in the site configuration count (an inner line such as a fitting-room entrance
would count the same person again). Crossings of a line no longer in the configuration are left
out of footfall too, since nothing says whether it was an entrance; ``line=`` still reads them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Integer, cast, func, select, tuple_

from storepixel.config.site import SiteConfig
from storepixel.store import Store
from storepixel.store.database import EVENTS, METRICS
from storepixel.store.models import to_datetime
from storepixel.store.people import staff_tracks, visit_summary
from storepixel.store.queries import (
    coverage,
    event_conditions,
    event_stats,
    iter_events,
    union_seconds,
)
from storepixel.timeutil import Bucket, bucket_floor, bucket_starts, iso, local_midnight
from storepixel.types import EventKind

DWELL_EDGES = (0, 5, 10, 30, 60, 120, 300, 600, 1800)  # seconds; the last bin is open-ended

LineKeys = Collection[tuple[str, str]]  # (camera_id, line_id): line ids are per camera


def footfall_lines(site: SiteConfig) -> list[tuple[str, str]]:
    """The ``(camera_id, line_id)`` of every line that counts toward the site's footfall."""
    return [(cam.id, ln.id) for cam in site.cameras for ln in cam.lines if ln.footfall]


@dataclass(frozen=True)
class Scope:
    """What an analytics query reads: one site's events and metrics in ``[lo, hi)`` (POSIX
    seconds), of ``camera`` alone when given, bucketed in the site's time zone ``tz``."""

    store: Store
    site_id: str
    tz: ZoneInfo
    lo: float
    hi: float
    camera: str | None = None


def _minutes(store: Store) -> Any:
    """The event time truncated to its UTC minute, in SQL (exact; every time zone offset is a
    whole number of minutes, so minutes regroup into local hours and days without error)."""
    if store.dialect == "sqlite":
        return func.substr(EVENTS.c.time, 1, 16)  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' UTC
    return func.date_trunc("minute", EVENTS.c.time)


def _minute_seconds(value: Any) -> float:
    if isinstance(value, str):
        return datetime.fromisoformat(value).replace(tzinfo=UTC).timestamp()
    return float(to_datetime(value).timestamp())


def _crossings(scope: Scope, line: str | None, doors: LineKeys) -> list[tuple[float, str, int]]:
    """``(minute, direction, count)`` of line crossings, counted by the database: of ``line``
    when given (whatever its flag), else of the footfall lines ``doors``."""
    minute = _minutes(scope.store).label("minute")
    direction = EVENTS.c.properties["direction"].as_string().label("direction")
    conds = _event_conds(scope, EventKind.LINE_CROSSING, line)
    if line is None:
        conds.append(tuple_(EVENTS.c.camera_id, EVENTS.c.scope_id).in_(list(doors)))
    stmt = select(minute, direction, func.count()).where(*conds).group_by(minute, direction)
    with scope.store.connect() as conn:
        return [(_minute_seconds(m), str(d), int(n)) for m, d, n in conn.execute(stmt)]


def footfall(
    scope: Scope, bucket: Bucket, line: str | None = None, *, doors: LineKeys
) -> dict[str, Any]:
    """Line crossings in and out per bucket (the footfall lines ``doors`` unless ``line``)."""
    tz = scope.tz
    starts = bucket_starts(scope.lo, scope.hi, bucket, tz)
    counts = {s: {"in": 0, "out": 0} for s in starts}
    for minute, way, n in _crossings(scope, line, doors):
        b = counts.get(bucket_floor(minute, bucket, tz))
        if b is not None and way in ("in", "out"):
            b[way] += n
    return {"buckets": [{"start": iso(s, tz), **counts[s]} for s in starts]}


def footfall_matrix(scope: Scope, line: str | None = None, *, doors: LineKeys) -> dict[str, Any]:
    """Crossings in, per local day (rows) and hour of day (columns); lines as in ``footfall``."""
    tz = scope.tz
    starts = bucket_starts(scope.lo, scope.hi, "day", tz)
    days = [datetime.fromtimestamp(s, tz).date() for s in starts]
    index = {d: i for i, d in enumerate(days)}
    grid = [[0] * 24 for _ in days]
    for minute, way, n in _crossings(scope, line, doors):
        if way != "in":
            continue
        local = datetime.fromtimestamp(minute, tz)
        i = index.get(local.date())
        if i is not None:
            grid[i][local.hour] += n
    return {"days": [d.isoformat() for d in days], "hours": list(range(24)), "in": grid}


@dataclass
class _Slot:
    """Minute metrics of one metric summed over scopes per minute, then gathered per slot:
    ``vc`` Σ value·coverage, ``c`` Σ coverage, ``vmax`` the largest minute, ``vn``/``n`` Σ
    value·samples and Σ samples (for means of means such as waiting time)."""

    vc: float = 0.0
    c: float = 0.0
    vmax: float | None = None
    vn: float = 0.0
    n: int = 0

    def add(self, vc: float, c: float, vmax: float, vn: float, n: int) -> None:
        self.vc += vc
        self.c += c
        self.vmax = vmax if self.vmax is None else max(self.vmax, vmax)
        self.vn += vn
        self.n += n


Slots = dict[str, dict[float, _Slot]]


def _metric_conds(scope: Scope, zone: str | None, names: tuple[str, ...]) -> list[Any]:
    c = METRICS.c
    conds = [
        c.site_id == scope.site_id,
        c.metric.in_(names),
        c.bucket_start >= scope.lo,
        c.bucket_start < scope.hi,
    ]
    if scope.camera is not None:
        conds.append(c.camera_id == scope.camera)
    if zone is not None:
        conds.append(c.scope_id == zone)
    return conds


def _event_conds(scope: Scope, kinds: Any, scope_id: str | None = None) -> list[Any]:
    return event_conditions(
        site_id=scope.site_id,
        camera_id=scope.camera,
        kinds=kinds,
        scope_id=scope_id,
        start=scope.lo,
        end=scope.hi,
    )


def _slots(scope: Scope, zone: str | None, names: tuple[str, ...], bucket: Bucket) -> Slots:
    """Metric rows gathered by the database per UTC quarter hour (every time zone offset is a
    multiple of 15 minutes, so quarters regroup exactly into local hours and days); per minute
    for minute buckets."""
    c = METRICS.c
    per_minute = (
        select(
            c.bucket_start.label("t"),
            c.metric.label("metric"),
            func.sum(c.value).label("v"),
            func.max(c.coverage).label("c"),
            func.sum(c.value * c.sample_count).label("vn"),
            func.sum(c.sample_count).label("n"),
        )
        .where(*_metric_conds(scope, zone, names))
        .group_by(c.bucket_start, c.metric)
    )
    out: Slots = defaultdict(dict)
    with scope.store.connect() as conn:
        if bucket == "minute":
            for t, metric, v, cov, vn, n in conn.execute(per_minute):
                slot = out[metric].setdefault(_minute_seconds(t), _Slot())
                slot.add(v * cov, cov, v, vn, int(n))
            return out
        m = per_minute.subquery()
        if scope.store.dialect == "sqlite":  # 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC text)
            hour = func.substr(m.c.t, 1, 13)
            quarter = cast(func.substr(m.c.t, 15, 2), Integer) / 15
        else:
            hour = func.date_trunc("hour", m.c.t)
            quarter = func.floor(func.extract("minute", m.c.t) / 15)
        stmt = select(
            hour,
            quarter,
            m.c.metric,
            func.sum(m.c.v * m.c.c),
            func.sum(m.c.c),
            func.max(m.c.v),
            func.sum(m.c.vn),
            func.sum(m.c.n),
        ).group_by(hour, quarter, m.c.metric)
        for h, q, metric, vc, cov, vmax, vn, n in conn.execute(stmt):
            start = _hour_seconds(h) + int(q) * 900
            out[metric].setdefault(start, _Slot()).add(vc, cov, vmax, vn, int(n))
    return out


def _hour_seconds(value: Any) -> float:
    if isinstance(value, str):
        return datetime.fromisoformat(value + ":00").replace(tzinfo=UTC).timestamp()
    return float(to_datetime(value).timestamp())


def _series(
    slots: Slots,
    starts: list[float],
    bucket: Bucket,
    tz: ZoneInfo,
    avg_metric: str,
    peak_metric: str,
) -> list[tuple[float, float | None, float | None]]:
    """Per bucket: coverage-weighted mean of the minute averages and max of the minute peaks."""
    sums: dict[float, list[float]] = {s: [0.0, 0.0] for s in starts}
    peaks: dict[float, float] = {}
    for start, slot in slots.get(avg_metric, {}).items():
        acc = sums.get(bucket_floor(start, bucket, tz))
        if acc is not None:
            acc[0] += slot.vc
            acc[1] += slot.c
    for start, slot in slots.get(peak_metric, {}).items():
        b = bucket_floor(start, bucket, tz)
        if b in sums and slot.vmax is not None:
            peaks[b] = max(peaks.get(b, 0.0), slot.vmax)
    out = []
    for s in starts:
        total, weight = sums[s]
        avg = round(total / weight, 3) if weight > 0 else None
        out.append((s, avg, peaks.get(s)))
    return out


def occupancy(scope: Scope, bucket: Bucket, zone: str | None = None) -> dict[str, Any]:
    """People in a zone (or in view of the cameras) per bucket: average and peak."""
    names: tuple[str, ...]
    if zone is not None:
        names = ("occupancy_avg", "occupancy_peak", "queue_length_avg", "queue_length_peak")
    else:
        names = ("people_avg", "people_peak")
    slots = _slots(scope, zone, names, bucket)
    if zone is not None and not slots.get("occupancy_avg") and slots.get("queue_length_avg"):
        avg_m, peak_m = "queue_length_avg", "queue_length_peak"
    elif zone is not None:
        avg_m, peak_m = "occupancy_avg", "occupancy_peak"
    else:
        avg_m, peak_m = "people_avg", "people_peak"
    tz = scope.tz
    starts = bucket_starts(scope.lo, scope.hi, bucket, tz)
    points = _series(slots, starts, bucket, tz, avg_m, peak_m)
    return {"points": [{"start": iso(s, tz), "avg": a, "peak": p} for s, a, p in points]}


def queues(scope: Scope, bucket: Bucket, zone: str | None = None) -> dict[str, Any]:
    """Queue length (average, peak) and mean waiting time of people who left, per bucket."""
    names = ("queue_length_avg", "queue_length_peak", "queue_wait_avg")
    slots = _slots(scope, zone, names, bucket)
    tz = scope.tz
    starts = bucket_starts(scope.lo, scope.hi, bucket, tz)
    series = _series(slots, starts, bucket, tz, "queue_length_avg", "queue_length_peak")
    waits: dict[float, list[float]] = {s: [0.0, 0.0] for s in starts}
    for start, slot in slots.get("queue_wait_avg", {}).items():
        # mean of the minutes' means, weighted by how many waits each minute measured
        acc = waits.get(bucket_floor(start, bucket, tz))
        if acc is not None and slot.n > 0:
            acc[0] += slot.vn
            acc[1] += slot.n
    points = []
    for s, avg, peak in series:
        total, n = waits[s]
        points.append(
            {
                "start": iso(s, tz),
                "length_avg": avg,
                "length_peak": peak,
                "wait_avg_s": round(total / n, 3) if n else None,
            }
        )
    return {"points": points}


def _dwells(scope: Scope, zone: str | None) -> list[float]:
    """Dwell (zone exits) and waiting times (queue leaves) of customers' visits that ended in the
    range (staff are left out: ``store.people``)."""
    conds = _event_conds(scope, [EventKind.ZONE_EXIT, EventKind.QUEUE_LEAVE], zone)
    staff = staff_tracks(scope.store, scope.site_id, scope.lo, scope.hi, scope.camera)
    out = []
    c = EVENTS.c
    with scope.store.connect() as conn:
        for cam, track, props in conn.execute(
            select(c.camera_id, c.track_id, c.properties).where(*conds)
        ):
            if (cam, track) in staff:
                continue
            value = (props or {}).get("dwell_s", (props or {}).get("wait_s"))
            if isinstance(value, int | float):
                out.append(float(value))
    return out


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def dwell(scope: Scope, zone: str | None = None) -> dict[str, Any]:
    """Visits that ended in the range: how many, dwell p50/p90 and a histogram (seconds)."""
    values = _dwells(scope, zone)
    edges = list(DWELL_EDGES)
    hist = []
    for i, low in enumerate(edges):
        high = edges[i + 1] if i + 1 < len(edges) else None
        n = sum(1 for v in values if v >= low and (high is None or v < high))
        hist.append({"lo_s": low, "hi_s": high, "count": n})
    return {
        "count": len(values),
        "p50_s": _pct(values, 50),
        "p90_s": _pct(values, 90),
        "histogram": hist,
    }


def transitions(scope: Scope) -> dict[str, Any]:
    """People who went from one zone to another (consecutive zone entries of one track)."""
    paths: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    kinds = [EventKind.ZONE_ENTER, EventKind.QUEUE_JOIN]
    events = iter_events(
        scope.store,
        site_id=scope.site_id,
        camera_id=scope.camera,
        kinds=kinds,
        start=scope.lo,
        end=scope.hi,
    )
    for ev in events:
        if ev.scope_id:
            paths[(ev.camera_id, ev.track_id)].append((ev.time, ev.scope_id))
    counts: Counter[tuple[str, str]] = Counter()
    for path in paths.values():
        zones = [z for _, z in sorted(path)]
        counts.update((a, b) for a, b in pairwise(zones) if a != b)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return {"transitions": [{"from": a, "to": b, "count": n} for (a, b), n in ordered]}


def kpis(store: Store, site_id: str, tz: ZoneInfo, day: Any, *, doors: LineKeys) -> dict[str, Any]:
    """One local day: in, out (footfall lines ``doors``), visits, dwell p50, occupancy peak,
    seconds analysed."""
    from datetime import timedelta

    lo, hi = local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    scope = Scope(store, site_id, tz, lo, hi)
    ways: Counter[str] = Counter()
    for _, way, n in _crossings(scope, None, doors):
        ways[way] += n
    ins, outs = ways["in"], ways["out"]
    visits = event_stats(
        store, site_id=site_id, kinds=EventKind.VISIT_START, start=lo, end=hi
    ).total
    people = visit_summary(store, site_id, lo, hi)
    dwells = _dwells(scope, None)
    peaks = _slots(scope, None, ("people_peak",), "hour")
    spans = [
        (max(c.start, lo), min(c.end, hi))
        for c in coverage(store, site_id=site_id, start=lo, end=hi)
    ]
    return {
        "date": day.isoformat(),
        "in": ins,
        "out": outs,
        "visits": visits,
        "people": people,
        "dwell_p50_s": _pct(dwells, 50),
        "occupancy_peak": max(
            (s.vmax for s in peaks.get("people_peak", {}).values() if s.vmax is not None),
            default=None,
        ),
        "coverage_s": round(union_seconds(spans), 3),
    }
