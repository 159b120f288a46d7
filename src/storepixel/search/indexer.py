"""Keep the search index current from the event bus, off the counting path.

:class:`SearchIndexer` is a bus consumer: the bus runs it on its own thread with its own queue
(:mod:`storepixel.events.bus`), so indexing never holds up counting. Each batch is rendered into
documents and written, the hourly sessions it falls in are re-rendered (replaced only when their
text changed) and whatever has no vector yet is embedded. Documents have deterministic keys, so a
batch delivered twice is harmless; a batch that fails (SQLite busy) is retried, and anything
missed is picked up by the next ``storepixel search`` (catch-up).

Switched on per site by ``search: {index: true}`` in the site YAML (:func:`attach`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from storepixel.search.service import SearchService
from storepixel.types import Event

if TYPE_CHECKING:
    from storepixel.config.site import SiteConfig
    from storepixel.events.bus import EventBus
    from storepixel.store import Store

log = logging.getLogger(__name__)
HOUR_S = 3600.0
RETRIES = 3


class SearchIndexer:
    """Bus consumer that indexes events (and the sessions they fall in)."""

    def __init__(self, service: SearchService, tz_of: dict[str, ZoneInfo]) -> None:
        self.service = service
        self.tz_of = tz_of
        self.failures = 0

    def write_events(self, events: Sequence[Event]) -> None:
        for attempt in range(RETRIES):
            try:
                self._index(list(events))
                return
            except Exception as err:  # the index is derived: a failure must not stop counting
                if attempt + 1 < RETRIES:
                    time.sleep(0.2 * (attempt + 1))  # SQLite: another writer held the lock
                    continue
                self.failures += 1
                log.warning("search index: %s (it catches up on the next search)", err)

    def _index(self, events: list[Event]) -> None:
        self.service.add_events(events, self.tz_of)  # repeats are no-ops: safe to retry
        for site_id in {e.site_id for e in events}:
            tz = self.tz_of.get(site_id, ZoneInfo("UTC"))
            first = min(e.time for e in events if e.site_id == site_id)
            self.service.index_sessions(site_id, tz, start=first - HOUR_S)
        self.service.embed_pending()


def attach(bus: EventBus, site: SiteConfig, store: Store | None) -> None:
    """Subscribe an indexer for sites whose YAML says ``search: {index: true}``."""
    if store is None or not site.search.index:
        return
    service = SearchService(store)  # says which extra is missing, once, at start
    bus.subscribe(SearchIndexer(service, {site.site.id: site.site.tz}))
