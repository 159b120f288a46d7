"""GET /api/fleet: stores side by side, against the median, with each edge's health; access."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from storepixel.store import Store
from storepixel.store.pos import Receipt, write_receipts
from storepixel.store.runs import CoverageInterval
from storepixel.store.sync import apply_health
from storepixel.types import Event
from tests.unit.api.conftest import key_for

T0 = 1714557600.0  # 2024-05-01 10:00 UTC (11:00 in Lisbon)
DAY = {"from": "2024-05-01", "to": "2024-05-02"}


def _fill(store: Store) -> None:
    events = [
        Event(f"l-in-{i}", "line_crossing", "lisbon", "door", T0 + i, f"t{i}", "entrance",
              {"direction": "in", "line_id": "entrance"})
        for i in range(4)
    ]  # fmt: skip
    events += [
        Event(f"l-v{i}", "visit_start", "lisbon", "door", T0 + i, f"t{i}", None) for i in range(2)
    ]
    events.append(
        Event("l-x", "zone_exit", "lisbon", "door", T0 + 60, "t1", "till", {"dwell_s": 42.0})
    )
    events += [
        Event(f"p-v{i}", "visit_start", "porto", "cam1", T0 + i, f"t{i}", None) for i in range(6)
    ]
    store.write(events=events, coverage=[CoverageInterval("lisbon", "door", T0 - 600, T0 + 3000)])
    write_receipts(store, "lisbon", [Receipt(T0 + 100, 12.5, 2)], "test")
    cams = [
        {"camera": "door", "state": "streaming", "failure": None, "last_frame_time": T0},
        {"camera": "aisle", "state": "reconnecting", "failure": "unreachable"},
    ]
    report = {"edge_time": time.time(), "last_sync_at": time.time() - 5, "pending": 3,
              "newest_capture": T0 + 60, "cameras": cams}  # fmt: skip
    apply_health(store, "lisbon", report, now=time.time())


def test_stores_side_by_side_against_the_median(
    admin: tuple[TestClient, dict[str, str]], store: Store
) -> None:
    client, _ = admin
    _fill(store)
    r = client.get("/api/fleet", params=DAY)
    assert r.status_code == 200, r.text
    body = r.json()
    lisbon, porto = body["stores"]
    assert lisbon["site"] == "lisbon" and lisbon["from"] == "2024-05-01T00:00:00+01:00"
    assert lisbon["kpis"] == {
        "footfall": 4,
        "visits": 2,
        "dwell_p50_s": 42.0,
        "transactions": 1,
        "conversion": 0.25,
        "coverage_s": 3600.0,
    }
    # porto has no entrance line and no receipts: not known, rather than zero
    assert porto["kpis"]["footfall"] is None and porto["kpis"]["conversion"] is None
    assert porto["kpis"]["visits"] == 6 and porto["kpis"]["coverage_s"] == 0.0
    assert body["median"]["visits"] == 4.0
    assert lisbon["vs_median"]["visits"] == -0.5 and porto["vs_median"]["visits"] == 0.5
    assert lisbon["vs_median"]["footfall"] == 0.0 and porto["vs_median"]["footfall"] is None

    health = lisbon["health"]
    assert health["status"] == "ok" and health["pending"] == 3 and health["lag_s"] == 0.0
    assert (health["cameras_up"], health["cameras_down"]) == (1, 1)
    assert porto["health"]["status"] == "never"


def test_a_key_sees_only_its_own_store(client: TestClient, store: Store) -> None:
    _fill(store)
    bearer = key_for(store, "porto", "read")
    r = client.get("/api/fleet", params=DAY, headers=bearer)
    assert r.status_code == 200
    assert [s["site"] for s in r.json()["stores"]] == ["porto"]
    assert "lisbon" not in r.text  # not even its health or its numbers in the median
    r = client.get("/api/fleet", params={**DAY, "site": "lisbon"}, headers=bearer)
    assert r.status_code == 404
    assert client.get("/api/fleet", params=DAY).status_code == 401


def test_a_bad_period_is_one_line(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, _ = admin
    r = client.get("/api/fleet", params={"from": "2024-05-02", "to": "2024-05-01"})
    assert r.status_code == 422 and "backwards" in r.json()["detail"]
    r = client.get("/api/fleet", params={"from": "yesterday-ish"})
    assert r.status_code in (400, 422) and isinstance(r.json()["detail"], str)
