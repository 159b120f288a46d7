"""The web app: ``create_app(...)`` wires the store, the sites, live cameras and the routers.

>>> from storepixel.config.site import SiteConfig
>>> from storepixel.store import open_store
>>> site = SiteConfig.model_validate({"site": {"id": "demo"}, "cameras": [{"id": "cam1"}]})
>>> app = create_app([site], open_store("sqlite://"), secret_key="x" * 32)
>>> app.title
'storepixel'
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import AsyncIterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from storepixel.api.deps.auth import Principal, current_principal, principal_from
from storepixel.api.errors import install_handlers
from storepixel.api.jobs import JobRunner
from storepixel.api.live import LiveHub
from storepixel.api.metrics import ApiMetrics, MetricsMiddleware
from storepixel.api.middleware import DEFAULT_MAX_BODY, BodyLimit, HostAllowList, SecurityHeaders
from storepixel.api.routers import (
    admin,
    analytics,
    auth,
    descriptions,
    events,
    fleet,
    jobs,
    live,
    ops,
    outward,
    search,
    shelves,
    sites,
    visitors,
)
from storepixel.api.source_policy import SourcePolicy
from storepixel.api.state import AppState
from storepixel.config.registry import SiteRegistry
from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.errors import ConfigError, StorepixelError
from storepixel.store import Store

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parents[1] / "web" / "static"
DOCS_ASSETS = Path(__file__).resolve().parent / "docs_assets"  # Swagger UI, vendored
ENV_SECRET = "STOREPIXEL_SECRET_KEY"
DEFAULT_MAX_UPLOAD = 2 * 1024**3


def load_secret(data_dir: Path) -> str:
    """``$STOREPIXEL_SECRET_KEY``, else ``DATA_DIR/secret_key`` (created once, mode 0600).

    Sessions survive restarts because the key does; deleting the file logs everyone out.
    """
    env = os.environ.get(ENV_SECRET)
    if env:
        if len(env) < 32:
            raise ConfigError(f"${ENV_SECRET} is too short: expected at least 32 characters")
        return env
    path = data_dir / "secret_key"
    try:
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(key + "\n")
        return key
    except OSError as err:
        raise ConfigError(f"cannot read or create {path}: {err.strerror or err}") from None


def _pages_router() -> Any | None:
    try:
        from storepixel.api.routers import pages  # the dashboard (owned by the web package)
    except ImportError:
        return None
    return getattr(pages, "router", None)


def create_app(
    site_configs: Sequence[SiteConfig],
    store: Store,
    *,
    supervisors: Mapping[str, Any] | None = None,
    data_dir: str | Path = "data",
    secret_key: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    secure_cookies: bool = False,
    start_supervisors: bool = True,
    max_body_bytes: int = DEFAULT_MAX_BODY,
    allowed_hosts: Sequence[str] = (),
    source_policy: SourcePolicy | None = None,
) -> FastAPI:
    """The storepixel API (and dashboard) for ``site_configs`` over ``store``.

    ``supervisors`` maps site ids to live Supervisors, started with the app unless
    ``start_supervisors`` is false; the live feed subscribes to each one's event bus. Without
    them the API reads the store only and the live endpoints answer 409. Uploads go under
    ``data_dir/uploads`` and are deleted after analysis; their events go to the site's bus.
    Other request bodies are refused over ``max_body_bytes``; with ``allowed_hosts``, requests
    for any other ``Host`` are refused. Camera sources set through the API must pass
    ``source_policy`` (default: no files, no local network).
    """
    data = Path(data_dir)
    registry = SiteRegistry(site_configs)
    sups = dict(supervisors or {})
    unknown = sorted(set(sups) - set(registry.ids()))
    if unknown:
        raise ConfigError(f"supervisor for unknown site {', '.join(unknown)}")
    metrics = ApiMetrics()
    state = AppState(
        sites=registry,
        store=store,
        secret_key=secret_key or load_secret(data),
        data_dir=data,
        max_upload_bytes=max_upload_bytes,
        secure_cookies=secure_cookies,
        supervisors=sups,
        metrics=metrics,
        source_policy=source_policy or SourcePolicy(),
    )
    state.jobs = JobRunner(store, registry, state.bus)
    if sups:
        state.hub = LiveHub(registry)
        registry.on_change(_push_to_supervisors(state))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        assert state.jobs is not None
        stale = state.jobs.recover()
        if stale:
            log.warning("%d video job(s) were interrupted by the last shutdown", stale)
        if state.hub is not None:
            for site_id, sup in sups.items():
                sup.bus.subscribe(state.hub.consumer(site_id))  # the live feed
                if start_supervisors:
                    sup.start()
        try:
            yield
        finally:
            state.jobs.shutdown()  # uploads publish to the buses closed below
            if start_supervisors:
                for sup in sups.values():
                    sup.stop()  # closes the bus it built
            state.close_buses()

    app = FastAPI(
        title="storepixel",
        version="1",
        description="Footfall, dwell, occupancy and queues from a store's CCTV. See docs/api.md.",
        lifespan=lifespan,
        docs_url=None,  # served below: behind login, with local assets (no CDN)
        redoc_url=None,
        openapi_url=None,
    )
    app.state.storepixel = state
    install_handlers(app)
    for module in (
        auth,
        sites,
        analytics,
        shelves,
        events,
        descriptions,
        jobs,
        live,
        admin,
        ops,
        outward,
        search,
        fleet,
        visitors,
    ):
        app.include_router(module.router)
    pages = _pages_router()
    if pages is not None:
        app.include_router(pages)
    _add_docs(app)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    if allowed_hosts:
        app.add_middleware(HostAllowList, hosts=list(allowed_hosts))
    app.add_middleware(SecurityHeaders)  # outermost: refusals above carry the headers too
    return app


# Swagger UI without FastAPI's inline start-up script, which the Content-Security-Policy blocks.
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>storepixel API</title>
<link rel="stylesheet" href="/docs-assets/swagger-ui.css">
<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs-assets/swagger-ui-bundle.js"></script>
<script src="/static/js/docs.js"></script>
</body>
</html>
"""


def _add_docs(app: FastAPI) -> None:
    """``/openapi.json`` and ``/docs`` (Swagger UI from ``docs_assets``), for logged-in callers."""

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_: Principal = Depends(current_principal)) -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        state = request.app.state.storepixel
        try:
            principal = principal_from(request, state)
        except StorepixelError:
            principal = None
        if principal is None:
            return RedirectResponse("/login?next=%2Fdocs", status_code=303)
        return HTMLResponse(DOCS_PAGE, headers={"Cache-Control": "no-store"})

    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")


def _push_to_supervisors(state: AppState) -> Any:
    """Camera edits reach the running cameras: the next analysed frame uses the new geometry."""

    def push(site_id: str, camera: CameraConfig | None, camera_id: str) -> None:
        sup = state.supervisor(site_id)
        if sup is None:
            return
        if camera is None:
            sup.remove_camera(camera_id)
            if state.hub is not None:
                state.hub.forget_camera(site_id, camera_id)
        else:
            sup.update_camera(camera)

    return push
