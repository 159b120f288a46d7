"""What describing costs per camera per day, from the store's own measurements, beside the
reference design's estimate.

The reference (seed design): every opening hour sent at 1 fps, 66 tokens a frame, $0.15 per
million input tokens; its worked example — 5 cameras, 12 h, 20 % occupancy — comes to about
Rs 36 (≈ $0.43) a day. Here "opening hours" are the hours the camera was analysed (coverage)
and "seconds with people" are estimated per minute from the camera's measured people count:
``60 × coverage × min(1, people_avg)`` (exact with at most one person in view; an upper bound
of the time *someone* is in view otherwise). People-chunks send at most one frame a second of
those stretches, so ``people_s × tokens_per_frame`` bounds the image tokens; the table also
shows what describing the day's chunks actually cost (every request, from the responses' usage).

>>> reference_tokens(3600.0)
237600
>>> round(reference_cost(reference_tokens(12 * 3600 * 0.2) * 5), 2)  # the seed's worked example
0.43
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from storepixel.config.site import SiteConfig
from storepixel.store import Store
from storepixel.store import descriptions as db
from storepixel.store.queries import coverage, query_metrics

REFERENCE_TOKENS_PER_FRAME = 66
REFERENCE_PRICE_PER_M = 0.15  # US dollars per million input tokens
USD_TO_INR = 84.0  # the seed's Rs 36 ≈ $0.43


def reference_tokens(seconds: float) -> int:
    """Tokens for ``seconds`` of footage at 1 fps and 66 tokens a frame."""
    return round(seconds * REFERENCE_TOKENS_PER_FRAME)


def reference_cost(tokens: float) -> float:
    return tokens * REFERENCE_PRICE_PER_M / 1e6


def cost_table(store: Store, site: SiteConfig) -> list[dict[str, Any]]:
    """One row per camera per local day with data."""
    tz = site.site.tz
    sid = site.site.id
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def row(camera: str, t: float) -> dict[str, Any]:
        day = datetime.fromtimestamp(t, tz).date().isoformat()
        return rows.setdefault(
            (day, camera),
            defaultdict(float, {"day": day, "camera_id": camera}),
        )

    for interval in coverage(store, site_id=sid):
        row(interval.camera_id, interval.start)["open_s"] += interval.end - interval.start
    for m in query_metrics(store, site_id=sid, scope_id="*", metrics="people_avg"):
        row(m.camera_id, m.bucket_start)["people_s"] += 60.0 * m.coverage * min(1.0, m.value)
    for chunk in db.list_chunks(store, site_id=sid, limit=1_000_000):
        r = row(chunk["camera_id"], chunk["start_time"])
        r["chunk_s"] += chunk["end_time"] - chunk["start_time"]
        r["frames_sent"] += len(chunk["sent_times"])
        # What its requests cost (every try and repair), on the day the footage was filmed.
        r["spent_tokens"] += chunk["tokens_in"] + chunk["tokens_out"]
        r["spent_cost"] += chunk["cost"] or 0.0
    out = []
    for (_, camera), r in sorted(rows.items()):
        try:
            config = site.describe_for(camera)
        except Exception:  # a camera no longer in the site file: price at the reference
            config = None
        per_frame = (
            config.tokens_per_frame if config and config.enabled else REFERENCE_TOKENS_PER_FRAME
        )
        price = config.price() if config and config.enabled else None
        est_tokens = round(r["people_s"] * per_frame)
        ref_tokens = reference_tokens(r["open_s"])
        out.append(
            {
                "day": r["day"],
                "camera_id": camera,
                "open_h": round(r["open_s"] / 3600, 3),
                "people_h": round(r["people_s"] / 3600, 3),
                "occupancy": round(r["people_s"] / r["open_s"], 3) if r["open_s"] else None,
                "chunk_h": round(r["chunk_s"] / 3600, 3),
                "tokens_est": est_tokens,
                "cost_est": round(
                    est_tokens * (price.input if price else REFERENCE_PRICE_PER_M) / 1e6, 5
                ),
                "spent_tokens": int(r["spent_tokens"]),
                "spent_cost": round(r["spent_cost"], 5),
                "reference_tokens": ref_tokens,
                "reference_cost": round(reference_cost(ref_tokens), 5),
            }
        )
    return out
