"""Staff and groups: who works here, and who came in together, decided as each visit ends.

- **staff**: someone who spent at least ``staff_zone_s`` inside one of the camera's ``staff``
  zones (behind a counter, a stock-room door), or who was in view for ``staff_present_s`` (most
  of an hour: no shopper stays that long). Staff are counted on their own and left out of the
  customer numbers (visits, dwell, the shelf funnel).
- **group**: two customers whose visits started within ``group_within_s`` of each other and whose
  feet were within ``group_distance`` body heights of each other in at least ``group_together``
  of the frames they were both seen in their first ``group_window_s`` together — entered
  together and moved together. Only the first seconds count: a couple that splits up inside is
  still one party, and a tracker that later swaps one of them for a stranger does not undo it.
  Groups are joined transitively (A with B and B with C: one group of three) and named by their
  first member.

Judged in body heights (the person's box height), so the same rule holds near and far from
the camera.

>>> p = PeopleRoles()
>>> for i in range(20):  # 1 and 2 walk side by side from t=0, 3 alone from t=10
...     t = float(i)
...     p.update(t, [1, 2, 3] if i >= 10 else [1, 2],
...              [[0.1 + i / 50, 0.8], [0.15 + i / 50, 0.8], [0.9, 0.5]][: 3 if i >= 10 else 2],
...              [0.4, 0.4, 0.3][: 3 if i >= 10 else 2])
>>> p.end(1, duration_s=19.0), p.end(2, duration_s=19.0), p.end(3, duration_s=9.0)
(('customer', 1, 2), ('customer', 1, 2), ('customer', None, 1))
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

Role = Literal["customer", "staff"]


@dataclass(frozen=True, slots=True)
class PeopleRules:
    """The rule's settings (docs/people.md); the defaults are the product's."""

    staff_zone_s: float = 5.0  # seconds in a staff zone that make a person staff
    staff_present_s: float = 2700.0  # 45 min in one camera's view: most of an hour
    group_within_s: float = 3.0  # visits starting at most this far apart may be one group
    group_window_s: float = 10.0  # their first seconds together, over which it is judged
    group_distance: float = 1.0  # feet at most this many body heights apart: walking together
    group_together: float = 0.7  # share of those frames spent walking together


FORGET_S = 600.0  # an ended visit is kept this long for partners still in view
GAP_S = 2.0  # longer unseen spans do not count as time in a staff zone


@dataclass(slots=True)
class _Person:
    first: float
    last: float
    staff_s: float = 0.0
    ended: float | None = None
    role: Role | None = None


@dataclass(slots=True)
class _Pair:
    shared: int = 0  # frames both were seen
    close: int = 0  # of which within group_distance


class PeopleRoles:
    """Fed the confirmed people of each analysed frame (normalised foot points and box heights,
    and whether each stands in a staff zone); ``end`` classifies a visit as it ends."""

    def __init__(self, config: PeopleRules | None = None) -> None:
        self.config = config or PeopleRules()
        self._people: dict[int, _Person] = {}
        self._pairs: dict[tuple[int, int], _Pair] = {}
        self._parent: dict[int, int] = {}

    def update(
        self,
        t: float,
        ids: ArrayLike,
        feet: ArrayLike,
        heights: ArrayLike,
        in_staff_zone: ArrayLike | None = None,
    ) -> None:
        id_list = [int(i) for i in np.asarray(ids, np.int64).reshape(-1).tolist()]
        pts = np.asarray(feet, np.float64).reshape(-1, 2)
        h = np.asarray(heights, np.float64).reshape(-1)
        staff = (
            np.zeros(len(id_list), bool)
            if in_staff_zone is None
            else np.asarray(in_staff_zone, bool).reshape(-1)
        )
        for k, tid in enumerate(id_list):
            person = self._people.get(tid)
            if person is None:
                person = self._people[tid] = _Person(first=t, last=t)
            elif staff[k]:
                person.staff_s += min(t - person.last, GAP_S)
            person.last = t
        within = self.config.group_within_s
        for a, b in combinations(range(len(id_list)), 2):
            pa, pb = self._people[id_list[a]], self._people[id_list[b]]
            if abs(pa.first - pb.first) > within:
                continue
            if t - max(pa.first, pb.first) > self.config.group_window_s:
                continue
            pair = self._pairs.setdefault(_key(id_list[a], id_list[b]), _Pair())
            pair.shared += 1
            scale = max(float(h[a] + h[b]) / 2, 1e-6)
            if float(np.hypot(*(pts[a] - pts[b]))) / scale <= self.config.group_distance:
                pair.close += 1
        self._forget(t)

    def end(self, tid: int, *, duration_s: float) -> tuple[Role, int | None, int]:
        """``(role, group, group_size)`` of the visit of ``tid`` that ends now: ``group`` is the
        first member's track (``None`` when alone or staff), ``group_size`` 1 when alone."""
        person = self._people.get(tid)
        if person is None:
            return "customer", None, 1
        cfg = self.config
        if person.role is None:
            staff = person.staff_s >= cfg.staff_zone_s or duration_s >= cfg.staff_present_s
            person.role = "staff" if staff else "customer"
        person.ended = person.last
        if person.role == "staff":
            return "staff", None, 1
        for (a, b), pair in self._pairs.items():
            if tid not in (a, b) or pair.shared < 2:
                continue
            other = self._people.get(b if a == tid else a)
            if other is None or other.role == "staff" or other.staff_s >= cfg.staff_zone_s:
                continue
            if pair.close >= cfg.group_together * pair.shared:
                self._union(a, b)
        root = self._find(tid)
        members = [m for m in list(self._parent) if self._find(m) == root]
        if len(members) < 2:
            return "customer", None, 1
        return "customer", self._find(tid), len(members)

    def _find(self, x: int) -> int:
        root = self._parent.setdefault(x, x)
        while root != self._parent[root]:
            root = self._parent[root]
        return root

    def _union(self, a: int, b: int) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return
        first = min((ra, rb), key=lambda r: (self._people[r].first, r))
        self._parent[ra] = self._parent[rb] = first

    def _forget(self, t: float) -> None:
        """Drop visits ended over ``FORGET_S`` ago, a group only once all its members have."""
        old = {k for k, p in self._people.items() if p.ended is not None and t - p.ended > FORGET_S}
        if not old:
            return
        groups: dict[int, list[int]] = {}
        for m in self._parent:
            groups.setdefault(self._find(m), []).append(m)
        for members in groups.values():
            if not old.issuperset(members):
                old.difference_update(members)
        for k in old:
            del self._people[k]
        for k in [k for k in self._parent if k in old]:
            del self._parent[k]
        for key in [k for k in self._pairs if k[0] in old or k[1] in old]:
            del self._pairs[key]


def _key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)
