"""What leaves the box for one chunk: the selected frames, each masked (the chunker only ever
holds masked pixels), faces blurred unless the site turned that off, shrunk to the provider's
low-resolution size, marked with capture time and track numbers, JPEG-encoded in memory.

With ``send_as: clip`` (Gemini only) every candidate frame of the chunk (up to three a second),
prepared the same way, goes instead as one short H.264 MP4 clip at its capture times, encoded in
memory; Gemini samples it at ``CLIP_FPS``. A clip over the inline size limit goes as stills.

Nothing is written to disk unless the site's ``describe.media.store`` is on (with a retention):
then what a chunk sends is kept under ``media.dir`` from the moment the chunk is queued (so a
chunk still waiting at a restart can be described then), and files older than the retention are
deleted whenever new ones are written.
"""

from __future__ import annotations

import io
import logging
import math
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from zoneinfo import ZoneInfo

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.config.describe import DescribeConfig
from storepixel.describe.chunker import Chunk, ChunkFrame
from storepixel.describe.faces import FaceBlur
from storepixel.describe.frames import frame_budget, select_frames
from storepixel.describe.overlay import draw_grounding, rescale

log = logging.getLogger(__name__)

JPEG_QUALITY = 80
CLIP_FPS = 1.0  # frames a second Gemini samples from the clip (its documented default)
INLINE_LIMIT_BYTES = 20 * 1024 * 1024  # Gemini's inline request size limit
CLIP_CRF = "30"  # H.264 quality: small clips; the model sees a 512 px picture anyway


def clip_sampled_frames(seconds: float, fps: float = CLIP_FPS) -> int:
    """How many frames the service samples from a clip of ``seconds`` (what it bills for)."""
    return max(1, math.ceil(seconds * fps - 1e-9))


def encode_clip(times: list[float], images: list[NDArray[np.uint8]]) -> bytes:
    """An H.264 MP4 of ``images`` shown at their capture ``times`` (ms timestamps), in memory."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=3)
        stream.codec_context.time_base = Fraction(1, 1000)
        stream.time_base = Fraction(1, 1000)
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": CLIP_CRF}
        h, w = images[0].shape[:2]
        stream.width, stream.height = w // 2 * 2, h // 2 * 2
        for t, image in zip(times, images, strict=True):
            crop = np.ascontiguousarray(image[: stream.height, : stream.width])
            frame = av.VideoFrame.from_ndarray(crop, format="bgr24")
            frame.pts = round((t - times[0]) * 1000)
            frame.time_base = Fraction(1, 1000)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


@dataclass(frozen=True, slots=True)
class Picture:
    time: float
    jpeg: bytes


@dataclass(frozen=True, slots=True)
class ChunkMedia:
    pictures: list[Picture]
    faces_blurred: int
    clip: bytes | None = None  # send_as clip: the pictures as one H.264 MP4 (then not as stills)


def _jpeg(image: NDArray[np.uint8]) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 BGR image
        raise RuntimeError("JPEG encoding failed")
    return bytes(data.tobytes())


class MediaMaker:
    """Turns a closed chunk into the pictures one request carries."""

    def __init__(self, config: DescribeConfig, tz: ZoneInfo, faces: FaceBlur | None = None) -> None:
        self.config = config
        self.tz = tz
        self.faces = faces if faces is not None else (FaceBlur() if config.blur_faces else None)

    @property
    def as_clip(self) -> bool:
        return self.config.send_as == "clip"

    def selected(self, chunk: Chunk) -> list[ChunkFrame]:
        if self.as_clip:
            return list(chunk.frames)  # the clip shows every candidate; the service samples it
        budget = frame_budget(chunk.seconds, self.config.chunk_tokens, self.config.tokens_per_frame)
        return select_frames(chunk.frames, budget)

    def estimate_tokens(self, chunk: Chunk, frames: list[ChunkFrame]) -> int:
        """Image tokens the request should cost, before the response says."""
        count = clip_sampled_frames(chunk.seconds) if self.as_clip else len(frames)
        return count * self.config.tokens_per_frame

    def make(self, chunk: Chunk, frames: list[ChunkFrame] | None = None) -> ChunkMedia:
        chosen = frames if frames is not None else self.selected(chunk)
        marked, blurred = [], 0
        for frame in chosen:
            image, n = self._prepare(frame)
            marked.append(image)
            blurred += n
        pictures = [Picture(f.time, _jpeg(m)) for f, m in zip(chosen, marked, strict=True)]
        media = ChunkMedia(pictures, blurred)
        if self.as_clip and chosen:
            clip = encode_clip([f.time for f in chosen], marked)
            if len(clip) <= INLINE_LIMIT_BYTES:
                media = ChunkMedia(pictures, blurred, clip)
            else:  # pragma: no cover - 15 s of 512 px H.264 is a few hundred kB
                log.warning("describe: %s clip over the inline limit: stills", chunk.camera_id)
                budget = frame_budget(
                    chunk.seconds, self.config.chunk_tokens, self.config.tokens_per_frame
                )
                keep = {f.time for f in select_frames(chosen, budget)}
                media = ChunkMedia([p for p in pictures if p.time in keep], blurred)
        return media

    def _prepare(self, frame: ChunkFrame) -> tuple[NDArray[np.uint8], int]:
        """One frame as it leaves the box (faces blurred, shrunk, marked); faces blurred."""
        image, blurred = frame.image, 0
        if self.faces is not None:
            image, blurred = self.faces.apply(image)
        h, w = image.shape[:2]
        scale = min(1.0, self.config.image_size / max(h, w))
        boxes = list(frame.boxes)
        if scale < 1.0:
            image = rescale(image, scale)
            boxes = [(tid, tuple(v * scale for v in box)) for tid, box in boxes]  # type: ignore[misc]
        return draw_grounding(image, frame.time, boxes, self.tz), blurred

    def keep(self, key: str, chunk: Chunk, media: ChunkMedia) -> None:
        """Site opted in (``media.store``): write what is sent for chunk ``key`` under
        ``media.dir/CAMERA/KEY/``, then delete files past the retention. A chunk that waits
        (over budget, provider down) can then be described after a restart."""
        if not self.config.media.store:
            return
        root = Path(self.config.media.dir)
        folder = root / chunk.camera_id / key
        folder.mkdir(parents=True, exist_ok=True)
        for pic in media.pictures:
            (folder / f"{pic.time:.3f}.jpg").write_bytes(pic.jpeg)
        if media.clip is not None:
            (folder / "clip.mp4").write_bytes(media.clip)
        assert self.config.media.retention_days is not None
        cutoff = time.time() - self.config.media.retention_days * 86400
        for old in root.glob("*/*/*"):
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        for empty in root.glob("*/*/"):
            if empty.is_dir() and not any(empty.iterdir()):
                empty.rmdir()


def kept_media(config: DescribeConfig, camera_id: str, key: str) -> ChunkMedia | None:
    """What ``MediaMaker.keep`` wrote for chunk ``key``, or ``None`` when nothing was kept."""
    if not config.media.store:
        return None
    folder = Path(config.media.dir) / camera_id / key
    stills = sorted(folder.glob("*.jpg"), key=lambda p: float(p.stem))
    if not stills:
        return None
    pictures = [Picture(float(p.stem), p.read_bytes()) for p in stills]
    clip = folder / "clip.mp4"
    return ChunkMedia(pictures, 0, clip.read_bytes() if clip.exists() else None)
