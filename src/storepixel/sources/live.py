"""Live sources: RTSP, HTTP(S) MJPEG, USB (V4L2) cameras, and files played at their own rate.

One ``LiveSource`` is one camera. Each iteration is one connection: it yields ``Frame``s until the
stream drops, then raises ``LiveSourceError`` with a short ``failure`` code, so the caller (the
``CameraReader``) decides when to reconnect. Capture time is the wall clock when the connection's
first frame arrived plus the stream's own pts offset; when pts is missing, runs backwards or drifts
far from the wall clock (camera reboots, 33-bit wraps), the timeline re-anchors on the wall clock.
Timestamps only ever increase, across reconnects and file loops.
"""

from __future__ import annotations

import errno
import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import av
import av.error

from storepixel.errors import SourceError
from storepixel.redact import redact_text, redact_url
from storepixel.sources.pixels import to_bgr
from storepixel.sources.sampling import TimeSampler
from storepixel.types import Frame

log = logging.getLogger(__name__)

TRANSPORTS = ("tcp", "udp")


class Failure:
    """Short codes for why a connection failed or dropped (see ``LiveSourceError.failure``)."""

    UNREACHABLE = "unreachable"  # refused, no route, DNS, timeout while connecting
    AUTH_FAILED = "auth_failed"  # 401 / 403
    NOT_FOUND = "not_found"  # 404, no such device or file
    NOT_A_VIDEO = "not_a_video"  # answered, but not a stream we can decode
    STALLED = "stalled"  # connected, but no frame for ``stall_timeout_s``
    DISCONNECTED = "disconnected"  # the stream ended or the connection broke
    ERROR = "error"  # anything else FFmpeg reported

    PERMANENT = frozenset({NOT_FOUND, NOT_A_VIDEO})  # for files only: cameras are retried


class LiveSourceError(SourceError):
    """One connection attempt failed or one stream dropped; ``str()`` is one redacted line."""

    def __init__(self, failure: str, detail: str, source: str) -> None:
        self.failure = failure
        self.detail = redact_text(detail.strip().splitlines()[0] if detail.strip() else failure)
        self.source = redact_url(source)
        super().__init__(f"{failure}: {self.detail} ({self.source})")


def _kind(target: str) -> str:
    lower = target.lower()
    if lower.startswith(("rtsp://", "rtsps://")):
        return "rtsp"
    if lower.startswith(("http://", "https://")):
        return "http"
    if lower.startswith("/dev/video"):
        return "v4l2"
    if "://" in target:
        scheme = target.split("://", 1)[0]
        raise SourceError(f"unsupported camera URL scheme {scheme!r}: {redact_url(target)}")
    return "file"


