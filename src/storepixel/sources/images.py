"""A folder of numbered images (the MOTChallenge layout) as a frame source."""

from __future__ import annotations

import configparser
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.errors import SourceError
from storepixel.sources.sampling import TimeSampler
from storepixel.types import Frame

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}


def _seqinfo_fps(folder: Path) -> float | None:
    for ini in (folder / "seqinfo.ini", folder.parent / "seqinfo.ini"):
        if ini.is_file():
            parser = configparser.ConfigParser()
            parser.read(ini)
            if parser.has_option("Sequence", "frameRate"):
                return parser.getfloat("Sequence", "frameRate")
    return None


class ImageFolderSource:
    """Images sorted by name, timed at ``fps`` (from ``seqinfo.ini`` when not given)."""

    def __init__(
        self,
        folder: str | Path,
        camera_id: str = "cam",
        fps: float | None = None,
        analysis_fps: float | None = None,
        anchor: float = 0.0,
    ) -> None:
        self.folder = Path(folder)
        self.files = sorted(p for p in self.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"no images in {self.folder}")
        self.camera_id = camera_id
        self.rate: float = fps or _seqinfo_fps(self.folder) or 25.0
        self.fps: float | None = self.rate  # the FrameSource field; always known here
        self.frame_count: int | None = len(self.files)
        self.analysis_fps = analysis_fps
        self.anchor, self.anchor_origin = anchor, "image sequence start"

    def __iter__(self) -> Iterator[Frame]:
        sampler = TimeSampler(self.analysis_fps, self.rate)
        for index, path in enumerate(self.files):
            offset = index / self.rate
            if not sampler.take(offset):
                continue
            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            if image is None:
                raise SourceError(f"unreadable image: {path}")
            pixels = cast("NDArray[np.uint8]", image)
            yield Frame(self.camera_id, index, offset, self.anchor + offset, pixels)

    def close(self) -> None:
        pass
