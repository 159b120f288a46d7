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


def test_settled_descriptions_are_forwarded_once_and_open_ones_wait() -> None:
    from storepixel.store.descriptions import add_chunk, list_chunks, settle

    edge, central = open_store("sqlite://"), open_store("sqlite://")
    for key in ("k1", "k2"):
        add_chunk(
            edge,
            dict(id=key, site_id="a", camera_id="cam1", start_time=T0, end_time=T0 + 15,
                 provider="gemini", model="m", prompt_version="v1", track_ids=[1],
                 sent_times=[T0]),
        )  # fmt: skip
    settle(edge, "k1", "done", summary="#1: looks at the shelf", people=[{"subject": 1}])
    (b,) = batches(edge, "sync:c", now=0.0)
    assert [d["id"] for d in b.rows["descriptions"]] == ["k1"]  # k2 is still being described
    for _ in range(2):  # a replayed batch changes nothing
        apply_batch(central, "a", b.body())
    acknowledge(edge, b, now=0.0)
    (row,) = list_chunks(central, site_id="a")
    assert row["summary"] == "#1: looks at the shelf" and row["status"] == "done"
    settle(edge, "k2", "failed", reason="provider refused")
    (later,) = batches(edge, "sync:c", now=1.0)
    assert [d["id"] for d in later.rows["descriptions"]] == ["k2"]
    with pytest.raises(ForeignRows):
        apply_batch(central, "b", later.body())


def test_health_reports_lag_against_what_the_central_has() -> None:
    from storepixel.store.sync import edge_health, health_report

    edge, central = open_store("sqlite://"), open_store("sqlite://")
    edge.write_events([_ev("a", i) for i in range(5)])
    cams = [{"camera": "cam1", "state": "streaming", "failure": None, "last_frame_time": T0}]
    first = next(iter(batches(edge, "sync:c", now=T0, size=3)))
    apply_batch(central, "a", first.body())
    acknowledge(edge, first, now=T0 + 50)
    report = health_report(edge, "sync:c", now=T0 + 100, cameras=cams)
    assert report["pending"] == 2 and report["last_sync_at"] == T0 + 50
    apply_batch(central, "a", {"health": report})  # events up to T0+2 there, T0+4 on the edge
    (health,) = edge_health(central, ["a", "b"]).values()
    assert health["lag_s"] == 2.0 and health["cameras"] == cams and health["pending"] == 2
    for b in batches(edge, "sync:c", now=T0 + 110):
        apply_batch(central, "a", {**b.body(), "health": health_report(edge, "sync:c", now=T0)})
    assert edge_health(central, ["a"])["a"]["lag_s"] == 0.0
    with pytest.raises(SyncRefused, match="health"):
        apply_batch(central, "a", {"health": {"cameras": "nope"}})
