"""The opt-in face features of a site (docs/visitors.md): age/gender counts and return rates
(aggregates, suppressed below the site's ``faces.min_count``), and deleting a visitor on request
(``admin``, audited as ``privacy.delete`` with who asked)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query

from storepixel.api.deps.auth import Principal, current_principal, site_admin, site_read
from storepixel.api.errors import NotFound
from storepixel.api.state import AppState, get_state
from storepixel.config.site import SiteConfig
from storepixel.errors import StorepixelError
from storepixel.store.faces import attribute_counts, delete_visitor, return_rates

router = APIRouter(prefix="/api/sites/{site}", tags=["visitors (opt-in)"])


@router.get("/attributes")
def face_attributes(
    camera: str | None = Query(None, description="Only this camera."),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Visits per age band and gender, per camera, zone (``*``: the whole view) and hour. Groups
    from fewer than ``faces.min_count`` people come back ``suppressed`` with no numbers."""
    items = attribute_counts(
        state.store, site.site.id, min_count=site.faces.min_count, camera_id=camera
    )
    return {"enabled": site.faces.attributes, "min_count": site.faces.min_count, "items": items}


@router.get("/visitors/return-rate")
def visitor_return_rate(
    period: Literal["day", "week"] = Query("day", description="Local days or weeks (Monday)."),
    site: SiteConfig = Depends(site_read),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Per local day or week: distinct visitors, how many had been seen before, and the rate."""
    items = return_rates(
        state.store, site.site.id, site.site.tz, period, min_count=site.faces.min_count
    )
    return {"enabled": site.faces.visitors, "min_count": site.faces.min_count, "items": items}


@router.delete("/visitors/{visitor}")
def forget_visitor(
    visitor: str,
    site: SiteConfig = Depends(site_admin),
    principal: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Delete one visitor's encrypted descriptor and visits now (audited with who asked)."""
    try:
        deleted = delete_visitor(state.store, site.site.id, visitor, actor=principal.actor)
    except StorepixelError as err:
        raise NotFound(str(err)) from None
    return {"visitor": visitor, "deleted": deleted}
