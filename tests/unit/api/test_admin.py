"""Users, keys and the audit log (admin users only)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storepixel.store import Store
from tests.unit.api.conftest import PASSWORD, key_for, login

Admin = tuple[TestClient, dict[str, str]]


def test_user_lifecycle_is_audited(admin: Admin) -> None:
    client, csrf = admin
    r = client.post("/api/users", json={"username": "bob", "password": PASSWORD}, headers=csrf)
    assert r.status_code == 201 and r.json()["role"] == "viewer"
    names = [u["username"] for u in client.get("/api/users").json()]
    assert names == ["alice", "bob", "victor"]
    r = client.post("/api/users", json={"username": "bob", "password": PASSWORD}, headers=csrf)
    assert r.status_code == 409 and r.json()["detail"] == "user 'bob' already exists"
    assert client.delete("/api/users/bob", headers=csrf).status_code == 204
    assert client.delete("/api/users/bob", headers=csrf).status_code == 404
    audit = client.get("/api/audit").json()
    assert [(a["actor"], a["action"], a["target"]) for a in audit[:2]] == [
        ("user:alice", "user.delete", "user:bob"),
        ("user:alice", "user.create", "user:bob"),
    ]
    assert audit[0]["time"].endswith("+00:00")


def test_bad_user_input(admin: Admin) -> None:
    client, csrf = admin
    cases = [
        ({"username": "bob", "password": "short"}, "password too short"),
        ({"username": "../bob", "password": PASSWORD}, "invalid username"),
        ({"username": "bob", "password": PASSWORD, "role": "root"}, "body.role"),
        ({"username": "bob"}, "body.password: missing"),
    ]
    for body, message in cases:
        r = client.post("/api/users", json=body, headers=csrf)
        assert r.status_code == 422 and message in r.json()["detail"], (body, r.json())


def test_last_admin_cannot_be_deleted(admin: Admin) -> None:
    client, csrf = admin
    r = client.delete("/api/users/alice", headers=csrf)
    assert r.status_code == 409 and "last admin" in r.json()["detail"]


def test_deleting_a_user_ends_their_sessions(app: object, users: None) -> None:
    with TestClient(app) as admin_client, TestClient(app) as victor_client:  # type: ignore[arg-type]
        csrf = login(admin_client, "alice")
        login(victor_client, "victor")
        assert victor_client.get("/api/auth/me").status_code == 200
        assert admin_client.delete("/api/users/victor", headers=csrf).status_code == 204
        assert victor_client.get("/api/auth/me").status_code == 401


def test_keys(admin: Admin, store: Store) -> None:
    client, csrf = admin
    r = client.post(
        "/api/keys",
        json={"name": "pos", "site": "porto", "scopes": ["ingest", "read"]},
        headers=csrf,
    )
    assert r.status_code == 201
    key = r.json()
    assert key["key"].startswith("spk_") and key["scopes"] == ["read", "ingest"]
    assert key["site"] == "porto" and key["revoked"] is False
    bad = client.post(
        "/api/keys", json={"name": "x", "site": "mars", "scopes": ["read"]}, headers=csrf
    )
    assert bad.status_code == 404
    bad = client.post(
        "/api/keys", json={"name": "x", "site": "porto", "scopes": ["root"]}, headers=csrf
    )
    assert bad.status_code == 422
    assert client.delete(f"/api/keys/{key['id']}", headers=csrf).status_code == 204
    assert client.get("/api/keys").json()[0]["revoked"] is True
    assert client.delete("/api/keys/nope", headers=csrf).status_code == 404
    actions = [a["action"] for a in client.get("/api/audit").json()]
    assert actions[:2] == ["key.revoke", "key.create"]


def test_viewers_and_keys_cannot_administer(client: TestClient, store: Store) -> None:
    headers = login(client, "victor")
    for method, path in (
        ("get", "/api/users"),
        ("get", "/api/keys"),
        ("get", "/api/audit"),
        ("delete", "/api/users/alice"),
    ):
        assert client.request(method, path, headers=headers).status_code == 403
    admin_key = key_for(store, "lisbon", "admin")
    assert client.get("/api/audit", headers=admin_key).status_code == 403
