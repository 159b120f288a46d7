"""Keep the search index current from the event bus, in batches, off the counting path.

:class:`SearchIndexer` is an :class:`~storepixel.events.sinks.EventSink`: the bus hands it each
batch and it only queues it (no SQL, no model) so a slow index can never hold up counting. A
background thread renders the queued events into documents, writes them, re-renders the hourly
sessions the batch touched and embeds what has no vector yet, once per ``interval_s`` or when
``batch`` events are waiting. ``close()`` drains the queue before it returns, so nothing the bus
accepted is lost at shutdown; the same documents written twice are ignored (deterministic keys).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from storepixel.search.service import SearchService
from storepixel.types import Event, MetricRow

log = logging.getLogger(__name__)
HOUR_S = 3600.0
RETRIES = 3


class SearchIndexer:
    """Bus subscriber that indexes events (and the sessions they fall in) in the background."""

    def __init__(
        self,
        service: SearchService,
        tz_of: dict[str, ZoneInfo],
        *,
        batch: int = 512,
        interval_s: float = 2.0,
    ) -> None:
        self.service = service
        self.tz_of = tz_of
        self.batch = batch
        self.interval_s = interval_s
        self._pending: list[Event] = []
        self._cond = threading.Condition()
        self._closing = False
        self.failures = 0
        self._thread = threading.Thread(target=self._loop, name="search-indexer", daemon=True)
        self._thread.start()

    # --- EventSink ----------------------------------------------------------------------------

    def write_events(self, events: Sequence[Event]) -> None:
        with self._cond:
            self._pending.extend(events)
            if len(self._pending) >= self.batch:
                self._cond.notify()

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        pass  # metrics become searchable through the hourly sessions

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join()

    # --- background ---------------------------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._cond:
                if not self._pending and not self._closing:
                    self._cond.wait(self.interval_s)
                events, self._pending = self._pending, []
                closing = self._closing
            if events:
                self._index(events)
            if closing and not events:
                return

    def _index(self, events: list[Event]) -> None:
        for attempt in range(RETRIES):
            try:
                self._index_once(events)
                return
            except Exception as err:  # the index is derived: a failure must not stop counting
                if attempt + 1 < RETRIES:
                    time.sleep(0.2 * (attempt + 1))  # SQLite: another writer held the lock
                    continue
                self.failures += 1
                log.warning("search index: %s (it catches up on the next search)", err)

    def _index_once(self, events: list[Event]) -> None:
        self.service.add_events(events, self.tz_of)  # repeats are no-ops: safe to retry
        for site_id in {e.site_id for e in events}:
            tz = self.tz_of.get(site_id, ZoneInfo("UTC"))
            first = min(e.time for e in events if e.site_id == site_id)
            self.service.index_sessions(site_id, tz, start=first - HOUR_S)
        self.service.embed_pending()
