"""Who is calling, and what they may do.

Two ways in: a browser session (cookie ``storepixel_session``, a random token signed with the
server secret; its SHA-256 is in the store) or an API key (``Authorization: Bearer spk_…``).
Cookie-authenticated requests that change something must echo the session's CSRF token in
``X-CSRF-Token``; it is an HMAC of the session token, so the server keeps no extra state.

Users have a role: ``admin`` (everything) or ``viewer`` (read). Keys are bound to one site and
carry scopes: ``read`` (GET), ``ingest`` (upload and follow video jobs), ``admin`` (also edit
cameras, lines and zones, cancel jobs). A key never sees another site: those paths answer 404, as
if the site did not exist. Users, keys and the audit log are for admin *users* only.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, Request
from itsdangerous import BadSignature, TimestampSigner
from starlette.requests import HTTPConnection

from storepixel.api.errors import Forbidden, NotFound, Unauthorized
from storepixel.api.state import AppState, get_state, state_of
from storepixel.config.site import SiteConfig
from storepixel.store import accounts

COOKIE = "storepixel_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
Scope = Literal["read", "ingest", "admin"]


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a user (``role``) or an API key (``scopes``, ``site_id``)."""

    kind: Literal["user", "key"]
    name: str  # username or key id
    role: str | None = None
    scopes: tuple[str, ...] = ()
    site_id: str | None = None
    session_token: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    def sees(self, site_id: str) -> bool:
        return self.site_id is None or self.site_id == site_id

    def allows(self, scope: Scope) -> bool:
        if self.kind == "user":
            return self.role == "admin" or scope == "read"
        if "admin" in self.scopes:
            return True
        return scope in self.scopes or (scope == "read" and "ingest" in self.scopes)

    @property
    def is_admin_user(self) -> bool:
        return self.kind == "user" and self.role == "admin"


def _signer(secret: str) -> TimestampSigner:
    return TimestampSigner(secret, salt="storepixel-session")


def sign_session(secret: str, token: str) -> str:
    return _signer(secret).sign(token).decode()


def unsign_session(secret: str, value: str) -> str | None:
    try:
        return _signer(secret).unsign(value, max_age=accounts.SESSION_TTL_S).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


def csrf_token(secret: str, session_token: str) -> str:
    return hmac.new(secret.encode(), b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def _bearer(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise Unauthorized("Authorization header must be 'Bearer <API key>'")
    return value.strip()


def principal_from(
    conn: HTTPConnection, state: AppState, key: str | None = None
) -> Principal | None:
    """The caller of a request or WebSocket, or ``None`` (not logged in)."""
    secret = _bearer(conn) or key
    if secret is not None:
        api_key = accounts.key_for_secret(state.store, secret)
        if api_key is None:
            raise Unauthorized("invalid or revoked API key")
        if api_key.expired(time.time()):
            from storepixel.timeutil import iso

            raise Unauthorized(f"API key {api_key.id} expired at {iso(api_key.expires_at or 0)}")
        return Principal("key", api_key.id, scopes=api_key.scopes, site_id=api_key.site_id)
    cookie = conn.cookies.get(COOKIE)
    if not cookie:
        return None
    token = unsign_session(state.secret_key, cookie)
    user = accounts.session_user(state.store, token) if token else None
    if user is None or token is None:
        return None
    return Principal("user", user.username, role=user.role, session_token=token)


def current_principal(request: Request, state: AppState = Depends(get_state)) -> Principal:
    """The authenticated caller (401 otherwise); checks CSRF for cookie-authenticated writes."""
    principal = principal_from(request, state)
    if principal is None:
        raise Unauthorized("not logged in: log in or send 'Authorization: Bearer <API key>'")
    if principal.session_token is not None and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        expected = csrf_token(state.secret_key, principal.session_token)
        if not hmac.compare_digest(sent.encode(), expected.encode()):
            raise Forbidden(f"missing or wrong {CSRF_HEADER} header (get it from /api/auth/me)")
    request.state.principal = principal
    return principal


def admin_user(principal: Principal = Depends(current_principal)) -> Principal:
    """An admin *user* (users, keys and the audit log are not reachable with API keys)."""
    if not principal.is_admin_user:
        raise Forbidden("only an admin user may do this")
    return principal


def check_site(principal: Principal, state: AppState, site_id: str, scope: Scope) -> SiteConfig:
    """The site if the caller may act on it with ``scope``; 404 for sites it cannot see."""
    if not principal.sees(site_id):
        raise NotFound(f"no site {site_id!r}")
    site = state.sites.get(site_id)
    if not principal.allows(scope):
        raise Forbidden(f"this needs the {scope!r} permission")
    return site


class SiteAccess:
    """Dependency: the ``{site}`` path parameter, checked for ``scope``."""

    def __init__(self, scope: Scope) -> None:
        self.scope: Scope = scope

    def __call__(
        self,
        site: str,
        principal: Principal = Depends(current_principal),
        state: AppState = Depends(get_state),
    ) -> SiteConfig:
        return check_site(principal, state, site, self.scope)


site_read = SiteAccess("read")
site_ingest = SiteAccess("ingest")
site_admin = SiteAccess("admin")

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "Principal",
    "Unauthorized",
    "admin_user",
    "check_site",
    "csrf_token",
    "current_principal",
    "principal_from",
    "sign_session",
    "site_admin",
    "site_ingest",
    "site_read",
    "state_of",
]
