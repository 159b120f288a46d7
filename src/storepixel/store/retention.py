"""Retention: delete what a site keeps no longer (its ``retention:`` section; data-minimising
defaults in :mod:`storepixel.config.integrations`).

Each retained table names the time column that ages it and the retention kind that applies. Rows
are deleted per site when that time is older than now minus the kind's retention. Raw events go
after 90 days by default while minute metrics and hourly sessions stay two years: a site can keep
its trends without keeping what individual people did. Tables added by optional features
(descriptions, stored media) register themselves with :func:`register`; a registered table that
does not exist in a store is skipped.

>>> from storepixel.config.site import parse_site
>>> from storepixel.store import open_store
>>> site = parse_site({"site": {"id": "demo"}, "cameras": [{"id": "cam1"}],
...                    "retention": {"events": "30d"}})
>>> report = enforce(open_store("sqlite://"), site, now=1_714_557_600.0)
>>> report.deleted["events"], report.cutoffs["events"]
(0, '2024-04-01T10:00:00.000000Z')
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sqlalchemy import Table, and_, delete, inspect

from storepixel.config.site import SiteConfig
from storepixel.events.schema import format_time
from storepixel.store import Store
from storepixel.store.models import Base

DAY_S = 86400.0


@dataclass(frozen=True, slots=True)
class Retained:
    table: str
    column: str  # the time that ages a row
    kind: str  # which retention applies (a key of RetentionConfig)
    per_site: bool = True  # the table has a site_id column
    where: str | None = None  # an extra column that must be non-null / a status to spare


RETAINED: list[Retained] = [
    Retained("events", "time", "events"),
    Retained("minute_metrics", "bucket_start", "metrics"),
    Retained("camera_coverage", "end_time", "metrics"),
    Retained("heatmap_grids", "end_time", "metrics"),
    Retained("camera_sessions", "start_time", "sessions"),
    Retained("alerts", "updated_at", "alerts", where="resolved"),
    Retained("audit_log", "time", "audit", per_site=False),
    Retained("outbox", "created_at", "outbox", where="not_pending"),
    Retained("pos_receipts", "time", "receipts"),
    # What the VLM said about people goes with the descriptions' short retention; the ledger
    # (tokens and cost per request, nothing about people) is kept like other aggregates.
    Retained("describe_chunks", "end_time", "descriptions"),
    Retained("describe_ledger", "requested_at", "metrics"),
    # Opt-in face features: counts are aggregates; descriptors and visits go after `visitors`.
    Retained("face_attribute_counts", "hour_start", "metrics"),
    Retained("visitor_faces", "last_seen", "visitors"),
    Retained("visitor_visits", "time", "visitors"),
]


def register(table: str, column: str, kind: str, *, per_site: bool = True) -> None:
    """Put an optional feature's table under retention (``kind``: descriptions, media, …)."""
    if not any(r.table == table for r in RETAINED):
        RETAINED.append(Retained(table, column, kind, per_site))


@dataclass(slots=True)
class RetentionReport:
    site_id: str
    deleted: dict[str, int] = field(default_factory=dict)  # table → rows deleted
    cutoffs: dict[str, str] = field(default_factory=dict)  # table → oldest time kept (ISO)

    @property
    def total(self) -> int:
        return sum(self.deleted.values())

    def summary(self) -> str:
        parts = [f"{t} {n} before {self.cutoffs[t][:10]}" for t, n in self.deleted.items() if n]
        return f"site {self.site_id}: deleted " + (", ".join(parts) if parts else "nothing")


def enforce(store: Store, site: SiteConfig, *, now: float | None = None) -> RetentionReport:
    """Delete every row of ``site`` older than its retention (one transaction per table)."""
    now = time.time() if now is None else now
    report = RetentionReport(site.site.id)
    with store.connect() as conn:
        present = set(inspect(conn).get_table_names())
    for item in RETAINED:
        table: Table | None = Base.metadata.tables.get(item.table)
        if table is None or item.table not in present:
            continue
        cutoff = now - site.retention.days(item.kind) * DAY_S
        conds = [table.c[item.column] < cutoff]
        if item.per_site:
            conds.append(table.c.site_id == site.site.id)
        if item.where == "resolved":
            conds.append(table.c.status == "resolved")
        elif item.where == "not_pending":
            conds.append(table.c.status != "pending")
        with store.transaction() as conn:
            result = conn.execute(delete(table).where(and_(*conds)))
        report.deleted[item.table] = int(result.rowcount or 0)
        report.cutoffs[item.table] = format_time(cutoff)
    return report
