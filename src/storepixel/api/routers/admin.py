"""Users, API keys and the audit log (admin users only)."""

from __future__ import annotations

import time
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field

from storepixel.api.deps.auth import Principal, admin_user
from storepixel.api.state import AppState, get_state
from storepixel.store import accounts
from storepixel.timeutil import iso

router = APIRouter(prefix="/api", tags=["admin"])


class UserIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    role: Literal["admin", "viewer"] = "viewer"


class UserOut(BaseModel):
    username: str
    role: str
    created_at: str


class KeyIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    site: str = Field(min_length=1, max_length=128)
    scopes: list[Literal["read", "ingest", "admin"]] = Field(min_length=1, max_length=3)
    expires_in_days: float | None = Field(
        None, gt=0, le=36500, description="Days until the key stops working (default: never)."
    )


class AuditOut(BaseModel):
    time: str
    actor: str
    action: str
    target: str
    detail: dict[str, Any] | None = None


def _user(u: accounts.User) -> UserOut:
    return UserOut(username=u.username, role=u.role, created_at=iso(u.created_at))


@router.get("/users", response_model=list[UserOut])
def list_users(
    _: Principal = Depends(admin_user), state: AppState = Depends(get_state)
) -> list[UserOut]:
    return [_user(u) for u in accounts.list_users(state.store)]


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserIn, who: Principal = Depends(admin_user), state: AppState = Depends(get_state)
) -> UserOut:
    user = accounts.create_user(state.store, body.username, body.password, body.role)
    accounts.audit(
        state.store, who.actor, "user.create", f"user:{user.username}", {"role": user.role}
    )
    return _user(user)


@router.delete("/users/{name}", status_code=204)
def delete_user(
    name: str, who: Principal = Depends(admin_user), state: AppState = Depends(get_state)
) -> Response:
    accounts.delete_user(state.store, name)
    accounts.audit(state.store, who.actor, "user.delete", f"user:{name}")
    return Response(status_code=204)


@router.get("/keys")
def list_keys(
    _: Principal = Depends(admin_user), state: AppState = Depends(get_state)
) -> list[dict[str, Any]]:
    """Every key (never the secret): id, name, site, scopes, created, revoked, last used."""
    return [k.as_json() for k in accounts.list_keys(state.store)]


@router.post("/keys", status_code=201)
def create_key(
    body: KeyIn, who: Principal = Depends(admin_user), state: AppState = Depends(get_state)
) -> dict[str, Any]:
    """A new key for one site; the response's ``key`` is the only time the secret is shown."""
    state.sites.get(body.site)  # 404 for an unknown site
    scopes = [str(s) for s in body.scopes]
    days = body.expires_in_days
    expires_at = None if days is None else time.time() + days * 86400
    key, secret = accounts.create_key(
        state.store, body.name, body.site, scopes, who.name, expires_at=expires_at
    )
    accounts.audit(
        state.store,
        who.actor,
        "key.create",
        f"key:{key.id}",
        {"site": key.site_id, "scopes": list(key.scopes), "name": key.name},
    )
    return {**key.as_json(), "key": secret}


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(
    key_id: str, who: Principal = Depends(admin_user), state: AppState = Depends(get_state)
) -> Response:
    accounts.revoke_key(state.store, key_id)
    accounts.audit(state.store, who.actor, "key.revoke", f"key:{key_id}")
    return Response(status_code=204)


@router.get("/audit", response_model=list[AuditOut])
def audit_log(
    limit: int = Query(200, ge=1, le=1000),
    _: Principal = Depends(admin_user),
    state: AppState = Depends(get_state),
) -> list[dict[str, Any]]:
    """Admin actions, newest first."""
    return accounts.audit_entries(state.store, limit)
