"""Log in and out with a browser session; who am I."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from storepixel.api.deps.auth import (
    COOKIE,
    Principal,
    csrf_token,
    current_principal,
    sign_session,
    unsign_session,
)
from storepixel.api.errors import Unauthorized
from storepixel.api.state import AppState, get_state
from storepixel.store import accounts

router = APIRouter(prefix="/api/auth", tags=["auth"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Me(BaseModel):
    username: str
    role: str
    csrf_token: str | None = Field(
        default=None, description="Send as X-CSRF-Token on cookie-authenticated POST/PUT/DELETE."
    )
    kind: str = Field(default="user", description="user, or key for API keys")
    site: str | None = Field(default=None, description="The one site an API key is bound to.")
    scopes: list[str] = Field(default_factory=list)


@router.post("/login", response_model=Me)
async def login(
    body: Login, request: Request, response: Response, state: AppState = Depends(get_state)
) -> Me:
    """Check the password and set the session cookie (HttpOnly, SameSite=Lax).

    Five failures for one username, or twenty for any usernames, from one address within five
    minutes → 429 for a while; so are logins beyond the few the server hashes at once.
    """
    address = request.client.host if request.client else ""
    user = await state.login_guard.verify(state.store, body.username, body.password, address)
    if user is None:
        raise Unauthorized("wrong username or password")
    token = await asyncio.to_thread(accounts.create_session, state.store, user.username)
    response.set_cookie(
        COOKIE,
        sign_session(state.secret_key, token),
        max_age=accounts.SESSION_TTL_S,
        httponly=True,
        samesite="lax",
        secure=state.secure_cookies,
        path="/",
    )
    return Me(
        username=user.username, role=user.role, csrf_token=csrf_token(state.secret_key, token)
    )


@router.post("/logout", status_code=204)
def logout(request: Request, state: AppState = Depends(get_state)) -> Response:
    """End the session (also when it has already expired) and clear the cookie."""
    cookie = request.cookies.get(COOKIE)
    token = unsign_session(state.secret_key, cookie) if cookie else None
    if token:
        accounts.end_session(state.store, token)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get("/me", response_model=Me)
def me(
    principal: Principal = Depends(current_principal), state: AppState = Depends(get_state)
) -> Me:
    if principal.kind == "key":
        return Me(
            username=principal.name,
            role="key",
            kind="key",
            site=principal.site_id,
            scopes=list(principal.scopes),
        )
    token = principal.session_token
    return Me(
        username=principal.name,
        role=principal.role or "viewer",
        csrf_token=csrf_token(state.secret_key, token) if token else None,
    )
