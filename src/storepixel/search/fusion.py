"""Reciprocal-rank fusion: each engine votes ``1 / (K + rank)`` for the documents it ranked.

Scores of different engines (bm25, ts_rank, cosine) are not comparable; ranks are. ``K = 60`` is
the constant of Cormack, Clarke & Büttcher (SIGIR 2009), which damps the weight of the very top
ranks so one engine's first hit cannot outvote agreement further down.

>>> fuse([[1, 2, 3], [3, 1]])
[(1, 0.03252247488101534), (3, 0.032266458495966696), (2, 0.016129032258064516)]
"""

from __future__ import annotations

from collections.abc import Sequence

K = 60


def fuse(rankings: Sequence[Sequence[int]], k: int = K) -> list[tuple[int, float]]:
    """Ids by fused score, best first (ties by the order first seen)."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda item: -item[1])
