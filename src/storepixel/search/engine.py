"""One search: check the input, cut out time words, run full text and vectors, fuse, explain.

>>> s = SearchSite("demo", ZoneInfo("UTC"), cameras={"cam1"}, scopes={"phones"})
>>> plan("  ", s, now=0.0)
Traceback (most recent call last):
...
storepixel.search.engine.QueryError: empty query: say what to look for, e.g. "queue at the till"
>>> plan('NEAR("phone" OR *', s, now=0.0).terms
('near', 'phone')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from storepixel.errors import StorepixelError
from storepixel.events.schema import format_time
from storepixel.search.documents import Document
from storepixel.search.fusion import fuse_ranks, text_weight
from storepixel.search.timewords import TimeRange, TimeWordsError, extract, parse_when
from storepixel.store.search_index import Filters, SearchIndex

MAX_QUERY = 500  # characters: a sentence or two; anything longer is not a search
MAX_LIMIT = 100
CANDIDATES = 50  # per engine, before fusion
Mode = Literal["fused", "text", "vector"]
MODES: tuple[Mode, ...] = ("fused", "text", "vector")

# Words that match everything and rank nothing; dropped before full text (both engines alike).
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "were",
        "who",
        "with",
        "someone",
        "somebody",
        "people",
        "person",
    ]
)


class QueryError(StorepixelError, ValueError):
    """A search request that cannot run as given (empty, too long, unknown zone…)."""


@dataclass(frozen=True, slots=True)
class SearchSite:
    """What a search needs to know about a site: its zone of time and the names it can check."""

    site_id: str
    tz: ZoneInfo
    cameras: set[str] | None = None  # None: not known (no site config); not checked
    scopes: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Plan:
    """What will be searched: the words, the filters and the time range (with its echo)."""

    query: str
    what: str  # the query without its time words (embedded)
    terms: tuple[str, ...]  # full-text words
    filters: Filters
    range: TimeRange | None
    shown_range: str | None


@dataclass(frozen=True, slots=True)
class Hit:
    id: int
    doc: Document
    score: float
    text_rank: int | None
    vector_rank: int | None


@dataclass(frozen=True, slots=True)
class Result:
    plan: Plan
    mode: Mode
    hits: list[Hit]
    notes: list[str]


def _terms(what: str) -> tuple[str, ...]:
    words = re.findall(r"[^\W_]+", what.lower())
    return tuple(dict.fromkeys(w for w in words if w not in STOPWORDS))


def plan(
    query: str,
    site: SearchSite,
    *,
    since: str | None = None,
    until: str | None = None,
    camera: str | None = None,
    zone: str | None = None,
    kinds: tuple[str, ...] | None = None,
    known_kinds: tuple[str, ...] | None = None,
    now: float,
) -> Plan:
    """Check a request and work out what it means; :class:`QueryError` says what is wrong."""
    q = " ".join(query.split())
    if not q:
        raise QueryError('empty query: say what to look for, e.g. "queue at the till"')
    if len(q) > MAX_QUERY:
        raise QueryError(f"query too long ({len(q)} characters; at most {MAX_QUERY})")
    if camera is not None and site.cameras is not None and camera not in site.cameras:
        raise QueryError(
            f"unknown camera {camera!r} at site {site.site_id!r}; "
            f"known: {', '.join(sorted(site.cameras)) or 'none'}"
        )
    if zone is not None and zone not in site.scopes:
        raise QueryError(
            f"unknown zone {zone!r} at site {site.site_id!r}; "
            f"known zones, lines and shelves: {', '.join(sorted(site.scopes)) or 'none'}"
        )
    if kinds and known_kinds is not None:
        bad = sorted(set(kinds) - set(known_kinds))
        if bad:
            raise QueryError(f"unknown kind {bad[0]!r}; expected one of {', '.join(known_kinds)}")
    try:
        lo = parse_when(since, site.tz, now) if since else None
        hi = parse_when(until, site.tz, now) if until else None
        what, words = extract(q, site.tz, now, day_of=lo)
    except TimeWordsError as err:
        raise QueryError(str(err)) from None
    if lo is not None and hi is not None and hi <= lo:
        raise QueryError(f"--until ({until}) is not after --since ({since}): a backwards range")
    if words is not None:  # both given: the part they share
        lo = words.start if lo is None else max(lo, words.start or lo)
        hi = words.end if hi is None else min(hi, words.end or hi)
        if lo is not None and hi is not None and hi <= lo:
            raise QueryError(f"the time words {words.words!r} fall outside --since/--until")
    if not re.search(r"[^\W_]", what):
        raise QueryError(f"the query {q[:60]!r} has no words to look for besides times")
    rng = TimeRange(lo, hi, words.words if words else "", site.tz) if (lo or hi) else None
    return Plan(
        query=q,
        what=what,
        terms=_terms(what),
        filters=Filters(site.site_id, camera, zone, kinds or None, lo, hi),
        range=rng,
        shown_range=rng.shown if rng else None,
    )


class Searcher:
    """Runs plans against one :class:`SearchIndex`; ``embed`` turns the query into a vector."""

    def __init__(self, index: SearchIndex, embedder: object | None) -> None:
        self.index = index
        self.embedder = embedder

    def run(self, p: Plan, *, limit: int = 10, mode: Mode = "fused") -> Result:
        if not 1 <= limit <= MAX_LIMIT:
            raise QueryError(f"limit must be 1-{MAX_LIMIT}, got {limit}")
        notes: list[str] = []
        pool = max(CANDIDATES, limit)
        text_hits: list[tuple[int, float]] = []
        vector_hits: list[tuple[int, float]] = []
        if mode in ("fused", "text"):
            text_hits = self.index.text_hits(p.terms, p.filters, pool)
        if mode in ("fused", "vector"):
            if self.embedder is not None and self.index.vectors_enabled():
                vec = self.embedder.embed([p.what])[0]  # type: ignore[attr-defined]
                vector_hits = self.index.vector_hits(vec, p.filters, pool)
            elif self.index.vector_note:
                notes.append(self.index.vector_note)
        weight = 1.0
        if text_hits and vector_hits:
            weight = text_weight(self.index.term_counts(p.terms), self.index.size())
        ranked = fuse_ranks(text_hits, vector_hits, weight)[:limit]
        text_ids = [i for i, _ in text_hits]
        vector_ids = [i for i, _ in vector_hits]
        docs = self.index.fetch([i for i, _ in ranked])
        t_rank = {d: n for n, d in enumerate(text_ids, 1)}
        v_rank = {d: n for n, d in enumerate(vector_ids, 1)}
        hits = [
            Hit(i, docs[i].doc, round(score, 6), t_rank.get(i), v_rank.get(i))
            for i, score in ranked
            if i in docs
        ]
        return Result(p, mode, hits, notes)


def hit_json(hit: Hit) -> dict[str, object]:
    """A hit as JSON: what it is, when (ISO-8601 UTC), its score and the ids that open it."""
    d = hit.doc
    return {
        "kind": d.kind,
        "camera_id": d.camera_id,
        "scope_id": d.scope_id,
        "start": format_time(d.start),
        "end": format_time(d.end),
        "score": hit.score,
        "text": d.text,
        "source": d.source,  # event | session | description | summary
        "source_id": d.source_id,  # the event id, session id, chunk id… to open it
        "track_id": d.track_id,
        "document_id": hit.id,
        "ranks": {"text": hit.text_rank, "vector": hit.vector_rank},
    }


def result_json(result: Result) -> dict[str, object]:
    p = result.plan
    rng = p.range
    return {
        "query": p.query,
        "searched_for": p.what,
        "site_id": p.filters.site_id,
        "range": None
        if rng is None
        else {
            "start": None if rng.start is None else format_time(rng.start),
            "end": None if rng.end is None else format_time(rng.end),
            "shown": rng.shown,
            "time_words": rng.words or None,
        },
        "mode": result.mode,
        "hits": [hit_json(h) for h in result.hits],
        "notes": result.notes,
    }
