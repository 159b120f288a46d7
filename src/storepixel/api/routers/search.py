"""``GET /api/sites/{site}/search``: find moments by meaning, filtered like the events list; and
``GET /api/sites/{site}/summary``: the stored narratives of a day (``storepixel summary``)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Query, Request

from storepixel.api.deps.auth import site_read
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig

if TYPE_CHECKING:
    from storepixel.search.service import SearchService

router = APIRouter(prefix="/api/sites/{site}", tags=["search"])
_open_lock = threading.Lock()


def search_service(request: Request, state: AppState = Depends(get_state)) -> SearchService:
    """The app's one search service, opened on first use (it loads the embedder)."""
    from storepixel.search.service import SearchService

    with _open_lock:
        service = getattr(request.app.state, "search", None)
        if service is None:
            service = SearchService(state.store)
            request.app.state.search = service
    return service  # type: ignore[no-any-return]


@router.get("/search")
def search(
    q: str = Query(..., max_length=20_000, description="What to look for; time words allowed."),
    since: str | None = Query(None, max_length=64, description="ISO-8601 or words."),
    until: str | None = Query(None, max_length=64, description="ISO-8601 or words."),
    camera: str | None = Query(None, max_length=128),
    zone: str | None = Query(None, max_length=128, description="A zone, line or shelf id."),
    kind: list[str] | None = Query(None, description="Document kinds (zone_exit, session…)."),
    limit: int = Query(10, ge=1, le=100),
    mode: str = Query("fused", pattern="^(fused|text|vector)$"),
    site: SiteConfig = Depends(site_read),
    service: SearchService = Depends(search_service),
) -> dict[str, Any]:
    """Hits best first, with the range actually searched (time words resolved in site time)."""
    from storepixel.search.engine import Plan, SearchSite, plan, result_json
    from storepixel.search.kinds import known_kinds

    cfg = site.site
    scopes = {z.id for cam in site.cameras for z in cam.zones} | {
        ln.id for cam in site.cameras for ln in cam.lines
    }
    where = SearchSite(cfg.id, cfg.tz, {c.id for c in site.cameras}, scopes)

    def make(where: SearchSite, zone: str | None) -> Plan:
        return plan(
            q, where, since=since, until=until, camera=camera, zone=zone,
            kinds=tuple(kind or ()), known_kinds=known_kinds(), now=time.time(),
        )  # fmt: skip

    make(where, None)  # fail fast, before indexing what arrived
    service.catch_up(cfg.id, cfg.tz)
    p = make(SearchSite(cfg.id, cfg.tz, where.cameras, scopes | service.scopes(cfg.id)), zone)
    return result_json(service.search(p, limit=limit, mode=mode))  # type: ignore[arg-type]


@router.get("/summary")
def summary(
    day: str = Query(..., alias="date", pattern=r"^\d{4}-\d{2}-\d{2}$", description="Local day."),
    site: SiteConfig = Depends(site_read),
    service: SearchService = Depends(search_service),
) -> dict[str, Any]:
    """The day's narrative and its hourly ones as stored by ``storepixel summary --date D``
    (``day`` is null when none was written for that day)."""
    from datetime import date

    from storepixel.events.schema import format_time
    from storepixel.search.documents import KIND_DAY_SUMMARY, SOURCE_SUMMARY
    from storepixel.search.engine import QueryError

    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise QueryError(f"date must be a real day, YYYY-MM-DD, got {day!r}") from None
    sid = site.site.id
    ids = [f"{sid}/day/{when}"] + [f"{sid}/hour/{when}T{h:02d}" for h in range(24)]
    docs = [d.doc for d in service.index.find(SOURCE_SUMMARY, ids)]
    first = next((d for d in docs if d.kind == KIND_DAY_SUMMARY), None)
    return {
        "date": when.isoformat(),
        "day": None if first is None else first.text,
        "hours": [
            {"start": format_time(d.start), "text": d.text}
            for d in docs
            if d.kind != KIND_DAY_SUMMARY
        ],
    }
