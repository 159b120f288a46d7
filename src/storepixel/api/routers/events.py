"""Stored events: filtered, paginated, exported."""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from storepixel.api.deps.auth import Principal, current_principal, site_read
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig
from storepixel.events.schema import event_to_json
from storepixel.store.accounts import audit
from storepixel.store.export import export_events
from storepixel.store.queries import query_events
from storepixel.timeutil import parse_when, time_range
from storepixel.types import EventKind

router = APIRouter(prefix="/api/sites/{site}/events", tags=["events"])

Kind = Literal[
    "line_crossing",
    "zone_enter",
    "zone_exit",
    "queue_join",
    "queue_leave",
    "visit_start",
    "visit_end",
    "shelf_pass",
    "shelf_attention",
    "shelf_reach",
    "vlm_alert",
]
assert set(Kind.__args__) == set(EventKind.ALL)  # type: ignore[attr-defined]

FROM = Query(None, alias="from", max_length=64, description="ISO 8601 start (inclusive).")
TO = Query(None, max_length=64, description="ISO 8601 end (exclusive).")
MEDIA = {
    "csv": "text/csv",
    "jsonl": "application/x-ndjson",
    "parquet": "application/vnd.apache.parquet",
}


def _filters(
    site: SiteConfig,
    state: AppState,
    frm: str | None,
    to: str | None,
    camera: str | None,
    zone: str | None,
    kind: list[str] | None,
) -> dict[str, Any]:
    if camera is not None:
        state.sites.camera(site.site.id, camera)
    # Open-ended: only ``from`` means "since", only ``to`` "until" (analytics default to a day).
    tz = site.site.tz
    lo = parse_when(frm, tz, "from") if frm else None
    hi = parse_when(to, tz, "to") if to else None
    if lo is not None and hi is not None:
        time_range(frm, to, tz)  # same checks as analytics: backwards, too long
    return {
        "site_id": site.site.id,
        "camera_id": camera,
        "scope_id": zone,
        "kinds": kind or None,
        "start": lo,
        "end": hi,
    }


def _audit_read(
    state: AppState, principal: Principal, action: str, filters: dict[str, Any]
) -> None:
    """Raw events are about people: who read which, when, goes to the audit log."""
    detail = {k: v for k, v in filters.items() if v is not None and k != "site_id"}
    audit(state.store, principal.actor, action, str(filters["site_id"]), detail or None)


@router.get("")
def list_events(
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = Query(None, max_length=128),
    zone: str | None = Query(None, max_length=128, description="A zone or line id (scope)."),
    kind: list[Kind] | None = Query(None, description="One or more event kinds."),
    limit: int = Query(100, ge=1, le=1000),
    cursor: str | None = Query(None, max_length=200, description="next_cursor of the last page."),
    order: Literal["oldest", "newest"] = Query(
        "oldest", description="oldest first (for reading everything) or newest first (browsing)."
    ),
    site: SiteConfig = Depends(site_read),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Events in capture-time order (all time unless from/to); follow ``next_cursor`` for
    more. Every read of raw events is recorded in the audit log."""
    filters = _filters(site, state, frm, to, camera, zone, list(kind) if kind else None)
    _audit_read(state, principal, "events.read", filters)
    page = query_events(
        state.store, limit=limit, cursor=cursor, newest_first=order == "newest", **filters
    )
    return {"items": [event_to_json(e) for e in page.events], "next_cursor": page.next_cursor}


@router.get("/export", response_class=FileResponse)
async def export(
    format: Literal["csv", "jsonl", "parquet"] = Query("csv"),
    frm: str | None = FROM,
    to: str | None = TO,
    camera: str | None = Query(None, max_length=128),
    zone: str | None = Query(None, max_length=128),
    kind: list[Kind] | None = Query(None),
    site: SiteConfig = Depends(site_read),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> FileResponse:
    """The matching events as a file download (written to a temp file, streamed, deleted);
    recorded in the audit log."""
    filters = _filters(site, state, frm, to, camera, zone, list(kind) if kind else None)
    _audit_read(state, principal, f"events.export.{format}", filters)
    fd, name = tempfile.mkstemp(prefix="export-", suffix=f".{format}")
    os.close(fd)
    path = Path(name)
    try:
        await asyncio.to_thread(export_events, state.store, path, format, **filters)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return FileResponse(
        path,
        media_type=MEDIA[format],
        filename=f"{site.site.id}-events.{format}",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
