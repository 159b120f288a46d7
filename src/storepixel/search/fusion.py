"""Reciprocal-rank fusion: each engine votes ``1 / (K + rank)`` for the documents it ranked.

Scores of different engines (bm25, ts_rank, cosine) are not comparable; ranks are. ``K = 60`` is
the constant of Cormack, Clarke & Büttcher (SIGIR 2009), which damps the weight of the very top
ranks so one engine's first hit cannot outvote agreement further down.

>>> fuse([[1, 2, 3], [3, 1]])
[(1, 0.03252247488101534), (3, 0.032266458495966696), (2, 0.016129032258064516)]

Full text gets a vote in proportion to how many of the query's words the index knows at all
(:func:`text_weight`): a query worded differently from the documents ("customers walking into
the store" against "A person entered…") leaves full text ranking on one incidental word, and an
equal vote would drown the vector ranking in that noise.
"""

from __future__ import annotations

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


def text_weight(known_terms: int, terms: int) -> float:
    """Full text's vote: the share of query words that occur in the index (1 when all do).

    >>> text_weight(1, 4), text_weight(3, 3), text_weight(0, 0)
    (0.25, 1.0, 0.0)
    """
    return known_terms / terms if terms else 0.0
