"""Fleet: the ingest endpoint edge stores forward their rows to (``storepixel sync``)."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Body, Depends

from storepixel.api.deps.auth import Principal, check_site, current_principal
from storepixel.api.errors import Forbidden
from storepixel.api.state import AppState, get_state
from storepixel.store.sync import ForeignRows, apply_batch

router = APIRouter(prefix="/api/sites/{site}", tags=["fleet"])


@router.post("/ingest")
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
