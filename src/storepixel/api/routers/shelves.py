"""The shelf funnel: passers → stoppers → reachers per shelf, brand or category.

See docs/shelves.md."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from storepixel.api.deps.auth import site_read
from storepixel.api.routers.analytics import CAMERA, FROM, TO
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig
from storepixel.store.shelves import funnel_report
from storepixel.timeutil import time_range

router = APIRouter(prefix="/api/sites/{site}/analytics", tags=["analytics"])


@router.get("/shelves")
def shelves(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    by: Literal["shelf", "brand", "category"] = Query(
        "shelf", description="Group the funnel by shelf, brand or category."
    ),
    bucket: Literal["hour", "day", "range"] = Query(
        "hour", description="Bucket in the site's time zone; range: the whole range as one."
    ),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Per group and bucket: passers, stoppers, reachers, touches, attention seconds p50/p90 and
    the conversions between the steps; a bucket whose cameras were not analysed reads
    ``no_data: true`` with null numbers."""
    lo, hi = time_range(frm, to, site.site.tz)
    if camera is not None:
        state.sites.camera(site.site.id, camera)  # 404 for an unknown camera
    return funnel_report(state.store, site, lo, hi, by=by, bucket=bucket, camera=camera)
