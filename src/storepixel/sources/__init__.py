"""Frame sources: everything that yields ``Frame``s (files, image folders, live cameras).

Live cameras: ``open_live_source`` → ``LiveSource``, run by a ``CameraReader`` thread that
reconnects with ``Backoff`` and hands the newest frame to a ``LatestFrameSlot``.
"""

from __future__ import annotations

from pathlib import Path

from storepixel.errors import SourceError
from storepixel.sources.backoff import Backoff
from storepixel.sources.base import FrameSource
from storepixel.sources.file import VideoFileSource
from storepixel.sources.health import CameraHealth, CameraState, CoverageRecorder
from storepixel.sources.images import ImageFolderSource
from storepixel.sources.live import Failure, LiveSource, LiveSourceError, open_live_source
from storepixel.sources.reader import CameraReader
from storepixel.sources.slot import LatestFrameSlot

__all__ = [
    "Backoff",
    "CameraHealth",
    "CameraReader",
    "CameraState",
    "CoverageRecorder",
    "Failure",
    "FrameSource",
    "ImageFolderSource",
    "LatestFrameSlot",
    "LiveSource",
    "LiveSourceError",
    "VideoFileSource",
    "open_live_source",
    "open_source",
]


def open_source(
    path: str | Path,
    camera_id: str = "cam",
    fps: float | None = None,
    analysis_fps: float | None = None,
    anchor: float | None = None,
) -> FrameSource:
    """Open a video file or a folder of images. ``fps`` only applies to image folders."""
    p = Path(path)
    if p.is_dir():
        return ImageFolderSource(p, camera_id, fps, analysis_fps, anchor or 0.0)
    if not p.exists():
        raise SourceError(f"video not found: {p}")
    return VideoFileSource(p, camera_id, analysis_fps, anchor)
