"""``GET /api/sites/{site}/search``: hits with their range, and 4xx for bad input (never 5xx)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from storepixel.store import Store
from storepixel.types import Event

pytest.importorskip("sqlite_vec", reason="search tests need storepixel[search]")

Admin = tuple[TestClient, dict[str, str]]
URL = "/api/sites/lisbon/search"
T0 = 1714557600.0  # 2024-05-01T10:00:00Z = 11:00 in Lisbon


@pytest.fixture
def events(store: Store) -> None:
    evs = [
        Event(
            f"q{i}",
            "queue_leave",
            "lisbon",
            "door",
            T0 + i * 3600,
            f"t{i}",
            "till",
            {"wait_s": 60.0 + i},
        )
        for i in range(10)
    ] + [
        Event(
            f"l{i}",
            "line_crossing",
            "lisbon",
            "door",
            T0 + i * 600,
            f"u{i}",
            "entrance",
            {"direction": "in", "line_id": "entrance"},
        )
        for i in range(5)
    ]
    store.write_events(evs)


def test_search_finds_and_echoes_the_range(admin: Admin, events: None) -> None:
    client, headers = admin
    r = client.get(
        URL,
        params={"q": "queue at the till after 6 pm", "since": "2024-05-01", "until": "2024-05-02"},
        headers=headers,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    # 6 pm Lisbon on the --since day is 17:00 UTC; queue leaves are on the hour from 11:00 local
    assert body["range"]["time_words"] == "after 6 pm"
    assert body["range"]["start"].startswith("2024-05-01T17:00")
    assert body["hits"] and all(h["kind"] == "queue_leave" for h in body["hits"])
    assert all(h["end"] > "2024-05-01T17:00" for h in body["hits"])


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": ""}, 400),
        ({"q": "x" * 10_240}, 400),
        ({"q": "till", "zone": "nowhere"}, 400),
        ({"q": "till", "camera": "nowhere"}, 400),
        ({"q": "till", "since": "2024-05-02", "until": "2024-05-01"}, 400),
        ({"q": "till", "kind": "dance"}, 400),
        ({"q": "till", "since": "99999-01-01"}, 400),
        ({"q": "till", "until": "\x00"}, 400),
        ({"q": "till", "mode": "magic"}, 422),
        ({"q": '"'}, 400),
        ({"q": "*"}, 400),
        ({"q": "NEAR("}, 200),
        ({"q": "till OR door"}, 200),
    ],
)
def test_bad_input_is_4xx(admin: Admin, events: None, params: dict[str, str], status: int) -> None:
    client, headers = admin
    r = client.get(URL, params=params, headers=headers)
    assert r.status_code == status, r.text
    assert "\n" not in r.json().get("detail", "")


def test_unknown_site_is_404(admin: Admin) -> None:
    client, headers = admin
    assert client.get(
        "/api/sites/nowhere/search", params={"q": "x"}, headers=headers
    ).status_code in (403, 404)


def test_summary_of_a_day_is_served_once_written(admin: Admin, events: None, store: Store) -> None:
    from datetime import date
    from zoneinfo import ZoneInfo

    from storepixel.search.service import SearchService
    from storepixel.search.summaries import summarise_day

    client, headers = admin
    url = "/api/sites/lisbon/summary"
    empty = client.get(url, params={"date": "2024-05-01"}, headers=headers)
    assert empty.status_code == 200 and empty.json()["day"] is None
    written = summarise_day(store, "lisbon", date(2024, 5, 1), ZoneInfo("Europe/Lisbon"))
    service = SearchService(store)
    service.add_documents([d for d, _ in written], replace=True)
    body = client.get(url, params={"date": "2024-05-01"}, headers=headers).json()
    assert body["day"].startswith("Day summary 2024-05-01: 5 people came in")
    assert len(body["hours"]) == len(written) - 1
    for bad in ("2024-13-40", "yesterday"):
        r = client.get(url, params={"date": bad}, headers=headers)
        assert 400 <= r.status_code < 500, (bad, r.status_code)
