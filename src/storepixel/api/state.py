"""What the app shares between requests: sites, the store, live cameras, jobs, secrets."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Request
from starlette.requests import HTTPConnection

from storepixel.api.login_guard import LoginGuard
from storepixel.api.source_policy import SourcePolicy
from storepixel.config.registry import SiteRegistry
from storepixel.store import Store

if TYPE_CHECKING:
    from storepixel.api.jobs import JobRunner
    from storepixel.api.live import LiveHub
    from storepixel.api.metrics import ApiMetrics
    from storepixel.events.bus import EventBus


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
    source_policy: SourcePolicy = field(default_factory=SourcePolicy)
    _buses: dict[str, EventBus] = field(default_factory=dict)  # sites without live cameras
    _bus_lock: threading.Lock = field(default_factory=threading.Lock)

    def supervisor(self, site_id: str) -> Any | None:
        return self.supervisors.get(site_id)

    def bus(self, site_id: str) -> EventBus:
        """The site's event bus: its live cameras' when they run here, else one built on first
        use (closed by :meth:`close_buses`)."""
        sup = self.supervisor(site_id)
        if sup is not None:
            return sup.bus  # type: ignore[no-any-return]
        from storepixel.events.bus import build_bus

        with self._bus_lock:
            if site_id not in self._buses:
                self._buses[site_id] = build_bus(self.sites.get(site_id), self.store)
            return self._buses[site_id]

    def close_buses(self) -> None:
        with self._bus_lock:
            buses, self._buses = list(self._buses.values()), {}
        for bus in buses:
            bus.close()


def get_state(request: Request) -> AppState:
    return request.app.state.storepixel  # type: ignore[no-any-return]


def state_of(conn: HTTPConnection) -> AppState:
    return conn.app.state.storepixel  # type: ignore[no-any-return]
