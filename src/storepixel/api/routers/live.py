"""Live WebSockets: an annotated frame feed per camera, and the site's events as they happen.

Authentication: the session cookie (the Origin must be this server's) or ``?key=<API key>``.
Close codes: 4401 not authenticated, 4403 not allowed, 4404 no such site or camera,
4409 live cameras are not running in this process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from storepixel.api.deps.auth import Principal, principal_from
from storepixel.api.errors import Forbidden, NotFound, Unauthorized
from storepixel.api.routers.sites import NOT_LIVE
from storepixel.api.state import state_of
from storepixel.events.schema import event_to_json
from storepixel.timeutil import iso

if TYPE_CHECKING:
    from storepixel.api.live import LiveHub

router = APIRouter(tags=["live"])
FRAME_INTERVAL_S = 0.5


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


async def _open(ws: WebSocket, site_id: str, camera_id: str | None) -> LiveHub | None:
    """Accept the socket and return the hub to stream from; ``None`` once it has been closed
    with the reason (not allowed, no such site or camera, live cameras not running)."""
    if await _authorise(ws, site_id, camera_id) is None:
        return None
    state = state_of(ws)
    if state.hub is None or state.supervisor(site_id) is None:
        await ws.accept()
        await ws.send_json({"type": "error", "detail": NOT_LIVE})
        await ws.close(code=4409, reason="live cameras are not running")
        return None
    await ws.accept()
    return state.hub


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return


@router.websocket("/api/sites/{site}/cameras/{cam}/live")
async def camera_live(ws: WebSocket, site: str, cam: str) -> None:
    """``{"type": "frame", "time", "jpeg": base64, "counts"}`` about twice a second."""
    if (hub := await _open(ws, site, cam)) is None:
        return
    closed = asyncio.create_task(_until_closed(ws))
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
    finally:
        closed.cancel()


@router.websocket("/api/sites/{site}/events/live")
async def events_live(ws: WebSocket, site: str) -> None:
    """``{"type": "event", "event": {...}}`` for every event of the site as it happens."""
    if (hub := await _open(ws, site, None)) is None:
        return
    sub = hub.subscribe(site)
    closed = asyncio.create_task(_until_closed(ws))
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
        closed.cancel()
