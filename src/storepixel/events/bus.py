"""The one path events take: every pipeline publishes to an :class:`EventBus`; the store and
every consumer (live feed, heatmaps, outputs, describers, indexers, sync) subscribe to it.

Who publishes
    ``analyze`` and uploaded videos (:func:`storepixel.pipeline.file_job.analyze_file`) publish
    one batch per file; live cameras (``run``, ``serve --run``: the Supervisor's writer thread)
    publish a batch about every second, and each analysed frame with
    :meth:`EventBus.publish_frame`. Every pipeline gets its bus from :func:`build_bus`.

The store comes first
    :meth:`EventBus.publish` writes the batch (events, minute metrics and the run's bookkeeping)
    to the store in one transaction *before* any consumer sees it. If that write fails the
    exception goes back to the publisher (a file job fails and leaves the store as it was; the
    live writer keeps the batch and retries) and no consumer hears of events the store does not
    have. Events carry stable ids, so a batch published twice (a retried write, a file analysed
    again) is harmless to the store; consumers that must not repeat themselves de-duplicate by id.

Consumers never slow counting
    By default each consumer gets its own thread and a bounded queue: ``publish`` only appends to
    the queue, so a slow or stuck consumer (a webhook that is down, a VLM) cannot delay the
    analysis workers or the store writer. When a consumer's queue is full the newest item is
    dropped for that consumer alone and counted (``Subscription.dropped``), with one log line;
    frames have a small queue of their own (they are large and only the newest matters), so
    frames can never crowd out events. Threads, not processes: consumers do I/O, which releases
    the GIL, and they share the frame buffers without copying. ``inline=True`` calls a consumer
    on the publisher's thread right after the store write instead: only for consumers that are
    fast and must see every batch in order with the store (e.g. appending to an outbox table); an
    inline consumer's exception is logged and does not undo the store write.

A consumer is any object with some of ``write_events(events)``, ``write_metrics(rows)``,
``write_frame(camera_id, result, counts)`` (live frames, already privacy-masked, with the
camera's live counts) and ``close()``; methods it lacks are skipped (:class:`Consumer` is a base
with no-ops). :mod:`storepixel.events.sinks` has ready-made ones (JSON lines, memory).

Adding a consumer
    - From code: ``bus.subscribe(MyConsumer(...))``.
    - For every pipeline, from the site config: write a function
      ``attach(bus: EventBus, site: SiteConfig, store: Store | None) -> None`` that subscribes
      whatever the site's YAML asks for (and nothing when it asks for nothing), and add its
      dotted path, one line, to :data:`ATTACHERS`. ``build_bus`` calls each of them.
    - For one run only, from the caller: ``build_bus(site, store, consumers=[...])``.

>>> from storepixel.events.sinks import MemorySink
>>> from storepixel.store import open_store
>>> from storepixel.types import Event
>>> bus = EventBus(open_store("sqlite://"))
>>> seen = MemorySink()
>>> _ = bus.subscribe(seen)
>>> bus.publish([Event("e1", "zone_enter", "demo", "cam1", 0.0, "t1", "aisle-1")]).events_new
1
>>> bus.close(); [e.id for e in seen.events], seen.closed
(['e1'], True)
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storepixel.errors import StorepixelError
from storepixel.types import Event, MetricRow

if TYPE_CHECKING:
    from storepixel.config.site import SiteConfig
    from storepixel.store import AnalysisRun, CoverageInterval, Store, WriteResult

log = logging.getLogger(__name__)

QUEUE_SIZE = 10_000  # batches of events or metric rows waiting for one consumer
FRAME_QUEUE_SIZE = 8  # live frames waiting for one consumer (each holds an image)

# One line per consumer that the site config can switch on: ``"module:function"`` where the
# function is ``attach(bus, site, store) -> None`` (see the module docstring).
ATTACHERS: tuple[str, ...] = (
    "storepixel.pipeline.live_heatmaps:attach",
    "storepixel.outputs.sink:attach",  # alert rules and the outbox (webhooks, MQTT, …)
    "storepixel.search.indexer:attach",
    "storepixel.outputs.forward:attach",  # edge → central (``forward:``)
)

Attacher = Callable[["EventBus", "SiteConfig", "Store | None"], None]


class Consumer:
    """A base for consumers: override the methods you need; the others do nothing."""

    def write_events(self, events: Sequence[Event]) -> None:
        """A batch of events, already in the store."""

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        """Finalised minute metric rows, already in the store."""

    def write_frame(self, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        """A live camera's analysed frame (``FrameResult``, privacy-masked) and live counts."""

    def close(self) -> None:
        """The bus is closing: flush and release."""


_METHODS = ("write_events", "write_metrics", "write_frame")


def _overrides(consumer: Any, method: str) -> bool:
    """Whether ``consumer`` has ``method`` other than :class:`Consumer`'s no-op."""
    found = getattr(type(consumer), method, None) or getattr(consumer, method, None)
    return callable(found) and found is not getattr(Consumer, method, None)


