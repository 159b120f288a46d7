"""Visits read as people: customers alone or in groups, and staff counted on their own.

Each ``visit_end`` carries its ``role``, ``group_id`` and ``group_size`` (``analytics.people``).
Staff are left out of the customer numbers: :func:`staff_tracks` names them so other reports
(the shelf funnel, dwell) can drop their events. See docs/people.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from storepixel.store import Store
from storepixel.store.queries import iter_events
from storepixel.types import Event, EventKind

LONGEST_VISIT_S = 86400.0  # a staff visit that overlaps a range ends at most this long after it


def staff_tracks(
    store: Store, site_id: str, lo: float, hi: float, camera: str | None = None
) -> set[tuple[str, str]]:
    """``(camera, track)`` of every staff visit that overlaps ``[lo, hi)``."""
    out = set()
    for e in iter_events(
        store,
        site_id=site_id,
        camera_id=camera,
        kinds=[EventKind.VISIT_END],
        start=lo,
        end=hi + LONGEST_VISIT_S,
    ):
        props = e.properties or {}
        duration = props.get("duration_s")
        began = e.time - (float(duration) if isinstance(duration, int | float) else 0.0)
        if props.get("role") == "staff" and began < hi and e.track_id is not None:
            out.add((e.camera_id, e.track_id))
    return out


def without_staff(events: Iterable[Event], staff: set[tuple[str, str]]) -> Iterable[Event]:
    """``events`` less those of staff visits."""
    return (e for e in events if (e.camera_id, e.track_id) not in staff)


def visit_summary(
    store: Store, site_id: str, lo: float, hi: float, camera: str | None = None
) -> dict[str, int]:
    """Visits that ended in ``[lo, hi)``, as people: ``customers`` (visits by customers),
    ``groups`` (of two or more customers), ``in_groups`` (customers who came in one),
    ``alone``, ``parties`` (groups + alone: visits counted as groups or individuals) and
    ``staff``."""
    customers = staff = alone = 0
    groups: set[tuple[str, str]] = set()
    in_groups = 0
    for e in iter_events(
        store, site_id=site_id, camera_id=camera, kinds=[EventKind.VISIT_END], start=lo, end=hi
    ):
        props: dict[str, Any] = e.properties or {}
        if props.get("role") == "staff":
            staff += 1
            continue
        customers += 1
        group = props.get("group_id")
        if group:
            groups.add((e.camera_id, str(group)))
            in_groups += 1
        else:
            alone += 1
    return {
        "customers": customers,
        "groups": len(groups),
        "in_groups": in_groups,
        "alone": alone,
        "parties": len(groups) + alone,
        "staff": staff,
    }
