"""Liveness and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from prometheus_client import CONTENT_TYPE_LATEST

from storepixel.api.deps.auth import Principal, current_principal
from storepixel.api.errors import Forbidden
from storepixel.api.state import AppState, get_state

router = APIRouter(tags=["ops"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """Always ``{"status": "ok"}`` while the server answers (no authentication)."""
    return {"status": "ok"}


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics(
    principal: Principal = Depends(current_principal), state: AppState = Depends(get_state)
) -> Response:
    """Prometheus text: HTTP request counts and latency, live camera health gauges."""
    if not principal.allows("read") or state.metrics is None:
        raise Forbidden("this needs the 'read' permission")
    sites = [s for s in state.sites.ids() if principal.sees(s)]
    body = state.metrics.render(state.supervisors, sites)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
