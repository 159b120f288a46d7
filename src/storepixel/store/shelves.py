"""The shelf funnel of a site read from the store (events and coverage), bucketed in local time;
staff are left out (``store.people``).

Shared by ``GET /api/sites/{site}/analytics/shelves`` and ``storepixel shelves funnel``; the
arithmetic is ``analytics.funnel``.
"""

from __future__ import annotations

from typing import Any, Literal
from zoneinfo import ZoneInfo

from storepixel.analytics.funnel import GroupBy, ShelfIndex, shelf_funnel
from storepixel.config.site import SiteConfig
from storepixel.store import Store
from storepixel.store.people import staff_tracks, without_staff
from storepixel.store.queries import coverage, iter_events, union_seconds
from storepixel.timeutil import Bucket, bucket_floor, bucket_starts, iso
from storepixel.types import EventKind

SHELF_KINDS = [EventKind.SHELF_PASS, EventKind.SHELF_ATTENTION, EventKind.SHELF_REACH]


def shelf_index(site: SiteConfig, camera: str | None = None) -> ShelfIndex:
    """The site's shelves now: (camera, shelf) → (shelf, brand, category)."""
    return {
        (cam.id, s.id): (s.id, s.brand, s.category)
        for cam in site.cameras
        if camera is None or cam.id == camera
        for s in cam.shelves
    }


def funnel_report(
    store: Store,
    site: SiteConfig,
    lo: float,
    hi: float,
    *,
    by: GroupBy = "shelf",
    bucket: Bucket | Literal["range"] = "hour",
    camera: str | None = None,
) -> dict[str, Any]:
    """``{"by": ..., "rows": [...]}`` for ``[lo, hi)``: one row per group and local bucket
    (``range``: one bucket, the whole range)."""
    tz: ZoneInfo = site.site.tz
    site_id = site.site.id
    starts = [lo] if bucket == "range" else bucket_starts(lo, hi, bucket, tz)
    ends = dict(zip(starts, [*starts[1:], hi], strict=True))
    spans: dict[tuple[str, float], list[tuple[float, float]]] = {}
    for c in coverage(store, site_id=site_id, camera_id=camera, start=lo, end=hi):
        for s in starts:
            a, b = max(c.start, s), min(c.end, ends[s])
            if b > a:
                spans.setdefault((c.camera_id, s), []).append((a, b))
    covered = {key: union_seconds(v) for key, v in spans.items()}
    events = without_staff(
        iter_events(store, site_id=site_id, camera_id=camera, kinds=SHELF_KINDS, start=lo, end=hi),
        staff_tracks(store, site_id, lo, hi, camera),
    )
    rows = shelf_funnel(
        events,
        shelf_index(site, camera),
        starts,
        (lambda t: lo) if bucket == "range" else (lambda t: bucket_floor(t, bucket, tz)),
        covered,
        by=by,
    )
    for row in rows:
        row["start"] = iso(row["start"], tz)
    return {"by": by, "bucket": bucket, "rows": rows}
