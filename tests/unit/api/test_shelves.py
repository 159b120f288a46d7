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
        c.headers.update(login(c, "alice"))
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


def test_funnel_over_the_whole_range_is_one_row_per_group(client: TestClient) -> None:
    (fizz, leaf) = sorted(rows(client, by="brand", bucket="range"), key=lambda r: r["group"])
    assert (fizz["group"], fizz["passers"], fizz["touches"], fizz["covered_s"]) == (
        "Fizz",
        2,
        2,
        3600.0,
    )
    assert fizz["start"].startswith("2024-05-01T09:00") and leaf["stoppers"] == 1


def test_staff_are_left_out_of_the_funnel_and_visits_count_parties(
    client: TestClient, store: Store
) -> None:
    def visit(i: int, track: str, **props: Any) -> Event:
        return Event(f"v{i}", "visit_end", "mall", "aisle", t(9, 30), track, None, props)

    store.write_events(
        [
            shelf_event(7, "shelf_pass", t(9, 8), "clerk", "cola", duration_s=20.0),
            visit(1, "clerk", duration_s=3000.0, role="staff"),
            visit(2, "a", duration_s=60.0, role="customer", group_id="a", group_size=2),
            visit(3, "b", duration_s=60.0, role="customer", group_id="a", group_size=2),
            visit(4, "c", duration_s=60.0, role="customer", group_id=None, group_size=1),
        ]
    )
    (cola,) = [r for r in rows(client, bucket="range") if r["group"] == "cola"]
    assert cola["passers"] == 2  # not the clerk
    r = client.get(
        "/api/sites/mall/analytics/visits",
        params={"from": "2024-05-01T09:00:00Z", "to": "2024-05-01T11:00:00Z"},
    )
    assert r.status_code == 200, r.text
    assert r.json() == {
        "customers": 3, "groups": 1, "in_groups": 2, "alone": 1, "parties": 2, "staff": 1
    }  # fmt: skip


def test_shelves_are_edited_through_the_camera_api(client: TestClient) -> None:
    path = "/api/sites/mall/cameras/aisle/shelves"
    body = {"id": "chips", "polygon": [[0.1, 0.8], [0.3, 0.8], [0.3, 0.95]], "brand": "Crunch"}
    r = client.post(path, json=body)
    assert r.status_code == 201, r.text
    assert client.post(path, json=body).status_code == 409  # the id is taken
    off = {**body, "id": "off", "polygon": [[0.1, 0.8], [1.3, 0.8], [0.3, 0.95]]}
    r = client.post(path, json=off)
    assert r.status_code == 422 and "polygon" in r.text  # off the frame: named, nothing saved
    r = client.put(f"{path}/chips", json={**body, "category": "snacks"})
    assert r.status_code == 200 and r.json()["category"] == "snacks"
    assert [s["id"] for s in client.get(path).json()] == ["cola", "tea", "chips"]
    assert client.delete(f"{path}/chips").status_code == 204
    assert client.delete(f"{path}/chips").status_code == 404
    assert [s["id"] for s in client.get(path).json()] == ["cola", "tea"]
