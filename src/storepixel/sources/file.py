"""Video files decoded with PyAV (FFmpeg), with capture times from the container's clock."""

from __future__ import annotations

import logging
import os
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import UTC
from pathlib import Path
from typing import cast

import av
import av.error

from storepixel.errors import SourceError
from storepixel.sources.pixels import to_bgr
from storepixel.sources.sampling import TimeSampler
from storepixel.timeutil import parse_iso
from storepixel.types import Frame

log = logging.getLogger(__name__)

# Demuxers of self-contained video files. FFmpeg also reads playlists (HLS, concat), image
# sequences and single images as "video", and a playlist opens whatever files or URLs it lists:
# an uploaded .m3u8 naming a local file would analyse that file. So only these are opened, which
# makes a video the bytes of its own file (MOV/MP4 external data references are off by default).
# mpegvideo: a bare MPEG-1/2 stream (.mpg/.m1v as many older CCTV recorders export, e.g. the
# CAVIAR clips), self-contained like h264/hevc.
VIDEO_FORMATS = "mov,mp4,matroska,webm,avi,mpegts,mpeg,mpegvideo,flv,asf,h264,hevc"
EXPECTED = "expected e.g. MP4, AVI, MKV"
NOT_A_VIDEO = f"not a video file ({EXPECTED})"
# Sampled frames decoded ahead of the analysis, on a thread of their own: enough to cover one
# detection (two passes, ~25 ms) at the decoder's pace; a 1080p frame is 6 MB.
READ_AHEAD = 4


def open_video(path: str | Path) -> av.container.InputContainer:
    """Open a self-contained video file (see ``VIDEO_FORMATS``); FFmpeg errors propagate, and
    images, playlists and unknown formats fail like unreadable files."""
    return av.open(str(path), options={"format_whitelist": VIDEO_FORMATS})


def _creation_time(container: av.container.InputContainer) -> float | None:
    raw = container.metadata.get("creation_time")
    if not raw:
        return None
    try:
        return parse_iso(raw, UTC)  # FFmpeg writes creation_time in UTC
    except (ValueError, OverflowError):
        return None


class VideoFileSource:
    """Decodes a video file, yielding sampled ``Frame``s in BGR.

    ``Frame.index`` counts every decoded frame (0-based), sampled or not, so it maps back to the
    file. ``Frame.offset_s`` is the frame's pts × time base. The timeline is anchored at ``anchor``
    (POSIX seconds) if given, else the container's creation time, else the file's modification time.
    A file that breaks part-way (truncated, corrupt packets) ends the iteration with a warning,
    keeping every frame that decoded; ``truncated`` then reports it. Frames are decoded on a
    thread of their own, ``READ_AHEAD`` ahead of the reader, unless ``wants`` is set.
    """

    def __init__(
        self,
        path: str | Path,
        camera_id: str = "cam",
        analysis_fps: float | None = None,
        anchor: float | None = None,
    ) -> None:
        self.path = Path(path)
        self.camera_id = camera_id
        if not self.path.exists():
            raise SourceError(f"video not found: {self.path}")
        if not self.path.is_file():
            raise SourceError(f"not a file: {self.path}")
        try:
            self._container = open_video(self.path)
        except (av.error.FFmpegError, OSError, UnicodeDecodeError):
            raise SourceError(f"not a readable video: {self.path} ({EXPECTED})") from None
        if not self._container.streams.video:
            self._container.close()
            raise SourceError(f"no video stream in {self.path}")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"  # frame + slice threads: decoding is the floor
        rate = self._stream.average_rate or self._stream.guessed_rate
        self.fps: float | None = float(rate) if rate else None
        self.frame_count: int | None = self._stream.frames or None
        self.width = int(self._stream.codec_context.width)
        self.height = int(self._stream.codec_context.height)
        self.analysis_fps = analysis_fps
        # Asked (capture time) for each decoded frame the analysis rate skips: whether to hand
        # it over anyway as a ``between`` frame (``CameraPipeline.wants``: a pose burst). None:
        # never, and skipped frames are not even converted.
        self.wants: Callable[[float], bool] | None = None
        self.truncated = False
        if anchor is not None:
            self.anchor, self.anchor_origin = anchor, "given start time"
        elif (created := _creation_time(self._container)) is not None:
            self.anchor, self.anchor_origin = created, "container creation time"
        else:
            self.anchor, self.anchor_origin = os.path.getmtime(self.path), "file modification time"

    def __iter__(self) -> Iterator[Frame]:
        if self.wants is not None or READ_AHEAD <= 0:
            # Whether a skipped frame is wanted depends on the analysis so far: decode in turn.
            return self._decoded()
        return _read_ahead(self._decoded(), READ_AHEAD)

    def _decoded(self) -> Iterator[Frame]:
        sampler = TimeSampler(self.analysis_fps, self.fps)
        index = -1
        time_base = self._stream.time_base
        try:
            for packet in self._container.demux(self._stream):
                for decoded in packet.decode():
                    index += 1
                    if decoded.pts is not None and time_base is not None:
                        offset = float(decoded.pts * time_base)
                    else:
                        offset = index / (self.fps or 25.0)
                    if not sampler.take(offset):
                        if self.wants is not None and self.wants(self.anchor + offset):
                            yield Frame(
                                self.camera_id,
                                index,
                                offset,
                                self.anchor + offset,
                                to_bgr(decoded),
                                between=True,
                            )
                        continue
                    yield Frame(
                        camera_id=self.camera_id,
                        index=index,
                        offset_s=offset,
                        timestamp=self.anchor + offset,
                        image=to_bgr(decoded),
                    )
        except av.error.FFmpegError as exc:
            self.truncated = True
            log.warning(
                "%s: decoding stopped after %d frames (%s)", self.path, index + 1, _reason(exc)
            )
        finally:
            self.close()
        if self.frame_count and index + 1 < self.frame_count * 0.98 and not self.truncated:
            self.truncated = True
            log.warning("%s: only %d of %d frames decoded", self.path, index + 1, self.frame_count)

    def close(self) -> None:
        self._container.close()


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return text.splitlines()[0]


_END = object()


def _read_ahead(frames: Iterator[Frame], depth: int) -> Iterator[Frame]:
    """``frames``, produced on a thread of their own up to ``depth`` ahead of the reader.

    Decoding and BGR conversion release the GIL, so the thread decodes the next frames while
    the analysis runs the model or its Python stages (docs/dev/performance.md, "Passes side by
    side, decoding ahead"). A failure while decoding reaches the reader after the frames before
    it; a reader that stops early stops the thread, which closes the file."""
    ready: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()
    failure: list[BaseException] = []

    def hand_over(item: object) -> bool:
        """Put ``item`` in the queue unless the reader stopped; whether it was put."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for frame in frames:
                if not hand_over(frame):
                    break
        except BaseException as exc:  # re-raised on the reader's side
            failure.append(exc)
        finally:
            if stop.is_set():
                close = getattr(frames, "close", None)
                if close is not None:
                    close()  # the generator's own clean-up: closes the container
            hand_over(_END)

    worker = threading.Thread(target=produce, name="storepixel-decode", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not _END:
            yield cast("Frame", item)
        if failure:
            raise failure[0]
    finally:
        stop.set()
        worker.join()
