"""The bus subscriber indexes in the background and loses nothing at close; day summaries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from storepixel.events.bus import EventBus
from storepixel.events.sinks import StoreSink
from storepixel.search.engine import plan
from storepixel.search.indexer import SearchIndexer
from storepixel.search.service import SearchService
from storepixel.search.summaries import summarise_day
from storepixel.store import Store, open_store
from tests.fixtures.search_store import NOW, SITE, TZ, sample_events, site

pytest.importorskip("sqlite_vec", reason="search tests need storepixel[search]")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 's.db'}")
    yield s
    s.close()


def test_bus_subscriber_indexes_every_batch_by_close(store: Store) -> None:
    service = SearchService(store)
    indexer = SearchIndexer(service, {SITE: TZ}, batch=10, interval_s=0.05)
    bus = EventBus([StoreSink(store), indexer])
    events = sample_events()
    for i in range(0, len(events), 7):
        bus.write_events(events[i : i + 7])  # returns at once: indexing is off this path
    bus.close()
    assert indexer.failures == 0
    assert service.index.count() == 49  # every rendered event, nothing twice
    assert service.index.missing_vectors(5) == []
    hits = service.search(plan("queue at the till", site(), now=NOW), limit=3).hits
    assert [h.doc.kind for h in hits] == ["queue_leave"] * 3
    service.close()


def test_day_summary_is_stored_and_searchable(store: Store) -> None:
    store.write_events(sample_events())
    docs = summarise_day(store, SITE, date(2024, 5, 2), TZ)
    day = docs[0]
    assert day.kind == "summary_day"
    assert "longest queue wait 6 min 45 s at the till queue" in day.text
    assert [d.kind for d in docs[1:]] == ["summary_hour"] * (len(docs) - 1)
    assert summarise_day(store, SITE, date(2024, 6, 1), TZ) == []
    service = SearchService(store)
    service.add_documents(docs, replace=True)
    service.embed_pending()
    hits = service.search(
        plan("longest queue of the day", site(), kinds=("summary_day",), now=NOW), limit=1
    ).hits
    assert hits[0].doc.source_id == "demo/day/2024-05-02"
    service.close()
