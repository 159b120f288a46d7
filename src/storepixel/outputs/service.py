"""The outward side of one site, ready to plug into a command: alert rules and outputs fed by the
event path, the outbox delivered in the background, and the retention job.

``publish_file`` is the one-shot form ``analyze`` uses: it runs the rules over a finished file,
enqueues, and delivers before returning (waiting up to ``wait_s`` for a receiver that is down;
what is left stays in the outbox for ``run``, ``serve`` or ``storepixel outputs flush``).
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
    """What ``publish_file`` did: alert changes raised, messages still waiting in the outbox."""

    alerts: list[AlertChange] = field(default_factory=list)
    undelivered: int = 0
    destinations: int = 0


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
    """Alerts and outputs for one analysed file whose footage ended at capture time ``end``."""
    if not site.alerts and not site.outputs:
        return Published()
    dispatcher = Dispatcher.for_site(store, site) if site.outputs else None
    sink = OutwardSink(store, site)
    sink.write_events(events)
    sink.write_metrics(metrics)
    changes = sink.finish(camera_id, end)
    left = 0
    if dispatcher is not None:
        try:
            left = dispatcher.drain(wait_s)
        finally:
            dispatcher.stop()
    return Published(changes, left, len(site.outputs))


class OutwardService:
    """Alert rules + background delivery + hourly retention for one site (``run``/``serve``)."""

    def __init__(self, store: Store, site: SiteConfig, *, retention: bool = True) -> None:
        self.store = store
        self.site = site
        self.dispatcher = Dispatcher.for_site(store, site) if site.outputs else None
        wake = self.dispatcher.wake if self.dispatcher is not None else None
        self.sink = OutwardSink(store, site, on_enqueue=wake)
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
