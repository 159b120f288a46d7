"""Fusing full text and vectors: weighted reciprocal rank over tie-aware ranks, full text's vote
scaled by how much of the query the index can match at all.

Scores of different engines (bm25, ts_rank, cosine) are not comparable; ranks are. Each engine
votes ``w / (K + rank)`` for the documents it ranked. ``K = 60`` is the constant of Cormack,
Clarke & Büttcher (SIGIR 2009), which damps the weight of the very top ranks so one engine's
first hit cannot outvote agreement further down. Documents an engine scores equally share one
rank (:func:`tied_ranks`): stores repeat the same sentence all day, and a vote decided by list
order would be noise.

>>> fuse([[1, 2, 3], [3, 1]])
[(1, 0.03252247488101534), (3, 0.032266458495966696), (2, 0.016129032258064516)]

Full text's weight (:func:`text_weight`) is the share of the query's words the index knows
(a query worded differently from the documents, "customers walking into the store" against
"A person entered…", leaves full text ranking on one incidental word, and full weight would
drown the vector ranking in that noise), each word weighted by its rarity (inverse document
frequency): matching "sunglasses" is evidence, matching "shop" in a shop's index is not.
``bench/search/eval.py`` chose this form on the tuning half of the query set, against plain
reciprocal rank, the unweighted share, ranks without ties and a normalised score sum; the
held-out half checks the choice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

K = 60


def fuse(
    rankings: Sequence[Sequence[int]], k: int = K, weights: Sequence[float] | None = None
) -> list[tuple[int, float]]:
    """Ids by fused score, best first (ties by the order first seen); ``weights`` per ranking."""
    scores: dict[int, float] = {}
    for n, ranking in enumerate(rankings):
        w = 1.0 if weights is None else weights[n]
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def tied_ranks(hits: Sequence[tuple[int, float]]) -> list[tuple[int, int]]:
    """``(id, rank)`` where equal scores share the best rank of their group (1, 2, 2, 4): an
    engine that cannot tell documents apart gives them the same vote, instead of one decided
    by the order they happen to be listed in (rendered events repeat the same sentence).

    >>> tied_ranks([(7, 0.9), (8, 0.5), (9, 0.5), (3, 0.1)])
    [(7, 1), (8, 2), (9, 2), (3, 4)]
    """
    out: list[tuple[int, int]] = []
    for n, (i, score) in enumerate(hits, start=1):
        same = out and hits[n - 2][1] == score
        out.append((i, out[-1][1] if same else n))
    return out


def fuse_ranks(
    text: Sequence[tuple[int, float]],
    vector: Sequence[tuple[int, float]],
    text_weight: float,
    k: int = K,
) -> list[tuple[int, float]]:
    """Weighted reciprocal rank over tie-aware ranks: ``text_weight / (k + rank)`` from full
    text plus ``1 / (k + rank)`` from vectors; equal fused scores keep full text's order, then
    the vectors'."""
    scores: dict[int, float] = {}
    for hits, w in ((text, text_weight), (vector, 1.0)):
        for i, rank in tied_ranks(hits):
            scores[i] = scores.get(i, 0.0) + w / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])


def idf(df: int, n: int) -> float:
    """Rarity of a word found in ``df`` of ``n`` documents (BM25's form, never below 0).

    >>> round(idf(1, 1000), 2), round(idf(900, 1000), 2), idf(0, 0)
    (6.5, 0.11, 0.0)
    """
    if n <= 0:
        return 0.0
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def text_weight(dfs: Sequence[int], n: int) -> float:
    """Full text's vote: the rarity-weighted share of query words found in the index (a word
    found nowhere counts as the rarest possible, so it lowers the share most).

    >>> text_weight([5, 5], 100), text_weight([], 100), text_weight([0, 0], 100)
    (1.0, 0.0, 0.0)
    >>> round(text_weight([5, 0], 100), 2), round(text_weight([90, 0], 100), 2)  # rare / common
    (0.35, 0.02)
    """
    if not dfs or n <= 0:
        return 0.0
    weights = [idf(df, n) for df in dfs]
    total = sum(weights)
    known = sum(w for w, df in zip(weights, dfs, strict=True) if df)
    return known / total if total else 0.0
