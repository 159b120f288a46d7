"""The event bus: store first, consumers after and off the publisher's thread."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from storepixel.config.site import parse_site
from storepixel.errors import StoreError
from storepixel.events.bus import Consumer, EventBus, build_bus
from storepixel.events.sinks import MemorySink
from storepixel.store import Store, open_store
from storepixel.store.queries import iter_events, query_metrics
from tests.fixtures.store_contract import sample_events, sample_metrics

SITE = parse_site({"site": {"id": "demo"}, "cameras": [{"id": "cam1"}]})


def test_the_store_has_a_batch_before_any_consumer_sees_it() -> None:
    store = open_store("sqlite://")
    seen_in_store: list[int] = []

    class Checker(Consumer):
        def write_events(self, events: Any) -> None:
            seen_in_store.append(len(list(iter_events(store))))

    bus = EventBus(store)
    memory = MemorySink()
    bus.subscribe(Checker())
    bus.subscribe(memory)
    result = bus.publish(sample_events(), sample_metrics())
    assert result is not None and result.events_new == len(sample_events())
    assert bus.publish(sample_events()).events_new == 0  # type: ignore[union-attr]  # ids
    bus.close()
    assert seen_in_store[0] == len(sample_events())
    assert memory.events == sample_events() * 2 and memory.metrics == sample_metrics()
    assert len(query_metrics(store)) == len(sample_metrics()) and memory.closed


def test_a_store_failure_stops_the_batch_before_the_consumers() -> None:
    class Down(Store):
        def write(self, **kwargs: Any) -> Any:
            raise StoreError("cannot write to store: database is locked")

    memory = MemorySink()
    bus = EventBus(Down(open_store("sqlite://").engine))
    bus.subscribe(memory)
    with pytest.raises(StoreError, match="locked"):
        bus.publish(sample_events())
    bus.close()
    assert memory.events == []


def test_a_slow_consumer_does_not_slow_the_publisher_and_misses_what_overflows() -> None:
    release = threading.Event()

    class Stuck(Consumer):
        def __init__(self) -> None:
            self.batches = 0

        def write_events(self, events: Any) -> None:
            release.wait(10)
            self.batches += 1

    stuck, fast = Stuck(), MemorySink()
    bus = EventBus(None)
    sub = bus.subscribe(stuck, queue_size=5)
    bus.subscribe(fast)
    started = time.perf_counter()
    for _ in range(20):
        bus.publish(sample_events()[:1])
    assert time.perf_counter() - started < 2.0  # nowhere near one 10 s wait
    assert bus.drain(0.5) is False  # the stuck one is still stuck
    release.set()
    bus.close()
    assert len(fast.events) == 20  # the other consumer got everything
    assert stuck.batches + sub.dropped == 20 and sub.dropped >= 14  # 1 in hand + 5 queued


def test_a_failing_consumer_is_logged_and_the_others_carry_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken(Consumer):
        def write_events(self, events: Any) -> None:
            raise RuntimeError("boom")

    memory = MemorySink()
    bus = EventBus(None)
    broken = bus.subscribe(Broken(), inline=True)
    bus.subscribe(memory)
    bus.publish(sample_events())
    bus.close()
    assert broken.failures == 1 and memory.events == sample_events()
    assert "Broken failed" in caplog.text


def test_frames_only_reach_consumers_that_take_frames() -> None:
    class Frames(Consumer):
        def __init__(self) -> None:
            self.frames: list[str] = []

        def write_frame(self, camera_id: str, result: Any, counts: Any) -> None:
            self.frames.append(camera_id)

    bus = EventBus(None)
    assert not bus.wants_frames
    bus.subscribe(MemorySink())
    assert not bus.wants_frames  # a sink without write_frame gets no frames
    frames = Frames()
    bus.subscribe(frames, frame_queue_size=100)
    assert bus.wants_frames
    for _ in range(3):
        bus.publish_frame("cam1", object(), {})
    bus.close()
    assert frames.frames == ["cam1"] * 3


def test_build_bus_attaches_site_consumers_then_the_callers() -> None:
    calls: list[str] = []

    def attach(bus: EventBus, site: Any, store: Any) -> None:
        calls.append(site.site.id)
        bus.subscribe(MemorySink())

    import sys
    import types

    module = types.ModuleType("storepixel_test_attach")
    module.attach = attach  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        extra = MemorySink()
        bus = build_bus(SITE, None, consumers=[extra], attachers=["storepixel_test_attach:attach"])
    finally:
        del sys.modules[module.__name__]
    assert calls == ["demo"]
    assert [type(s.consumer) for s in bus.subscriptions] == [MemorySink, MemorySink]
    assert bus.subscriptions[-1].consumer is extra
    bus.close()
    with pytest.raises(Exception, match="closed"):
        bus.subscribe(MemorySink())


def test_every_default_attacher_imports() -> None:
    bus = build_bus(SITE, open_store("sqlite://"))
    bus.close()
