"""The sites the server knows, from their YAML files, and edits to their cameras.

Every edit is validated as a whole site through :mod:`storepixel.config.site` (which names the
bad key: ``cameras[0].zones[1].polygon (camera 'cam1'): edges cross…``), written back to the YAML
atomically (temp file in the same folder, then ``os.replace``: a crash leaves the old file or the
new one, never half of one) and then handed to listeners such as a running Supervisor.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from storepixel.config.site import CameraConfig, SiteConfig, parse_site, site_yaml
from storepixel.errors import ConfigError, Conflict, NotFound
from storepixel.files import atomic_write
from storepixel.redact import redact_url

CameraChange = Callable[[str, CameraConfig | None, str], None]  # (site, camera or None, id)


def write_atomically(site: SiteConfig, path: Path) -> None:
    """Write ``site`` to ``path`` through a temp file beside it (see ``atomic_write``)."""
    try:
        with atomic_write(path) as f:
            f.write(site_yaml(site))
    except OSError as err:
        raise ConfigError(f"cannot write site config {path}: {err.strerror or err}") from None


def source_shown(source: str | None) -> str | None:
    """A camera source as the API shows it: URLs without credentials."""
    return None if source is None else redact_url(source)


class SiteRegistry:
    """Sites by id; camera edits are serialised by one lock and persisted before they apply."""

    def __init__(self, sites: Sequence[SiteConfig]) -> None:
        self._sites: dict[str, SiteConfig] = {}
        for site in sites:
            if site.site.id in self._sites:
                raise ConfigError(f"site id {site.site.id!r} is given twice")
            self._sites[site.site.id] = site
        self._lock = threading.RLock()
        self._listeners: list[CameraChange] = []

    def ids(self) -> list[str]:
        return list(self._sites)

    def all(self) -> list[SiteConfig]:
        return list(self._sites.values())

    def get(self, site_id: str) -> SiteConfig:
        site = self._sites.get(site_id)
        if site is None:
            raise NotFound(f"no site {site_id!r}")
        return site

    def camera(self, site_id: str, camera_id: str) -> CameraConfig:
        for cam in self.get(site_id).cameras:
            if cam.id == camera_id:
                return cam
        raise NotFound(f"site {site_id!r} has no camera {camera_id!r}")

    def on_change(self, listener: CameraChange) -> None:
        self._listeners.append(listener)

    # --- edits ----------------------------------------------------------------------------------

    def put_camera(
        self, site_id: str, camera_id: str, data: dict[str, Any], *, create: bool = False
    ) -> CameraConfig:
        """Create (``create``) or replace camera ``camera_id`` with ``data`` (JSON-like).

        ``source`` left out, or sent back exactly as the API shows it (credentials masked),
        keeps the stored source; the detector settings always stay as in the YAML.
        """
        with self._lock:
            site = self.get(site_id)
            cams = [c.model_dump(mode="json", exclude_none=True) for c in site.cameras]
            index = next((i for i, c in enumerate(site.cameras) if c.id == camera_id), None)
            data = dict(data)
            if create:
                if index is not None:
                    raise Conflict(f"site {site_id!r} already has a camera {camera_id!r}")
                data.pop("detector", None)
                cams.append(data)
            else:
                if index is None:
                    raise NotFound(f"site {site_id!r} has no camera {camera_id!r}")
                old = site.cameras[index]
                if data.get("source") is None or data["source"] == source_shown(old.source):
                    data["source"] = old.source
                data.pop("detector", None)
                if old.detector is not None:
                    data["detector"] = old.detector.model_dump(mode="json", exclude_none=True)
                cams[index] = {k: v for k, v in data.items() if v is not None}
            return self._commit(site, cams, data["id"], removed=None if create else camera_id)

    def delete_camera(self, site_id: str, camera_id: str) -> None:
        with self._lock:
            site = self.get(site_id)
            self.camera(site_id, camera_id)
            if len(site.cameras) == 1:
                raise Conflict(f"{camera_id!r} is the only camera of site {site_id!r}")
            cams = [
                c.model_dump(mode="json", exclude_none=True)
                for c in site.cameras
                if c.id != camera_id
            ]
            self._commit(site, cams, None, removed=camera_id)

    def edit_camera(
        self, site_id: str, camera_id: str, change: Callable[[dict[str, Any]], None]
    ) -> CameraConfig:
        """Apply ``change`` to the camera's JSON form (lines/zones edits) and commit it."""
        with self._lock:
            cam = self.camera(site_id, camera_id)
            data = cam.model_dump(mode="json", exclude_none=True)
            change(data)
            data["source"] = cam.source
            return self.put_camera(site_id, camera_id, data)

    def _commit(
        self, site: SiteConfig, cams: list[dict[str, Any]], new_id: str | None, removed: str | None
    ) -> CameraConfig:
        data = {"site": site.site.model_dump(mode="json", exclude_none=True), "cameras": cams}
        updated = parse_site(data, source=f"site {site.site.id!r}")
        updated._path = site.path
        camera = updated.camera(new_id) if new_id is not None else None
        old = {c.id: c for c in site.cameras}
        changes: list[tuple[CameraConfig | None, str]] = []
        if removed is not None and removed != new_id:
            changes.append((None, removed))
        if camera is not None:
            changes.append((camera, camera.id))
        # Running cameras first: a change they refuse (a source that cannot be opened) is not
        # saved. If saving then fails, they get their old configuration back.
        applied: list[tuple[CameraConfig | None, str]] = []
        try:
            for cam, cam_id in changes:
                self._notify(site.site.id, cam, cam_id)
                applied.append((cam, cam_id))
            if site.path is not None:
                write_atomically(updated, site.path)
        except BaseException:
            for _cam, cam_id in reversed(applied):
                before = old.get(cam_id)
                with contextlib.suppress(Exception):
                    self._notify(site.site.id, before, cam_id)
            raise
        self._sites[site.site.id] = updated
        return camera  # type: ignore[return-value]  # None only for deletions

    def _notify(self, site_id: str, camera: CameraConfig | None, camera_id: str) -> None:
        for listener in self._listeners:
            listener(site_id, camera, camera_id)
