"""Live WebSockets: an annotated frame feed per camera, and the site's events as they happen.

Authentication: the session cookie (the Origin must be this server's) or ``?key=<API key>``.
The credential is checked again every ``RECHECK_S`` seconds while the socket is open, so a
revoked key, a logout or a changed role closes it within about that time.
Close codes: 4401 not authenticated (or no longer), 4403 not allowed, 4404 no such site or
camera, 4408 open for ``MAX_SOCKET_S`` (reconnect), 4409 live cameras are not running in this
process, 4429 too many sockets of one caller (``MAX_SOCKETS_PER_CALLER``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from storepixel.api.deps.auth import Principal, principal_from
from storepixel.api.errors import Forbidden, NotFound, Unauthorized
from storepixel.api.routers.sites import NOT_LIVE
from storepixel.api.state import state_of
from storepixel.errors import StorepixelError
from storepixel.events.schema import event_to_json
from storepixel.timeutil import iso

if TYPE_CHECKING:
    from storepixel.api.live import LiveHub

router = APIRouter(tags=["live"])
FRAME_INTERVAL_S = 0.5
RECHECK_S = 1.0
MAX_SOCKET_S = 3600.0  # then the dashboard reconnects, with a fresh credential check
MAX_SOCKETS_PER_CALLER = 32
_open_sockets: Counter[str] = Counter()


async def _authorise(ws: WebSocket, site_id: str, camera_id: str | None) -> Principal | None:
    state = state_of(ws)
    try:
        principal = principal_from(ws, state, key=ws.query_params.get("key"))
        if principal is None:
            raise Unauthorized("not logged in")
        origin = ws.headers.get("origin")
        if (
            principal.kind == "user"
            and origin
            and urlsplit(origin).netloc != ws.headers.get("host")
        ):
            raise Forbidden("cross-site WebSocket refused")
        if not principal.sees(site_id):
            raise NotFound(f"no site {site_id!r}")
        state.sites.get(site_id)
        if camera_id is not None:
            state.sites.camera(site_id, camera_id)
        if not principal.allows("read"):
            raise Forbidden("needs the read permission")
    except (Unauthorized, Forbidden, NotFound) as err:
        code = {Unauthorized: 4401, Forbidden: 4403, NotFound: 4404}[type(err)]
        await ws.accept()  # then close, so that the client sees the code and reason
        await ws.close(code=code, reason=str(err)[:120])
        return None
    return principal


@contextlib.asynccontextmanager
async def _opened(
    ws: WebSocket, site_id: str, camera_id: str | None
) -> AsyncIterator[tuple[LiveHub, asyncio.Task[None]] | None]:
    """Accept the socket and yield the hub to stream from and a task that ends when the socket
    must stop (the client left, the credential is gone, the time limit); ``None`` once it has
    been closed with the reason (not allowed, no such site or camera, live cameras not running,
    too many sockets)."""
    principal = await _authorise(ws, site_id, camera_id)
    if principal is None:
        yield None
        return
    state = state_of(ws)
    if state.hub is None or state.supervisor(site_id) is None:
        await ws.accept()
        await ws.send_json({"type": "error", "detail": NOT_LIVE})
        await ws.close(code=4409, reason="live cameras are not running")
        yield None
        return
    await ws.accept()
    if _open_sockets[principal.actor] >= MAX_SOCKETS_PER_CALLER:
        await ws.close(code=4429, reason="too many live sockets open")
        yield None
        return
    _open_sockets[principal.actor] += 1
    ended = asyncio.create_task(_until_ended(ws, principal))
    try:
        yield state.hub, ended
    finally:
        ended.cancel()
        _open_sockets[principal.actor] -= 1
        if _open_sockets[principal.actor] <= 0:
            del _open_sockets[principal.actor]


async def _until_ended(ws: WebSocket, principal: Principal) -> None:
    """Return when the client leaves; close the socket when its credential no longer holds
    (revoked key, logout, changed role or scopes) or it has been open ``MAX_SOCKET_S``."""
    state = state_of(ws)
    closed = asyncio.create_task(_until_closed(ws))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + MAX_SOCKET_S
    try:
        while not closed.done():
            await asyncio.wait([closed], timeout=RECHECK_S)
            if closed.done():
                return
            if loop.time() >= deadline:
                await _close(ws, 4408, "open too long: reconnect")
                return
            try:
                now = await asyncio.to_thread(principal_from, ws, state, ws.query_params.get("key"))
            except StorepixelError:
                now = None
            if now is None or now.actor != principal.actor or now.role != principal.role:
                await _close(ws, 4401, "no longer logged in")
                return
            if now.scopes != principal.scopes:
                await _close(ws, 4401, "permissions changed")
                return
    finally:
        closed.cancel()


async def _close(ws: WebSocket, code: int, reason: str) -> None:
    with contextlib.suppress(RuntimeError, WebSocketDisconnect):
        await ws.close(code=code, reason=reason)


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return


@router.websocket("/api/sites/{site}/cameras/{cam}/live")
async def camera_live(ws: WebSocket, site: str, cam: str) -> None:
    """``{"type": "frame", "time", "jpeg": base64, "counts"}`` about twice a second."""
    async with _opened(ws, site, cam) as opened:
        if opened is not None:
            await _frames(ws, site, cam, *opened)


async def _frames(
    ws: WebSocket, site: str, cam: str, hub: LiveHub, closed: asyncio.Task[None]
) -> None:
    last_seq = -1
    try:
        while not closed.done():
            message = await asyncio.to_thread(hub.frame_message, site, cam)
            if message is not None and message.seq != last_seq:
                last_seq = message.seq
                payload = {
                    "type": "frame",
                    "time": iso(message.time),
                    "jpeg": base64.b64encode(message.jpeg).decode(),
                    "counts": message.counts,
                }
                # A slow client simply gets fewer frames: we always send the newest.
                await ws.send_text(json.dumps(payload, default=str))
            await asyncio.wait([closed], timeout=FRAME_INTERVAL_S)
    except (WebSocketDisconnect, RuntimeError):
        pass


@router.websocket("/api/sites/{site}/events/live")
async def events_live(ws: WebSocket, site: str) -> None:
    """``{"type": "event", "event": {...}}`` for every event of the site as it happens."""
    async with _opened(ws, site, None) as opened:
        if opened is not None:
            await _events(ws, site, *opened)


async def _events(ws: WebSocket, site: str, hub: LiveHub, closed: asyncio.Task[None]) -> None:
    sub = hub.subscribe(site)
    try:
        while not closed.done():
            getter = asyncio.create_task(sub.queue.get())
            done, _ = await asyncio.wait([getter, closed], return_when=asyncio.FIRST_COMPLETED)
            if getter not in done:
                getter.cancel()
                break
            event = getter.result()
            await ws.send_json({"type": "event", "event": event_to_json(event)})
    except (WebSocketDisconnect, RuntimeError):
        pass
    finally:
        hub.unsubscribe(sub)
