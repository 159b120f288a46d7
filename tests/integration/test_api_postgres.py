"""The web app on PostgreSQL: accounts, sessions, keys, audit, edits, analytics, heatmaps, jobs.

Same code as on SQLite; this catches dialect differences (JSONB, timestamptz, upserts).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from storepixel.api.app import create_app
from storepixel.config.site import load_site
from storepixel.store import accounts, open_store
from storepixel.store.heatmaps import GRID, add_grid, load_grid
from storepixel.types import Event, MetricRow
from tests.unit.api.conftest import PASSWORD, SITE_A

pytestmark = pytest.mark.postgres
T0 = 1714557600.0  # 2024-05-01T10:00:00Z


def test_api_on_postgres(pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    path = tmp_path / "lisbon.yaml"
    path.write_text(yaml.safe_dump(SITE_A, sort_keys=False), encoding="utf-8")
    store = open_store(pg_url)
    try:
        accounts.create_user(store, "alice", PASSWORD, "admin")
        store.write(
            events=[
                Event(
                    "e1",
                    "line_crossing",
                    "lisbon",
                    "door",
                    T0,
                    "t1",
                    "entrance",
                    {"direction": "in", "line_id": "entrance"},
                ),
                Event("e2", "zone_exit", "lisbon", "door", T0 + 5, "t1", "till", {"dwell_s": 7.5}),
            ],
            metrics=[MetricRow("lisbon", "door", "*", "people_avg", T0, 2.0, 60, 1.0)],
        )
        grid = np.zeros(GRID)
        grid[1, 2] = 3.0
        add_grid(store, "lisbon", "door", T0, T0 + 3600, "live", grid)
        add_grid(store, "lisbon", "door", T0, T0 + 3600, "live", grid)
        assert load_grid(store, "lisbon", "door", T0, T0 + 10).sum() == 6.0

        app = create_app([load_site(path)], store, data_dir=tmp_path / "d", secret_key="p" * 40)
        with TestClient(app) as client:
            r = client.post("/api/auth/login", json={"username": "alice", "password": PASSWORD})
            csrf = {"X-CSRF-Token": r.json()["csrf_token"]}
            key = client.post(
                "/api/keys", json={"name": "k", "site": "lisbon", "scopes": ["read"]}, headers=csrf
            ).json()
            bearer = {"Authorization": f"Bearer {key['key']}"}
            day = {"from": "2024-05-01", "to": "2024-05-02"}
            footfall = client.get(
                "/api/sites/lisbon/analytics/footfall", params=day, headers=bearer
            ).json()
            assert sum(b["in"] for b in footfall["buckets"]) == 1
            dwell = client.get("/api/sites/lisbon/analytics/dwell", params=day).json()
            assert dwell["count"] == 1 and dwell["p50_s"] == 7.5
            occ = client.get("/api/sites/lisbon/analytics/occupancy", params=day).json()
            assert any(p["avg"] == 2.0 for p in occ["points"])
            line = {"id": "inner", "points": [[0, 0.3], [1, 0.3]]}
            assert (
                client.post(
                    "/api/sites/lisbon/cameras/door/lines", json=line, headers=csrf
                ).status_code
                == 201
            )
            r = client.post(
                "/api/sites/lisbon/jobs",
                files={"file": ("x.mp4", b"nope")},
                data={"camera": "door"},
                headers=csrf,
            )
            assert r.status_code == 415
            assert client.get("/api/sites/lisbon/jobs").json() == []
            audit = client.get("/api/audit").json()
            assert [a["action"] for a in audit] == ["line.create", "key.create"]
            assert audit[0]["detail"]["id"] == "inner"
            assert client.delete(f"/api/keys/{key['id']}", headers=csrf).status_code == 204
            assert client.get("/api/sites", headers=bearer).status_code == 401
            assert client.post("/api/auth/logout", headers=csrf).status_code == 204
            assert client.get("/api/auth/me").status_code == 401
    finally:
        store.close()
