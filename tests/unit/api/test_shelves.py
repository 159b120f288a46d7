"""GET /api/sites/{site}/analytics/shelves: the funnel per shelf, brand and category, with "no data"
for hours the camera was not analysed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from storepixel.api.app import create_app
from storepixel.config.site import load_site
from storepixel.store import CoverageInterval, Store
from storepixel.types import Event

from .conftest import login

SITE = {
    "site": {"id": "mall", "timezone": "UTC"},
    "cameras": [
        {
            "id": "aisle",
            "shelves": [
                {"id": "cola", "polygon": [[0.5, 0.3], [0.8, 0.3], [0.8, 0.7]], "brand": "Fizz",
                 "category": "drinks"},
                {"id": "tea", "polygon": [[0.1, 0.3], [0.3, 0.3], [0.3, 0.7]], "brand": "Leaf",
                 "category": "drinks"},
            ],
        }
    ],
}  # fmt: skip


def t(hh: int, mm: int = 0) -> float:
    return datetime(2024, 5, 1, hh, mm, tzinfo=UTC).timestamp()


def shelf_event(i: int, kind: str, when: float, track: str, shelf: str, **props: Any) -> Event:
    brand = {"cola": "Fizz", "tea": "Leaf"}[shelf]
    base = {"shelf_id": shelf, "product": None, "brand": brand, "category": "drinks"}
    return Event(f"s{i}", kind, "mall", "aisle", when, track, shelf, {**base, **props}, 2)


@pytest.fixture
def client(tmp_path: Path, store: Store, users: None) -> Any:
    path = tmp_path / "mall.yaml"
    path.write_text(yaml.safe_dump(SITE), encoding="utf-8")
    app = create_app([load_site(path)], store, data_dir=tmp_path / "d", secret_key="s" * 40)
    store.write_coverage([CoverageInterval("mall", "aisle", t(9), t(10))])
    store.write_events(
        [
            shelf_event(1, "shelf_pass", t(9, 5), "a", "cola", duration_s=2.0),
            shelf_event(2, "shelf_pass", t(9, 6), "b", "cola", duration_s=8.0),
            shelf_event(3, "shelf_attention", t(9, 6), "b", "cola", attention_s=6.0),
            shelf_event(4, "shelf_reach", t(9, 7), "b", "cola", count=2, duration_s=1.5),
            shelf_event(5, "shelf_pass", t(9, 20), "c", "tea", duration_s=9.0),
            shelf_event(6, "shelf_attention", t(9, 20), "c", "tea", attention_s=4.0),
        ]
    )
    with TestClient(app) as c:
        login(c, "alice")
        yield c


def rows(client: TestClient, **params: str) -> list[dict[str, Any]]:
    query = {"from": "2024-05-01T09:00:00Z", "to": "2024-05-01T11:00:00Z", **params}
    r = client.get("/api/sites/mall/analytics/shelves", params=query)
    assert r.status_code == 200, r.text
    return list(r.json()["rows"])


def test_funnel_per_shelf_with_no_data_where_nothing_was_analysed(client: TestClient) -> None:
    got = {(r["group"], r["start"][11:13]): r for r in rows(client)}
    cola = got[("cola", "09")]
    assert (cola["passers"], cola["stoppers"], cola["reachers"], cola["touches"]) == (2, 1, 1, 2)
    assert (cola["pass_to_stop"], cola["stop_to_reach"], cola["attention_p50_s"]) == (0.5, 1, 6)
    assert cola["no_data"] is False
    later = got[("cola", "10")]  # the camera was not analysed from 10:00: no data, not zero
    assert later["no_data"] is True and later["passers"] is None


def test_funnel_by_brand_and_category(client: TestClient) -> None:
    by_brand = {r["group"]: r for r in rows(client, by="brand") if r["start"][11:13] == "09"}
    assert by_brand["Leaf"]["stoppers"] == 1 and by_brand["Fizz"]["passers"] == 2
    (drinks,) = [r for r in rows(client, by="category") if r["start"][11:13] == "09"]
    assert (drinks["group"], drinks["passers"], drinks["stoppers"]) == ("drinks", 3, 2)
    assert drinks["attention_p90_s"] == pytest.approx(5.8)


def test_bad_grouping_is_a_4xx(client: TestClient) -> None:
    r = client.get("/api/sites/mall/analytics/shelves", params={"by": "colour"})
    assert r.status_code == 422
