"""Edge → central sync without a server: batches, acknowledgements, idempotent central writes."""

from __future__ import annotations

import pytest

from storepixel.store import open_store
from storepixel.store.queries import query_events, query_metrics
from storepixel.store.sync import ForeignRows, SyncRefused, acknowledge, apply_batch, batches
from storepixel.types import Event, MetricRow

T0 = 1714557600.0


def _ev(site: str, i: int) -> Event:
    return Event(f"{site}-{i}", "zone_enter", site, "cam1", T0 + i, f"t{i}", "aisle")


def test_unacknowledged_batches_come_back_and_acknowledged_ones_do_not() -> None:
    edge, central = open_store("sqlite://"), open_store("sqlite://")
    edge.write_events([_ev("a", i) for i in range(10)])
    first = next(iter(batches(edge, "sync:c", now=0.0, size=4)))
    assert len(first.rows["events"]) == 4
    apply_batch(central, "a", first.body())  # central wrote it, the edge never heard back
    sent = []
    for b in batches(edge, "sync:c", now=1.0, size=4):  # so it all goes again, in order
        assert apply_batch(central, "a", b.body()).events_existing <= 4
        acknowledge(edge, b, now=1.0)
        sent += [e["id"] for e in b.rows["events"]]
    assert sent == [f"a-{i}" for i in range(10)]
    assert list(batches(edge, "sync:c", now=2.0)) == []  # nothing left
    edge.write_events([_ev("a", 10)])
    (last,) = batches(edge, "sync:c", now=3.0)
    assert [e["id"] for e in last.rows["events"]] == ["a-10"]


def test_a_reanalysed_metric_is_sent_again_and_replaces_the_central_row() -> None:
    edge, central = open_store("sqlite://"), open_store("sqlite://")
    row = MetricRow("a", "cam1", "*", "occupancy_avg", T0, 1.0, 10, 1.0)
    edge.write_metrics([row])
    for b in batches(edge, "sync:c", now=0.0):
        apply_batch(central, "a", b.body())
        acknowledge(edge, b, now=0.0)
    edge.write_metrics([MetricRow("a", "cam1", "*", "occupancy_avg", T0, 2.5, 12, 1.0)])
    (again,) = batches(edge, "sync:c", now=1.0)
    apply_batch(central, "a", again.body())
    assert [m.value for m in query_metrics(central, site_id="a")] == [2.5]


def test_the_central_refuses_rows_of_another_site_and_malformed_rows_whole() -> None:
    central = open_store("sqlite://")
    edge = open_store("sqlite://")
    edge.write_events([_ev("b", 1)])
    (b,) = batches(edge, "sync:c", now=0.0)
    with pytest.raises(ForeignRows, match=r"site 'a'.*site b"):
        apply_batch(central, "a", b.body())
    with pytest.raises(SyncRefused, match="malformed"):
        apply_batch(central, "a", {"metrics": [{"site_id": "a"}]})
    with pytest.raises(SyncRefused, match="unknown parts"):
        apply_batch(central, "a", {"frames": []})
    assert query_events(central).events == []  # nothing of a refused batch was written