@dataclass(eq=False)
class Subscription:
    """One consumer on a bus: its queue, its thread and what it missed."""

    consumer: Any
    inline: bool
    queue_size: int = QUEUE_SIZE
    frame_queue_size: int = FRAME_QUEUE_SIZE
    dropped: int = 0  # batches and frames this consumer did not get because it fell behind
    failures: int = 0  # calls that raised
    _items: deque[tuple[str, tuple[Any, ...]]] = field(default_factory=deque)
    _batches: int = 0
    _frames: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _closing: bool = False
    _busy: bool = False
    _thread: threading.Thread | None = None

    @property
    def name(self) -> str:
        return type(self.consumer).__name__

    def __post_init__(self) -> None:
        self.handles = frozenset(m for m in _METHODS if _overrides(self.consumer, m))

    def start(self) -> None:
        if not self.inline:
            self._thread = threading.Thread(target=self._run, name=f"bus-{self.name}", daemon=True)
            self._thread.start()

    def offer(self, method: str, args: tuple[Any, ...]) -> None:
        if method not in self.handles:
            return
        if self.inline:
            self._call(method, args)
            return
        frame = method == "write_frame"
        with self._cond:
            if self._closing:
                return
            if frame and self._frames >= self.frame_queue_size:
                self.dropped += 1  # the consumer will see a newer frame soon
                return
            if not frame and self._batches >= self.queue_size:
                self.dropped += 1
                if self.dropped == 1 or self.dropped % 1000 == 0:
                    log.error("bus consumer %s is too slow: %d dropped", self.name, self.dropped)
                return
            self._items.append((method, args))
            if frame:
                self._frames += 1
            else:
                self._batches += 1
            self._cond.notify()

    def _call(self, method: str, args: tuple[Any, ...]) -> None:
        try:
            getattr(self.consumer, method)(*args)
        except Exception:
            self.failures += 1
            log.exception("bus consumer %s failed in %s", self.name, method)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._items or self._closing)
                if not self._items:
                    return  # closing and drained
                method, args = self._items.popleft()
                if method == "write_frame":
                    self._frames -= 1
                else:
                    self._batches -= 1
                self._busy = True
            self._call(method, args)
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def drain(self, timeout: float) -> bool:
        """Wait until everything queued so far has been handed to the consumer."""
        if self.inline:
            return True
        with self._cond:
            return self._cond.wait_for(lambda: not self._items and not self._busy, timeout)

    def close(self, timeout: float) -> None:
        """Deliver what is queued (up to ``timeout``), stop the thread, close the consumer."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("bus consumer %s did not finish within %.0f s", self.name, timeout)
                return  # still busy: closing it under its own feet would be worse
        if _overrides(self.consumer, "close"):
            self._call("close", ())


class EventBus:
    """Store first, then every subscribed consumer (see the module docstring).

    ``store`` may be ``None`` (nothing is stored: a dry run, a benchmark). Thread-safe: several
    pipelines (live cameras and uploads of one site) may publish to one bus.
    """

    def __init__(self, store: Store | None = None) -> None:
        self.store = store
        self._subs: list[Subscription] = []  # copy-on-write: publishers iterate without a lock
        self._lock = threading.Lock()
        self._closed = False

    def subscribe(
        self,
        consumer: Any,
        *,
        inline: bool = False,
        queue_size: int = QUEUE_SIZE,
        frame_queue_size: int = FRAME_QUEUE_SIZE,
    ) -> Subscription:
        """Add a consumer: from now on it gets every batch (and frame) published."""
        sub = Subscription(consumer, inline, queue_size, frame_queue_size)
        with self._lock:
            if self._closed:
                raise StorepixelError("the event bus is closed")
            sub.start()
            self._subs = [*self._subs, sub]
        return sub

    def unsubscribe(self, consumer: Any, timeout: float = 10.0) -> None:
        """Remove a consumer, deliver what it has queued and close it."""
        with self._lock:
            gone = [s for s in self._subs if s.consumer is consumer]
            self._subs = [s for s in self._subs if s.consumer is not consumer]
        for sub in gone:
            sub.close(timeout)

    @property
    def subscriptions(self) -> list[Subscription]:
        return list(self._subs)

    @property
    def wants_frames(self) -> bool:
        """Whether any consumer takes live frames (publishers skip masking a copy otherwise)."""
        return any("write_frame" in s.handles for s in self._subs)

    def publish(
        self,
        events: Sequence[Event] = (),
        metrics: Sequence[MetricRow] = (),
        *,
        coverage: Iterable[CoverageInterval] = (),
        run: AnalysisRun | None = None,
    ) -> WriteResult | None:
        """Store the batch in one transaction, then hand events and metrics to the consumers.

        ``coverage`` and ``run`` are the store's bookkeeping of what was analysed; they go into
        the same transaction and to no consumer. A store failure raises here, before any
        consumer is called.
        """
        result = None
        if self.store is not None:
            result = self.store.write(events=events, metrics=metrics, coverage=coverage, run=run)
        events, metrics = tuple(events), tuple(metrics)
        for sub in self._subs:
            if events:
                sub.offer("write_events", (events,))
            if metrics:
                sub.offer("write_metrics", (metrics,))
        return result

    def publish_frame(self, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        """A live frame for the consumers that show or sample frames; never stored."""
        for sub in self._subs:
            sub.offer("write_frame", (camera_id, result, counts))

    def drain(self, timeout: float = 10.0) -> bool:
        """Wait until every consumer has handled what was published so far (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        return all(s.drain(max(0.0, deadline - time.monotonic())) for s in self._subs)

    def close(self, timeout: float = 10.0) -> None:
        """Deliver what is queued, then close every consumer (not the store: it is the caller's)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            subs, self._subs = self._subs, []
        deadline = time.monotonic() + timeout
        for sub in subs:
            sub.close(max(0.1, deadline - time.monotonic()))

    def __enter__(self) -> EventBus:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_bus(
    site: SiteConfig,
    store: Store | None,
    *,
    consumers: Iterable[Any] = (),
    attachers: Sequence[str] | None = None,
) -> EventBus:
    """The bus every pipeline of ``site`` publishes to: the store, then the consumers the site's
    config switches on (:data:`ATTACHERS`), then ``consumers`` given by the caller."""
    bus = EventBus(store)
    for path in ATTACHERS if attachers is None else attachers:
        _attacher(path)(bus, site, store)
    for consumer in consumers:
        bus.subscribe(consumer)
    return bus


def _attacher(path: str) -> Attacher:
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]