class LiveSource:
    """A camera (or a file played in real time) as repeated connections that yield ``Frame``s.

    ``transport`` (RTSP only) is ``"tcp"`` (default: no losses behind NAT and firewalls) or
    ``"udp"``. ``open_timeout_s`` bounds connecting; ``stall_timeout_s`` bounds the wait for the
    next frame once connected. ``loop`` replays a file forever. ``wall``/``sleep`` are injectable.

    >>> src = LiveSource("rtsp://admin:pw@10.0.0.5/101", camera_id="door")
    >>> src.kind, src.name
    ('rtsp', 'rtsp://admin:***@10.0.0.5/101')
    """

    def __init__(
        self,
        target: str | Path,
        camera_id: str = "cam",
        analysis_fps: float | None = None,
        transport: str = "tcp",
        open_timeout_s: float = 10.0,
        stall_timeout_s: float = 10.0,
        loop: bool = False,
        max_drift_s: float = 5.0,
        wall: Callable[[], float] = time.time,
        sleep: Callable[[float], Any] = time.sleep,
    ) -> None:
        self.target = str(target)
        self.kind = _kind(self.target)
        if transport not in TRANSPORTS:
            raise SourceError(f"RTSP transport must be one of {TRANSPORTS}, not {transport!r}")
        if loop and self.kind != "file":
            raise SourceError(f"loop only applies to files, not {self.name}")
        self.camera_id = camera_id
        self.analysis_fps = analysis_fps
        self.transport = transport
        self.open_timeout_s = open_timeout_s
        self.stall_timeout_s = stall_timeout_s
        self.loop = loop
        self.max_drift_s = max_drift_s
        self._wall = wall
        self._sleep = sleep
        self.fps: float | None = None
        self.frame_count: int | None = None  # live: unknown
        self.anchor = 0.0  # capture time of offset 0: set at the first connection
        self.anchor_origin = "wall clock at connect"
        self.width: int | None = None
        self.height: int | None = None
        self.codec: str | None = None
        self._index = -1
        self._last_ts = -math.inf
        self._stop = False
        self._connect_wall = 0.0

    @property
    def name(self) -> str:
        """The source as it may be shown and logged: credentials redacted."""
        return redact_url(self.target)

    @property
    def retryable(self) -> bool:
        """Files and devices may appear later too, but a missing file is a config mistake."""
        return self.kind != "file"

    def av_options(self) -> dict[str, str]:
        """FFmpeg options for this source (FFmpeg ≥ 5 spells socket timeouts ``timeout``, in µs)."""
        us = str(int(self.stall_timeout_s * 1_000_000))
        # A short probe: the default 5 s analysis delays every (re)connect and buffers frames.
        probe = {"analyzeduration": "1000000", "probesize": "2000000"}
        if self.kind == "rtsp":
            return {"rtsp_transport": self.transport, "timeout": us, **probe}
        if self.kind == "http":
            return {"rw_timeout": us, "reconnect": "0", **probe}  # we reconnect, with back-off
        return {}

    def stop(self) -> None:
        """End a running iteration at the next packet (or read timeout), and any later one at once.

        Stopping is for good, so a stop that lands between two connections is not lost.
        """
        self._stop = True

    def __iter__(self) -> Iterator[Frame]:
        """One connection: frames until the stream ends (file without ``loop``) or drops."""
        if self._stop:
            return
        container = self._open()
        try:
            yield from self._frames(container)
        finally:
            container.close()

    def close(self) -> None:
        self.stop()

    # -- connecting ---------------------------------------------------------------------------

    def _open(self) -> av.container.InputContainer:
        if self.kind == "file" and not Path(self.target).is_file():
            raise LiveSourceError(Failure.NOT_FOUND, "no such file", self.target)
        # Anchor before probing: the probe buffers up to a second of frames, and anchoring at the
        # first decoded frame would date every frame that much into the future.
        self._connect_wall = self._wall()
        try:
            container = av.open(
                self.target,
                format="v4l2" if self.kind == "v4l2" else None,
                options=self.av_options(),
                timeout=(self.open_timeout_s, self.stall_timeout_s),
            )
        except Exception as exc:  # FFmpeg/OS errors are classified, not leaked
            failure, detail = classify(exc, connecting=True)
            raise LiveSourceError(failure, detail, self.target) from None
        if not container.streams.video:
            container.close()
            raise LiveSourceError(Failure.NOT_A_VIDEO, "no video stream", self.target)
        stream = container.streams.video[0]
        # One decoding thread per camera: frame threading would hold back a frame per extra thread
        # (latency), and a box running many cameras is parallel across cameras already.
        stream.thread_count = 1
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else self.fps
        self.codec = stream.codec_context.name
        return container

    # -- reading ------------------------------------------------------------------------------

    def _frames(self, container: av.container.InputContainer) -> Iterator[Frame]:
        stream = container.streams.video[0]
        time_base = stream.time_base
        # HTTP MJPEG carries no capture clock: FFmpeg numbers its frames at a guessed 25 fps,
        # whatever the camera sends, so arrival time is the best capture time there is.
        use_pts = self.kind != "http"
        sampler = TimeSampler(self.analysis_fps, self.fps)
        paced = self.kind == "file"
        clock = _Timeline(
            self._wall, self._connect_wall, self.max_drift_s, paced=paced, sleep=self._sleep
        )
        if self._index < 0:
            self.anchor = clock.anchor
        last_frame = time.monotonic()
        try:
            while True:
                for packet in container.demux(stream):
                    if self._stop:
                        return
                    for decoded in packet.decode():
                        raw = None
                        if use_pts and decoded.pts is not None and time_base is not None:
                            raw = float(decoded.pts * time_base)
                        conn_offset = clock.offset(raw)
                        # never in the future, never backwards
                        ts = min(clock.anchor + conn_offset, self._wall())
                        ts = max(ts, self._last_ts + 1e-6)
                        self._index += 1
                        last_frame = time.monotonic()
                        if not sampler.take(conn_offset):
                            continue
                        self._last_ts = ts
                        image = to_bgr(decoded)
                        self.height, self.width = int(image.shape[0]), int(image.shape[1])
                        yield Frame(self.camera_id, self._index, ts - self.anchor, ts, image)
                    if time.monotonic() - last_frame > self.stall_timeout_s:
                        raise LiveSourceError(
                            Failure.STALLED,
                            f"no frame for {self.stall_timeout_s:g} s",
                            self.target,
                        )
                # demux ended: end of file, or the camera closed the connection
                if self.kind == "file" and self.loop and not self._stop:
                    container.seek(0)
                    clock.next_loop(1.0 / self.fps if self.fps else 0.04)
                    continue
                if self.kind == "file" or self._stop:
                    return
                raise LiveSourceError(Failure.DISCONNECTED, "stream ended", self.target)
        except LiveSourceError:
            raise
        except Exception as exc:  # classified into a one-line state
            failure, detail = classify(exc, connecting=False)
            raise LiveSourceError(failure, detail, self.target) from None


