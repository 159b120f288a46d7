"""The outward side of one site in a long-running command (``run``, ``serve``): the outbox
delivered in the background and the retention job every hour. (Alert rules and enqueuing ride
on the site's event bus: :func:`storepixel.outputs.sink.attach`.)

``publish_file`` runs the rules and enqueues for events already in the store (tests, benches);
``deliver`` is the one-shot delivery ``analyze`` does before exiting, waiting up to ``wait_s``
for a receiver that is down; what is left stays for ``run``, ``serve`` or ``outputs flush``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from storepixel.alerts.engine import AlertChange
from storepixel.config.site import SiteConfig
from storepixel.outputs.dispatcher import Dispatcher
from storepixel.outputs.sink import OutwardSink
from storepixel.store import Store
from storepixel.types import Event, MetricRow

log = logging.getLogger("storepixel.outputs")
RETENTION_EVERY_S = 3600.0


@dataclass(slots=True)
class Published:
    """Alert changes raised, and messages still waiting in the outbox."""

    alerts: list[AlertChange] = field(default_factory=list)
    undelivered: int = 0


def deliver(store: Store, site: SiteConfig, wait_s: float) -> int:
    """Deliver the site's outbox, waiting up to ``wait_s``; returns what is still pending."""
    if not site.outputs:
        return 0
    dispatcher = Dispatcher.for_site(store, site)
    try:
        return dispatcher.drain(wait_s)
    finally:
        dispatcher.stop()


def publish_file(
    store: Store,
    site: SiteConfig,
    camera_id: str,
    events: list[Event],
    metrics: list[MetricRow],
    end: float,
    *,
    wait_s: float = 60.0,
) -> Published:
    """Alert rules and outputs for one camera's stored footage that ended at capture time
    ``end``, then delivery (as ``analyze`` does through the bus)."""
    if not site.alerts and not site.outputs:
        return Published()
    sink = OutwardSink(store, site)
    sink.write_events(events)
    sink.write_metrics(metrics)
    changes = sink.finish(camera_id, end)
    return Published(changes, deliver(store, site, wait_s))


class OutwardService:
    """Background delivery + hourly retention for one site (``run``/``serve``)."""

    def __init__(self, store: Store, site: SiteConfig, *, retention: bool = True) -> None:
        self.store = store
        self.site = site
        self.dispatcher = Dispatcher.for_site(store, site) if site.outputs else None
        self.retention = retention
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.dispatcher is not None:
            self.dispatcher.start()
        if self.retention and self._thread is None:
            self._thread = threading.Thread(target=self._retain, name="retention", daemon=True)
            self._thread.start()

    def _retain(self) -> None:
        from storepixel.store.retention import enforce

        while True:
            try:
                report = enforce(self.store, self.site)
                if report.total:
                    log.info("retention: %s", report.summary())
            except Exception as err:  # the next run tries again
                log.warning("retention job failed: %s", err)
            if self._stop.wait(RETENTION_EVERY_S):
                return

    def stop(self, drain_s: float = 5.0) -> int:
        """Stop; first give pending messages up to ``drain_s`` to go out. Returns what is left."""
        self._stop.set()
        left = 0
        if self.dispatcher is not None:
            left = self.dispatcher.drain(drain_s)
            self.dispatcher.stop()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        return left
