"""Data-subject requests: everything stored under one pseudonymous track or visitor id, exported
or deleted, with an audit record of who asked.

storepixel stores no faces or names: a *track id* is a person within one analysis run, a *visitor
id* exists only where the opt-in returning-visitors feature (site ``faces.visitors``) links visits
by an encrypted face descriptor; an unknown visitor id is a one-line error. Every table with a
``track_id`` or ``visitor_id`` column is searched, so tables added by such features are covered
without a list to keep up to date.

>>> from storepixel.store import open_store
>>> from storepixel.types import Event
>>> store = open_store("sqlite://")
>>> _ = store.write_events([Event("e1", "zone_enter", "demo", "cam1", 0.0, "t1", "aisle")])
>>> found = export_subject(store, "track_id", "t1", actor="dpo")
>>> [(table, len(rows)) for table, rows in found.items()]
[('events', 1)]
>>> delete_subject(store, "track_id", "t1", actor="dpo")
{'events': 1}
"""

from __future__ import annotations

import base64
from typing import Any, Literal

from sqlalchemy import Table, delete, inspect, select

from storepixel.errors import StorepixelError
from storepixel.events.schema import format_time
from storepixel.store import Store
from storepixel.store.accounts import audit
from storepixel.store.models import Base, UTCTime

Key = Literal["track_id", "visitor_id"]


def subject_tables(store: Store, key: Key) -> list[Table]:
    """Tables of this store that hold ``key`` (present in the database, not only the models)."""
    with store.connect() as conn:
        present = set(inspect(conn).get_table_names())
    return [t for t in Base.metadata.sorted_tables if key in t.c and t.name in present]


def _plain(table: Table, row: Any) -> dict[str, Any]:
    out = {}
    for col in table.columns:
        value = getattr(row, col.name)
        if isinstance(col.type, UTCTime) and value is not None:
            value = format_time(value)
        elif isinstance(value, bytes | memoryview):
            # The one binary column is a returning visitor's descriptor, sealed with the site
            # key: exported as those sealed bytes (base64), never decrypted into an export.
            value = base64.b64encode(bytes(value)).decode("ascii")
        out[col.name] = value
    return out


def _audit(store: Store, actor: str, action: str, key: Key, value: str, counts: Any) -> None:
    audit(store, actor, action, f"{key}={value}", {"rows": counts})


def _tables(store: Store, key: Key) -> list[Table]:
    tables = subject_tables(store, key)
    if not tables:
        what = (
            "visitor ids (no opt-in feature that links visits is on)"
            if key == "visitor_id"
            else key
        )
        raise StorepixelError(f"this store holds no {what}")
    return tables


def _unknown_visitor(key: Key, value: str, found: Any) -> None:
    """A visitor id must exist (a typo must not read as "deleted"); a track id may have aged out
    or never produced a row, and reads as nothing."""
    if key == "visitor_id" and not found:
        raise StorepixelError(f"no visitor {value!r} is stored (an unknown or deleted id)")


def export_subject(store: Store, key: Key, value: str, *, actor: str) -> dict[str, list[Any]]:
    """Every stored row about ``value``, per table (audited as ``privacy.export``)."""
    out: dict[str, list[Any]] = {}
    with store.connect() as conn:
        for table in _tables(store, key):
            rows = conn.execute(select(table).where(table.c[key] == value)).all()
            if rows:
                out[table.name] = [_plain(table, r) for r in rows]
    _unknown_visitor(key, value, out)
    _audit(store, actor, "privacy.export", key, value, {t: len(r) for t, r in out.items()})
    return out


def delete_subject(store: Store, key: Key, value: str, *, actor: str) -> dict[str, int]:
    """Delete every stored row about ``value`` in one transaction (audited as
    ``privacy.delete``); returns rows deleted per table. Aggregates (minute metrics, hourly
    sessions) hold no ids and stay."""
    counts: dict[str, int] = {}
    tables = _tables(store, key)
    with store.transaction() as conn:
        for table in tables:
            n = int(conn.execute(delete(table).where(table.c[key] == value)).rowcount or 0)
            if n:
                counts[table.name] = n
        _unknown_visitor(key, value, counts)  # raising rolls back: nothing was deleted
    _audit(store, actor, "privacy.delete", key, value, counts)
    return counts
