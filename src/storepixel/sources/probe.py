"""Checking a camera before running it: reachable, codec, resolution, frame rate.

``probe`` connects once, decodes the first frame and reports what it found, or the same short
failure code the live reader would show (``unreachable``, ``auth_failed``, ``not_found``,
``not_a_video``…). Credentials never appear in the result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from storepixel.errors import SourceError
from storepixel.sources.live import LiveSource, LiveSourceError


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What one connection attempt found. ``ok`` is False when ``failure`` is set."""

    camera_id: str
    source: str  # redacted
    failure: str | None = None
    message: str | None = None
    codec: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    seconds: float = 0.0  # time to the first frame (or to the failure)

    @property
    def ok(self) -> bool:
        return self.failure is None


def probe(
    target: str | Path, camera_id: str = "cam", timeout_s: float = 10.0, transport: str = "tcp"
) -> ProbeResult:
    """Connect to ``target`` and decode one frame within about ``timeout_s`` seconds.

    >>> r = probe("/nonexistent/clip.mp4", "door")
    >>> r.ok, r.failure
    (False, 'not_found')
    """
    started = time.monotonic()
    try:
        source = LiveSource(
            target,
            camera_id=camera_id,
            transport=transport,
            open_timeout_s=timeout_s,
            stall_timeout_s=timeout_s,
            sleep=lambda _s: None,  # a file is not paced: the first frame is all we need
        )
    except SourceError as err:
        return ProbeResult(camera_id, str(target), "unsupported", str(err))
    try:
        for frame in source:
            return ProbeResult(
                camera_id,
                source.name,
                codec=source.codec,
                width=frame.width,
                height=frame.height,
                fps=round(source.fps, 2) if source.fps else None,
                seconds=round(time.monotonic() - started, 2),
            )
        failure, message = "not_a_video", "no frame decoded"
    except LiveSourceError as err:
        failure, message = err.failure, err.detail
    finally:
        source.stop()
    return ProbeResult(
        camera_id,
        source.name,
        failure,
        message,
        codec=source.codec,
        seconds=round(time.monotonic() - started, 2),
    )
