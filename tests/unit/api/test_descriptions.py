"""Listing stored people-chunk descriptions through the API: filters, site scoping, bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient

from storepixel.store import Store
from storepixel.store import descriptions as db

Admin = tuple[TestClient, dict[str, str]]
URL = "/api/sites/lisbon/descriptions"
T0 = 1714557600.0  # 2024-05-01T10:00:00Z


def add(store: Store, key: str, site: str, camera: str, start: float, status: str) -> None:
    db.add_chunk(
        store,
        {
            "id": key,
            "site_id": site,
            "camera_id": camera,
            "start_time": start,
            "end_time": start + 15,
            "provider": "gemini",
            "model": "gemini-2.5-flash",
            "prompt_version": "describe-v1",
            "track_ids": [3],
            "sent_times": [start, start + 15],
        },
    )
    item = {
        "time": start + 5,
        "subject": 3,
        "action": "picks up",
        "object": "phone",
        "zone": None,
        "kind": "interaction",
        "confidence": 0.8,
        "flags": [],
    }
    alert = {
        "kind": "theft",
        "severity": "high",
        "time": start + 9,
        "subject": 3,
        "reason": "cuts the cable",
        "flags": [],
    }
    if status == "done":
        db.settle(
            store,
            key,
            "done",
            summary="#3: picks up a phone",
            items=[item],
            alerts=[alert],
            tokens_in=700,
            tokens_out=120,
            cost=0.0002,
        )
    else:
        db.settle(store, key, status, reason="provider: HTTP 500")


def test_lists_chunks_in_capture_order_with_filters(admin: Admin, store: Store) -> None:
    client, _ = admin
    add(store, "d2", "lisbon", "door", T0 + 60, "failed")
    add(store, "d1", "lisbon", "door", T0, "done")
    add(store, "d3", "lisbon", "aisle", T0 + 120, "done")
    add(store, "p1", "porto", "cam1", T0, "done")
    items = client.get(URL).json()["items"]
    assert [i["id"] for i in items] == ["d1", "d2", "d3"]  # porto's is not lisbon's
    first = items[0]
    assert first["start"] == "2024-05-01T10:00:00.000+00:00"
    assert first["items"][0]["time"] == "2024-05-01T10:00:05.000+00:00"
    assert first["alerts"][0]["kind"] == "theft" and first["tokens_in"] == 700
    assert items[1]["status"] == "failed" and items[1]["reason"] == "provider: HTTP 500"
    assert [i["id"] for i in client.get(URL, params={"camera": "aisle"}).json()["items"]] == ["d3"]
    done = client.get(URL, params={"status": "done"}).json()["items"]
    assert [i["id"] for i in done] == ["d1", "d3"]
    later = client.get(URL, params={"from": "2024-05-01T10:01:30Z"}).json()["items"]
    assert [i["id"] for i in later] == ["d3"]


def test_bad_parameters_are_4xx(admin: Admin) -> None:
    client, _ = admin
    assert client.get(URL, params={"camera": "nope"}).status_code == 404
    assert client.get(URL, params={"status": "eaten"}).status_code == 422
    assert client.get(URL, params={"from": "yesterday-ish"}).status_code in (400, 422)
    assert client.get("/api/sites/nowhere/descriptions").status_code == 404
