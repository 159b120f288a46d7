"""Serving the app with uvicorn, with the limits a listening socket needs.

- **Forwarded headers** (``X-Forwarded-For``/``-Proto``) are believed only from
  ``trusted_proxies``; uvicorn's own default trusts them from 127.0.0.1, which let anything on
  the server's machine pick its client address (and so step around the login throttle).
- **Idle connections are closed**: a connection must finish sending its request line and headers
  within ``header_timeout_s`` of opening (or of its last response), so a client that trickles
  headers ("slowloris") or sends nothing gives its socket back; idle keep-alive connections
  close after ``KEEP_ALIVE_S``. Request bodies other than uploads are read within
  ``api.middleware.BODY_TIMEOUT_S``.
- **At most** ``MAX_CONNECTIONS`` connections and requests at once; beyond that, 503.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import uvicorn

HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 512


def _http_protocol() -> type[asyncio.Protocol]:
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:  # httptools is optional for uvicorn; h11 is always there
        from uvicorn.protocols.http.h11_impl import H11Protocol as base  # type: ignore[assignment]
    return base


def with_header_deadline(base: type[Any], timeout_s: float) -> type[asyncio.Protocol]:
    """``base`` (a uvicorn HTTP protocol) that closes a connection whose request headers have
    not all arrived ``timeout_s`` after it opened or after its last response."""

    class HeaderDeadline(base):  # type: ignore[misc,valid-type]
        _deadline: asyncio.TimerHandle | None = None

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            super().connection_lost(exc)

        def _arm(self) -> None:
            self._disarm()
            if not self.transport.is_closing():
                self._deadline = self.loop.call_later(timeout_s, self._expire)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _expire(self) -> None:
            self._deadline = None
            if self.transport.get_protocol() is not self:  # upgraded to a WebSocket
                return
            if self.cycle is None or self.cycle.response_complete:  # no request under way
                self.transport.close()

    return HeaderDeadline


def server_config(
    app: Any,
    host: str,
    port: int,
    *,
    trusted_proxies: Sequence[str] = (),
    header_timeout_s: float = HEADER_TIMEOUT_S,
) -> uvicorn.Config:
    """The uvicorn configuration ``storepixel serve`` runs (tests start the same one)."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        http=with_header_deadline(_http_protocol(), header_timeout_s),
        proxy_headers=bool(trusted_proxies),
        forwarded_allow_ips=list(trusted_proxies) or None,
        timeout_keep_alive=KEEP_ALIVE_S,
        limit_concurrency=MAX_CONNECTIONS,
    )
