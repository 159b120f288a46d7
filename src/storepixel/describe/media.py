"""What leaves the box for one chunk: the selected frames, each masked (the chunker only ever
holds masked pixels), faces blurred unless the site turned that off, shrunk to the provider's
low-resolution size, marked with capture time and track numbers, JPEG-encoded in memory.

Nothing is written to disk unless the site's ``describe.media.store`` is on (with a retention):
then each sent frame is also kept under ``media.dir`` and frames older than the retention are
deleted whenever new ones are written.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2

from storepixel.config.describe import DescribeConfig
from storepixel.describe.chunker import Chunk, ChunkFrame
from storepixel.describe.faces import FaceBlur
from storepixel.describe.frames import frame_budget, select_frames
from storepixel.describe.overlay import draw_grounding, rescale

JPEG_QUALITY = 80


@dataclass(frozen=True, slots=True)
class Picture:
    time: float
    jpeg: bytes


@dataclass(frozen=True, slots=True)
class ChunkMedia:
    pictures: list[Picture]
    faces_blurred: int


class MediaMaker:
    """Turns a closed chunk into the pictures one request carries."""

    def __init__(self, config: DescribeConfig, tz: ZoneInfo, faces: FaceBlur | None = None) -> None:
        self.config = config
        self.tz = tz
        self.faces = faces if faces is not None else (FaceBlur() if config.blur_faces else None)

    def selected(self, chunk: Chunk) -> list[ChunkFrame]:
        budget = frame_budget(chunk.seconds, self.config.chunk_tokens, self.config.tokens_per_frame)
        return select_frames(chunk.frames, budget)

    def make(self, chunk: Chunk, frames: list[ChunkFrame] | None = None) -> ChunkMedia:
        pictures, blurred = [], 0
        for frame in frames if frames is not None else self.selected(chunk):
            image = frame.image
            if self.faces is not None:
                image, n = self.faces.apply(image)
                blurred += n
            h, w = image.shape[:2]
            scale = min(1.0, self.config.image_size / max(h, w))
            boxes = list(frame.boxes)
            if scale < 1.0:
                image = rescale(image, scale)
                boxes = [(tid, tuple(v * scale for v in box)) for tid, box in boxes]  # type: ignore[misc]
            marked = draw_grounding(image, frame.time, boxes, self.tz)
            ok, data = cv2.imencode(".jpg", marked, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
                raise RuntimeError("JPEG encoding failed")
            pictures.append(Picture(frame.time, data.tobytes()))
        media = ChunkMedia(pictures, blurred)
        if self.config.media.store:
            self._keep(chunk, media)
        return media

    def _keep(self, chunk: Chunk, media: ChunkMedia) -> None:
        """Site opted in: write the sent frames, then delete those past the retention."""
        root = Path(self.config.media.dir)
        folder = root / chunk.camera_id
        folder.mkdir(parents=True, exist_ok=True)
        for pic in media.pictures:
            (folder / f"{pic.time:.3f}.jpg").write_bytes(pic.jpeg)
        assert self.config.media.retention_days is not None
        cutoff = time.time() - self.config.media.retention_days * 86400
        for old in root.glob("*/*.jpg"):
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
