"""The fleet view: every store's KPIs for one period side by side, each store's edge health, and
each store against the fleet's median (central side; the stores' rows arrive by sync).

KPIs per store, for ``[from, to)`` read in each store's own time zone (so "Monday" is each
store's Monday):

- ``footfall``: crossings *in* of the lines marked ``footfall`` (the entrances);
- ``visits``: visits that started (``visit_start`` events);
- ``dwell_p50_s``: median dwell of the visits that ended (zone exits);
- ``transactions`` and ``conversion`` (transactions ÷ footfall): only where point-of-sale
  receipts were imported for the store, else ``null`` ("not known", never 0);
- ``coverage_s``: seconds of footage analysed in the period. A store with neither coverage nor
  events in the period has ``null`` KPIs ("no data", not "nobody came") and stays out of the
  median.

Against the median: for each KPI, the store's value relative to the median of the stores that
have the KPI (``+0.12`` = 12 % above); ``null`` where the store has no value or the median is 0.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Mapping
from typing import Any

from storepixel.config.site import SiteConfig
from storepixel.store import Store
from storepixel.store.analytics import Scope, _dwells, _pct, footfall, footfall_lines
from storepixel.store.pos import receipts_between
from storepixel.store.queries import coverage, event_stats, union_seconds
from storepixel.store.sync import edge_health
from storepixel.timeutil import iso
from storepixel.types import EventKind

KPIS = ("footfall", "visits", "dwell_p50_s", "conversion")
STALE_AFTER_S = 900.0  # an edge that has not reported for 15 minutes is shown as stale


def store_kpis(store: Store, site: SiteConfig, lo: float, hi: float) -> dict[str, Any]:
    """One store's KPIs over ``[lo, hi)`` (POSIX seconds)."""
    site_id = site.site.id
    scope = Scope(store, site_id, site.site.tz, lo, hi)
    doors = footfall_lines(site)
    ins = sum(b["in"] for b in footfall(scope, "day", doors=doors)["buckets"]) if doors else 0
    visits = event_stats(store, site_id=site_id, kinds=EventKind.VISIT_START, start=lo, end=hi)
    spans = [
        (max(c.start, lo), min(c.end, hi))
        for c in coverage(store, site_id=site_id, start=lo, end=hi)
    ]
    receipts = receipts_between(store, site_id, lo, hi)
    if not spans and not visits.total and not ins:  # nothing arrived for the period: no data
        return {**dict.fromkeys(KPIS), "transactions": len(receipts) or None, "coverage_s": 0.0}
    sold = len(receipts) if receipts else None
    return {
        "footfall": ins if doors else None,
        "visits": visits.total,
        "dwell_p50_s": _pct(_dwells(scope, None), 50),
        "transactions": sold,
        "conversion": round(sold / ins, 4) if sold is not None and ins else None,
        "coverage_s": round(union_seconds(spans), 3),
    }


def health_view(report: Mapping[str, Any] | None, now: float) -> dict[str, Any]:
    """An edge's last report as the fleet view shows it (``status``: ok, stale or never)."""
    if report is None:
        return {"status": "never", "last_report": None, "cameras_up": 0, "cameras_down": 0}
    cameras = list(report["cameras"] or [])
    up = sum(1 for c in cameras if c.get("state") == "streaming")
    since = max(0.0, now - float(report["received_at"]))
    last_sync = report["last_sync_at"]
    return {
        "status": "stale" if since > STALE_AFTER_S else "ok",
        "last_report": iso(report["received_at"]),
        "since_report_s": round(since, 1),
        "last_sync": iso(last_sync) if last_sync is not None else None,
        "lag_s": report["lag_s"],
        "pending": report["pending"],
        "cameras_up": up,
        "cameras_down": len(cameras) - up,
        "cameras": cameras,
    }


def _relative(value: float | None, median: float | None) -> float | None:
    if value is None or median is None or median == 0:
        return None
    return round(value / median - 1.0, 4)


def compare(rows: list[dict[str, Any]]) -> dict[str, float | None]:
    """Fill each row's ``vs_median`` and return the fleet's median of each KPI."""
    medians: dict[str, float | None] = {}
    for kpi in KPIS:
        values = [r["kpis"][kpi] for r in rows if r["kpis"][kpi] is not None]
        medians[kpi] = round(float(statistics.median(values)), 4) if values else None
    for r in rows:
        r["vs_median"] = {k: _relative(r["kpis"][k], medians[k]) for k in KPIS}
    return medians


def fleet(
    store: Store,
    sites: Iterable[SiteConfig],
    period: Mapping[str, tuple[float, float]],
    *,
    now: float | None = None,
) -> dict[str, Any]:
    """The fleet view of ``sites`` (those the caller may see), each over its ``period[id]``."""
    sites = list(sites)
    now = time.time() if now is None else now
    reports = edge_health(store, [s.site.id for s in sites])
    rows = []
    for site in sites:
        lo, hi = period[site.site.id]
        tz = site.site.tz
        rows.append(
            {
                "site": site.site.id,
                "name": site.site.name or site.site.id,
                "timezone": str(tz),
                "from": iso(lo, tz),
                "to": iso(hi, tz),
                "cameras": len(site.cameras),
                "kpis": store_kpis(store, site, lo, hi),
                "health": health_view(reports.get(site.site.id), now),
            }
        )
    medians = compare(rows)
    return {"stores": rows, "median": medians, "stale_after_s": STALE_AFTER_S}
