"""Hourly camera sessions: at each capture-time hour boundary, one summary per camera.

A session is computed from what the store holds for the hour (events, coverage, minute metrics),
not from in-memory counters, so it is right after a restart too: closing an hour again simply
replaces its row with the same numbers plus whatever was recorded since. Hours follow the site's
time zone (a store's "9 to 10" is local).

>>> from zoneinfo import ZoneInfo
>>> hour_start(1714559999.0, ZoneInfo("UTC")), next_hour(1714557600.0, ZoneInfo("UTC"))
(1714557600.0, 1714561200.0)
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np

from storepixel.store import Store
from storepixel.store.queries import covered_seconds, iter_events, query_metrics
from storepixel.store.runs import CameraSession
from storepixel.types import EventKind

HOUR_S = 3600.0


def hour_start(t: float, tz: ZoneInfo) -> float:
    """Start of the local hour holding capture time ``t`` (POSIX seconds)."""
    local = datetime.fromtimestamp(t, tz)
    return local.replace(minute=0, second=0, microsecond=0).timestamp()


def next_hour(start: float, tz: ZoneInfo) -> float:
    """The hour boundary after ``start`` (an hour start); DST-safe."""
    return hour_start(start + HOUR_S + 1.0, tz)


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def summarise_hour(
    store: Store,
    site_id: str,
    camera_id: str,
    start: float,
    end: float,
    *,
    run_id: str | None = None,
    partial: bool = False,
) -> CameraSession:
    """The session of ``camera_id`` for ``[start, end)`` from the store's rows.

    ``summary``: line in/out counts, per zone visits (enters or queue joins) with dwell (or wait)
    p50/p90 in seconds, the peak number of people in view, and ``partial`` when the hour was
    closed before it ended (shutdown). ``coverage_s`` 0 means the camera was down: no data.
    """
    lines: dict[str, dict[str, int]] = defaultdict(lambda: {"in": 0, "out": 0})
    zone_visits: dict[str, int] = defaultdict(int)
    dwells: dict[str, list[float]] = defaultdict(list)
    visits = events = 0
    for ev in iter_events(store, site_id=site_id, camera_id=camera_id, start=start, end=end):
        events += 1
        props = ev.properties
        if ev.kind == EventKind.LINE_CROSSING and ev.scope_id:
            lines[ev.scope_id][str(props.get("direction", "in"))] += 1
        elif ev.kind in (EventKind.ZONE_ENTER, EventKind.QUEUE_JOIN) and ev.scope_id:
            zone_visits[ev.scope_id] += 1
        elif ev.kind in (EventKind.ZONE_EXIT, EventKind.QUEUE_LEAVE) and ev.scope_id:
            value = props.get("dwell_s", props.get("wait_s"))
            if isinstance(value, int | float):
                dwells[ev.scope_id].append(float(value))
        elif ev.kind == EventKind.VISIT_START:
            visits += 1
    peaks = query_metrics(
        store,
        site_id=site_id,
        camera_id=camera_id,
        metrics="people_peak",
        start=start,
        end=end,
    )
    zones = {
        zid: {
            "visits": zone_visits.get(zid, 0),
            "dwell_p50_s": _pct(dwells.get(zid, []), 50),
            "dwell_p90_s": _pct(dwells.get(zid, []), 90),
        }
        for zid in sorted(set(zone_visits) | set(dwells))
    }
    summary = {
        "lines": {lid: dict(c) for lid, c in sorted(lines.items())},
        "zones": zones,
        "people_peak": int(max(r.value for r in peaks)) if peaks else None,
        "partial": partial,
    }
    covered = covered_seconds(store, site_id=site_id, camera_id=camera_id, start=start, end=end)
    return CameraSession(
        site_id=site_id,
        camera_id=camera_id,
        start=start,
        end=end,
        coverage_s=round(covered, 3),
        visits=visits,
        events=events,
        summary=summary,
        closed_at=time.time(),
        run_id=run_id,
    )


class HourCloser:
    """Decides which hours of one camera are ready to close.

    ``ready(watermark)`` returns the hour starts that ended at or before ``watermark`` (the capture
    time up to which every event has been written) and were not closed yet, starting with the hour
    of the first frame seen; an hour while the camera was down is closed too (coverage 0).
    """

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.next_start: float | None = None  # the first hour not closed yet

    def seen(self, t: float) -> None:
        if self.next_start is None:
            self.next_start = hour_start(t, self.tz)

    def ready(self, watermark: float) -> list[tuple[float, float]]:
        out: list[tuple[float, float]] = []
        while self.next_start is not None:
            end = next_hour(self.next_start, self.tz)
            if end > watermark:
                break
            out.append((self.next_start, end))
            self.next_start = end
        return out

    def current(self) -> float | None:
        """Start of the open hour (for the partial session written at shutdown)."""
        return self.next_start
