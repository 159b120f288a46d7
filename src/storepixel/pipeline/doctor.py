"""``storepixel doctor``: check a site's configuration, detector, store and every camera.

Cameras are probed in parallel (one connection each, first frame decoded), so a site of many
cameras with a few down is checked in about one timeout.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.errors import StorepixelError
from storepixel.pipeline.live_camera import _source_path
from storepixel.redact import redact_url
from storepixel.sources.probe import ProbeResult, probe


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's table. ``status`` is ``ok``, ``warn`` or ``fail``."""

    subject: str
    status: str
    detail: str
    source: str = ""
    codec: str = ""
    resolution: str = ""
    fps: str = ""


def _camera_check(camera: CameraConfig, result: ProbeResult) -> Check:
    subject = f"camera {camera.id}"
    if not result.ok:
        return Check(subject, "fail", f"{result.failure}: {result.message}", result.source)
    status, notes = "ok", [f"first frame in {result.seconds:g} s"]
    if result.fps and camera.analysis_fps > result.fps + 0.01:
        status = "warn"
        notes.append(f"analysis_fps {camera.analysis_fps:g} is above the camera's {result.fps:g}")
    if result.width and result.width > 1920:
        status = "warn"
        notes.append("more than 1080p: analyse the camera's substream instead")
    return Check(
        subject,
        status,
        "; ".join(notes),
        result.source,
        result.codec or "",
        f"{result.width}x{result.height}",
        f"{result.fps:g}" if result.fps else "?",
    )


def check_cameras(
    site: SiteConfig, site_path: Path | None = None, timeout_s: float = 10.0
) -> list[Check]:
    """Probe every camera of ``site`` at once; one check per camera, in site order."""
    site_path = site_path or site.path
    with_source = [c for c in site.cameras if c.source]
    with ThreadPoolExecutor(max_workers=max(1, min(16, len(with_source)))) as pool:
        futures = {
            c.id: pool.submit(
                probe,
                _source_path(c.source or "", site_path),
                c.id,
                timeout_s,
                c.transport or "tcp",
            )
            for c in with_source
        }
        checks = []
        for cam in site.cameras:
            if cam.id not in futures:
                checks.append(Check(f"camera {cam.id}", "fail", "no source: set cameras[].source"))
            else:
                checks.append(_camera_check(cam, futures[cam.id].result()))
    return checks


def check_detectors(site: SiteConfig) -> list[Check]:
    """Load each distinct detector configuration once."""
    from storepixel.vision.detector import describe_runtime, load_detector

    checks, seen = [], set()
    for cam in site.cameras:
        key = cam.detector.model_dump_json() if cam.detector else ""
        if key in seen:
            continue
        seen.add(key)
        name = str(cam.detector.path) if cam.detector and cam.detector.path else "bundled"
        try:
            detector = load_detector(cam.detector)
        except StorepixelError as err:
            checks.append(Check(f"detector ({cam.id})", "fail", str(err)))
        else:
            runtime = describe_runtime(detector)
            checks.append(Check(f"detector ({cam.id})", "ok", f"{name} model loads ({runtime})"))
    return checks


def check_describe(site: SiteConfig) -> list[Check]:
    """The describe provider of each camera that describes: SDK, API key, server reachable."""
    from storepixel.describe.setup import check

    checks, seen = [], set()
    for cam in site.cameras:
        config = site.describe_for(cam.id)
        key = config.model_dump_json()
        if not config.enabled or key in seen:
            continue
        seen.add(key)
        subject = f"describe ({cam.id})"
        try:
            check(config)
        except StorepixelError as err:
            checks.append(Check(subject, "fail", str(err)))
        else:
            where = redact_url(config.base_url) if config.base_url else "default endpoint"
            checks.append(Check(subject, "ok", f"{config.provider} {config.model_name} at {where}"))
    return checks


def check_faces(site: SiteConfig, site_path: Path | None = None) -> list[Check]:
    """The opt-in face features, only where the site turns them on: their models load, and the
    visitor key exists and opens (a missing key would stop ``run`` before its first frame)."""
    from storepixel.faces.keys import key_id, site_key

    faces, checks = site.faces, []
    if faces.attributes:
        try:
            from storepixel.faces.attributes import AgeGender

            AgeGender()
        except StorepixelError as err:
            checks.append(Check("faces.attributes", "fail", str(err)))
        else:
            checks.append(Check("faces.attributes", "ok", "age and gender models load"))
    if faces.visitors:
        path = faces.key_path(site.site.id, site_path or site.path)
        try:
            key = site_key(faces, site.site.id, site_path or site.path)
            from storepixel.faces.descriptor import FaceDescriptor

            FaceDescriptor()
        except StorepixelError as err:
            checks.append(Check("faces.visitors", "fail", str(err), str(path)))
        else:
            detail = f"descriptor model loads; site key {key_id(key)} opens"
            checks.append(Check("faces.visitors", "ok", detail, str(path)))
    return checks


def check_store(url: str | None) -> Check:
    """Open (and migrate) the store, as ``run`` would."""
    from storepixel.store import open_store

    try:
        with open_store(url) as store:
            return Check("store", "ok", f"{store.url} ({store.dialect})")
    except StorepixelError as err:
        return Check("store", "fail", str(err), redact_url(url or ""))


def diagnose(
    site: SiteConfig,
    *,
    site_path: Path | None = None,
    store_url: str | None = None,
    check_db: bool = True,
    timeout_s: float = 10.0,
) -> list[Check]:
    """Every check, config first: the site file already parsed, so it is reported as ok."""
    checks = [
        Check(
            "config",
            "ok",
            f"site {site.site.id!r}, {len(site.cameras)} camera(s), timezone {site.site.timezone}",
            str(site_path or site.path or ""),
        )
    ]
    checks += check_detectors(site)
    checks += check_describe(site)
    checks += check_faces(site, site_path)
    if check_db:
        checks.append(check_store(store_url))
    checks += check_cameras(site, site_path, timeout_s)
    return checks
