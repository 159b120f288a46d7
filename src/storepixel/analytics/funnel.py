"""The shelf funnel per shelf, brand or category and per time bucket, from stored shelf events.

Passers, stoppers and reachers are distinct people (track ids) with a ``shelf_pass``,
``shelf_attention`` or ``shelf_reach`` dated in the bucket; touches add up the reaches'
``count``; attention p50/p90 are over the stoppers' seconds. The step conversions are
stoppers / passers, reachers / stoppers and reachers / passers (``None`` when the step before
has nobody). A bucket in which none of the group's cameras was analysed reads ``no_data: true``
with every number ``None``: no coverage is not "nobody looked". Brand and category come from
each event (the planogram when it was recorded), so a later planogram change does not rewrite
history.

>>> from storepixel.types import Event
>>> def ev(kind, track, **p):
...     props = {"shelf_id": "cola", "product": None, "brand": "Fizz", "category": None, **p}
...     return Event("x", kind, "demo", "cam", 30.0, track, "cola", props, 2)
>>> events = [ev("shelf_pass", "a", duration_s=3), ev("shelf_pass", "b", duration_s=9),
...           ev("shelf_attention", "b", attention_s=6.0), ev("shelf_reach", "b", count=2,
...           duration_s=1.5)]
>>> groups = {("cam", "cola"): ("cola", "Fizz", None)}
>>> rows = shelf_funnel(events, groups, [0.0, 3600.0], lambda t: t // 3600 * 3600,
...                     {("cam", 0.0): 3600.0}, by="brand")
>>> [(r["group"], r["passers"], r["stoppers"], r["reachers"], r["pass_to_stop"]) for r in rows]
[('Fizz', 2, 1, 1, 0.5), ('Fizz', None, None, None, None)]
>>> rows[1]["no_data"]
True
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, Literal

import numpy as np

from storepixel.types import Event, EventKind

GroupBy = Literal["shelf", "brand", "category"]
# (camera_id, shelf_id) -> (shelf_id, brand, category) of the site's current shelves
ShelfIndex = dict[tuple[str, str], tuple[str, str | None, str | None]]
NONE_LABEL = "(none)"


def _label(by: GroupBy, shelf: str, brand: str | None, category: str | None) -> str:
    value = {"shelf": shelf, "brand": brand, "category": category}[by]
    return value if value else NONE_LABEL


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 3) if den else None


def _pct(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def shelf_funnel(
    events: Iterable[Event],
    shelves: ShelfIndex,
    starts: list[float],
    bucket_of: Callable[[float], float],
    covered: dict[tuple[str, float], float],
    *,
    by: GroupBy = "shelf",
) -> list[dict[str, Any]]:
    """Funnel rows (group, bucket start, numbers) for every group and every bucket in ``starts``.

    ``shelves`` names the groups that exist now (so a shelf nobody passed still has rows);
    ``bucket_of`` maps a time to its bucket start; ``covered[(camera, start)]`` is the seconds
    of that bucket the camera was analysed."""
    cameras: dict[str, set[str]] = defaultdict(set)
    for (camera, shelf), (_, brand, category) in shelves.items():
        cameras[_label(by, shelf, brand, category)].add(camera)
    people: dict[tuple[str, float, str], set[str]] = defaultdict(set)
    touches: dict[tuple[str, float], int] = defaultdict(int)
    seconds: dict[tuple[str, float], list[float]] = defaultdict(list)
    steps = {
        EventKind.SHELF_PASS: "pass",
        EventKind.SHELF_ATTENTION: "stop",
        EventKind.SHELF_REACH: "reach",
    }
    for e in events:
        step = steps.get(e.kind)
        if step is None or e.scope_id is None:
            continue
        p = e.properties
        group = _label(by, e.scope_id, _str(p.get("brand")), _str(p.get("category")))
        cameras[group].add(e.camera_id)
        start = bucket_of(e.time)
        people[(group, start, step)].add(f"{e.camera_id}/{e.track_id}")
        if step == "reach":
            touches[(group, start)] += int(_num(p.get("count")))
        elif step == "stop":
            seconds[(group, start)].append(_num(p.get("attention_s")))
    rows = []
    for group in sorted(cameras):
        for start in starts:
            cov = max((covered.get((c, start), 0.0) for c in cameras[group]), default=0.0)
            row: dict[str, Any] = {"group": group, "start": start, "covered_s": round(cov, 1)}
            if cov <= 0:
                row.update(dict.fromkeys(_NUMBERS), no_data=True)
                rows.append(row)
                continue
            n_pass, n_stop, n_reach = (len(people[(group, start, s)]) for s in _STEPS)
            att = seconds[(group, start)]
            row.update(
                passers=n_pass,
                stoppers=n_stop,
                reachers=n_reach,
                touches=touches[(group, start)],
                attention_p50_s=_pct(att, 50),
                attention_p90_s=_pct(att, 90),
                pass_to_stop=_ratio(n_stop, n_pass),
                stop_to_reach=_ratio(n_reach, n_stop),
                pass_to_reach=_ratio(n_reach, n_pass),
                no_data=False,
            )
            rows.append(row)
    return rows


_STEPS = ("pass", "stop", "reach")
_NUMBERS = (
    "passers",
    "stoppers",
    "reachers",
    "touches",
    "attention_p50_s",
    "attention_p90_s",
    "pass_to_stop",
    "stop_to_reach",
    "pass_to_reach",
)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _num(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0
