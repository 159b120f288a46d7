"""Reading and writing the opt-in face features: aggregate attribute counts (suppressed below the
site's ``min_count`` when read), returning visitors (descriptors sealed with the site key), return
rates per day and week, and deleting a visitor on request (tables: ``store.face_models``).

>>> from storepixel.store import open_store
>>> store = open_store("sqlite://")
>>> write_counts(store, "demo", "cam1", "run1", {(0.0, "*", "gender", "female"): 3,
...                                              (0.0, "*", "gender", "male"): 6})
>>> [(g["attribute"], g["values"]) for g in attribute_counts(store, "demo", min_count=3)]
[('gender', {'female': 3, 'male': 6})]
>>> [(g["values"], g["suppressed"]) for g in attribute_counts(store, "demo", min_count=5)]
[(None, True)]
"""

from __future__ import annotations

import hashlib
import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import Table, and_, delete, func, insert, select, update

from storepixel.errors import StorepixelError
from storepixel.events.schema import format_time
from storepixel.store import Store
from storepixel.store.accounts import audit
from storepixel.store.face_models import FaceAttributeCount, VisitorFace, VisitorVisit
from storepixel.store.locks import take_write_lock

COUNTS: Table = FaceAttributeCount.__table__  # type: ignore[assignment]
FACES: Table = VisitorFace.__table__  # type: ignore[assignment]
VISITS: Table = VisitorVisit.__table__  # type: ignore[assignment]

Period = Literal["day", "week"]


def write_counts(
    store: Store,
    site_id: str,
    camera_id: str,
    run_id: str,
    counts: Mapping[tuple[float, str, str, str], int],
) -> None:
    """Replace ``run_id``'s counts (hour, zone, attribute, value → visits) in one transaction."""
    rows = [
        {
            "site_id": site_id,
            "camera_id": camera_id,
            "run_id": run_id,
            "zone_id": zone,
            "hour_start": hour,
            "attribute": attribute,
            "value": value,
            "count": int(n),
        }
        for (hour, zone, attribute, value), n in sorted(counts.items())
        if n > 0
    ]
    where = and_(
        COUNTS.c.site_id == site_id, COUNTS.c.camera_id == camera_id, COUNTS.c.run_id == run_id
    )
    with store.transaction() as conn:
        conn.execute(delete(COUNTS).where(where))
        if rows:
            conn.execute(insert(COUNTS), rows)


def attribute_counts(
    store: Store,
    site_id: str,
    *,
    min_count: int,
    start: float | None = None,
    end: float | None = None,
    camera_id: str | None = None,
) -> list[dict[str, Any]]:
    """Visits per age band / gender for each camera, zone and hour (summed over runs). A group
    (one camera, zone, hour and attribute) where any value has fewer than ``min_count`` visits is
    suppressed whole — ``values`` and ``visits`` are ``None`` — so neither a small cell nor the
    difference to the total gives anyone away."""
    conds = [COUNTS.c.site_id == site_id]
    if start is not None:
        conds.append(COUNTS.c.hour_start >= start)
    if end is not None:
        conds.append(COUNTS.c.hour_start < end)
    if camera_id is not None:
        conds.append(COUNTS.c.camera_id == camera_id)
    key = (COUNTS.c.camera_id, COUNTS.c.zone_id, COUNTS.c.hour_start, COUNTS.c.attribute)
    stmt = (
        select(*key, COUNTS.c.value, func.sum(COUNTS.c.count).label("n"))
        .where(and_(*conds))
        .group_by(*key, COUNTS.c.value)
        .order_by(*key, COUNTS.c.value)
    )
    with store.connect() as conn:
        rows = conn.execute(stmt).all()
    groups: dict[tuple[str, str, float, str], dict[str, int]] = defaultdict(dict)
    for r in rows:
        groups[(r.camera_id, r.zone_id, r.hour_start, r.attribute)][r.value] = int(r.n)
    out = []
    for (camera, zone, hour, attribute), values in groups.items():
        small = min(values.values()) < min_count
        out.append(
            {
                "camera_id": camera,
                "zone_id": zone,
                "hour_start": format_time(hour),
                "attribute": attribute,
                "visits": None if small else sum(values.values()),
                "values": None if small else values,
                "suppressed": small,
            }
        )
    return out


# --- returning visitors ----------------------------------------------------------------------


