"""Paths between zones: for each person, the zones entered in time order, counted as A → B.

Only reported visits (past the minimum presence) take part, so someone brushing a zone's corner
does not create a path. Re-entering the same zone is not a transition. A path is folded into the
counts when the person's camera visit ends; ``counts()`` also includes paths still open.

>>> tc = TransitionCounter()
>>> for zone, t in [("door", 0.0), ("aisle", 5.0), ("till", 9.0), ("till", 12.0)]:
...     tc.add_enter(1, zone, t)
>>> tc.add_enter(2, "door", 1.0); tc.add_enter(2, "till", 3.0); tc.end_track(1)
>>> sorted(tc.counts().items())
[(('aisle', 'till'), 1), (('door', 'aisle'), 1), (('door', 'till'), 1)]
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise


def _pairs(path: list[tuple[float, str]]) -> list[tuple[str, str]]:
    zones = [z for _, z in sorted(path)]
    return [(a, b) for a, b in pairwise(zones) if a != b]


class TransitionCounter:
    """Counts zone-to-zone transitions per track (enters may arrive slightly out of order)."""

    def __init__(self) -> None:
        self._done: Counter[tuple[str, str]] = Counter()
        self._paths: dict[int, list[tuple[float, str]]] = {}

    def add_enter(self, track: int, zone_id: str, time: float) -> None:
        self._paths.setdefault(track, []).append((time, zone_id))

    def end_track(self, track: int) -> None:
        path = self._paths.pop(track, None)
        if path:
            self._done.update(_pairs(path))

    def end_all(self) -> None:
        for track in sorted(self._paths):
            self.end_track(track)

    def counts(self) -> dict[tuple[str, str], int]:
        """``{(from_zone, to_zone): people}``, most frequent first."""
        total = Counter(self._done)
        for path in self._paths.values():
            total.update(_pairs(path))
        return dict(sorted(total.items(), key=lambda kv: (-kv[1], kv[0])))
