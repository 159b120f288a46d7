"""A still picture of a camera for the dashboard: privacy-masked, JPEG-encoded.

The latest live frame when the camera runs in this process; otherwise the first frame of a file
source (cached per file and modification time). Masks are applied here too, so a snapshot never
shows what the models are not allowed to see.
"""

from __future__ import annotations

import threading
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.pipeline.privacy import PrivacyMask
from storepixel.sources.file import open_video
from storepixel.sources.pixels import to_bgr

_cache: dict[tuple[str, float], NDArray[np.uint8]] = {}
_lock = threading.Lock()


def file_source(site: SiteConfig, camera: CameraConfig) -> Path | None:
    """The camera's source as a local file, if it is one (relative paths: next to the YAML)."""
    src = camera.source
    if not src or "://" in src or src.startswith("/dev/"):
        return None
    path = Path(src).expanduser()
    if not path.is_absolute() and site.path is not None:
        beside = site.path.parent / path
        if beside.is_file():
            return beside
    return path if path.is_file() else None


def first_frame(path: Path) -> NDArray[np.uint8] | None:
    """The first decodable frame of a video file (BGR), or ``None``."""
    try:
        key = (str(path.resolve()), path.stat().st_mtime)
    except OSError:
        return None
    with _lock:
        if key in _cache:
            return _cache[key]
    image: NDArray[np.uint8] | None = None
    try:
        with open_video(path) as container:
            if container.streams.video:
                for frame in container.decode(video=0):
                    image = to_bgr(frame)
                    break
    except (av.error.FFmpegError, OSError, UnicodeDecodeError):
        return None
    if image is not None:
        with _lock:
            if len(_cache) > 64:
                _cache.clear()
            _cache[key] = image
    return image


def masked(image: NDArray[np.uint8], camera: CameraConfig) -> NDArray[np.uint8]:
    mask = PrivacyMask([m.polygon for m in camera.privacy_masks])
    return mask.apply(image) if mask else image


def jpeg(image: NDArray[np.uint8], quality: int = 80) -> bytes:
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()
