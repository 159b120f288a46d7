"""Frame sources: everything that yields ``Frame``s (files, image folders; live cameras later)."""

from __future__ import annotations

from pathlib import Path

from storepixel.errors import SourceError
from storepixel.sources.base import FrameSource
from storepixel.sources.file import VideoFileSource
from storepixel.sources.images import ImageFolderSource

__all__ = ["FrameSource", "ImageFolderSource", "VideoFileSource", "open_source"]


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
