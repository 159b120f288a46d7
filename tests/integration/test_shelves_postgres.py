"""The shelf funnel read from PostgreSQL gives what it gives on SQLite (events in jsonb, coverage
in timestamptz, "no data" hours, staff left out), and so do visits counted as people."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storepixel.config.site import SiteConfig
from storepixel.store import CoverageInterval, Store, open_store
from storepixel.store.people import visit_summary
from storepixel.store.shelves import funnel_report
from storepixel.types import Event

pytestmark = pytest.mark.postgres

SITE = SiteConfig.model_validate(
    {
        "site": {"id": "mall", "timezone": "Europe/Lisbon"},
        "cameras": [
            {
                "id": "aisle",
                "shelves": [
                    {"id": "cola", "polygon": [[0.5, 0.3], [0.8, 0.3], [0.8, 0.7]],
                     "brand": "Fizz"}
                ],
            }
        ],
    }
)  # fmt: skip


def t(hh: int, mm: int = 0) -> float:
    return datetime(2024, 5, 1, hh, mm, tzinfo=UTC).timestamp()


def fill(store: Store) -> None:
    base = {"shelf_id": "cola", "product": None, "brand": "Fizz", "category": None}

    def ev(i: int, kind: str, when: float, track: str, **props: object) -> Event:
        return Event(f"s{i}", kind, "mall", "aisle", when, track, "cola", {**base, **props}, 2)

    store.write_coverage([CoverageInterval("mall", "aisle", t(9), t(9, 30))])
    store.write_events(
        [
            ev(1, "shelf_pass", t(9, 5), "a", duration_s=2.0),
            ev(2, "shelf_pass", t(9, 6), "b", duration_s=8.0),
            ev(3, "shelf_attention", t(9, 6), "b", attention_s=6.5),
            ev(4, "shelf_reach", t(9, 7), "b", count=3, duration_s=1.5),
            ev(5, "shelf_pass", t(9, 8), "clerk", duration_s=30.0),  # staff: left out
            ev(6, "shelf_attention", t(9, 8), "clerk", attention_s=25.0),
        ]
    )

    def visit(i: int, track: str, end: float, **props: object) -> Event:
        return Event(f"v{i}", "visit_end", "mall", "aisle", end, track, None, props)

    store.write_events(
        [
            visit(1, "a", t(9, 9), duration_s=240.0, role="customer", group_id="a", group_size=2),
            visit(2, "b", t(9, 9), duration_s=230.0, role="customer", group_id="a", group_size=2),
            visit(3, "d", t(9, 20), duration_s=60.0, role="customer", group_id=None, group_size=1),
            visit(4, "clerk", t(13), duration_s=4 * 3600.0, role="staff"),  # ends after the range
            visit(5, "e", t(9, 21), duration_s=30.0),  # older event: no role, read as customer
        ]
    )


def test_funnel_on_postgres_matches_sqlite(pg_url: str, tmp_path: object) -> None:
    reports = []
    for url in (pg_url, f"sqlite:///{tmp_path}/s.db"):
        with open_store(url) as store:
            fill(store)
            reports.append(funnel_report(store, SITE, t(9), t(11), by="brand"))
            reports.append(visit_summary(store, "mall", t(9), t(11)))
    pg, people, lite, lite_people = reports
    assert (
        people
        == lite_people
        == {"customers": 4, "groups": 1, "in_groups": 2, "alone": 2, "parties": 3, "staff": 0}
    )
    assert pg == lite
    ten, eleven = pg["rows"]  # local hours (Lisbon is UTC+1 in May)
    assert ten["start"].startswith("2024-05-01T10:00")
    assert (ten["passers"], ten["stoppers"], ten["reachers"], ten["touches"]) == (2, 1, 1, 3)
    assert ten["covered_s"] == 1800.0 and ten["attention_p50_s"] == 6.5
    assert eleven["no_data"] is True and eleven["passers"] is None
