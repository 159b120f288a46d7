"""Sales against footfall: conversion (transactions ÷ visitors) and basket per local hour or day.

Visitors are the site's footfall (crossings *in* of the lines marked ``footfall``), from
:func:`storepixel.store.analytics.footfall`; receipts from :mod:`storepixel.store.pos`. Both are
bucketed in the site's time zone. A bucket with no visitors has ``null`` ratios (a sale with no
one counted in means a camera gap, not an infinite conversion).
"""

from __future__ import annotations

from typing import Any

from storepixel.store.analytics import LineKeys, Scope, footfall
from storepixel.store.pos import receipts_between
from storepixel.timeutil import Bucket, bucket_floor, bucket_starts, iso


def _ratio(a: float, b: float, digits: int = 4) -> float | None:
    return round(a / b, digits) if b else None


def _row(start: str, visitors: int, n: int, revenue: float, items: int) -> dict[str, Any]:
    return {
        "start": start,
        "visitors": visitors,
        "transactions": n,
        "revenue": round(revenue, 2),
        "items": items,
        "conversion": _ratio(n, visitors),
        "avg_basket": _ratio(revenue, n, 2),
        "revenue_per_visitor": _ratio(revenue, visitors, 2),
    }


def conversion(scope: Scope, bucket: Bucket, *, doors: LineKeys) -> dict[str, Any]:
    """Per bucket and in total: visitors, transactions, revenue, items and the ratios."""
    tz = scope.tz
    starts = bucket_starts(scope.lo, scope.hi, bucket, tz)
    visitors = {s: 0 for s in starts}
    for b, start in zip(footfall(scope, bucket, doors=doors)["buckets"], starts, strict=True):
        visitors[start] = int(b["in"])
    sales = {s: [0, 0.0, 0] for s in starts}
    for r in receipts_between(scope.store, scope.site_id, scope.lo, scope.hi):
        cell = sales.get(bucket_floor(r.time, bucket, tz))
        if cell is not None:
            cell[0] += 1
            cell[1] += r.total
            cell[2] += r.items
    rows = [
        _row(iso(s, tz), visitors[s], int(sales[s][0]), float(sales[s][1]), int(sales[s][2]))
        for s in starts
    ]
    total = _row(
        iso(scope.lo, tz),
        sum(visitors.values()),
        sum(int(c[0]) for c in sales.values()),
        sum(float(c[1]) for c in sales.values()),
        sum(int(c[2]) for c in sales.values()),
    )
    return {"bucket": bucket, "buckets": rows, "total": total}
