"""Sites and cameras from the site YAML: read, edit (admin), health and snapshot."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

from fastapi import APIRouter, Body, Depends, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from storepixel.api.deps.auth import Principal, current_principal, site_admin, site_read
from storepixel.api.errors import Conflict, NotFound
from storepixel.api.snapshots import file_source, first_frame, jpeg, masked
from storepixel.api.source_policy import source_for_reader
from storepixel.api.state import AppState, get_state
from storepixel.config.registry import source_shown
from storepixel.config.site import (
    CameraConfig,
    LineConfig,
    ShelfConfig,
    SiteConfig,
    StaticObjectConfig,
    ZoneConfig,
)
from storepixel.store import accounts
from storepixel.timeutil import iso

router = APIRouter(prefix="/api/sites", tags=["sites"])
NOT_LIVE = "live cameras are not running in this process (start with: storepixel serve --run)"


class SiteOut(BaseModel):
    id: str
    name: str
    timezone: str


# What GET returns, PUT accepts back: CameraOut is CameraIn (every camera setting an API client
# may set; the detector stays as in the YAML) plus read-only fields, which CameraIn accepts and
# ignores. CameraIn is checked loosely here and then as part of the whole site, for the
# configuration's own messages.
READ_ONLY: dict[str, tuple[Any, Any]] = {
    "live": (bool, Field(False, description="Whether the camera runs in this process now."))
}
_SETTABLE = {
    name: (f.annotation, f) for name, f in CameraConfig.model_fields.items() if name != "detector"
}
CameraIn = create_model(  # type: ignore[call-overload]
    "CameraIn",
    __config__=ConfigDict(extra="forbid"),
    **_SETTABLE,
    **{
        name: (annotation | None, Field(None, description=f"read-only (ignored): {f.description}"))
        for name, (annotation, f) in READ_ONLY.items()
    },
)
CameraOut = create_model(  # type: ignore[call-overload]
    "CameraOut",
    **(
        _SETTABLE
        | {"source": (str | None, Field(None, description="File path or URL, credentials masked."))}
        | READ_ONLY
    ),
)


def _settable(body: BaseModel) -> dict[str, Any]:
    """The camera settings of a ``CameraIn`` body, read-only fields dropped."""
    return body.model_dump(mode="json", exclude_none=True, exclude=set(READ_ONLY))


def camera_out(
    state: AppState, site: SiteConfig, cam: CameraConfig, who: Principal | None = None
) -> Any:
    """A camera as ``who`` may see it: admins get the source without its password, others its
    scheme and host, or file name, only."""
    full = who is None or who.allows("admin")
    data = cam.model_dump(exclude={"detector"})
    data.update(
        name=cam.name or cam.id,
        source=source_shown(cam.source) if full else source_for_reader(cam.source),
        live=state.hub is not None and state.hub.running(site.site.id, cam.id),
    )
    return CameraOut(**data)


class SiteDetail(SiteOut):
    cameras: list[CameraOut]  # type: ignore[valid-type]


def _site(site: SiteConfig) -> SiteOut:
    return SiteOut(
        id=site.site.id, name=site.site.name or site.site.id, timezone=site.site.timezone
    )


def _audit(state: AppState, who: Principal, action: str, target: str, detail: Any = None) -> None:
    accounts.audit(state.store, who.actor, action, target, detail)


def _checked_source(
    state: AppState, site: SiteConfig, data: dict[str, Any], old: CameraConfig | None
) -> dict[str, Any] | None:
    """Apply the source policy to a source the request changes (``data`` gets it as stored);
    the audit detail if it does. A source left out or sent back as shown keeps the stored one
    and is not checked again."""
    new = data.get("source")
    before = old.source if old is not None else None
    if new is None or (old is not None and new in (old.source, source_shown(old.source))):
        return None
    base = site.path.parent if site.path else None
    data["source"] = state.source_policy.check(site.site.id, new, base)
    return {"source": {"old": source_shown(before), "new": source_shown(data["source"])}}


@router.get("", response_model=list[SiteOut])
def list_sites(
    principal: Principal = Depends(current_principal), state: AppState = Depends(get_state)
) -> list[SiteOut]:
    """The sites you can see (an API key sees only its own)."""
    return [_site(s) for s in state.sites.all() if principal.sees(s.site.id)]


@router.get("/{site}", response_model=SiteDetail)
def get_site(
    site: SiteConfig = Depends(site_read),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    cameras = [camera_out(state, site, c, who) for c in site.cameras]
    return SiteDetail(**_site(site).model_dump(), cameras=cameras)


@router.get("/{site}/cameras", response_model=list[CameraOut])  # type: ignore[valid-type]
def list_cameras(
    site: SiteConfig = Depends(site_read),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    return [camera_out(state, site, c, who) for c in site.cameras]


@router.post("/{site}/cameras", response_model=CameraOut, status_code=201)
def create_camera(
    body: CameraIn,  # type: ignore[valid-type]
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    data = _settable(body)
    detail = _checked_source(state, site, data, None)
    cam = state.sites.put_camera(site.site.id, data["id"], data, create=True)
    _audit(state, who, "camera.create", f"{site.site.id}/{cam.id}", detail)
    return camera_out(state, state.sites.get(site.site.id), cam)


@router.get("/{site}/cameras/{cam}", response_model=CameraOut)
def get_camera(
    cam: str,
    site: SiteConfig = Depends(site_read),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    return camera_out(state, site, state.sites.camera(site.site.id, cam), who)


@router.put("/{site}/cameras/{cam}", response_model=CameraOut)
def put_camera(
    cam: str,
    body: CameraIn,  # type: ignore[valid-type]
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    """Replace a camera. ``source`` left out or sent back masked keeps the stored one."""
    data = _settable(body)
    detail = _checked_source(state, site, data, state.sites.camera(site.site.id, cam))
    updated = state.sites.put_camera(site.site.id, cam, data)
    _audit(state, who, "camera.update", f"{site.site.id}/{cam}", detail)
    return camera_out(state, state.sites.get(site.site.id), updated)


@router.delete("/{site}/cameras/{cam}", status_code=204)
def delete_camera(
    cam: str,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> Response:
    state.sites.delete_camera(site.site.id, cam)
    _audit(state, who, "camera.delete", f"{site.site.id}/{cam}")
    return Response(status_code=204)


@router.get("/{site}/cameras/{cam}/health")
def camera_health(
    cam: str,
    site: SiteConfig = Depends(site_read),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> dict[str, Any]:
    """Capture health of a live camera (409 when cameras do not run in this process)."""
    state.sites.camera(site.site.id, cam)
    supervisor = state.supervisor(site.site.id)
    if supervisor is None:
        raise Conflict(NOT_LIVE)
    health = supervisor.health().get(cam)
    if health is None:
        raise Conflict(f"camera {cam!r} is not running (yet)")
    data = dataclasses.asdict(health)
    shown = source_shown if who.allows("admin") else source_for_reader
    data["source"] = shown(data.get("source"))
    data["dropped"] = data.get("dropped_frames", 0)
    data["reconnects"] = data.get("reconnect_count", 0)
    for key in ("last_frame_time", "connected_since"):
        if data.get(key) is not None:
            data[key] = iso(data[key])
    return data


@router.get(
    "/{site}/cameras/{cam}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}},
)
async def snapshot(
    cam: str, site: SiteConfig = Depends(site_read), state: AppState = Depends(get_state)
) -> Response:
    """The latest live frame, or the first frame of a file source; privacy-masked."""
    camera = state.sites.camera(site.site.id, cam)
    image = state.hub.latest_image(site.site.id, cam) if state.hub is not None else None
    if image is None:
        path = file_source(site, camera)
        raw = await asyncio.to_thread(first_frame, path) if path is not None else None
        if raw is None:  # one answer whatever the reason: it must not tell which files exist
            raise Conflict(
                f"no picture of camera {cam!r}: it is not running here and its source is not "
                "a readable video file"
            )
        image = masked(raw, camera)
    body = await asyncio.to_thread(jpeg, image)
    return Response(body, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


# --- static objects ------------------------------------------------------------------------------


class StaticObjectsOut(BaseModel):
    candidates: list[tuple[float, float, float, float]] = Field(
        description="Boxes [x1, y1, x2, y2] (normalised) the live camera treats as static objects "
        "now; empty when the camera is not running here."
    )
    decisions: list[StaticObjectConfig]


@router.get("/{site}/cameras/{cam}/static-objects", response_model=StaticObjectsOut)
def static_objects(
    cam: str, site: SiteConfig = Depends(site_read), state: AppState = Depends(get_state)
) -> StaticObjectsOut:
    """Static-object candidates for the installer to confirm or dismiss, and what was decided."""
    camera = state.sites.camera(site.site.id, cam)
    found = state.hub.static_candidates(site.site.id, cam) if state.hub is not None else []
    return StaticObjectsOut(candidates=found, decisions=camera.static_objects)


@router.put("/{site}/cameras/{cam}/static-objects", response_model=StaticObjectsOut)
def put_static_objects(
    cam: str,
    body: list[StaticObjectConfig],
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> StaticObjectsOut:
    """Replace the decisions; a running camera applies them from its next frame."""
    decisions = [d.model_dump(mode="json") for d in body]

    def change(data: dict[str, Any]) -> None:
        data["static_objects"] = decisions

    state.sites.camera(site.site.id, cam)
    updated = state.sites.edit_camera(site.site.id, cam, change)
    _audit(state, who, "static_objects.update", f"{site.site.id}/{cam}", {"decisions": decisions})
    found = state.hub.static_candidates(site.site.id, cam) if state.hub is not None else []
    return StaticObjectsOut(candidates=found, decisions=updated.static_objects)


# --- lines and zones ------------------------------------------------------------------------------


def _items(kind: str) -> str:
    return {"line": "lines", "zone": "zones", "shelf": "shelves"}[kind]


def _replace(items: list[dict[str, Any]], item_id: str, new: dict[str, Any] | None, what: str):
    for i, item in enumerate(items):
        if item["id"] == item_id:
            if new is None:
                del items[i]
            else:
                items[i] = new
            return
    raise NotFound(f"no {what} {item_id!r}")


def _edit(
    state: AppState,
    who: Principal,
    site: SiteConfig,
    cam: str,
    kind: str,
    item_id: str | None,
    body: dict[str, Any] | None,
) -> CameraConfig:
    key = _items(kind)
    state.sites.camera(site.site.id, cam)

    def change(data: dict[str, Any]) -> None:
        items = data.setdefault(key, [])
        if item_id is None:  # create
            assert body is not None
            if kind == "shelf" and any(i["id"] == body["id"] for i in items):
                raise Conflict(f"camera {cam!r} already has a shelf {body['id']!r}")
            if kind != "shelf" and any(
                i["id"] == body["id"] for i in data.get("lines", []) + data.get("zones", [])
            ):
                raise Conflict(f"camera {cam!r} already has a line or zone {body['id']!r}")
            items.append(body)
        else:
            _replace(items, item_id, body, kind)

    updated = state.sites.edit_camera(site.site.id, cam, change)
    action = f"{kind}.{'create' if item_id is None else 'delete' if body is None else 'update'}"
    target = f"{site.site.id}/{cam}/{item_id or (body or {}).get('id')}"
    _audit(state, who, action, target, body)
    return updated


@router.get("/{site}/cameras/{cam}/lines", response_model=list[LineConfig])
def list_lines(
    cam: str, site: SiteConfig = Depends(site_read), state: AppState = Depends(get_state)
):
    return state.sites.camera(site.site.id, cam).lines


@router.post("/{site}/cameras/{cam}/lines", response_model=LineConfig, status_code=201)
def create_line(
    cam: str,
    body: LineConfig,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    """Add a counting line; a running camera counts with it from its next frame."""
    data = body.model_dump(mode="json", exclude_none=True)
    return _edit(state, who, site, cam, "line", None, data).line(body.id)


@router.put("/{site}/cameras/{cam}/lines/{line_id}", response_model=LineConfig)
def put_line(
    cam: str,
    line_id: str,
    body: LineConfig,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    data = body.model_dump(mode="json", exclude_none=True)
    return _edit(state, who, site, cam, "line", line_id, data).line(body.id)


@router.delete("/{site}/cameras/{cam}/lines/{line_id}", status_code=204)
def delete_line(
    cam: str,
    line_id: str,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> Response:
    _edit(state, who, site, cam, "line", line_id, None)
    return Response(status_code=204)


@router.get("/{site}/cameras/{cam}/zones", response_model=list[ZoneConfig])
def list_zones(
    cam: str, site: SiteConfig = Depends(site_read), state: AppState = Depends(get_state)
):
    return state.sites.camera(site.site.id, cam).zones


@router.post("/{site}/cameras/{cam}/zones", response_model=ZoneConfig, status_code=201)
def create_zone(
    cam: str,
    body: ZoneConfig = Body(),
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    """Add a zone (area, queue or shelf); a running camera counts with it from its next frame."""
    data = body.model_dump(mode="json", exclude_none=True)
    return _edit(state, who, site, cam, "zone", None, data).zone(body.id)


@router.put("/{site}/cameras/{cam}/zones/{zone_id}", response_model=ZoneConfig)
def put_zone(
    cam: str,
    zone_id: str,
    body: ZoneConfig,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    data = body.model_dump(mode="json", exclude_none=True)
    return _edit(state, who, site, cam, "zone", zone_id, data).zone(body.id)


@router.delete("/{site}/cameras/{cam}/zones/{zone_id}", status_code=204)
def delete_zone(
    cam: str,
    zone_id: str,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> Response:
    _edit(state, who, site, cam, "zone", zone_id, None)
    return Response(status_code=204)


@router.get("/{site}/cameras/{cam}/shelves", response_model=list[ShelfConfig])
def list_shelves(
    cam: str, site: SiteConfig = Depends(site_read), state: AppState = Depends(get_state)
):
    return state.sites.camera(site.site.id, cam).shelves


@router.post("/{site}/cameras/{cam}/shelves", response_model=ShelfConfig, status_code=201)
def create_shelf(
    cam: str,
    body: ShelfConfig = Body(),
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    """Add a shelf (polygon and planogram fields, docs/shelves.md); a running camera measures
    its funnel from its next frame."""
    data = body.model_dump(mode="json", exclude_none=True)
    return _edit(state, who, site, cam, "shelf", None, data).shelf(body.id)


@router.put("/{site}/cameras/{cam}/shelves/{shelf_id}", response_model=ShelfConfig)
def put_shelf(
    cam: str,
    shelf_id: str,
    body: ShelfConfig,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
):
    data = body.model_dump(mode="json", exclude_none=True)
    return _edit(state, who, site, cam, "shelf", shelf_id, data).shelf(body.id)


@router.delete("/{site}/cameras/{cam}/shelves/{shelf_id}", status_code=204)
def delete_shelf(
    cam: str,
    shelf_id: str,
    site: SiteConfig = Depends(site_admin),
    who: Principal = Depends(current_principal),
    state: AppState = Depends(get_state),
) -> Response:
    _edit(state, who, site, cam, "shelf", shelf_id, None)
    return Response(status_code=204)
