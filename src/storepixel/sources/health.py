"""Camera health and coverage bookkeeping, kept by the capture thread and read by anyone.

Coverage is the list of capture-time intervals during which frames flowed. A minute outside every
interval is "no data", which the store keeps apart from a minute whose count was zero.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the store pulls in SQLAlchemy; sources only need its value type
    from storepixel.store import CoverageInterval


class CameraState:
    """The camera states shown to users (plain strings, so they serialise as they are)."""

    CONNECTING = "connecting"
    STREAMING = "streaming"
    RECONNECTING = "reconnecting"
    STOPPED = "stopped"
    ERROR = "error"  # a permanent failure: not retried (e.g. a file that does not exist)


@dataclass(frozen=True, slots=True)
class CameraHealth:
    """A snapshot of one camera's capture health.

    ``message`` is a one-line reason for the last failure (``"unreachable: connection refused"``),
    credentials redacted, and ``failure`` its short code (``unreachable``, ``auth_failed``,
    ``not_found``, ``not_a_video``, ``stalled``, ``disconnected``…). ``analysed_fps`` is set by the
    consumer; the reader only knows what it captured. Times are POSIX seconds; ``uptime_s`` is how
    long the current connection has streamed (0 when down).
    """

    camera_id: str
    source: str  # redacted URL or path
    state: str = CameraState.CONNECTING
    failure: str | None = None
    message: str | None = None
    input_fps: float = 0.0
    analysed_fps: float = 0.0
    frames: int = 0
    dropped_frames: int = 0
    last_frame_time: float | None = None
    reconnect_count: int = 0
    connected_since: float | None = None
    uptime_s: float = 0.0
    width: int | None = None
    height: int | None = None


class RateMeter:
    """Events per second over a sliding window of processing time.

    ``tick(n)`` records ``n`` events at once (frames decoded since the last sampled one).
    """

    def __init__(self, window_s: float = 5.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.window_s = window_s
        self._clock = clock
        self._ticks: deque[tuple[float, int]] = deque()
        self._count = 0  # events in the window, the first tick's excluded

    def tick(self, n: int = 1) -> None:
        now = self._clock()
        if self._ticks:
            self._count += n
        self._ticks.append((now, n))
        self._trim(now)

    def rate(self) -> float:
        now = self._clock()
        self._trim(now)
        if len(self._ticks) < 2:
            return 0.0
        span = now - self._ticks[0][0]
        return self._count / span if span > 0 else 0.0

    def _trim(self, now: float) -> None:
        while self._ticks and now - self._ticks[0][0] > self.window_s:
            self._ticks.popleft()
            if self._ticks:  # the new first tick starts the window: its events no longer count
                self._count -= self._ticks[0][1]


class CoverageRecorder:
    """Collects ``[start, end)`` capture-time intervals during which frames flowed.

    An interval closes on ``gap()`` (the stream dropped) or when consecutive frames are more than
    ``max_gap_s`` apart. ``end`` is the last frame's time plus ``tail_s`` (one frame interval),
    since that frame stands for the time until the next one.

    >>> cov = CoverageRecorder(tail_s=0.5)
    >>> for t in (10.0, 10.5, 11.0):
    ...     cov.frame(t)
    >>> cov.gap(); cov.frame(20.0); cov.intervals()
    [(10.0, 11.5), (20.0, 20.5)]
    """

    def __init__(self, max_gap_s: float = 5.0, tail_s: float = 0.0) -> None:
        self.max_gap_s = max_gap_s
        self.tail_s = tail_s
        self._closed: list[tuple[float, float]] = []
        self._start: float | None = None
        self._last: float | None = None
        self._lock = threading.Lock()

    def frame(self, timestamp: float) -> None:
        with self._lock:
            if self._last is not None and timestamp - self._last > self.max_gap_s:
                self._close()
            if self._start is None:
                self._start = timestamp
            self._last = max(timestamp, self._last or timestamp)

    def gap(self) -> None:
        """The stream stopped: close the open interval, if any."""
        with self._lock:
            self._close()

    def intervals(self) -> list[tuple[float, float]]:
        """Every interval so far, the open one included (ending at its last frame)."""
        with self._lock:
            current = [] if self._start is None else [self._open_interval()]
            return [*self._closed, *current]

    def pop_closed(self) -> list[tuple[float, float]]:
        """Closed intervals not yet popped: for a writer that stores each interval once."""
        with self._lock:
            closed, self._closed = self._closed, []
            return closed

    def to_store(
        self, site_id: str, camera_id: str, run_id: str | None = None
    ) -> list[CoverageInterval]:
        """``intervals()`` as the store's ``CoverageInterval`` values."""
        from storepixel.store.runs import CoverageInterval

        return [
            CoverageInterval(site_id, camera_id, start, end, run_id)
            for start, end in self.intervals()
        ]

    def _open_interval(self) -> tuple[float, float]:
        assert self._start is not None and self._last is not None
        return (self._start, self._last + self.tail_s)

    def _close(self) -> None:
        if self._start is not None:
            self._closed.append(self._open_interval())
        self._start = self._last = None


def updated(health: CameraHealth, **changes: object) -> CameraHealth:
    """A copy of ``health`` with ``changes``: frozen snapshots are safe to share across threads."""
    return replace(health, **changes)  # type: ignore[arg-type]
