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
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from storepixel.api.deps.auth import Principal, current_principal, principal_from
from storepixel.api.errors import install_handlers
from storepixel.api.jobs import JobRunner
from storepixel.api.live import LiveHub
from storepixel.api.metrics import ApiMetrics, MetricsMiddleware
from storepixel.api.routers import admin, analytics, auth, events, jobs, live, ops, search, sites
from storepixel.api.sites import SiteRegistry
from storepixel.api.state import AppState
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
) -> FastAPI:
    """The storepixel API (and dashboard) for ``site_configs`` over ``store``.

    ``supervisors`` maps site ids to live Supervisors (contract A), started with the app unless
    ``start_supervisors`` is false; without them the API reads the store only and the live
    endpoints answer 409. Uploads go under ``data_dir/uploads`` and are deleted after analysis.
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
    )
    state.jobs = JobRunner(store, registry)
    if sups:
        state.hub = LiveHub(registry, store)
        registry.on_change(_push_to_supervisors(state))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        assert state.jobs is not None
        stale = state.jobs.recover()
        if stale:
            log.warning("%d video job(s) were interrupted by the last shutdown", stale)
        listeners = []
        if state.hub is not None:
            state.hub.start()
            for site_id, sup in sups.items():
                listener = state.hub.listener(site_id)
                sup.add_listener(listener)
                listeners.append((sup, listener))
                if start_supervisors:
                    sup.start()
        try:
            yield
        finally:
            for sup, listener in listeners:
                if start_supervisors:
                    sup.stop()
                sup.remove_listener(listener)
            if state.hub is not None:
                state.hub.stop()
            state.jobs.shutdown()

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
    for module in (auth, sites, analytics, events, jobs, live, admin, ops, search):
        app.include_router(module.router)
    pages = _pages_router()
    if pages is not None:
        app.include_router(pages)
    _add_docs(app)
    if STATIC.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    return app


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
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="storepixel API",
            swagger_js_url="/docs-assets/swagger-ui-bundle.js",
            swagger_css_url="/docs-assets/swagger-ui.css",
            swagger_favicon_url="/static/img/favicon.svg",
        )

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
