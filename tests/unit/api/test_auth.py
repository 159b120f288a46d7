"""Sessions, CSRF, API keys and their scopes, and cross-site isolation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from storepixel.api.deps.auth import COOKIE
from storepixel.store import Store
from tests.unit.api.conftest import PASSWORD, key_for, login


def test_healthz_needs_no_auth(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/sites",
        "/api/sites/lisbon",
        "/api/sites/lisbon/events",
        "/api/users",
        "/metrics",
        "/api/sites/lisbon/analytics/kpis",
        "/api/auth/me",
        "/api/sites/lisbon/jobs",
    ],
)
def test_everything_else_needs_auth(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 401
    assert "not logged in" in r.json()["detail"]


def test_login_sets_httponly_lax_cookie_and_me_returns_csrf(client: TestClient) -> None:
    r = client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
    assert r.status_code == 200
    body = r.json()
    assert body["username"] == "alice" and body["role"] == "admin" and body["csrf_token"]
    cookie = r.headers["set-cookie"]
    assert (
        cookie.startswith(f"{COOKIE}=")
        and "HttpOnly" in cookie
        and "samesite=lax" in cookie.lower()
    )
    me = client.get("/api/auth/me").json()
    assert me["username"] == "alice" and me["csrf_token"] == body["csrf_token"]


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient) -> None:
    a = client.post("/api/auth/login", json={"username": "alice", "password": "nope-nope"})
    b = client.post("/api/auth/login", json={"username": "mallory", "password": "nope-nope"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json() == {"detail": "wrong username or password"}


def test_cookie_writes_need_the_csrf_header(client: TestClient) -> None:
    headers = login(client, "alice")
    new_user = {"username": "carol", "password": PASSWORD, "role": "viewer"}
    r = client.post("/api/users", json=new_user)
    assert r.status_code == 403 and "X-CSRF-Token" in r.json()["detail"]
    r = client.post("/api/users", json=new_user, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403
    assert client.post("/api/users", json=new_user, headers=headers).status_code == 201


def test_tampered_cookie_is_not_a_session(client: TestClient) -> None:
    login(client, "alice")
    value = client.cookies[COOKIE]
    client.cookies.clear()  # else the jar keeps the real cookie (set for the server's domain) too
    client.cookies.set(COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert client.get("/api/auth/me").status_code == 401


def test_logout_ends_the_session_server_side(client: TestClient) -> None:
    headers = login(client, "alice")
    stolen = client.cookies[COOKIE]
    assert client.post("/api/auth/logout", headers=headers).status_code == 204
    client.cookies.set(COOKIE, stolen)  # replaying the old cookie does not work
    assert client.get("/api/auth/me").status_code == 401


def test_viewer_reads_but_cannot_edit(client: TestClient) -> None:
    headers = login(client, "victor")
    assert client.get("/api/sites/lisbon/cameras").status_code == 200
    line = {"id": "l2", "points": [[0, 0.5], [1, 0.5]]}
    r = client.post("/api/sites/lisbon/cameras/door/lines", json=line, headers=headers)
    assert r.status_code == 403
    assert client.get("/api/users").status_code == 403


def test_api_key_sees_only_its_site(client: TestClient, store: Store) -> None:
    headers = key_for(store, "lisbon", "read")
    assert [s["id"] for s in client.get("/api/sites", headers=headers).json()] == ["lisbon"]
    assert client.get("/api/sites/lisbon/cameras", headers=headers).status_code == 200
    for path in (
        "/api/sites/porto",
        "/api/sites/porto/cameras",
        "/api/sites/porto/cameras/cam1",
        "/api/sites/porto/events",
        "/api/sites/porto/analytics/footfall",
        "/api/sites/porto/analytics/heatmap.png",
        "/api/sites/porto/jobs",
    ):
        r = client.get(path, headers=headers)
        assert r.status_code == 404, path
        assert r.json() == {"detail": "no site 'porto'"}  # same answer as a site that is not there


def test_key_scopes(client: TestClient, store: Store) -> None:
    read = key_for(store, "lisbon", "read")
    ingest = key_for(store, "lisbon", "ingest")
    admin = key_for(store, "lisbon", "admin")
    line = {"id": "l2", "points": [[0, 0.5], [1, 0.5]]}
    url = "/api/sites/lisbon/cameras/door/lines"
    assert client.post(url, json=line, headers=read).status_code == 403
    assert client.post(url, json=line, headers=ingest).status_code == 403
    assert client.get("/api/sites/lisbon/jobs", headers=read).status_code == 403
    assert client.get("/api/sites/lisbon/jobs", headers=ingest).status_code == 200
    assert client.post(url, json=line, headers=admin).status_code == 201  # no CSRF for keys
    # Keys never manage users or keys, whatever their scope.
    assert client.get("/api/users", headers=admin).status_code == 403
    assert client.get("/api/keys", headers=admin).status_code == 403


def test_revoked_and_bogus_keys_are_refused(
    admin: tuple[TestClient, dict[str, str]], store: Store
) -> None:
    client, csrf = admin
    created = client.post(
        "/api/keys", json={"name": "pos", "site": "lisbon", "scopes": ["read"]}, headers=csrf
    ).json()
    bearer = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/sites", headers=bearer, cookies={}).status_code == 200
    assert client.delete(f"/api/keys/{created['id']}", headers=csrf).status_code == 204
    r = client.get("/api/sites", headers=bearer)
    assert r.status_code == 401 and r.json()["detail"] == "invalid or revoked API key"
    r = client.get("/api/sites", headers={"Authorization": "Bearer spk_nope"})
    assert r.status_code == 401
    r = client.get("/api/sites", headers={"Authorization": "Basic abc"})
    assert r.status_code == 401


def test_an_expired_key_is_refused_with_the_reason(
    admin: tuple[TestClient, dict[str, str]], store: Store
) -> None:
    from sqlalchemy import update

    from storepixel.store.accounts import KEYS

    client, csrf = admin
    body = {"name": "edge", "site": "lisbon", "scopes": ["ingest"], "expires_in_days": 1}
    created = client.post("/api/keys", json=body, headers=csrf).json()
    assert created["expires_at"] is not None
    bearer = {"Authorization": f"Bearer {created['key']}"}
    assert client.get("/api/sites", headers=bearer, cookies={}).status_code == 200
    with store.transaction() as conn:  # a day later
        conn.execute(update(KEYS).where(KEYS.c.id == created["id"]).values(expires_at=1.0))
    r = client.get("/api/sites", headers=bearer, cookies={})
    assert r.status_code == 401 and "expired" in r.json()["detail"], r.json()
    assert created["key"] not in r.text


def test_keys_are_stored_hashed(admin: tuple[TestClient, dict[str, str]], store: Store) -> None:
    from sqlalchemy import text

    client, csrf = admin
    created = client.post(
        "/api/keys", json={"name": "pos", "site": "lisbon", "scopes": ["read"]}, headers=csrf
    ).json()
    with store.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys")).all()
        hashes = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert created["key"] not in repr(rows)
    assert all(h.startswith("$argon2id$") for h in hashes)
    listed = client.get("/api/keys").json()
    assert "key" not in listed[0] and listed[0]["id"] == created["id"]


def test_me_for_a_key(client: TestClient, store: Store) -> None:
    me: dict[str, Any] = client.get(
        "/api/auth/me", headers=key_for(store, "porto", "ingest")
    ).json()
    assert me["kind"] == "key" and me["site"] == "porto" and me["scopes"] == ["ingest"]


def test_password_guessing_is_throttled(client: TestClient) -> None:
    wrong = {"username": "victor", "password": "guess-guess"}
    codes = [client.post("/api/auth/login", json=wrong).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    r = client.post("/api/auth/login", json={"username": "victor", "password": PASSWORD})
    assert r.status_code == 429 and "too many failed logins" in r.json()["detail"]
    # other users are not affected
    assert client.post(
        "/api/auth/login", json={"username": "alice", "password": PASSWORD}
    ).is_success
