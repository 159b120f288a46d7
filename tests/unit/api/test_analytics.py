"""Analytics endpoints over a store holding known events and minute metrics.

Lisbon is UTC+1 in May (WEST), so 09:00 UTC is the 10:00 local bucket.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from storepixel.store import CoverageInterval, Store
from storepixel.types import Event, MetricRow

Admin = tuple[TestClient, dict[str, str]]
URL = "/api/sites/lisbon/analytics"
DAY = {"from": "2024-05-01", "to": "2024-05-02"}


def t(hh: int, mm: int = 0, ss: int = 0) -> float:
    return datetime(2024, 5, 1, hh, mm, ss, tzinfo=UTC).timestamp()


def ev(i: int, kind: str, time: float, track: str, scope: str | None, **props: object) -> Event:
    return Event(f"e{i}", kind, "lisbon", "door", time, track, scope, dict(props))


@pytest.fixture
def data(store: Store) -> None:
    cross = "line_crossing"
    events = [
        ev(1, cross, t(9, 5), "a", "entrance", direction="in", line_id="entrance"),
        ev(2, cross, t(9, 30), "b", "entrance", direction="in", line_id="entrance"),
        ev(3, cross, t(10, 15), "a", "entrance", direction="out", line_id="entrance"),
        ev(4, "visit_start", t(9, 5), "a", None),
        ev(5, "visit_start", t(9, 30), "b", None),
        ev(6, "zone_enter", t(9, 6), "a", "promo"),
        ev(7, "zone_exit", t(9, 7), "a", "promo", dwell_s=40.0),
        ev(8, "queue_join", t(9, 8), "a", "till"),
        ev(9, "queue_leave", t(9, 10), "a", "till", wait_s=120.0),
        ev(10, "zone_exit", t(9, 40), "b", "promo", dwell_s=4.0),
        # another site's event at the same time must never show up in lisbon's numbers
        Event(
            "x1",
            cross,
            "porto",
            "cam1",
            t(9, 5),
            "z",
            "entrance",
            {"direction": "in", "line_id": "entrance"},
        ),
    ]
    metrics = [
        MetricRow("lisbon", "door", "till", "queue_length_avg", t(9, 8), 1.5, 60, 1.0),
        MetricRow("lisbon", "door", "till", "queue_length_peak", t(9, 8), 2.0, 60, 1.0),
        MetricRow("lisbon", "door", "till", "queue_wait_avg", t(9, 10), 120.0, 1, 1.0),
        MetricRow("lisbon", "door", "*", "people_avg", t(9, 5), 1.0, 60, 1.0),
        MetricRow("lisbon", "door", "*", "people_avg", t(9, 6), 3.0, 60, 0.5),
        MetricRow("lisbon", "door", "*", "people_peak", t(9, 6), 4.0, 60, 0.5),
    ]
    coverage = [CoverageInterval("lisbon", "door", t(9), t(10))]
    store.write(events=events, metrics=metrics, coverage=coverage)


def test_footfall_by_local_hour(admin: Admin, data: None) -> None:
    client, _ = admin
    body = client.get(f"{URL}/footfall", params=DAY).json()
    assert len(body["buckets"]) == 24
    by_start = {b["start"]: (b["in"], b["out"]) for b in body["buckets"]}
    assert by_start["2024-05-01T10:00:00+01:00"] == (2, 0)
    assert by_start["2024-05-01T11:00:00+01:00"] == (0, 1)
    assert sum(b["in"] for b in body["buckets"]) == 2  # porto's crossing is not counted
    day = client.get(f"{URL}/footfall", params={**DAY, "bucket": "day"}).json()
    assert day == {"buckets": [{"start": "2024-05-01T00:00:00+01:00", "in": 2, "out": 1}]}


def test_footfall_matrix(admin: Admin, data: None) -> None:
    client, _ = admin
    body = client.get(f"{URL}/footfall-matrix", params=DAY).json()
    assert body["days"] == ["2024-05-01"] and body["hours"] == list(range(24))
    assert body["in"][0][10] == 2 and sum(body["in"][0]) == 2


def test_occupancy_dwell_queues_transitions(admin: Admin, data: None) -> None:
    client, _ = admin
    occ = client.get(f"{URL}/occupancy", params=DAY).json()["points"]
    ten = next(p for p in occ if p["start"] == "2024-05-01T10:00:00+01:00")
    assert ten == {"start": "2024-05-01T10:00:00+01:00", "avg": 1.667, "peak": 4.0}
    assert next(p for p in occ if p["start"].endswith("T09:00:00+01:00"))["avg"] is None
    dwell = client.get(f"{URL}/dwell", params={**DAY, "zone": "promo"}).json()
    assert dwell["count"] == 2 and dwell["p50_s"] == 22.0
    assert [h["count"] for h in dwell["histogram"]][:4] == [1, 0, 0, 1]
    assert dwell["histogram"][-1]["hi_s"] is None
    q = client.get(f"{URL}/queues", params={**DAY, "zone": "till"}).json()["points"]
    ten = next(p for p in q if p["start"] == "2024-05-01T10:00:00+01:00")
    assert ten == {
        "start": "2024-05-01T10:00:00+01:00",
        "length_avg": 1.5,
        "length_peak": 2.0,
        "wait_avg_s": 120.0,
    }
    tr = client.get(f"{URL}/transitions", params=DAY).json()
    assert tr == {"transitions": [{"from": "promo", "to": "till", "count": 1}]}


def test_kpis_and_extent(admin: Admin, data: None) -> None:
    client, _ = admin
    k = client.get(f"{URL}/kpis", params={"date": "2024-05-01"}).json()
    assert k == {
        "date": "2024-05-01",
        "in": 2,
        "out": 1,
        "visits": 2,
        "people": {
            "customers": 0,
            "groups": 0,
            "in_groups": 0,
            "alone": 0,
            "parties": 0,
            "staff": 0,
        },
        "dwell_p50_s": 40.0,
        "occupancy_peak": 4.0,
        "coverage_s": 3600.0,
    }
    assert client.get(f"{URL}/kpis", params={"date": "2024-05-02"}).json()["in"] == 0
    ext = client.get(f"{URL}/extent").json()
    assert ext["first"] == "2024-05-01T10:05:00+01:00" and ext["events"] == 10


def test_heatmap_png(admin: Admin, store: Store) -> None:
    import numpy as np

    from storepixel.store.heatmaps import GRID, add_grid

    client, _ = admin
    grid = np.zeros(GRID)
    grid[40, 10] = 30.0
    add_grid(store, "lisbon", "door", t(9), t(10), "live", grid)
    add_grid(store, "lisbon", "door", t(9), t(10), "live", grid)  # added, not replaced
    r = client.get(f"{URL}/heatmap.png", params={**DAY, "camera": "door"})
    assert r.status_code == 200 and r.content[:8] == b"\x89PNG\r\n\x1a\n"
    from storepixel.store.heatmaps import load_grid

    assert load_grid(store, "lisbon", "door", t(0), t(23)).sum() == 60.0
    assert load_grid(store, "lisbon", "door", t(11), t(23)).sum() == 0.0
    # Issue 15, defect 11: an empty heatmap says why instead of showing a bare picture.
    r = client.get(f"{URL}/heatmap.png", params={**DAY, "camera": "aisle"})
    assert r.status_code == 404 and "nobody was seen" in r.json()["detail"], r.text
    assert "from 2024-05-01T00:00:00+01:00" in r.json()["detail"]


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        ("footfall", {"from": "2024-05-02", "to": "2024-05-01"}, "backwards"),
        ("footfall", {"from": "yesterday"}, "from: not an ISO 8601 time"),
        ("footfall", {"bucket": "week"}, "query.bucket"),
        ("occupancy", {"camera": "nope"}, "no camera 'nope'"),
        ("kpis", {"date": "2024-13-01"}, "date: not a date"),
        ("footfall", {"from": "2000-01-01", "to": "2024-01-01"}, "too long"),
    ],
)
def test_bad_queries_are_one_line_4xx(
    admin: Admin, path: str, params: dict[str, str], message: str
) -> None:
    client, _ = admin
    r = client.get(f"{URL}/{path}", params=params)
    assert 400 <= r.status_code < 500
    assert message in r.json()["detail"] and "\n" not in r.json()["detail"]


def test_bucket_edges_are_exact(admin: Admin, store: Store) -> None:
    client, _ = admin
    props = {"direction": "in", "line_id": "entrance"}
    edge = [t(9, 59, 59) + 0.999999, t(10), t(10) + 0.000001]
    store.write_events(
        Event(f"edge{i}", "line_crossing", "lisbon", "door", when, f"k{i}", "entrance", props)
        for i, when in enumerate(edge)
    )
    body = client.get(f"{URL}/footfall", params=DAY).json()["buckets"]
    by_start = {b["start"][11:16]: b["in"] for b in body}
    assert by_start["10:00"] == 1 and by_start["11:00"] == 2  # local = UTC + 1


def test_minute_and_day_buckets(admin: Admin, data: None, store: Store) -> None:
    client, _ = admin
    window = {"from": "2024-05-01T10:05", "to": "2024-05-01T10:08", "bucket": "minute"}
    points = client.get(f"{URL}/occupancy", params=window).json()["points"]
    assert [(p["start"][11:16], p["avg"], p["peak"]) for p in points] == [
        ("10:05", 1.0, None),
        ("10:06", 3.0, 4.0),
        ("10:07", None, None),
    ]
    # a row on each side of a local midnight lands in its own day
    store.write_metrics(
        [
            MetricRow("lisbon", "door", "*", "people_avg", t(22, 59), 6.0, 60, 1.0),
            MetricRow("lisbon", "door", "*", "people_avg", t(23, 0), 8.0, 60, 1.0),
        ]
    )
    days = client.get(
        f"{URL}/occupancy", params={"from": "2024-05-01", "to": "2024-05-03", "bucket": "day"}
    ).json()["points"]
    assert days[0]["start"] == "2024-05-01T00:00:00+01:00" and days[1]["avg"] == 8.0
    assert days[0]["avg"] == pytest.approx((1.0 + 3.0 * 0.5 + 6.0) / 2.5, abs=1e-3)


def _line(client: TestClient, csrf: dict[str, str], cam: str, line: dict[str, object]) -> None:
    r = client.post(f"/api/sites/lisbon/cameras/{cam}/lines", json=line, headers=csrf)
    assert r.status_code == 201, r.text
    assert r.json()["footfall"] is line.get("footfall", True)


def _crossing(i: int, cam: str, line: str, time: float, way: str) -> Event:
    props = {"direction": way, "line_id": line}
    return Event(f"c{i}", "line_crossing", "lisbon", cam, time, f"k{i}", line, props)


@pytest.fixture
def inner(admin: Admin, data: None, store: Store) -> None:
    """The door camera also gets a fitting-room line, and the aisle camera an inner line that
    shares the door's line id: neither is an entrance, so footfall is still the door's 2 in,
    1 out."""
    client, csrf = admin
    points = [[0.5, 0.1], [0.5, 0.4]]
    _line(client, csrf, "door", {"id": "fitting", "points": points, "footfall": False})
    _line(client, csrf, "aisle", {"id": "entrance", "points": points, "footfall": False})
    store.write_events(
        [
            _crossing(1, "door", "fitting", t(9, 10), "in"),
            _crossing(2, "door", "fitting", t(9, 12), "out"),
            _crossing(3, "door", "fitting", t(9, 35), "in"),
            _crossing(4, "aisle", "entrance", t(9, 20), "in"),
        ]
    )


def _ins_outs(body: dict[str, list[dict[str, object]]]) -> tuple[object, object]:
    buckets = body["buckets"]
    assert len(buckets) == 1
    return buckets[0]["in"], buckets[0]["out"]


def test_footfall_counts_only_entrance_lines(admin: Admin, inner: None) -> None:
    client, _ = admin
    day = {**DAY, "bucket": "day"}
    assert _ins_outs(client.get(f"{URL}/footfall", params=day).json()) == (2, 1)
    fitting = client.get(f"{URL}/footfall", params={**day, "line": "fitting"}).json()
    assert _ins_outs(fitting) == (2, 1)
    # an explicit line counts whatever its flag, on every camera that has a line of that id
    both = client.get(f"{URL}/footfall", params={**day, "line": "entrance"}).json()
    assert _ins_outs(both) == (3, 1)
    aisle = client.get(f"{URL}/footfall", params={**day, "camera": "aisle"}).json()
    assert _ins_outs(aisle) == (0, 0)  # the aisle camera has no entrance line
    matrix = client.get(f"{URL}/footfall-matrix", params=DAY).json()["in"][0]
    assert matrix[10] == 2 and sum(matrix) == 2
    matrix = client.get(f"{URL}/footfall-matrix", params={**DAY, "line": "fitting"}).json()
    assert matrix["in"][0][10] == 2 and sum(matrix["in"][0]) == 2


def test_kpis_count_only_entrance_lines(admin: Admin, inner: None) -> None:
    client, csrf = admin
    k = client.get(f"{URL}/kpis", params={"date": "2024-05-01"}).json()
    assert (k["in"], k["out"]) == (2, 1)
    # marking the fitting-room line as an entrance counts it from the next request on
    fitting = {"id": "fitting", "points": [[0.5, 0.1], [0.5, 0.4]], "footfall": True}
    r = client.put("/api/sites/lisbon/cameras/door/lines/fitting", json=fitting, headers=csrf)
    assert r.status_code == 200 and r.json()["footfall"] is True
    k = client.get(f"{URL}/kpis", params={"date": "2024-05-01"}).json()
    assert (k["in"], k["out"]) == (4, 2)


def test_crossings_of_a_removed_line_leave_footfall(admin: Admin, data: None) -> None:
    client, csrf = admin
    r = client.delete("/api/sites/lisbon/cameras/door/lines/entrance", headers=csrf)
    assert r.status_code == 204
    day = {**DAY, "bucket": "day"}
    # nothing says whether a line that is gone was an entrance: not counted as footfall ...
    assert _ins_outs(client.get(f"{URL}/footfall", params=day).json()) == (0, 0)
    assert client.get(f"{URL}/kpis", params={"date": "2024-05-01"}).json()["in"] == 0
    # ... but its recorded crossings are still there when asked for by name
    old = client.get(f"{URL}/footfall", params={**day, "line": "entrance"}).json()
    assert _ins_outs(old) == (2, 1)
