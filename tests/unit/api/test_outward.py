"""Alerts life cycle, live receipts, conversion by hour against a hand computation, and the audit
record of every raw event read."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient

from storepixel.alerts.engine import AlertChange
from storepixel.alerts.store import apply_changes
from storepixel.store import Store, accounts
from storepixel.types import Event
from tests.unit.api.conftest import key_for, login

LISBON = ZoneInfo("Europe/Lisbon")


def local(h: int, m: int = 0) -> float:
    return datetime(2024, 5, 1, h, m, tzinfo=LISBON).timestamp()


def _alert(store: Store, aid: str = "a1") -> None:
    t = local(10)
    apply_changes(
        store,
        [
            AlertChange(
                aid,
                "opened",
                "lisbon",
                "door",
                "q",
                "queue_length_over",
                "till",
                "warning",
                t,
                t,
                5.0,
                5.0,
                "q: 5 in the queue",
                0,
            )
        ],
    )


def test_alerts_are_listed_acknowledged_and_resolved_with_who_in_the_audit_log(
    app: Any, store: Store, users: None
) -> None:
    _alert(store)
    with TestClient(app) as viewer:
        headers = login(viewer, "victor")
        items = viewer.get("/api/sites/lisbon/alerts").json()["items"]
        assert [(a["id"], a["status"], a["started_at"]) for a in items] == [
            ("a1", "open", "2024-05-01T09:00:00.000000Z")
        ]
        r = viewer.post("/api/sites/lisbon/alerts/a1/acknowledge", headers=headers)
        assert r.status_code == 200 and r.json()["acknowledged_by"] == "user:victor"
        assert (
            viewer.post("/api/sites/lisbon/alerts/a1/resolve", headers=headers).status_code == 403
        )
        assert (
            viewer.post("/api/sites/lisbon/alerts/nope/acknowledge", headers=headers).status_code
            == 404
        )
    with TestClient(app) as admin:
        headers = login(admin, "alice")
        r = admin.post("/api/sites/lisbon/alerts/a1/resolve", headers=headers)
        assert r.json()["status"] == "resolved" and r.json()["resolved_by"] == "user:alice"
        again = admin.post("/api/sites/lisbon/alerts/a1/acknowledge", headers=headers)
        assert again.status_code == 409
        assert admin.get("/api/sites/porto/alerts").json()["items"] == []
    actions = [(e["actor"], e["action"], e["target"]) for e in accounts.audit_entries(store)]
    assert ("user:victor", "alert.acknowledge", "lisbon/a1") in actions
    assert ("user:alice", "alert.resolve", "lisbon/a1") in actions


def _crossing(i: int, t: float, direction: str = "in", line: str = "entrance") -> Event:
    props = {"direction": direction, "line_id": line}
    return Event(f"x{i}", "line_crossing", "lisbon", "door", t, f"t{i}", line, props)


def test_conversion_by_hour_matches_a_hand_computation(client: TestClient, store: Store) -> None:
    # A generated day in Lisbon (UTC+1 in May): visitors in per local hour, and some going out.
    visitors = {9: 10, 10: 20, 11: 0, 12: 5}
    events, n = [], 0
    for hour, count in visitors.items():
        for k in range(count):
            events.append(_crossing(n, local(hour, k)))
            n += 1
            events.append(_crossing(n, local(hour, k) + 30, "out"))  # leaving: not a visitor
            n += 1
    store.write_events(events)
    # Receipts: 3 at 9h, 4 at 10h, 1 at 11h (nobody counted in), none at 12h.
    receipts = [
        ("2024-05-01T09:10:00+01:00", 10.0, 1),
        ("2024-05-01T09:20:00+01:00", 20.0, 2),
        ("2024-05-01 09:59:59", 30.0, 3),  # no offset: site time
        ("2024-05-01T09:05:00Z", 8.0, 1),  # 10:05 local
        ("2024-05-01T10:15:00+01:00", 12.0, 2),
        ("2024-05-01T10:30:00+01:00", 4.0, 1),
        ("2024-05-01T10:45:00+01:00", 16.0, 4),
        ("2024-05-01T11:30:00+01:00", 50.0, 5),
    ]
    key = key_for(store, "lisbon", "ingest")
    body = {"receipts": [{"time": t, "total": v, "items": i} for t, v, i in receipts]}
    r = client.post("/api/sites/lisbon/receipts", json=body, headers=key)
    assert r.json() == {"imported": 8, "duplicates": 0}
    assert client.post("/api/sites/lisbon/receipts", json=body, headers=key).json() == {
        "imported": 0,
        "duplicates": 8,
    }
    read = key_for(store, "lisbon", "read")
    got = client.get(
        "/api/sites/lisbon/analytics/conversion",
        params={"from": "2024-05-01T09:00", "to": "2024-05-01T13:00", "bucket": "hour"},
        headers=read,
    ).json()
    rows = {b["start"][11:13]: b for b in got["buckets"]}
    hand = {
        "09": (10, 3, 60.0, 0.3, 20.0, 6.0),
        "10": (20, 4, 40.0, 0.2, 10.0, 2.0),
        "11": (0, 1, 50.0, None, 50.0, None),
        "12": (5, 0, 0.0, 0.0, None, 0.0),
    }
    for hour, (v, n_tx, revenue, conv, basket, per_visitor) in hand.items():
        b = rows[hour]
        assert (b["visitors"], b["transactions"], b["revenue"]) == (v, n_tx, revenue), hour
        assert (b["conversion"], b["avg_basket"], b["revenue_per_visitor"]) == (
            conv,
            basket,
            per_visitor,
        ), hour
    assert got["buckets"][0]["start"] == "2024-05-01T09:00:00+01:00"
    total = got["total"]
    assert (total["visitors"], total["transactions"], total["revenue"]) == (35, 8, 150.0)
    assert total["conversion"] == round(8 / 35, 4)


def test_a_bad_live_receipt_is_named_and_nothing_is_imported(
    client: TestClient, store: Store
) -> None:
    key = key_for(store, "lisbon", "ingest")
    body = {
        "receipts": [
            {"time": "2024-05-01T10:00:00Z", "total": 1, "items": 1},
            {"time": "not a time", "total": 1, "items": 1},
        ]
    }
    r = client.post("/api/sites/lisbon/receipts", json=body, headers=key)
    assert r.status_code == 422
    assert r.json()["detail"].startswith("receipts[1].time: not an ISO 8601 time: 'not a time'")
    assert client.post(
        "/api/sites/lisbon/receipts", json={"receipts": body["receipts"][:1]}, headers=key
    ).json() == {"imported": 1, "duplicates": 0}


def test_every_raw_event_read_is_audited(client: TestClient, store: Store) -> None:
    store.write_events([_crossing(1, local(9))])
    key = key_for(store, "lisbon", "read")
    assert len(client.get("/api/sites/lisbon/events", headers=key).json()["items"]) == 1
    assert client.get("/api/sites/lisbon/events/export?format=csv", headers=key).status_code == 200
    reads = [e for e in accounts.audit_entries(store) if e["action"].startswith("events.")]
    assert [e["action"] for e in reads] == ["events.export.csv", "events.read"]
    assert all(e["actor"].startswith("key:") and e["target"] == "lisbon" for e in reads)
