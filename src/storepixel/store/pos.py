"""Point-of-sale receipts: CSV import, live receipts, and sales against footfall.

A receipt is a time, a total and an item count, nothing about the customer. The CSV has a header
with ``time,total,items`` (and optionally ``receipt_id``); times without an offset are read in
the site's time zone. Bad rows are reported by line number and skipped; good rows are imported
once: a row's id comes from ``receipt_id`` when given, else from its content and how many
identical rows came before it in the file, so importing the same file twice adds nothing.

Conversion is transactions ÷ visitors (footfall: people crossing the site's footfall lines
inwards) per local hour or day; ``avg_basket`` is revenue ÷ transactions and
``revenue_per_visitor`` revenue ÷ visitors. A bucket without visitors has ``null`` ratios.

>>> import io
>>> from storepixel.config.site import parse_site
>>> from storepixel.store import open_store
>>> site = parse_site({"site": {"id": "demo", "timezone": "Europe/Lisbon"},
...                    "cameras": [{"id": "cam1"}]})
>>> store = open_store("sqlite://")
>>> text = "time,total,items\\n2024-05-01 10:05,12.50,3\\nyesterday,1,1\\n2024-05-01 10:20,7,1\\n"
>>> r = import_receipts_csv(store, site, io.StringIO(text))
>>> r.imported, r.errors
(2, ["line 3: time: not an ISO 8601 time: 'yesterday' (expected e.g. 2024-05-01T09:00)"])
>>> import_receipts_csv(store, site, io.StringIO(text)).imported
0
"""

from __future__ import annotations

import csv
import hashlib
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy import Table, and_, select

from storepixel.config.site import SiteConfig
from storepixel.errors import StorepixelError
from storepixel.store import Store
from storepixel.store.outward_models import ReceiptRecord
from storepixel.timeutil import parse_iso

RECEIPTS: Table = ReceiptRecord.__table__  # type: ignore[assignment]
MAX_ERRORS_SHOWN = 20


class ReceiptError(StorepixelError):
    """A receipt (or a receipts file) cannot be read."""


@dataclass(frozen=True, slots=True)
class Receipt:
    time: float  # POSIX seconds (UTC)
    total: float
    items: int
    receipt_id: str | None = None


@dataclass(slots=True)
class ImportResult:
    rows: int = 0
    imported: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)


def parse_receipt_time(value: str, tz: Any) -> float:
    """A receipt's time; one without an offset is in the site's time zone ``tz``."""
    try:
        return parse_iso(value, tz)
    except (ValueError, OverflowError) as err:
        raise ReceiptError(f"time: {err}") from None


def parse_receipt(row: dict[str, str | None], tz: Any) -> Receipt:
    """One CSV row (or API object with string values) → a :class:`Receipt`."""
    for key in ("time", "total", "items"):
        if not (row.get(key) or "").strip():
            raise ReceiptError(f"{key}: missing")
    t = parse_receipt_time(str(row["time"]), tz)
    try:
        total = float(str(row["total"]).strip())
    except ValueError:
        raise ReceiptError(f"total: not a number: {row['total']}") from None
    if not math.isfinite(total) or total < 0:
        raise ReceiptError(f"total: must be a number >= 0, got {row['total']}")
    try:
        items = int(str(row["items"]).strip())
    except ValueError:
        raise ReceiptError(f"items: not a whole number: {row['items']}") from None
    if items < 0:
        raise ReceiptError(f"items: must be >= 0, got {items}")
    rid = (row.get("receipt_id") or "").strip() or None
    return Receipt(t, total, items, rid)


def _id(site_id: str, r: Receipt, nth: int) -> str:
    key = r.receipt_id if r.receipt_id else f"{r.time:.3f}|{r.total:.4f}|{r.items}|{nth}"
    return "r" + hashlib.sha256(f"{site_id}\x1f{key}".encode()).hexdigest()[:31]


def write_receipts(store: Store, site_id: str, receipts: Iterable[Receipt], source: str) -> int:
    """Insert receipts (ids already stored are skipped); returns how many were new."""
    seen: Counter[tuple[float, float, int]] = Counter()
    rows = []
    for r in receipts:
        key = (r.time, r.total, r.items)
        nth = seen[key]
        seen[key] += 1
        rows.append(
            {
                "id": _id(site_id, r, nth),
                "site_id": site_id,
                "time": r.time,
                "total": r.total,
                "items": r.items,
                "source": source,
            }
        )
    if not rows:
        return 0
    with store.transaction() as conn:
        stmt = store._insert(RECEIPTS).on_conflict_do_nothing(index_elements=["id"])
        return len(conn.execute(stmt.returning(RECEIPTS.c.id), rows).all())


def import_receipts_csv(store: Store, site: SiteConfig, stream: IO[str]) -> ImportResult:
    """Import a receipts CSV; bad rows are listed by line number (the header is line 1)."""
    reader = csv.DictReader(stream)
    missing = {"time", "total", "items"} - set(reader.fieldnames or [])
    if missing:
        raise ReceiptError(
            f"receipts CSV: line 1: expected a header with time,total,items; "
            f"missing {', '.join(sorted(missing))}"
        )
    result = ImportResult()
    good: list[Receipt] = []
    for row in reader:
        result.rows += 1
        try:
            good.append(parse_receipt(row, site.site.tz))
        except ReceiptError as err:
            result.errors.append(f"line {reader.line_num}: {err}")
    result.imported = write_receipts(store, site.site.id, good, "csv")
    result.duplicates = len(good) - result.imported
    return result


def receipts_between(store: Store, site_id: str, lo: float, hi: float) -> list[Receipt]:
    query = (
        select(RECEIPTS.c.time, RECEIPTS.c.total, RECEIPTS.c["items"])
        .where(and_(RECEIPTS.c.site_id == site_id, RECEIPTS.c.time >= lo, RECEIPTS.c.time < hi))
        .order_by(RECEIPTS.c.time)
    )
    with store.connect() as conn:
        return [Receipt(float(t), float(total), int(n)) for t, total, n in conn.execute(query)]