def record_visits(
    store: Store,
    site_id: str,
    camera_id: str,
    run_id: str,
    visits: Iterable[tuple[float, float, np.ndarray]],
    key: bytes,
    *,
    same_person: float,
    replace: bool = True,
    first_index: int = 0,
) -> dict[str, int]:
    """Match each visit's descriptor (first seen, last seen, descriptor) to the site's known
    visitors, in time order, and record the visit: the nearest visitor closer than
    ``same_person`` gets it (and its descriptor is replaced by the newer one), else a new visitor
    id (random, derived from nothing) is made. Re-analysing a run first removes what it added, so
    a file analysed twice does not make its people return; a live camera instead adds its
    visits as they come (``replace=False``, ``first_index``: how many it stored before). One
    transaction; returns ``{"visits", "new", "returning"}``."""
    from storepixel.faces.keys import key_id, open_box, seal

    kid = key_id(key)
    stats = {"visits": 0, "new": 0, "returning": 0}
    with store.transaction() as conn:
        take_write_lock(conn, FACES)
        if replace:
            conn.execute(delete(VISITS).where(VISITS.c.run_id == run_id))
            still = select(VISITS.c.visitor_id).where(VISITS.c.visitor_id == FACES.c.visitor_id)
            conn.execute(delete(FACES).where(FACES.c.first_run_id == run_id, ~still.exists()))
        known: dict[str, np.ndarray] = {}
        last_seen: dict[str, float] = {}
        for row in conn.execute(
            select(FACES.c.visitor_id, FACES.c.descriptor, FACES.c.last_seen).where(
                FACES.c.site_id == site_id
            )
        ):
            plain = open_box(key, bytes(row.descriptor), site_id, row.visitor_id)
            known[row.visitor_id] = np.frombuffer(plain, np.float32)
            last_seen[row.visitor_id] = row.last_seen
        ordered = sorted(visits, key=lambda v: v[0])
        for i, (first_t, last_t, vec) in enumerate(ordered, start=first_index):
            vec = np.asarray(vec, np.float32)
            best, best_d = None, same_person
            for vid, other in known.items():
                d = float(np.linalg.norm(other - vec))
                if d < best_d:
                    best, best_d = vid, d
            if best is None:
                best = secrets.token_hex(8)
                conn.execute(
                    insert(FACES).values(
                        visitor_id=best,
                        site_id=site_id,
                        descriptor=seal(key, vec.tobytes(), site_id, best),
                        key_id=kid,
                        first_seen=first_t,
                        last_seen=last_t,
                        first_run_id=run_id,
                    )
                )
                stats["new"] += 1
            else:
                conn.execute(
                    update(FACES)
                    .where(FACES.c.visitor_id == best)
                    .values(
                        descriptor=seal(key, vec.tobytes(), site_id, best),
                        key_id=kid,
                        last_seen=max(last_seen[best], last_t),
                    )
                )
                stats["returning"] += 1
            known[best] = vec
            last_seen[best] = max(last_seen.get(best, last_t), last_t)
            visit_id = hashlib.sha256(f"{run_id}/{camera_id}/{i}".encode()).hexdigest()[:32]
            conn.execute(
                insert(VISITS).values(
                    id=visit_id,
                    site_id=site_id,
                    visitor_id=best,
                    camera_id=camera_id,
                    run_id=run_id,
                    time=first_t,
                )
            )
            stats["visits"] += 1
    return stats


def return_rates(
    store: Store,
    site_id: str,
    tz: ZoneInfo,
    period: Period,
    *,
    min_count: int,
) -> list[dict[str, Any]]:
    """Per local day or week (Monday first) with visits: distinct visitors, how many had been
    seen in an earlier period, and the rate. Periods with fewer than ``min_count`` visitors are
    suppressed (``visitors``/``returning``/``rate`` are ``None``)."""
    with store.connect() as conn:
        rows = conn.execute(
            select(VISITS.c.visitor_id, VISITS.c.time).where(VISITS.c.site_id == site_id)
        ).all()
    seen: dict[datetime, set[str]] = defaultdict(set)
    for r in rows:
        seen[_period_start(r.time, tz, period)].add(r.visitor_id)
    earlier: set[str] = set()
    out = []
    for begin in sorted(seen):
        who = seen[begin]
        back = who & earlier
        small = len(who) < min_count
        out.append(
            {
                "period": period,
                "start": begin.isoformat(),
                "visitors": None if small else len(who),
                "returning": None if small else len(back),
                "rate": None if small else round(len(back) / len(who), 4),
                "suppressed": small,
            }
        )
        earlier |= who
    return out


def _period_start(t: float, tz: ZoneInfo, period: Period) -> datetime:
    local = datetime.fromtimestamp(t, tz)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday()) if period == "week" else day


def delete_visitor(store: Store, site_id: str, visitor_id: str, *, actor: str) -> dict[str, int]:
    """Delete one visitor's descriptor and visits on request (audited as ``privacy.delete``);
    a one-line error for an id this site does not hold."""
    from storepixel.store.privacy import delete_subject

    with store.connect() as conn:
        found = conn.execute(
            select(FACES.c.visitor_id).where(
                FACES.c.visitor_id == visitor_id, FACES.c.site_id == site_id
            )
        ).first()
    if found is None:
        raise StorepixelError(f"site {site_id!r} has no visitor {visitor_id!r}")
    return delete_subject(store, "visitor_id", visitor_id, actor=actor)


def visitor_ids(store: Store, site_id: str) -> list[str]:
    """The visitor ids this site holds (for data-subject requests), oldest first."""
    with store.connect() as conn:
        rows = conn.execute(
            select(FACES.c.visitor_id)
            .where(FACES.c.site_id == site_id)
            .order_by(FACES.c.first_seen, FACES.c.visitor_id)
        ).all()
    return [r.visitor_id for r in rows]


def record_run(
    store: Store,
    site: Any,
    camera_id: str,
    run_id: str,
    stage: Any,
    key: bytes | None,
    *,
    actor: str,
) -> dict[str, Any]:
    """Write what a run's face stage produced and audit it (``faces.attributes`` /
    ``faces.visitors``: which site, camera and run used the opt-in feature, how much)."""
    from storepixel.faces.descriptor import SAME_PERSON

    target = f"{site.site.id}/{camera_id}"
    done: dict[str, Any] = {}
    if site.faces.attributes:
        write_counts(store, site.site.id, camera_id, run_id, stage.counts)
        done["estimates"] = stage.estimates
        audit(store, actor, "faces.attributes", target, {"run": run_id, "visits": stage.estimates})
    if site.faces.visitors:
        assert key is not None
        visits = [(v.first_t, v.last_t, v.descriptor) for v in stage.visits]
        stats = record_visits(
            store, site.site.id, camera_id, run_id, visits, key, same_person=SAME_PERSON
        )
        done.update(stats)
        audit(store, actor, "faces.visitors", target, {"run": run_id, **stats})
    return done
