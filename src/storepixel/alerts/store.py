"""Alerts in the store: the rule engine's changes applied to rows, and the people's life cycle
(acknowledge, resolve) on top, each action recorded in the audit log with who did it.

>>> from storepixel.store import open_store
>>> from storepixel.alerts.engine import AlertChange
>>> store = open_store("sqlite://")
>>> ch = AlertChange("a1", "opened", "demo", "cam1", "q", "queue_length_over", "till", "warning",
...                  100.0, 100.0, 5.0, 5.0, "q: 5 in the queue", 0)
>>> apply_changes(store, [ch])
>>> [(a["id"], a["status"]) for a in list_alerts(store, "demo")]
[('a1', 'open')]
>>> acknowledge(store, "demo", "a1", actor="ana")["acknowledged_by"]
'ana'
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, and_, insert, select, update

from storepixel.alerts.engine import AlertChange
from storepixel.errors import StorepixelError
from storepixel.events.schema import format_time
from storepixel.store import Store
from storepixel.store.outward_models import AlertRecord
from storepixel.store.web_models import AuditRecord

ALERTS: Table = AlertRecord.__table__  # type: ignore[assignment]
AUDIT: Table = AuditRecord.__table__  # type: ignore[assignment]
STATUSES = ("open", "acknowledged", "resolved")


class AlertNotFound(StorepixelError):
    """No alert with that id at that site."""


def apply_changes(store: Store, changes: Iterable[AlertChange]) -> None:
    """Write the engine's changes (one transaction). A repeat of an applied change is harmless."""
    changes = list(changes)
    if not changes:
        return
    with store.transaction() as conn:
        for ch in changes:
            row = conn.execute(select(ALERTS.c.status).where(ALERTS.c.id == ch.alert_id)).first()
            if row is None:
                values = {
                    "id": ch.alert_id,
                    "site_id": ch.site_id,
                    "camera_id": ch.camera_id,
                    "rule_id": ch.rule_id,
                    "rule": ch.rule,
                    "scope_id": ch.scope_id,
                    "severity": ch.severity,
                    "status": "resolved" if ch.change == "resolved" else "open",
                    "started_at": ch.started_at,
                    "updated_at": ch.time,
                    "resolved_at": ch.time if ch.change == "resolved" else None,
                    "value": ch.value,
                    "peak": ch.peak,
                    "message": ch.message,
                    "resolved_by": "rule" if ch.change == "resolved" else None,
                }
                conn.execute(insert(ALERTS).values(**values))
                continue
            values = {"updated_at": ch.time, "value": ch.value, "peak": ch.peak}
            if ch.change == "resolved":
                values.update(status="resolved", resolved_at=ch.time)
                if row.status != "resolved":
                    values["resolved_by"] = "rule"
            else:
                values["message"] = ch.message
            conn.execute(update(ALERTS).where(ALERTS.c.id == ch.alert_id).values(**values))


def _json(r: Any) -> dict[str, Any]:
    def iso(t: float | None) -> str | None:
        return None if t is None else format_time(t)

    return {
        "id": r.id,
        "site_id": r.site_id,
        "camera_id": r.camera_id,
        "rule_id": r.rule_id,
        "rule": r.rule,
        "scope_id": r.scope_id,
        "severity": r.severity,
        "status": r.status,
        "started_at": iso(r.started_at),
        "updated_at": iso(r.updated_at),
        "resolved_at": iso(r.resolved_at),
        "value": r.value,
        "peak": r.peak,
        "message": r.message,
        "acknowledged_by": r.acknowledged_by,
        "acknowledged_at": iso(r.acknowledged_at),
        "resolved_by": r.resolved_by,
    }


def list_alerts(
    store: Store,
    site_id: str,
    *,
    status: str | None = None,
    since: float | None = None,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """Newest first."""
    conds = [ALERTS.c.site_id == site_id]
    if status is not None:
        conds.append(ALERTS.c.status == status)
    if since is not None:
        conds.append(ALERTS.c.started_at >= since)
    query = select(ALERTS).where(and_(*conds)).order_by(ALERTS.c.started_at.desc()).limit(limit)
    with store.connect() as conn:
        return [_json(r) for r in conn.execute(query).all()]


def get_alert(store: Store, site_id: str, alert: str) -> dict[str, Any]:
    query = select(ALERTS).where(and_(ALERTS.c.id == alert, ALERTS.c.site_id == site_id))
    with store.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        raise AlertNotFound(f"no alert {alert!r} at site {site_id!r}")
    return _json(row)


def _act(store: Store, site_id: str, alert: str, actor: str, action: str) -> dict[str, Any]:
    now = time.time()
    current = get_alert(store, site_id, alert)
    values: dict[str, Any]
    if action == "acknowledge":
        if current["status"] == "resolved":
            raise StorepixelError(f"alert {alert!r} is already resolved")
        values = {"status": "acknowledged", "acknowledged_by": actor[:128], "acknowledged_at": now}
    else:
        values = {"status": "resolved", "resolved_by": actor[:128]}
        if current["resolved_at"] is None:
            values["resolved_at"] = now
    with store.transaction() as conn:
        conn.execute(update(ALERTS).where(ALERTS.c.id == alert).values(**values))
        conn.execute(
            insert(AUDIT).values(
                time=now,
                actor=actor[:128],
                action=f"alert.{action}",
                target=f"{site_id}/{alert}",
                detail={"rule_id": current["rule_id"], "was": current["status"]},
            )
        )
    return get_alert(store, site_id, alert)


def acknowledge(store: Store, site_id: str, alert: str, *, actor: str) -> dict[str, Any]:
    """Someone has seen it: status ``acknowledged`` (until the rule resolves it)."""
    return _act(store, site_id, alert, actor, "acknowledge")


def resolve(store: Store, site_id: str, alert: str, *, actor: str) -> dict[str, Any]:
    """Someone closed it by hand (the rule still resolves its own condition when it clears)."""
    return _act(store, site_id, alert, actor, "resolve")
