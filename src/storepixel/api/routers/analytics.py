"""Footfall, occupancy, dwell, queues, transitions, heatmap and daily KPIs of a site.

Every endpoint takes ``from``/``to`` (ISO 8601; without an offset = the site's time zone;
default: today) and an optional ``camera``; buckets are local hours or days of the site.
"""

from __future__ import annotations

import asyncio
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from storepixel.api.deps.auth import site_read
from storepixel.api.snapshots import file_source, first_frame, masked
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig
from storepixel.errors import NotFound
from storepixel.store import analytics as calc
from storepixel.store.heatmaps import load_grid, render_png
from storepixel.store.people import visit_summary
from storepixel.store.queries import event_stats
from storepixel.timeutil import iso, parse_date, time_range, today

router = APIRouter(prefix="/api/sites/{site}/analytics", tags=["analytics"])

FROM = Query(None, alias="from", max_length=64, description="ISO 8601 start (inclusive).")
TO = Query(None, max_length=64, description="ISO 8601 end (exclusive).")
CAMERA = Query(None, max_length=128, description="Only this camera.")
BUCKET = Query("hour", description="Bucket size in the site's time zone.")


def _scope(
    state: AppState, site: SiteConfig, frm: str | None, to: str | None, camera: str | None
) -> calc.Scope:
    """What an endpoint's ``from``/``to``/``camera`` select (4xx when bad). A helper rather than
    a dependency: FastAPI lists a dependency's query parameters after the route's own, which
    would reorder them in the OpenAPI schema."""
    lo, hi = time_range(frm, to, site.site.tz)
    if camera is not None:
        state.sites.camera(site.site.id, camera)  # 404 for an unknown camera
    return calc.Scope(state.store, site.site.id, site.site.tz, lo, hi, camera)


@router.get("/footfall")
def footfall(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    line: str | None = Query(
        None, max_length=128, description="Only this line; default: the footfall lines."
    ),
    bucket: Literal["hour", "day"] = BUCKET,
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """People in and out per bucket: across the lines marked ``footfall`` (the entrances), or
    across ``line`` alone when given."""
    where = _scope(state, site, frm, to, camera)
    return calc.footfall(where, bucket, line, doors=calc.footfall_lines(site))


@router.get("/footfall-matrix")
def footfall_matrix(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    line: str | None = Query(None, max_length=128),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """People in, per local day and hour of day (for a day × hour heatmap); lines as in
    footfall."""
    where = _scope(state, site, frm, to, camera)
    return calc.footfall_matrix(where, line, doors=calc.footfall_lines(site))


@router.get("/occupancy")
def occupancy(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    zone: str | None = Query(None, max_length=128, description="A zone; default: people in view."),
    bucket: Literal["minute", "hour", "day"] = BUCKET,
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Average and peak number of people per bucket (``null`` where nothing was analysed)."""
    return calc.occupancy(_scope(state, site, frm, to, camera), bucket, zone)


@router.get("/dwell")
def dwell(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    zone: str | None = Query(None, max_length=128),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Dwell times of zone visits that ended in the range (queue zones: waiting times)."""
    return calc.dwell(_scope(state, site, frm, to, camera), zone)


@router.get("/queues")
def queues(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    zone: str | None = Query(None, max_length=128),
    bucket: Literal["minute", "hour", "day"] = BUCKET,
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Queue length (average, peak) and mean waiting time per bucket."""
    return calc.queues(_scope(state, site, frm, to, camera), bucket, zone)


@router.get("/transitions")
def transitions(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """How many people went from one zone to another."""
    return calc.transitions(_scope(state, site, frm, to, camera))


@router.get("/visits")
def visits(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = CAMERA,
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, int]:
    """Visits that ended in the range as people: customers, groups of customers, customers in
    groups, alone, parties (groups + alone) and staff (docs/people.md)."""
    scope = _scope(state, site, frm, to, camera)
    return visit_summary(state.store, site.site.id, scope.lo, scope.hi, camera)


@router.get("/kpis")
def kpis(
    date: str | None = Query(None, max_length=32, description="YYYY-MM-DD; default: today."),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """One local day: in, out (footfall lines), visits, dwell p50, peak people in view,
    seconds analysed."""
    tz = site.site.tz
    day = parse_date(date) if date is not None else today(tz)
    return calc.kpis(state.store, site.site.id, tz, day, doors=calc.footfall_lines(site))


@router.get("/extent")
def extent(site: SiteConfig = Depends(site_read), state: AppState = Depends(get_state)):
    """Capture time of the first and last stored event of the site (``null`` when none)."""
    stats = event_stats(state.store, site_id=site.site.id)
    tz = site.site.tz
    return {
        "first": iso(stats.first_time, tz) if stats.first_time is not None else None,
        "last": iso(stats.last_time, tz) if stats.last_time is not None else None,
        "events": stats.total,
    }


@router.get(
    "/heatmap.png", response_class=Response, responses={200: {"content": {"image/png": {}}}}
)
async def heatmap(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = Query(None, max_length=128, description="Default: the first camera."),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> Response:
    """Where people stood (person-seconds), drawn over the camera's snapshot; 404 saying why
    when nobody was recorded in view over the range."""
    lo, hi = time_range(frm, to, site.site.tz)
    cam_id = camera or site.cameras[0].id
    camera_cfg = state.sites.camera(site.site.id, cam_id)  # 404 for an unknown camera
    grid = await asyncio.to_thread(load_grid, state.store, site.site.id, cam_id, lo, hi)
    if not grid.any():
        tz = site.site.tz
        raise NotFound(
            f"no heatmap for camera {cam_id!r} from {iso(lo, tz)} to {iso(hi, tz)}: nobody was "
            "seen in its view, or none of its footage from this range was analysed (heatmaps "
            "come from analyze, uploads and live cameras)"
        )
    backdrop = state.hub.latest_image(site.site.id, cam_id) if state.hub is not None else None
    if backdrop is None and (path := file_source(site, camera_cfg)) is not None:
        raw = await asyncio.to_thread(first_frame, path)
        backdrop = masked(raw, camera_cfg) if raw is not None else None
    png = await asyncio.to_thread(render_png, grid, backdrop)
    return Response(png, media_type="image/png", headers={"Cache-Control": "no-store"})
