"""What the app shares between requests: sites, the store, live cameras, jobs, secrets."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from starlette.requests import HTTPConnection

from storepixel.api.login_guard import LoginGuard
from storepixel.api.sites import SiteRegistry
from storepixel.store import Store

if TYPE_CHECKING:
    from storepixel.api.jobs import JobRunner
    from storepixel.api.live import LiveHub
    from storepixel.api.metrics import ApiMetrics


@dataclass
class AppState:
    sites: SiteRegistry
    store: Store
    secret_key: str
    data_dir: Path
    max_upload_bytes: int
    secure_cookies: bool = False
    supervisors: dict[str, Any] = field(default_factory=dict)  # site id → Supervisor
    hub: LiveHub | None = None
    jobs: JobRunner | None = None
    metrics: ApiMetrics | None = None
    login_guard: LoginGuard = field(default_factory=LoginGuard)

    def supervisor(self, site_id: str) -> Any | None:
        return self.supervisors.get(site_id)


def get_state(request: Request) -> AppState:
    return request.app.state.storepixel  # type: ignore[no-any-return]


def state_of(conn: HTTPConnection) -> AppState:
    return conn.app.state.storepixel  # type: ignore[no-any-return]
