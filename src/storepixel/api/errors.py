"""How errors leave the API: ``{"detail": "one line"}`` with a 4xx status, never a traceback.

A :class:`StorepixelError` maps to a status by its class; a request that fails validation becomes
a 422 naming the first bad field (``body.zones[0].polygon: …``); anything unexpected is a 500 with
a generic line (and a log entry), which the fuzz test makes sure never happens.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from storepixel.errors import (
    BadInput,
    ConfigError,
    Conflict,
    NotFound,
    SourceError,
    StoreError,
    StorepixelError,
)
from storepixel.validation import describe_validation_error

log = logging.getLogger(__name__)


class Unauthorized(StorepixelError):
    """No valid session or API key."""


class Forbidden(StorepixelError):
    """Authenticated, but not allowed to do this."""


class TooManyRequests(StorepixelError):
    """Too many failed attempts (logins); try again later."""


class TooLarge(StorepixelError):
    """An upload over the size limit."""


class UnsupportedMedia(StorepixelError):
    """An upload that is not a video."""


STATUS: list[tuple[type[Exception], int]] = [
    (Unauthorized, 401),
    (NotFound, 404),
    (Conflict, 409),
    (Forbidden, 403),
    (TooLarge, 413),
    (TooManyRequests, 429),
    (UnsupportedMedia, 415),
    (StoreError, 503),
    (ConfigError, 422),
    (SourceError, 422),
    (BadInput, 422),
    (StorepixelError, 400),
]


STORE_UNAVAILABLE = "the store could not be read or written; see the server log"


def status_for(exc: Exception) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def one_line(text: str, limit: int = 400) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def validation_message(errors: list[Any]) -> str:
    """The first pydantic/FastAPI error as ``where: what`` (+ how many more)."""
    return one_line(describe_validation_error(errors))


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(StorepixelError)
    async def _storepixel(request: Request, exc: StorepixelError) -> JSONResponse:
        if isinstance(exc, StoreError):
            # Its message names the store (a file path, a host): for the server log only.
            log.error("store error on %s %s: %s", request.method, request.url.path, exc)
            return JSONResponse({"detail": STORE_UNAVAILABLE}, status_code=503)
        return JSONResponse({"detail": one_line(str(exc))}, status_code=status_for(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_message(list(exc.errors()))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "request failed"
        return JSONResponse(
            {"detail": one_line(detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            {"detail": f"internal error ({type(exc).__name__}); see the server log"},
            status_code=500,
        )
