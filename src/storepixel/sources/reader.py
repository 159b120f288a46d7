"""The capture thread: runs one live source with reconnects and hands frames to a slot.

It never raises: every failure becomes a health state and a retry after a back-off delay, so one
bad camera cannot take the others down. Only a missing file (a config mistake) stops it for good.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from storepixel.sources.backoff import Backoff
from storepixel.sources.health import (
    CameraHealth,
    CameraState,
    CoverageRecorder,
    RateMeter,
    updated,
)
from storepixel.sources.live import Failure, LiveSourceError
from storepixel.sources.slot import LatestFrameSlot
from storepixel.types import Frame

log = logging.getLogger(__name__)


class Reconnectable(Protocol):
    """What the reader needs of a source (``LiveSource``, or a fake in tests).

    Each iteration is one connection; it raises ``LiveSourceError`` when the stream drops.
    """

    camera_id: str
    analysis_fps: float | None
    stall_timeout_s: float

    @property
    def name(self) -> str: ...

    @property
    def retryable(self) -> bool: ...

    def __iter__(self) -> Iterator[Frame]: ...

    def stop(self) -> None: ...


class CameraReader:
    """Runs ``source`` on a daemon thread, putting the newest frames into ``slot``.

    >>> from storepixel.sources.live import LiveSource
    >>> reader = CameraReader(LiveSource("rtsp://cam.invalid/1", camera_id="door"))
    >>> reader.health().state
    'connecting'

    ``on_state`` (optional) is called from the capture thread with each new health snapshot whose
    state or failure changed: hook structured logs or the live API there. The consumer sets
    ``analysed_fps`` with ``report_analysed()``.
    """

    def __init__(
        self,
        source: Reconnectable,
        slot: LatestFrameSlot | None = None,
        backoff: Backoff | None = None,
        coverage: CoverageRecorder | None = None,
        on_state: Callable[[CameraHealth], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.source = source
        self.slot = slot or LatestFrameSlot()
        self.backoff = backoff or Backoff()
        self.coverage = coverage or CoverageRecorder(
            max_gap_s=max(5.0, source.stall_timeout_s),
            tail_s=1.0 / source.analysis_fps if source.analysis_fps else 0.0,
        )
        self._on_state = on_state
        self._clock = clock
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._health = CameraHealth(camera_id=source.camera_id, source=source.name)
        self._input = RateMeter(clock=clock)
        self._analysed = RateMeter(clock=clock)
        self._connected_mono: float | None = None
        self._thread = threading.Thread(
            target=self._run, name=f"camera-{source.camera_id}", daemon=True
        )

    # -- control ------------------------------------------------------------------------------

    def start(self) -> CameraReader:
        self._thread.start()
        return self

    def stop(self, timeout: float | None = None) -> bool:
        """Stop capturing and wait (up to ``timeout``) for the thread; True once it has ended.

        A blocked network read ends within the source's ``stall_timeout_s`` at worst.
        """
        self._stop.set()
        self.source.stop()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    # -- health -------------------------------------------------------------------------------

    def health(self) -> CameraHealth:
        """A consistent snapshot (safe to read from any thread)."""
        with self._lock:
            h = self._health
            uptime = 0.0
            if self._connected_mono is not None and h.state == CameraState.STREAMING:
                uptime = self._clock() - self._connected_mono
            return updated(
                h,
                input_fps=self._input.rate(),
                analysed_fps=self._analysed.rate(),
                dropped_frames=self.slot.dropped,
                uptime_s=uptime,
            )

    def report_analysed(self) -> None:
        """Called by the consumer after analysing a frame (feeds ``analysed_fps``)."""
        with self._lock:
            self._analysed.tick()

    def _set(self, **changes: object) -> None:
        with self._lock:
            before = self._health
            self._health = updated(before, **changes)
            after = self._health
        if self._on_state and (before.state, before.failure) != (after.state, after.failure):
            self._on_state(after)

    # -- the capture loop ---------------------------------------------------------------------

    def _run(self) -> None:
        attempts = 0
        while not self._stop.is_set():
            if attempts:
                self._set(reconnect_count=self._health.reconnect_count + 1)
            attempts += 1
            try:
                self._stream_once()
            except LiveSourceError as exc:
                self._dropped(exc.failure, str(exc))
                if exc.failure in Failure.PERMANENT and not self.source.retryable:
                    self._set(state=CameraState.ERROR)
                    break
            except Exception as exc:  # a bug must not kill the box's other cameras
                log.exception("%s: capture failed", self.source.camera_id)
                self._dropped(Failure.ERROR, f"{type(exc).__name__}: {exc}")
            else:
                if not self._stop.is_set():  # a file that played to its end
                    self.coverage.gap()
                    self._set(state=CameraState.STOPPED, message="end of file")
                break
            if self._stop.wait(self.backoff.next_delay()):
                break
        self.coverage.gap()
        self._set(state=CameraState.STOPPED if self._health.state != CameraState.ERROR else "error")
        self.slot.close()

    def _stream_once(self) -> None:
        self._set(state=CameraState.CONNECTING if not self._health.frames else "reconnecting")
        streaming = False
        last_index: int | None = None
        for frame in self.source:
            if self._stop.is_set():
                return
            if not streaming:
                streaming = True
                self.backoff.connected()
                with self._lock:
                    self._connected_mono = self._clock()
                self._set(
                    state=CameraState.STREAMING,
                    failure=None,
                    message=None,
                    connected_since=frame.timestamp,
                )
            with self._lock:  # input rate counts every decoded frame, sampled or not
                self._input.tick(frame.index - last_index if last_index is not None else 1)
            last_index = frame.index
            self.coverage.frame(frame.timestamp)
            self._set(
                frames=self._health.frames + 1,
                last_frame_time=frame.timestamp,
                width=frame.width,
                height=frame.height,
            )
            self.slot.put(frame)

    def _dropped(self, failure: str, message: str) -> None:
        self.coverage.gap()
        with self._lock:
            self._connected_mono = None
        log.warning("%s: %s", self.source.camera_id, message)
        self._set(
            state=CameraState.RECONNECTING,
            failure=failure,
            message=message,
            connected_since=None,
        )
