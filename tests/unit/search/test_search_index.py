"""Search over a real store on SQLite (sqlite-vec) and PostgreSQL (pgvector from pgserver)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storepixel.search.engine import QueryError, plan
from storepixel.search.service import SearchService
from storepixel.store import open_store
from storepixel.store.descriptions import add_chunk, settle
from tests.fixtures.search_store import NOW, SITE, TZ, fill, sample_session, site

pytest.importorskip("sqlite_vec", reason="search tests need storepixel[search]")

BACKENDS = [
    "sqlite",
    pytest.param("pgvector", marks=[pytest.mark.postgres, pytest.mark.slow]),
]


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchService]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 's.db'}"
    else:
        url = request.getfixturevalue("pgvector_url")
    store = open_store(url)
    fill(store)
    svc = SearchService(store)
    svc.reindex(SITE, TZ)
    yield svc
    svc.close()
    store.close()


def search(svc: SearchService, query: str, **kw: object) -> list[str]:
    mode = kw.pop("mode", "fused")
    limit = kw.pop("limit", 5)
    result = svc.search(plan(query, site(), now=NOW, **kw), limit=limit, mode=mode)  # type: ignore[arg-type]
    return [h.doc.text for h in result.hits]


def test_indexes_rendered_events_and_sessions_once(service: SearchService) -> None:
    # 24 zone exits + 12 queue leaves + 12 crossings + 1 visit end + 1 session; zone_enter skipped
    assert service.index.count() == 50
    assert service.reindex(SITE, TZ) == {"documents_added": 0, "vectors_added": 0}
    assert service.index.missing_vectors(10) == ([], 0)


def test_each_engine_and_fused_find_the_queue(service: SearchService) -> None:
    for mode in ("text", "vector", "fused"):
        hits = search(service, "queue at the till", mode=mode)
        assert len(hits) == 5 and all("till queue" in h for h in hits), (mode, hits)


def test_vectors_find_what_words_miss(service: SearchService) -> None:
    # no document says "exiting" or "store"; the walked-out crossings mean it
    assert search(service, "someone exiting the store", mode="text") == []
    top = search(service, "someone exiting the store", mode="vector", limit=3)
    assert all("walking out" in h for h in top), top


def test_filters_zone_camera_kind_and_time_words(service: SearchService) -> None:
    hits = search(service, "shopper stopped", zone="sunglasses", limit=20)
    assert hits and all("sunglasses" in h for h in hits)
    assert search(service, "shopper", camera="cam2", limit=20) == search(
        service, "shopper", kinds=("queue_leave",), limit=20
    )
    # queue leaves happen on 2024-05-02 (Lisbon) from 11:00, every 30 min; NOW is 05-03
    hits = search(service, "queue yesterday after 2 pm", limit=20)
    assert hits and all(h.rstrip(".").split("–")[-1] > "14:00" for h in hits), hits
    assert search(service, "queue yesterday before 9 am", limit=20) == []


def test_sessions_are_replaced_when_their_numbers_change(service: SearchService) -> None:
    before = search(service, "hourly summary visits", kinds=("session",))
    assert before and "7 visits" in before[0]
    service.store.write(sessions=[sample_session(visits=9)])
    service.index_sessions(SITE, TZ)
    assert service.index.count() == 50
    after = search(service, "hourly summary visits", kinds=("session",))
    assert "9 visits" in after[0]
    assert service.embed_pending() == 1  # only the changed session is embedded again


@pytest.mark.parametrize(
    ("query", "kw", "message"),
    [
        ("", {}, "empty query"),
        ("x" * 10_000, {}, "query too long"),
        ("phones", {"zone": "nowhere"}, "unknown zone 'nowhere'"),
        ("phones", {"camera": "cam9"}, "unknown camera 'cam9'"),
        ("phones", {"since": "2024-05-02", "until": "2024-05-01"}, "backwards range"),
        ("phones", {"since": "the day after never"}, "cannot understand the time"),
        ('"*', {}, "no words to look for"),
        ("queue between 6 pm and 5 pm", {}, "empty range"),
    ],
)
def test_bad_input_is_one_clear_error(query: str, kw: dict[str, object], message: str) -> None:
    with pytest.raises(QueryError, match=message):
        plan(query, site(), now=NOW, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize("query", ['"phones', "phone*", "NEAR(phones door)", "phones OR", "a AND"])
def test_fts_syntax_is_just_words(service: SearchService, query: str) -> None:
    search(service, query)  # never an FTS syntax error from the database


@pytest.mark.postgres
def test_postgres_without_pgvector_says_so_and_searches_full_text(pg_url: str) -> None:
    store = open_store(pg_url)
    with store.connect() as conn:
        has_vector = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'"
        ).scalar()
    if has_vector:
        store.close()
        pytest.skip("this test server has pgvector; the point is one without it")
    fill(store)
    svc = SearchService(store)
    assert svc.reindex(SITE, TZ)["vectors_added"] == 0
    result = svc.search(plan("queue at the till", site(), now=NOW), limit=3)
    assert [h.doc.kind for h in result.hits] == ["queue_leave"] * 3
    assert len(result.notes) == 1 and "no pgvector" in result.notes[0]
    svc.close()
    store.close()


@pytest.mark.postgres
@pytest.mark.slow
def test_same_results_on_sqlite_and_postgresql(tmp_path: Path, pgvector_url: str) -> None:
    answers = []
    for url in (f"sqlite:///{tmp_path / 'same.db'}", pgvector_url):
        store = open_store(url)
        fill(store)
        svc = SearchService(store)
        svc.reindex(SITE, TZ)
        got = {}
        for q in ("queue at the till", "someone exiting the store", "shopper at the cereal"):
            for mode in ("vector", "fused"):
                hits = svc.search(plan(q, site(), now=NOW), limit=3, mode=mode).hits  # type: ignore[arg-type]
                got[q, mode] = [h.doc.source_id for h in hits]
        answers.append(got)
        svc.close()
        store.close()
    assert answers[0] == answers[1]


def test_described_chunks_are_found_by_what_people_did(service: SearchService) -> None:
    """A people-chunk the VLM described (issue 17) is searchable: its account, each timeline item
    and each alert, on both backends and by every engine."""
    t0 = NOW - 3600.0
    row = {"id": "k1", "site_id": SITE, "camera_id": "cam1", "start_time": t0, "end_time": t0 + 15}
    add_chunk(
        service.store,
        {
            **row,
            "provider": "gemini",
            "model": "m",
            "prompt_version": "1",
            "track_ids": [3],
            "sent_times": [t0],
        },
    )
    settle(
        service.store,
        "k1",
        "done",
        summary="#3: takes a phone off its stand and walks away with it",
        items=[
            {
                "time": t0 + 6,
                "subject": 3,
                "action": "lifts a phone off its stand",
                "object": "phone",
                "zone": "phones",
                "kind": "interaction",
                "confidence": 0.9,
            }
        ],
        alerts=[
            {
                "time": t0 + 9,
                "kind": "theft",
                "severity": "high",
                "subject": 3,
                "reason": "puts the phone in a pocket",
            }
        ],
    )
    assert service.reindex(SITE, TZ)["documents_added"] == 3
    for mode in ("text", "vector", "fused"):
        hits = search(service, "someone taking a phone off its stand", mode=mode)
        assert hits and "phone" in hits[0] and "stand" in hits[0], (mode, hits)
    assert search(service, "phone", kinds=("alert",)) == [
        "Alert (high): theft, puts the phone in a pocket, 10:00."
    ]
