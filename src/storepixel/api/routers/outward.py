"""Alerts (list, acknowledge, resolve), live point-of-sale receipts, conversion, and the outbox.

Acknowledging needs only read access to the site (whoever watches the dashboard may say "seen"),
resolving by hand needs ``admin``; both go to the audit log with who did it. Receipts come in with
the ``ingest`` permission. Conversion (transactions ÷ visitors) and basket are per local hour or
day of the site.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from storepixel.alerts import store as alert_store
from storepixel.api.deps.auth import (
    Principal,
    current_principal,
    site_admin,
    site_ingest,
    site_read,
)
from storepixel.api.errors import BadInput, Conflict, NotFound
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig
from storepixel.errors import StorepixelError
from storepixel.outputs.outbox import Outbox
from storepixel.store.analytics import Scope, footfall_lines
from storepixel.store.pos import ReceiptError, parse_receipt, write_receipts
from storepixel.store.sales import conversion
from storepixel.timeutil import time_range

router = APIRouter(prefix="/api/sites/{site}", tags=["alerts and sales"])
Status = Literal["open", "acknowledged", "resolved"]


@router.get("/alerts")
def list_alerts(
    status: Status | None = Query(None, description="Only alerts in this state."),
    limit: int = Query(200, ge=1, le=1000),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Alerts newest first: capture times of start, last change and resolution."""
    return {"items": alert_store.list_alerts(state.store, site.site.id, status=status, limit=limit)}


def _act(state: AppState, site: SiteConfig, alert: str, actor: str, action: str) -> Any:
    try:
        if action == "acknowledge":
            return alert_store.acknowledge(state.store, site.site.id, alert, actor=actor)
        return alert_store.resolve(state.store, site.site.id, alert, actor=actor)
    except alert_store.AlertNotFound as err:
        raise NotFound(str(err)) from None
    except StorepixelError as err:
        raise Conflict(str(err)) from None


@router.post("/alerts/{alert}/acknowledge")
def acknowledge_alert(
    alert: str,
    site: SiteConfig = Depends(site_read),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Mark an alert as seen (audited with who)."""
    return dict(_act(state, site, alert, principal.actor, "acknowledge"))


@router.post("/alerts/{alert}/resolve")
def resolve_alert(
    alert: str,
    site: SiteConfig = Depends(site_admin),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Close an alert by hand (audited with who)."""
    return dict(_act(state, site, alert, principal.actor, "resolve"))


class ReceiptIn(BaseModel):
    time: str = Field(max_length=64, description="ISO 8601; without an offset = site time.")
    total: float = Field(ge=0, allow_inf_nan=False)
    items: int = Field(ge=0)
    receipt_id: str | None = Field(None, max_length=128, description="Makes re-sends harmless.")


class ReceiptsIn(BaseModel):
    receipts: list[ReceiptIn] = Field(min_length=1, max_length=10000)


@router.post("/receipts")
def post_receipts(
    body: ReceiptsIn,
    site: SiteConfig = Depends(site_ingest),
    state: AppState = Depends(get_state),
) -> dict[str, int]:
    """Live point-of-sale receipts; all or nothing (a bad one is named by its index)."""
    parsed = []
    for i, r in enumerate(body.receipts):
        row = {k: None if v is None else str(v) for k, v in r.model_dump().items()}
        try:
            parsed.append(parse_receipt(row, site.site.tz))
        except ReceiptError as err:
            raise BadInput(f"receipts[{i}].{err}") from None
    new = write_receipts(state.store, site.site.id, parsed, "api")
    return {"imported": new, "duplicates": len(parsed) - new}


@router.get("/analytics/conversion")
def sales_conversion(
    frm: str | None = Query(None, alias="from", max_length=64),
    to: str | None = Query(None, max_length=64),
    bucket: Literal["hour", "day"] = Query("hour"),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Visitors (footfall in), transactions, revenue, conversion and basket per bucket."""
    lo, hi = time_range(frm, to, site.site.tz)
    scope = Scope(state.store, site.site.id, site.site.tz, lo, hi)
    return conversion(scope, bucket, doors=footfall_lines(site))


@router.get("/outputs")
def outputs_status(
    site: SiteConfig = Depends(site_admin), state: AppState = Depends(get_state)
) -> dict[str, Any]:
    """Per configured output: messages sent, pending and parked (with why)."""
    box = Outbox(state.store)
    items = []
    for out in site.outputs:
        c = box.counts(str(out.id))
        items.append(
            {
                "id": out.id,
                "kind": out.kind,
                "select": out.select,
                "sent": c.sent,
                "pending": c.pending,
                "parked": c.parked,
                "parked_reasons": dict(list(c.reasons.items())[:50]),
            }
        )
    return {"items": items}
