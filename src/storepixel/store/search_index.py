"""The SQL of search: documents in, full-text and vector candidates out, on SQLite and PostgreSQL.

Full text is the database's own engine: SQLite FTS5 ranked by ``bm25`` (kept by triggers, see
migration ``0007_search``); PostgreSQL ``tsvector`` under a GIN index ranked by ``ts_rank_cd``.
Vectors live in ``search_vectors`` beside the documents: on SQLite a plain table whose cosine
distances ``sqlite-vec`` computes (which needs a ``sqlite3`` module that can load extensions:
:func:`open_search_store` opens the same database through ``sqlean``/``pysqlite3``); on
PostgreSQL a ``vector`` column from pgvector. There is one vector per distinct sentence
(``semantic_key``): rendered events repeat all day ("A person entered across the door line."), so
a store year of a million documents holds tens of thousands of distinct sentences, each embedded
and stored once. The vector search is exact: with a narrow filter (at most :data:`FILTER_FIRST`
documents) it ranks the filtered documents' vectors; otherwise it walks the distinct sentences
nearest first and takes each one's documents that pass the filters (site, camera, scope, kind,
time), so a filter never loses its best match to an approximate index and a year-wide query does
not compute a million distances. Equal scores go oldest first on both engines. A server without
pgvector still searches: :attr:`SearchIndex.vector_note` says why vectors are off, and only full
text runs.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Connection, Table, func, literal_column, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from storepixel.errors import StoreError
from storepixel.search.documents import Document, semantic_key
from storepixel.store.database import Store
from storepixel.store.engine import one_line
from storepixel.store.search_models import VECTOR_TABLE, SearchDocumentRecord

log = logging.getLogger(__name__)

DOCS: Table = SearchDocumentRecord.__table__  # type: ignore[assignment]
SEARCH_EXTRA = "pip install 'storepixel[search]'"
# Up to this many filtered documents, rank them directly; above, walk sentences nearest first.
FILTER_FIRST = 20_000
# The longest a document may last (a day summary is one day, 25 h with a clock change). Stored
# starts are clamped to it, so a time filter can bound the start index from below as well.
MAX_SPAN_S = 2 * 86400.0
# Document frequencies are counted up to this: past it a word is common whatever its exact count.
DF_CAP = 50_000


class SearchUnavailable(StoreError):
    """Search needs an optional dependency that is missing; the message names the extra."""


@dataclass(frozen=True, slots=True)
class Filters:
    """What a search is restricted to; times are POSIX seconds, ``[start, end)`` overlapping."""

    site_id: str
    camera_id: str | None = None
    scope_id: str | None = None
    kinds: tuple[str, ...] | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    id: int
    doc: Document


def open_search_store(store: Store) -> Store:
    """The store to search in: ``store`` itself, once SQLite is known to have ``sqlite-vec``
    (loaded into every connection where installed: :func:`storepixel.store.engine.sqlite_module`).
    """
    if store.dialect == "sqlite" and not vec_loaded(store):
        raise SearchUnavailable(
            "search on SQLite needs sqlite-vec and a sqlite3 module that loads extensions: "
            + SEARCH_EXTRA
        )
    return store


def vec_loaded(store: Store) -> bool:
    with store.connect() as conn:
        try:
            conn.exec_driver_sql("SELECT vec_version()")
        except SQLAlchemyError:
            return False
    return True


def _row(doc: Document) -> dict[str, Any]:
    return {
        "key": doc.key,
        "source": doc.source,
        "source_id": doc.source_id,
        "site_id": doc.site_id,
        "camera_id": doc.camera_id,
        "kind": doc.kind,
        "scope_id": doc.scope_id,
        "start_time": max(doc.start, doc.end - MAX_SPAN_S),
        "end_time": doc.end,
        "track_id": doc.track_id,
        "text": doc.text,
        "semantic": doc.semantic,
        "semantic_key": semantic_key(doc.semantic),
    }


def _document(row: Any) -> StoredDocument:
    return StoredDocument(
        id=int(row.id),
        doc=Document(
            key=row.key,
            source=row.source,
            source_id=row.source_id,
            site_id=row.site_id,
            camera_id=row.camera_id,
            kind=row.kind,
            scope_id=row.scope_id,
            start=float(row.start_time),
            end=float(row.end_time),
            track_id=row.track_id,
            text=row.text,
            semantic=row.semantic,
        ),
    )


def _conditions(f: Filters) -> list[Any]:
    c = DOCS.c
    out: list[Any] = [c.site_id == f.site_id]
    if f.camera_id is not None:
        out.append(c.camera_id == f.camera_id)
    if f.scope_id is not None:
        out.append(c.scope_id == f.scope_id)
    if f.kinds:
        out.append(c.kind.in_(f.kinds))
    if f.start is not None:
        # overlaps the range: ended after it began (or is a moment at its start)…
        out.append(or_(c.end_time > f.start, c.start_time >= f.start))
        out.append(c.start_time >= f.start - MAX_SPAN_S)  # lets the index bound the range
    if f.end is not None:
        out.append(c.start_time < f.end)  # …and began before it ended
    return out


def fts_match(terms: Sequence[str], dialect: str) -> str:
    """The engine's query for any of ``terms`` (already plain words: no syntax can leak in).

    >>> fts_match(["queue", "till"], "sqlite"), fts_match(["queue", "till"], "postgresql")
    ('"queue" OR "till"', 'queue | till')
    """
    if dialect == "sqlite":
        return " OR ".join(f'"{t}"' for t in terms)
    return " | ".join(terms)


class SearchIndex:
    """Documents, their full-text index and their vectors in one database."""

    def __init__(self, store: Store, dim: int) -> None:
        self.store = store
        self.dim = dim
        self.dialect = store.dialect
        self.vector_note: str | None = None  # why vectors are off, said once
        self._vectors: bool | None = None

    # --- schema -------------------------------------------------------------------------------

    def vectors_enabled(self) -> bool:
        """Make the vector table if it can be made; ``False`` (with a note) where it cannot."""
        if self._vectors is None:
            self._vectors = self._make_vector_table()
        return self._vectors

    def _make_vector_table(self) -> bool:
        if self.dialect == "sqlite":
            ddl = [
                f"CREATE TABLE IF NOT EXISTS {VECTOR_TABLE} (semantic_key TEXT PRIMARY KEY, "
                "embedding BLOB NOT NULL)"
            ]
        else:
            ddl = [
                "CREATE EXTENSION IF NOT EXISTS vector",
                f"CREATE TABLE IF NOT EXISTS {VECTOR_TABLE} (semantic_key varchar(32) PRIMARY KEY, "
                f"embedding vector({self.dim}) NOT NULL)",
            ]
        try:
            with self.store.engine.begin() as conn:
                for statement in ddl:
                    conn.exec_driver_sql(statement)
        except SQLAlchemyError as err:
            self.vector_note = (
                "this PostgreSQL server has no pgvector extension "
                f"({one_line(err)[:120]}): searching full text only"
            )
            log.warning("search: %s", self.vector_note)
            return False
        return True

    # --- writes -------------------------------------------------------------------------------

    def add(self, docs: Iterable[Document], *, replace: bool = False) -> int:
        """Insert documents; a key already there is skipped, or with ``replace`` replaced when its
        text changed (a session re-closed with more events). Returns the rows written."""
        rows = list({d.key: _row(d) for d in docs}.values())
        if not rows:
            return 0
        insert = (postgresql if self.dialect == "postgresql" else sqlite).insert(DOCS)
        with self.store.transaction() as conn:
            if replace:  # a changed sentence gets its own vector (by its key) when embedded
                keys = [r["key"] for r in rows]
                rows_old = conn.execute(select(DOCS.c.key, DOCS.c.text).where(DOCS.c.key.in_(keys)))
                old = {k: t for k, t in rows_old}
                stale = [r["key"] for r in rows if r["key"] in old and old[r["key"]] != r["text"]]
                if stale:
                    conn.execute(DOCS.delete().where(DOCS.c.key.in_(stale)))
            result = conn.execute(
                insert.on_conflict_do_nothing(index_elements=["key"]).returning(DOCS.c.id), rows
            )
            return len(result.fetchall())

    def missing_vectors(self, limit: int, after: int = 0) -> tuple[list[tuple[str, str]], int]:
        """Sentences without a vector yet, ``(semantic_key, semantic)`` each once, from the next
        ``limit`` documents after id ``after`` (oldest first); and the last document id read, to
        continue from (``after`` when none is left)."""
        if not self.vectors_enabled():
            return [], after
        sql = text(
            f"SELECT d.id, d.semantic_key, d.semantic FROM search_documents d "
            f"LEFT JOIN {VECTOR_TABLE} v ON v.semantic_key = d.semantic_key "
            "WHERE v.semantic_key IS NULL AND d.id > :after ORDER BY d.id LIMIT :n"
        )
        with self.store.connect() as conn:
            rows = conn.execute(sql, {"n": limit, "after": after}).fetchall()
        todo = {str(k): str(s) for _, k, s in rows}
        return list(todo.items()), (int(rows[-1][0]) if rows else after)

    def put_vectors(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        """Store unit-length vectors of sentences by key (a row already there is kept)."""
        if not keys or not self.vectors_enabled():
            return
        vectors = np.asarray(vectors, dtype=np.float32).reshape(len(keys), self.dim)
        with self.store.transaction() as conn:
            if self.dialect == "sqlite":
                sql = (
                    f"INSERT OR IGNORE INTO {VECTOR_TABLE} (semantic_key, embedding) "
                    "VALUES (:k, :e)"
                )
                params = [{"k": k, "e": v.tobytes()} for k, v in zip(keys, vectors, strict=True)]
            else:
                sql = (
                    f"INSERT INTO {VECTOR_TABLE} (semantic_key, embedding) "
                    "VALUES (:k, CAST(:e AS vector)) "
                    "ON CONFLICT (semantic_key) DO NOTHING"
                )
                params = [{"k": k, "e": _pg_vector(v)} for k, v in zip(keys, vectors, strict=True)]
            conn.execute(text(sql), params)

    # --- reads --------------------------------------------------------------------------------

    def text_hits(self, terms: Sequence[str], f: Filters, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` ``(id, score)`` best first by the engine's own ranking (higher is better)."""
        if not terms:
            return []
        match = fts_match(terms, self.dialect)
        if self.dialect == "sqlite" and f.start is None and f.end is None:
            # bm25() is lower-is-better; negated so every engine's score grows with relevance.
            stmt = (
                select(DOCS.c.id, text("-bm25(search_fts) AS score"))
                .select_from(DOCS)
                .join(text("search_fts"), text("search_fts.rowid = search_documents.id"))
                .where(text("search_fts MATCH :match"), *_conditions(f))
                .order_by(text("score DESC"), DOCS.c.start_time, DOCS.c.id)
                .limit(k)
            )
        elif self.dialect == "sqlite":
            # With a time range SQLite would walk the time index and run the whole match again
            # for every document in range; the matches are found first, once, instead.
            matches = (
                select(
                    literal_column("rowid").label("doc_id"),
                    literal_column("-bm25(search_fts)").label("score"),
                )
                .select_from(text("search_fts"))
                .where(text("search_fts MATCH :match"))
                .cte("matches")
                .prefix_with("MATERIALIZED")
            )
            stmt = (
                select(DOCS.c.id, matches.c.score)
                .select_from(matches.join(DOCS, DOCS.c.id == matches.c.doc_id))
                .where(*_conditions(f))
                .order_by(matches.c.score.desc(), DOCS.c.start_time, DOCS.c.id)
                .limit(k)
            )
        else:
            q = "to_tsquery('english', :match)"
            stmt = (
                select(DOCS.c.id, text(f"ts_rank_cd(search_documents.tsv, {q}, 1) AS score"))
                .where(text(f"search_documents.tsv @@ {q}"), *_conditions(f))
                .order_by(text("score DESC"), DOCS.c.start_time, DOCS.c.id)
                .limit(k)
            )
        with self.store.connect() as conn:
            return [(int(i), float(s)) for i, s in conn.execute(stmt, {"match": match})]

    def term_counts(self, terms: Sequence[str], cap: int = DF_CAP) -> list[int]:
        """How many documents hold each term (the store's, all sites; counted up to ``cap``)."""
        counts = []
        with self.store.connect() as conn:
            for term in terms:
                match = fts_match([term], self.dialect)
                if self.dialect == "sqlite":
                    inner = "SELECT 1 FROM search_fts WHERE search_fts MATCH :match LIMIT :cap"
                else:
                    inner = (
                        "SELECT 1 FROM search_documents WHERE tsv @@ to_tsquery('english', :match) "
                        "LIMIT :cap"
                    )
                sql = text(f"SELECT count(*) FROM ({inner}) AS t")
                counts.append(int(conn.execute(sql, {"match": match, "cap": cap}).scalar_one()))
        return counts

    def size(self) -> int:
        """About how many documents the index holds (the highest id: one index probe)."""
        with self.store.connect() as conn:
            return int(conn.execute(select(func.max(DOCS.c.id))).scalar() or 0)

    def vector_hits(self, query: np.ndarray, f: Filters, k: int) -> list[tuple[int, float]]:
        """Up to ``k`` ``(id, cosine similarity)`` nearest to ``query`` after the filters, exact;
        documents with the same sentence in capture order."""
        if not self.vectors_enabled():
            return []
        q = np.asarray(query, dtype=np.float32).reshape(self.dim)
        param: bytes | str
        if self.dialect == "sqlite":
            dist, param = f"vec_distance_cosine({VECTOR_TABLE}.embedding, :q)", q.tobytes()
        else:
            dist, param = f"{VECTOR_TABLE}.embedding <=> CAST(:q AS vector)", _pg_vector(q)
        with self.store.connect() as conn:
            if self._at_most(conn, f, FILTER_FIRST):
                stmt = (
                    select(DOCS.c.id, text(f"{dist} AS dist"))
                    .select_from(DOCS)
                    .join(
                        text(VECTOR_TABLE),
                        text(f"{VECTOR_TABLE}.semantic_key = search_documents.semantic_key"),
                    )
                    .where(*_conditions(f))
                    .order_by(text("dist"), DOCS.c.semantic_key, DOCS.c.start_time, DOCS.c.id)
                    .limit(k)
                )
                return [(int(i), 1.0 - float(d)) for i, d in conn.execute(stmt, {"q": param})]
            return self._nearest_sentences_first(conn, dist, param, f, k)

    def _at_most(self, conn: Connection, f: Filters, n: int) -> bool:
        """Whether at most ``n`` documents pass the filters (reads at most ``n + 1`` rows)."""
        inner = select(DOCS.c.id).where(*_conditions(f)).limit(n + 1).subquery()
        return int(conn.execute(select(func.count()).select_from(inner)).scalar_one()) <= n

    def _nearest_sentences_first(
        self, conn: Connection, dist: str, param: bytes | str, f: Filters, k: int
    ) -> list[tuple[int, float]]:
        out: list[tuple[int, float]] = []
        done = 0
        window = 1024  # sentences ranked per round; the next round ranks them all
        while True:
            sql = (
                f"SELECT semantic_key, {dist} AS dist FROM {VECTOR_TABLE} "
                "ORDER BY dist, semantic_key" + (f" LIMIT {window}" if window else "")
            )
            sentences = conn.execute(text(sql), {"q": param}).fetchall()
            for key, d in sentences[done:]:
                stmt = (
                    select(DOCS.c.id)
                    .where(DOCS.c.semantic_key == key, *_conditions(f))
                    .order_by(DOCS.c.start_time, DOCS.c.id)
                    .limit(k - len(out))
                )
                out += [(int(i), 1.0 - float(d)) for (i,) in conn.execute(stmt)]
                if len(out) >= k:
                    return out
            if not window or len(sentences) < window:
                return out
            done, window = len(sentences), 0

    def fetch(self, ids: Sequence[int]) -> dict[int, StoredDocument]:
        if not ids:
            return {}
        with self.store.connect() as conn:
            rows = conn.execute(select(DOCS).where(DOCS.c.id.in_(list(ids))))
            return {d.id: d for d in map(_document, rows)}

    def find(self, source: str, source_ids: Sequence[str]) -> list[StoredDocument]:
        """Documents of given source rows (e.g. the summaries of some days)."""
        with self.store.connect() as conn:
            stmt = select(DOCS).where(DOCS.c.source == source, DOCS.c.source_id.in_(source_ids))
            return [_document(r) for r in conn.execute(stmt.order_by(DOCS.c.start_time))]

    def last_time(self, site_id: str, source: str) -> float | None:
        """Capture time of the newest indexed document of a source at a site (catch-up mark)."""
        stmt = select(func.max(DOCS.c.end_time)).where(
            DOCS.c.site_id == site_id, DOCS.c.source == source
        )
        with self.store.connect() as conn:
            value = conn.execute(stmt).scalar()
        return None if value is None else float(value)

    def sites(self) -> list[str]:
        with self.store.connect() as conn:
            return sorted(s for (s,) in conn.execute(select(DOCS.c.site_id).distinct()))

    def count(self) -> int:
        with self.store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(DOCS)).scalar_one())

    def scopes(self, site_id: str) -> set[str]:
        """Zone, line and shelf ids that documents of a site mention (to tell a typo)."""
        with self.store.connect() as conn:
            stmt = select(DOCS.c.scope_id).where(DOCS.c.site_id == site_id).distinct()
            return {s for (s,) in conn.execute(stmt) if s}


def _pg_vector(v: np.ndarray) -> str:
    return "[" + ",".join(f"{x:.7g}" for x in v.tolist()) + "]"


def vector_count(conn: Connection) -> int:  # distinct sentences with a vector
    return int(conn.exec_driver_sql(f"SELECT count(*) FROM {VECTOR_TABLE}").scalar_one())
