"""Fleet: the ingest endpoint edge stores forward their rows to (``storepixel sync``,
``forward:``), and the fleet view (every store's KPIs and edge health side by side)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Depends, Query

from storepixel.api.deps.auth import Principal, check_site, current_principal
from storepixel.api.errors import Forbidden
from storepixel.api.state import AppState, get_state
from storepixel.store.fleet import fleet
from storepixel.store.sync import ForeignRows, apply_batch
from storepixel.timeutil import time_range

router = APIRouter(tags=["fleet"])


@router.post("/api/sites/{site}/ingest")
async def ingest(
    site: str,
    body: dict[str, Any] = Body(...),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Write one batch of an edge's events, minute metrics, hourly sessions and coverage.

    Idempotent: rows already stored are skipped (events) or replaced by the same values (the
    rest), so an edge may resend a batch whose acknowledgement it lost. A key bound to another
    site gets 403.
    """
    if not principal.sees(site):
        raise Forbidden(f"this key may write only to site {principal.site_id!r}, not {site!r}")
    check_site(principal, state, site, "ingest")
    try:
        result = await asyncio.to_thread(apply_batch, state.store, site, body)
    except ForeignRows as err:
        raise Forbidden(str(err)) from None
    return {
        "events_new": result.events_new,
        "events_existing": result.events_existing,
        "metrics": result.metrics,
        "sessions": result.sessions,
        "coverage": result.coverage,
    }


@router.get("/api/fleet")
def fleet_view(
    frm: str | None = Query(
        None, alias="from", max_length=64, description="Start (ISO 8601; each store's time zone)."
    ),
    to: str | None = Query(None, max_length=64, description="End, exclusive (default: +1 day)."),
    site: list[str] | None = Query(None, description="Only these stores (repeat); default: all."),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Every store you can see, side by side for one period: footfall, visits, dwell p50,
    conversion (where receipts were imported), seconds analysed, each store against the median
    of the stores shown, and each edge's last health report (last sync, lag, rows queued,
    cameras up and down). An API key sees only its own store."""
    sites = [s for s in state.sites.all() if principal.sees(s.site.id)]
    if site:
        for wanted in site:
            check_site(principal, state, wanted, "read")  # 404 for a store you cannot see
        sites = [s for s in sites if s.site.id in set(site)]
    period = {s.site.id: time_range(frm, to, s.site.tz) for s in sites}
    return fleet(state.store, sites, period)
