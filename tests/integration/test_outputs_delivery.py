"""Delivery without loss through real receivers: Debian's Mosquitto and a signature-checking HTTP
server are stopped mid-stream and restarted, storepixel itself is restarted mid-outbox; every
message arrives once per id and in order per camera. A receiver that answers 500 forever gets its
message parked with the reason, without blocking the others; a broker refusing the password is a
clear error and loses nothing."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from storepixel.config.site import SiteConfig, parse_site
from storepixel.outputs.dispatcher import Dispatcher
from storepixel.outputs.outbox import Outbox
from storepixel.outputs.sink import OutwardSink
from storepixel.store import open_store
from storepixel.types import Event
from tests.fixtures.receivers import HttpReceiver, Mosquitto, MqttCollector

pytestmark = pytest.mark.slow
T0 = 1_714_557_600.0


def make_site(outputs: list[dict[str, Any]]) -> SiteConfig:
    cams = [
        {
            "id": cam,
            "zones": [{"id": "aisle", "polygon": [[0, 0], [1, 0], [1, 1]]}],
            "lines": [{"id": "door", "points": [[0, 0.5], [1, 0.5]]}],
        }
        for cam in ("cam1", "cam2")
    ]
    return parse_site({"site": {"id": "demo"}, "cameras": cams, "outputs": outputs})


def events(cam: str, start: int, n: int) -> list[Event]:
    out = []
    for i in range(start, start + n):
        kind = "zone_enter" if i % 2 == 0 else "zone_exit"
        props = {} if kind == "zone_enter" else {"dwell_s": 1.0}
        out.append(
            Event(f"e-{cam}-{i:05d}", kind, "demo", cam, T0 + i, f"t{i // 2}", "aisle", props)
        )
    return out


def webhook(url: str, **kw: Any) -> dict[str, Any]:
    base = {"kind": "webhook", "url": url, "secret_env": "HOOK_SECRET", "select": ["events"]}
    return {**base, "backoff_s": 0.05, "backoff_max_s": 0.3, "timeout_s": 2, **kw}


def in_order(ids: list[str], cam: str) -> list[str]:
    return [i for i in ids if i.startswith(f"e-{cam}-")]


def test_receiver_and_broker_down_and_storepixel_restarted_mid_stream(
    tmp_path: Path,
    http_receiver: HttpReceiver,
    mosquitto: Mosquitto,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "test-secret")
    mqtt_out = {
        "kind": "mqtt",
        "url": mosquitto.url,
        "select": ["events"],
        "home_assistant": False,
        "backoff_s": 0.05,
        "backoff_max_s": 0.3,
        "timeout_s": 2,
    }
    site = make_site([webhook(http_receiver.url), mqtt_out])
    collector = MqttCollector(mosquitto.port, "storepixel/demo/+/events")
    url = f"sqlite:///{tmp_path / 'out.db'}"
    expected: dict[str, list[str]] = {"cam1": [], "cam2": []}

    def produce(sink: OutwardSink, start: int, n: int) -> None:
        for cam in ("cam1", "cam2"):
            batch = events(cam, start, n)
            sink.write_events(batch)
            expected[cam] += [e.id for e in batch]

    store = open_store(url)
    dispatcher = Dispatcher.for_site(store, site)
    sink = OutwardSink(store, site, on_enqueue=dispatcher.wake)
    dispatcher.start()
    for k in range(5):
        produce(sink, k * 20, 20)
    # Both receivers go down mid-stream; events keep coming.
    http_receiver.stop()
    mosquitto.stop()
    for k in range(5, 10):
        produce(sink, k * 20, 20)
    time.sleep(1.0)
    # storepixel "crashes": the process's objects are dropped without a drain.
    dispatcher.stop()
    store.close()
    http_receiver.start()
    mosquitto.start()
    store = open_store(url)
    dispatcher = Dispatcher.for_site(store, site)
    sink = OutwardSink(store, site, on_enqueue=dispatcher.wake)
    for k in range(10, 12):
        produce(sink, k * 20, 20)
    left = dispatcher.drain(timeout_s=60)
    dispatcher.stop()
    total = sum(len(v) for v in expected.values())
    collector.wait_for(total)
    collector.close()
    assert left == 0

    got = http_receiver.ids()
    assert http_receiver.bad_signatures == 0
    assert len(got) == len(set(got)) == total  # exactly once per id
    for cam, ids in expected.items():
        assert in_order(got, cam) == ids  # in order per camera
    mqtt_ids = [body["id"] for _, body in collector.messages]
    assert len(mqtt_ids) == len(set(mqtt_ids)) == total
    for cam, ids in expected.items():
        assert in_order(mqtt_ids, cam) == ids
    assert all(
        t == f"storepixel/demo/{b['data']['camera_id']}/events" for t, b in collector.messages
    )
    store.close()


def test_500_forever_is_parked_without_blocking_others(
    tmp_path: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "test-secret")
    site = make_site([webhook(http_receiver.url, max_attempts=3)])
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    sink = OutwardSink(store, site)
    batch1, batch2 = events("cam1", 0, 10), events("cam2", 0, 10)
    poison = batch1[3].id
    http_receiver.fail_ids.add(poison)
    sink.write_events(batch1)
    sink.write_events(batch2)
    dispatcher = Dispatcher.for_site(store, site)
    left = dispatcher.drain(timeout_s=20)
    assert left == 0
    got = http_receiver.ids()
    assert poison not in got
    # cam2 was never held up; cam1's later messages went out after the poison was parked.
    assert in_order(got, "cam2") == [e.id for e in batch2]
    assert in_order(got, "cam1") == [e.id for e in batch1 if e.id != poison]
    counts = Outbox(store).counts("webhook-1")
    assert counts.parked == 1 and counts.sent == 19
    assert counts.reasons[poison] == f"{http_receiver.url} answered HTTP 500 (after 3 attempts)"
    attempts = [p for _, _, p in http_receiver.requests if p["id"] == poison]
    assert len(attempts) == 3
    store.close()


def test_broker_refusing_the_password_is_a_clear_error_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "broker"
    root.mkdir()
    broker = Mosquitto(root, users={"shop": "right-password"})
    broker.start()
    try:
        out = {
            "kind": "mqtt",
            "url": broker.url,
            "username": "shop",
            "password_env": "MQTT_PW",
            "select": ["events"],
            "home_assistant": False,
            "backoff_s": 0.05,
            "timeout_s": 2,
        }
        site = make_site([out])
        store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
        sink = OutwardSink(store, site)
        sink.write_events(events("cam1", 0, 5))
        monkeypatch.setenv("MQTT_PW", "wrong-password")
        with caplog.at_level(logging.WARNING, logger="storepixel.outputs"):
            dispatcher = Dispatcher.for_site(store, site)
            assert dispatcher.drain(timeout_s=1.5) == 5
            dispatcher.stop()
        refused = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
        assert len(refused) == 1, caplog.text  # said once, not once per retry
        assert "Not authorized" in refused[0] or "Bad user name or password" in refused[0]
        assert "wrong-password" not in caplog.text
        # The operator fixes the password: everything is still there and goes out once.
        collector = MqttCollector(broker.port, "storepixel/#", user="shop", pw="right-password")
        monkeypatch.setenv("MQTT_PW", "right-password")
        dispatcher = Dispatcher.for_site(store, site)
        assert dispatcher.drain(timeout_s=20) == 0
        dispatcher.stop()
        collector.wait_for(5)
        collector.close()
        assert [b["id"] for _, b in collector.messages] == [e.id for e in events("cam1", 0, 5)]
        store.close()
    finally:
        broker.stop()


def test_dispatcher_thread_keeps_order_under_concurrent_writes(
    tmp_path: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "test-secret")
    site = make_site([webhook(http_receiver.url)])
    store = open_store(f"sqlite:///{tmp_path / 'c.db'}")
    dispatcher = Dispatcher.for_site(store, site)
    sink = OutwardSink(store, site, on_enqueue=dispatcher.wake)
    dispatcher.start()

    def writer(cam: str) -> None:
        for k in range(10):
            sink.write_events(events(cam, k * 10, 10))

    threads = [threading.Thread(target=writer, args=(c,)) for c in ("cam1", "cam2")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert dispatcher.drain(timeout_s=30) == 0
    dispatcher.stop()
    got = http_receiver.ids()
    for cam in ("cam1", "cam2"):
        assert in_order(got, cam) == [e.id for e in events(cam, 0, 100)]
    store.close()


def test_ga4_and_segment_get_the_documented_mapping(
    tmp_path: Path, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GA_SECRET", "ga-secret")
    monkeypatch.setenv("SEG_KEY", "seg-key")
    http_receiver.check_signature = False  # analytics tools authenticate by key, not HMAC
    base = http_receiver.url.rsplit("/", 1)[0]
    site = parse_site(
        {
            "site": {"id": "demo"},
            "cameras": [
                {
                    "id": "cam1",
                    "lines": [
                        {"id": "door", "points": [[0, 0.5], [1, 0.5]]},
                        {"id": "fitting", "points": [[0, 0.2], [1, 0.2]], "footfall": False},
                    ],
                    "zones": [
                        {"id": "shelf-a", "kind": "shelf", "polygon": [[0, 0], [1, 0], [1, 1]]},
                        {"id": "till", "kind": "queue", "polygon": [[0, 0], [1, 0], [0, 1]]},
                    ],
                }
            ],
            "outputs": [
                {
                    "kind": "ga4",
                    "url": f"{base}/mp/collect",
                    "measurement_id": "G-TEST",
                    "api_secret_env": "GA_SECRET",
                    "backoff_s": 0.05,
                },
                {"kind": "segment", "url": base, "write_key_env": "SEG_KEY", "backoff_s": 0.05},
            ],
        }
    )
    door = {"direction": "in", "line_id": "door"}
    evs = [
        Event("e1", "line_crossing", "demo", "cam1", T0, "t1", "door", door),
        Event(
            "e2",
            "line_crossing",
            "demo",
            "cam1",
            T0 + 1,
            "t1",
            "door",
            {**door, "direction": "out"},
        ),
        Event(
            "e3",
            "line_crossing",
            "demo",
            "cam1",
            T0 + 2,
            "t2",
            "fitting",
            {"direction": "in", "line_id": "fitting"},
        ),
        Event("e4", "zone_enter", "demo", "cam1", T0 + 3, "t1", "shelf-a"),
        Event("e5", "queue_join", "demo", "cam1", T0 + 4, "t1", "till"),
        Event("e6", "queue_leave", "demo", "cam1", T0 + 9, "t1", "till", {"wait_s": 5.0}),
    ]
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    OutwardSink(store, site).write_events(evs)
    assert Dispatcher.for_site(store, site).drain(20) == 0
    ga4 = [(p, h, b) for p, h, b in http_receiver.requests if p.startswith("/mp/collect")]
    seg = [(p, h, b) for p, h, b in http_receiver.requests if p == "/v1/track"]
    assert all(p == "/mp/collect?measurement_id=G-TEST&api_secret=ga-secret" for p, _, _ in ga4)
    names = [b["events"][0]["name"] for _, _, b in ga4]
    assert names == ["store_visit", "view_item", "join_queue", "leave_queue"]
    first = ga4[0][2]
    assert first["client_id"] == "t1" and first["timestamp_micros"] == int(T0 * 1_000_000)
    assert first["events"][0]["params"]["event_id"] == "e1"
    assert [b["event"] for _, _, b in seg] == [
        "Store Visited",
        "Product Viewed",
        "Queue Joined",
        "Queue Left",
    ]
    assert all(h["Authorization"] == "Basic c2VnLWtleTo=" for _, h, _ in seg)  # "seg-key:"
    assert seg[-1][2]["properties"]["wait_s"] == 5.0
    assert (
        seg[0][2]["messageId"] == "e1" and seg[0][2]["timestamp"] == "2024-05-01T10:00:00.000000Z"
    )
    store.close()


@pytest.mark.postgres
def test_outbox_on_postgres_orders_restarts_and_parks(
    pg_url: str, http_receiver: HttpReceiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "test-secret")
    site = make_site([webhook(http_receiver.url, max_attempts=2)])
    batch1, batch2 = events("cam1", 0, 30), events("cam2", 0, 30)
    poison = batch2[5].id
    http_receiver.fail_ids.add(poison)
    store = open_store(pg_url)
    sink = OutwardSink(store, site)
    sink.write_events(batch1)
    sink.write_events(batch1)  # a replayed batch adds nothing
    http_receiver.stop()
    sink.write_events(batch2)
    dispatcher = Dispatcher.for_site(store, site)
    assert dispatcher.drain(0.5) == 60  # receiver down: nothing charged, nothing lost
    dispatcher.stop()
    store.close()
    http_receiver.start()
    store = open_store(pg_url)  # "restarted"
    assert Dispatcher.for_site(store, site).drain(20) == 0
    got = http_receiver.ids()
    assert in_order(got, "cam1") == [e.id for e in batch1]
    assert in_order(got, "cam2") == [e.id for e in batch2 if e.id != poison]
    assert Outbox(store).counts("webhook-1").parked == 1
    store.close()
