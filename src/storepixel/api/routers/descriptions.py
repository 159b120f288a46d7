"""Stored people-chunk descriptions (``storepixel.describe``): what a vision-language model said
each stretch with people showed, with capture times, its alerts and its cost."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from storepixel.api.deps.auth import site_read
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig
from storepixel.store.descriptions import chunk_json, list_chunks
from storepixel.timeutil import parse_when

router = APIRouter(prefix="/api/sites/{site}/descriptions", tags=["descriptions"])

Status = Literal["pending", "waiting", "sending", "done", "failed"]


@router.get("")
def list_descriptions(
    frm: str | None = Query(None, alias="from", max_length=64, description="ISO 8601 start."),
    to: str | None = Query(None, max_length=64, description="ISO 8601 end (exclusive)."),
    camera: str | None = Query(None, max_length=128),
    status: list[Status] | None = Query(None, description="Only chunks in these states."),
    limit: int = Query(200, ge=1, le=1000),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """People-chunks in capture-time order: each with its timeline items, per-person summaries,
    alerts, tokens, cost and status (``failed``/``waiting`` carry a reason)."""
    if camera is not None:
        state.sites.camera(site.site.id, camera)
    tz = site.site.tz
    rows = list_chunks(
        state.store,
        site_id=site.site.id,
        camera_id=camera,
        since=parse_when(frm, tz, "from") if frm else None,
        until=parse_when(to, tz, "to") if to else None,
        status=list(status) if status else None,
        limit=limit,
    )
    return {"items": [chunk_json(r) for r in rows]}
