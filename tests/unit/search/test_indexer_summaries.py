"""The bus subscriber indexes in the background and loses nothing at close; day summaries."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from storepixel.events.bus import EventBus
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
    indexer = SearchIndexer(service, {SITE: TZ})
    bus = EventBus(store)
    bus.subscribe(indexer)  # its own thread and queue: publish never waits for it
    events = sample_events()
    for i in range(0, len(events), 7):
        bus.publish(events[i : i + 7])
    bus.close()
    assert indexer.failures == 0
    assert service.index.count() == 49  # every rendered event, nothing twice
    assert service.index.missing_vectors(5) == ([], 0)
    hits = service.search(plan("queue at the till", site(), now=NOW), limit=3).hits
    assert [h.doc.kind for h in hits] == ["queue_leave"] * 3
    service.close()


def test_day_summary_is_stored_and_searchable(store: Store) -> None:
    store.write_events(sample_events())
    written = summarise_day(store, SITE, date(2024, 5, 2), TZ)
    assert {said.by for _, said in written} == {"template"}
    docs = [d for d, _ in written]
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


def test_attached_only_when_the_site_asks(store: Store) -> None:
    from storepixel.config.site import parse_site
    from storepixel.events.bus import build_bus

    data = {"site": {"id": SITE, "timezone": "Europe/Lisbon"}, "cameras": [{"id": "cam1"}]}
    plain = build_bus(parse_site(data), store)
    assert not any(isinstance(s.consumer, SearchIndexer) for s in plain.subscriptions)
    plain.close()
    bus = build_bus(parse_site({**data, "search": {"index": True}}), store)
    assert any(isinstance(s.consumer, SearchIndexer) for s in bus.subscriptions)
    bus.publish(sample_events()[:5])
    bus.close()
    with store.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM search_documents").scalar()
    assert n == 5
