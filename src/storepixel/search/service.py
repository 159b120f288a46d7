"""Search as one object: the index in the store's database, the embedder, and what they share.

:func:`open_search` checks the optional dependencies first, so a plain install says which extra
is missing (``storepixel[search]``) instead of failing half way.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Iterable, Sequence
from zoneinfo import ZoneInfo

from storepixel.search.documents import (
    SOURCE_EVENT,
    Document,
    render_description,
    render_event,
    render_session,
)
from storepixel.search.embedder import DIM, Embedder, default_embedder
from storepixel.search.engine import Mode, Plan, Result, Searcher
from storepixel.store import Store
from storepixel.store.descriptions import list_chunks
from storepixel.store.queries import iter_events, sessions, site_ids
from storepixel.store.search_index import (
    SEARCH_EXTRA,
    SearchIndex,
    SearchUnavailable,
    open_search_store,
)
from storepixel.types import Event

REQUIRED = ("tokenizers", "dateparser", "sqlite_vec")
EMBED_BATCH = 256
# Catch-up re-reads this much before the newest indexed event: events of one batch can arrive
# out of capture-time order (several cameras), and an hour's session closes after its events.
CATCH_UP_SLACK_S = 2 * 3600.0


def require_extra() -> None:
    """Raise :class:`SearchUnavailable` naming the extra when a search dependency is missing."""
    for module in REQUIRED:
        try:
            importlib.import_module(module)
        except ImportError:
            raise SearchUnavailable(
                f"search needs the optional dependency {module!r}: {SEARCH_EXTRA}"
            ) from None


class SearchService:
    """The search index of one store, with the embedder that fills and queries it."""

    def __init__(self, store: Store, embedder: Embedder | None = None) -> None:
        require_extra()
        self.store = store
        self.index_store = open_search_store(store)
        self.index = SearchIndex(self.index_store, DIM)
        self.index.vectors_enabled()  # made (or refused, said once) before any indexing thread
        self.embedder = embedder or default_embedder()
        self.searcher = Searcher(self.index, self.embedder)

    def close(self) -> None:
        if self.index_store is not self.store:
            self.index_store.close()

    # --- indexing -----------------------------------------------------------------------------

    def add_events(self, events: Iterable[Event], tz_of: dict[str, ZoneInfo]) -> int:
        docs = [d for ev in events if (d := render_event(ev, _tz(tz_of, ev.site_id)))]
        return self.index.add(docs)

    def add_documents(self, docs: Sequence[Document], *, replace: bool = False) -> int:
        return self.index.add(docs, replace=replace)

    def index_sessions(
        self, site_id: str, tz: ZoneInfo, start: float | None = None, end: float | None = None
    ) -> int:
        docs = [
            d
            for s in sessions(self.store, site_id=site_id, start=start, end=end)
            if (d := render_session(s, tz))
        ]
        return self.index.add(docs, replace=True)

    def index_descriptions(
        self, site_id: str, tz: ZoneInfo, start: float | None = None, end: float | None = None
    ) -> int:
        """Index the site's described people-chunks (done ones) that overlap the range."""
        chunks = list_chunks(
            self.store, site_id=site_id, since=start, until=end, status=["done"], limit=10**9
        )
        return self.index.add([d for c in chunks for d in render_description(c, tz)])

    def reindex(
        self, site_id: str, tz: ZoneInfo, start: float | None = None, end: float | None = None
    ) -> dict[str, int]:
        """Index what the store holds for a site (events, sessions, descriptions); repeats are
        no-ops."""
        added = 0
        batch: list[Event] = []
        for ev in iter_events(self.store, site_id=site_id, start=start, end=end):
            batch.append(ev)
            if len(batch) >= 5000:
                added += self.add_events(batch, {site_id: tz})
                batch.clear()
        added += self.add_events(batch, {site_id: tz})
        added += self.index_sessions(site_id, tz, start, end)
        added += self.index_descriptions(site_id, tz, start, end)
        return {"documents_added": added, "vectors_added": self.embed_pending()}

    def catch_up(self, site_id: str, tz: ZoneInfo) -> dict[str, int]:
        """Index what arrived in the store since the newest indexed event of the site.

        Cheap when current (one short query per source); a store never indexed is indexed whole.
        Footage analysed later for an older time is picked up by :meth:`reindex`.
        """
        mark = self.index.last_time(site_id, SOURCE_EVENT)
        return self.reindex(site_id, tz, None if mark is None else mark - CATCH_UP_SLACK_S)

    def embed_pending(self) -> int:
        """Embed the sentences that have no vector yet, in batches; returns how many got one.

        Documents with the same sentence share one vector (``semantic_key``), so each distinct
        sentence is embedded once however often it recurs."""
        done, after = 0, 0
        while True:
            todo, last = self.index.missing_vectors(EMBED_BATCH * 8, after)
            if last == after:
                break
            after = last
            for lo in range(0, len(todo), EMBED_BATCH):
                part = todo[lo : lo + EMBED_BATCH]
                self.index.put_vectors(
                    [k for k, _ in part], self.embedder.embed([t for _, t in part])
                )
                done += len(part)
        return done

    # --- searching ----------------------------------------------------------------------------

    def search(self, plan: Plan, *, limit: int = 10, mode: Mode = "fused") -> Result:
        return self.searcher.run(plan, limit=limit, mode=mode)

    def scopes(self, site_id: str) -> set[str]:
        return self.index.scopes(site_id)

    def store_sites(self) -> set[str]:
        """Sites the store holds events of (for a search without ``--site``)."""
        return site_ids(self.store)


def _tz(tz_of: dict[str, ZoneInfo], site_id: str) -> ZoneInfo:
    return tz_of.get(site_id) or ZoneInfo("UTC")


def now() -> float:
    return time.time()
