"""Event listing (filters, key-based pages), export, and bad parameters."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient

from storepixel.store import Store
from storepixel.types import Event

Admin = tuple[TestClient, dict[str, str]]
URL = "/api/sites/lisbon/events"
T0 = 1714557600.0  # 2024-05-01T10:00:00Z


@pytest.fixture
def events(store: Store) -> list[Event]:
    evs = [
        Event(
            f"e{i:03d}",
            "zone_enter",
            "lisbon",
            "door" if i % 2 else "aisle",
            T0 + i,
            f"t{i}",
            "promo",
        )
        for i in range(25)
    ]
    evs.append(Event("p1", "zone_enter", "porto", "cam1", T0, "t", "z"))
    store.write_events(evs)
    return evs


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_pages_cover_everything_once(admin: Admin, events: list[Event], order: str) -> None:
    """Issue 15, defect 11: the dashboard lists the newest events first (today's events are not
    pages away); pages cover every event once in either order."""
    client, _ = admin
    seen, cursor = [], None
    while True:
        params = {"limit": 10, "order": order, **({"cursor": cursor} if cursor else {})}
        body = client.get(URL, params=params).json()
        seen += [e["id"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    ids = [f"e{i:03d}" for i in range(25)]  # porto's event never appears
    assert seen == (ids if order == "oldest" else ids[::-1])


def test_filters(admin: Admin, events: list[Event]) -> None:
    client, _ = admin
    body = client.get(URL, params={"camera": "door", "kind": "zone_enter"}).json()
    assert len(body["items"]) == 12 and {e["camera_id"] for e in body["items"]} == {"door"}
    first = body["items"][0]
    assert first["time"] == "2024-05-01T10:00:01.000000Z" and first["scope_id"] == "promo"
    win = client.get(
        URL, params={"from": "2024-05-01T10:00:05Z", "to": "2024-05-01T11:00:10+01:00"}
    )
    assert [e["id"] for e in win.json()["items"]] == [f"e{i:03d}" for i in range(5, 10)]
    assert client.get(URL, params={"kind": "zone_exit"}).json()["items"] == []


def test_export_formats(admin: Admin, events: list[Event]) -> None:
    client, _ = admin
    r = client.get(f"{URL}/export", params={"format": "csv"})
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 25 and rows[0]["site_id"] == "lisbon"
    r = client.get(f"{URL}/export", params={"format": "jsonl", "camera": "aisle"})
    lines = [json.loads(x) for x in r.text.splitlines()]
    assert len(lines) == 13 and all(x["camera_id"] == "aisle" for x in lines)
    r = client.get(f"{URL}/export", params={"format": "parquet"})
    assert r.status_code == 200 and r.content[:4] == b"PAR1"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"limit": 0}, 422, "query.limit"),
        ({"limit": 5000}, 422, "query.limit"),
        ({"kind": "teleport"}, 422, "query.kind"),
        ({"cursor": "garbage"}, 400, "invalid page cursor"),
        ({"from": "2024-05-02", "to": "2024-05-01"}, 422, "backwards"),
        ({"camera": "ghost"}, 404, "no camera 'ghost'"),
    ],
)
def test_bad_parameters(
    admin: Admin, events: list[Event], params: dict[str, object], status: int, message: str
) -> None:
    client, _ = admin
    r = client.get(URL, params=params)
    assert r.status_code == status and message in r.json()["detail"]


def test_export_bad_format(admin: Admin) -> None:
    client, _ = admin
    r = client.get(f"{URL}/export", params={"format": "xlsx"})
    assert r.status_code == 422 and "query.format" in r.json()["detail"]


def test_open_ended_ranges(admin: Admin, events: list[Event]) -> None:
    client, _ = admin
    since = client.get(URL, params={"from": "2024-05-01T10:00:20Z"}).json()["items"]
    until = client.get(URL, params={"to": "2024-05-01T10:00:03Z"}).json()["items"]
    assert [e["id"] for e in since] == [f"e{i:03d}" for i in range(20, 25)]
    assert [e["id"] for e in until] == ["e000", "e001", "e002"]
