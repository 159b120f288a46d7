"""What every HTTP response and request goes through before the routes see it.

- :class:`SecurityHeaders`: a Content-Security-Policy (``frame-ancestors 'none'``), ``nosniff``
  and a same-origin referrer on every response, API, dashboard and ``/docs`` alike.
- :class:`BodyLimit`: request bodies are read here, up to a limit, before any route parses them;
  one byte more is a 413 at once (a declared ``Content-Length`` over the limit is refused before
  reading anything). Video uploads are exempt: they stream to disk with their own limit.
- :class:`HostAllowList`: with ``allowed_hosts`` configured, a request for any other ``Host`` is
  refused (DNS rebinding; links built from the Host header).

All are plain ASGI middleware: no per-request threads, and WebSockets pass through untouched
except for the Host check.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Inline style *attributes* are allowed (chart cells are coloured by value); scripts are not.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]
DEFAULT_MAX_BODY = 1024 * 1024  # JSON bodies are small: a camera with many zones is ~20 KiB
BODY_TIMEOUT_S = 30.0  # to send those few KiB: a client trickling its body is cut off (408)
UPLOAD_PATH = re.compile(r"^/api/sites/[^/]+/jobs/?$")


async def _refuse(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in HEADERS if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _exempt(self, scope: Scope) -> bool:
        return scope["method"] == "POST" and bool(UPLOAD_PATH.match(scope["path"]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._exempt(scope):
            await self.app(scope, receive, send)
            return
        too_large = f"request body larger than the limit of {self.max_bytes // 1024} KiB"
        length = next((v for n, v in scope.get("headers", []) if n == b"content-length"), None)
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _refuse(send, 413, too_large)
            return
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                body = await self._read(receive)
        except TimeoutError:
            await _refuse(send, 408, f"request body not received within {BODY_TIMEOUT_S:.0f} s")
            return
        if body is None:  # the client went away
            return
        if len(body) > self.max_bytes:
            await _refuse(send, 413, too_large)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()  # after the body: wait for the disconnect as usual

        await self.app(scope, replay, send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The body, or as much as passes the limit by one chunk; ``None`` on disconnect."""
        chunks: list[bytes] = []
        size = 0
        while size <= self.max_bytes:
            message = await receive()
            if message["type"] != "http.request":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class HostAllowList:
    """``Host`` must be one of ``hosts`` (``*.example.com`` allows subdomains); ports ignored."""

    def __init__(self, app: ASGIApp, hosts: Sequence[str]) -> None:
        self.app = app
        self.hosts = [h.lower() for h in hosts]

    def allows(self, host: str) -> bool:
        name = host.lower()  # without the port: "[::1]:8000" → "[::1]", "shop:80" → "shop"
        name = name[: name.find("]") + 1] if name.startswith("[") else name.rsplit(":", 1)[0]
        for allowed in self.hosts:
            if allowed == "*" or allowed == name:
                return True
            if allowed.startswith("*.") and name.endswith(allowed[1:]):
                return True
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        host = next((v.decode("latin-1") for n, v in scope.get("headers", []) if n == b"host"), "")
        if self.allows(host):
            await self.app(scope, receive, send)
        elif scope["type"] == "http":
            await _refuse(send, 400, "this server does not answer for that Host")
        else:
            await send({"type": "websocket.close", "code": 4400})
