"""The visitors API: suppressed aggregates, return rates, deletion by id (admin, audited, 404
for an unknown id)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from storepixel.faces.keys import create_key
from storepixel.store import Store, accounts
from storepixel.store.faces import record_visits, visitor_ids, write_counts
from tests.unit.api.conftest import login

pytest.importorskip("cryptography")


def seed(store: Store, tmp_path: Path) -> list[str]:
    key = create_key(tmp_path / "porto.key")
    day = datetime(2024, 5, 1, 10, tzinfo=UTC).timestamp()
    visits = []
    for n in range(6):
        vec = np.zeros(128, np.float32)
        vec[n] = 1.0
        visits.append((day, day + 60, vec))
        visits.append((day + 86400, day + 86460, vec))
    record_visits(store, "porto", "cam1", "r1", visits, key, same_person=0.6)
    write_counts(store, "porto", "cam1", "r1", {(day, "z", "gender", "male"): 6,
                                                (day, "z", "gender", "female"): 2})  # fmt: skip
    return visitor_ids(store, "porto")


def test_aggregates_rates_and_deletion(
    admin: tuple[TestClient, dict[str, str]], store: Store, tmp_path: Path
) -> None:
    client, csrf = admin
    ids = seed(store, tmp_path)
    r = client.get("/api/sites/porto/attributes")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    assert body["enabled"] is False and body["min_count"] == 5
    assert [(i["zone_id"], i["suppressed"], i["values"]) for i in body["items"]] == [
        ("z", True, None)
    ]
    r = client.get("/api/sites/porto/visitors/return-rate", params={"period": "day"})
    assert [(i["visitors"], i["returning"], i["rate"]) for i in r.json()["items"]] == [
        (6, 0, 0.0),
        (6, 6, 1.0),
    ]
    r = client.delete(f"/api/sites/porto/visitors/{ids[0]}", headers=csrf)
    assert r.status_code == 200 and r.json()["deleted"] == {
        "visitor_faces": 1,
        "visitor_visits": 2,
    }
    r = client.delete(f"/api/sites/porto/visitors/{ids[0]}", headers=csrf)
    assert r.status_code == 404 and f"no visitor '{ids[0]}'" in r.json()["detail"]
    log = [(e["actor"], e["action"]) for e in accounts.audit_entries(store)]
    assert ("user:alice", "privacy.delete") in log or ("alice", "privacy.delete") in log


def test_viewers_may_not_delete(client: TestClient, store: Store, tmp_path: Path) -> None:
    ids = seed(store, tmp_path)
    csrf = login(client, "victor")
    r = client.delete(f"/api/sites/porto/visitors/{ids[0]}", headers=csrf)
    assert r.status_code == 403