class _Timeline:
    """Turns one connection's pts into offsets from its wall-clock anchor, guarding bad pts.

    For files played at their own rate (``paced``) it also sleeps until each frame is due, and
    ``next_loop`` continues the timeline after a seek back to the start.
    """

    def __init__(
        self,
        wall: Callable[[], float],
        anchor: float,
        max_drift_s: float,
        paced: bool,
        sleep: Callable[[float], Any],
    ) -> None:
        self._wall = wall
        self._sleep = sleep
        self.max_drift_s = max_drift_s
        self.paced = paced
        self.anchor = anchor
        self._base: float | None = None  # raw pts at offset 0
        self._loop_offset = 0.0
        self._last = -math.inf
        self.reanchors = 0

    def offset(self, raw: float | None) -> float:
        elapsed = self._wall() - self.anchor
        if raw is None:
            offset = elapsed
        else:
            if self._base is None:
                self._base = raw - self._loop_offset
            offset = raw - self._base
            unusable = offset <= self._last or (
                not self.paced and abs(offset - elapsed) > self.max_drift_s
            )
            if unusable:  # pts jumped or wrapped: continue from the wall clock
                self.reanchors += 1
                offset = max(elapsed, self._last + 1e-3)
                self._base = raw - offset
        if self.paced and (wait := offset - (self._wall() - self.anchor)) > 0:
            self._sleep(wait)
        self._last = offset
        return offset

    def next_loop(self, frame_interval: float) -> None:
        self._loop_offset = self._last + frame_interval
        self._base = None


def classify(exc: BaseException, connecting: bool) -> tuple[str, str]:
    """Map an FFmpeg/OS exception to ``(failure code, one-line detail)``."""
    detail = _reason(exc)
    err = getattr(exc, "errno", None)
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"HTTPUnauthorizedError", "HTTPForbiddenError"} or err in (errno.EACCES,):
        return Failure.AUTH_FAILED, detail
    if "HTTPNotFoundError" in names or err == errno.ENOENT:
        return Failure.NOT_FOUND, detail
    if names & {"InvalidDataError", "DecoderNotFoundError", "DemuxerNotFoundError"}:
        return Failure.NOT_A_VIDEO, detail
    timed_out = names & {"ExitError", "TimeoutError"} or err in (errno.ETIMEDOUT, errno.EAGAIN)
    if timed_out:
        return (Failure.UNREACHABLE, "timed out") if connecting else (Failure.STALLED, "timed out")
    unreachable = {
        errno.ECONNREFUSED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EHOSTDOWN,
        errno.ENETDOWN,
    }
    if err in unreachable or (connecting and names & {"ConnectionError", "gaierror"}):
        return Failure.UNREACHABLE, detail
    if err in (errno.ECONNRESET, errno.EPIPE, errno.EIO) or "EOFError" in names:
        return Failure.DISCONNECTED, detail
    if err == errno.ENODEV:
        return Failure.NOT_FOUND, detail
    return (Failure.UNREACHABLE if connecting else Failure.ERROR), detail


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return redact_text(text.splitlines()[0] if text else type(exc).__name__)


def open_live_source(
    url_or_path: str | Path,
    camera_id: str = "cam",
    analysis_fps: float | None = None,
    transport: str = "tcp",
    loop: bool = False,
    open_timeout_s: float = 10.0,
    stall_timeout_s: float = 10.0,
) -> LiveSource:
    """A live source for ``rtsp(s)://``, ``http(s)://`` (MJPEG), ``/dev/videoN`` or a file path.

    Nothing is opened here: the ``CameraReader`` connects, so a camera that is down at start-up is
    retried like any other. Unknown URL schemes raise ``SourceError`` at once.

    >>> open_live_source("http://cam.local/video.mjpg").kind
    'http'
    >>> open_live_source("/dev/video0").kind
    'v4l2'
    """
    return LiveSource(
        url_or_path,
        camera_id=camera_id,
        analysis_fps=analysis_fps,
        transport=transport,
        loop=loop,
        open_timeout_s=open_timeout_s,
        stall_timeout_s=stall_timeout_s,
    )
