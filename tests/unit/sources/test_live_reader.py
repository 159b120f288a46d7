"""The capture thread with a scripted fake camera: states, reconnects, coverage, stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import numpy as np
import pytest

from storepixel.sources import Backoff, CameraHealth, CameraReader, LatestFrameSlot
from storepixel.sources.live import Failure, LiveSourceError
from storepixel.types import Frame

# One connection each: frames (capture times and sizes), then how it ends (None: the file ended).
Connection = tuple[list[tuple[float, int]], str | None]


class ScriptedCamera:
    """Plays one scripted connection per iteration; once the script is done, idles until stopped."""

    camera_id = "door"
    analysis_fps = 5.0
    stall_timeout_s = 5.0
    name = "rtsp://admin:***@cam/1"

    def __init__(self, script: list[Connection], retryable: bool = True) -> None:
        self.script = list(script)
        self.retryable = retryable
        self.finished = threading.Event()
        self._stopped = threading.Event()
        self._index = 0

    def __iter__(self) -> Iterator[Frame]:
        if not self.script:
            self.finished.set()
            self._stopped.wait()
            return
        frames, end = self.script.pop(0)
        for ts, width in frames:
            self._index += 1
            yield Frame("door", self._index, ts, ts, np.zeros((width // 2, width, 3), np.uint8))
        if end == "bug":
            raise RuntimeError("decoder exploded")
        if end is not None:
            raise LiveSourceError(end, "it broke", "rtsp://admin:hunter2@cam/1")

    def stop(self) -> None:
        self._stopped.set()


def run(camera: ScriptedCamera) -> tuple[CameraReader, list[CameraHealth]]:
    states: list[CameraHealth] = []
    backoff = Backoff(initial_s=0.001, max_s=0.001, jitter=0.0)
    reader = CameraReader(camera, LatestFrameSlot(), backoff, on_state=states.append).start()
    deadline = time.monotonic() + 10
    while reader.running and not camera.finished.wait(0.01):  # the script is played out
        assert time.monotonic() < deadline, reader.health()
    return reader, states


def test_drops_reconnects_and_coverage_gaps() -> None:
    camera = ScriptedCamera(
        [
            ([(100.0, 64), (100.2, 64), (100.4, 64)], Failure.DISCONNECTED),
            ([], Failure.UNREACHABLE),
            ([], Failure.UNREACHABLE),
            ([(110.0, 32), (110.2, 32)], Failure.STALLED),  # came back at a new resolution
        ]
    )
    reader, states = run(camera)
    health = reader.health()
    assert health.reconnect_count == 4
    assert health.frames == 5
    assert (health.width, health.height) == (32, 16)
    assert health.last_frame_time == 110.2
    assert health.failure == Failure.STALLED
    assert health.message is not None and "hunter2" not in health.message
    assert health.state == "reconnecting"
    got = [t for interval in reader.coverage.intervals() for t in interval]
    assert np.allclose(got, [100.0, 100.6, 110.0, 110.4])  # tail: one analysis interval
    assert [s.state for s in states][:2] == ["streaming", "reconnecting"]
    assert "unreachable" in [s.failure for s in states]
    assert reader.stop(timeout=10)
    assert reader.health().state == "stopped"


def test_recovery_clears_the_failure() -> None:
    camera = ScriptedCamera([([], Failure.UNREACHABLE), ([(5.0, 8)], Failure.DISCONNECTED)])
    reader, states = run(camera)
    streaming = [s for s in states if s.state == "streaming"]
    assert len(streaming) == 1 and streaming[0].failure is None and streaming[0].message is None
    assert streaming[0].connected_since == 5.0
    reader.stop(timeout=10)


def test_slow_consumer_sees_dropped_frames_in_health() -> None:
    camera = ScriptedCamera([([(float(i), 8) for i in range(10)], Failure.DISCONNECTED)])
    reader, _ = run(camera)
    frame = reader.slot.get(timeout=0)
    assert frame is not None and frame.timestamp == 9.0
    assert reader.health().dropped_frames == 9
    reader.stop(timeout=10)


def test_a_bug_in_decoding_does_not_kill_the_reader() -> None:
    camera = ScriptedCamera([([(1.0, 8)], "bug"), ([(2.0, 8)], Failure.DISCONNECTED)])
    reader, states = run(camera)
    assert "error" in [s.failure for s in states]
    assert reader.health().frames == 2 and reader.running
    reader.stop(timeout=10)


@pytest.mark.parametrize("failure", [Failure.NOT_FOUND, Failure.NOT_A_VIDEO])
def test_bad_file_is_an_error_and_not_retried(failure: str) -> None:
    camera = ScriptedCamera([([], failure)], retryable=False)
    reader, _ = run(camera)
    assert reader.stop(timeout=10)
    health = reader.health()
    assert health.state == "error" and health.failure == failure
    assert health.reconnect_count == 0
    assert reader.slot.closed


def test_file_that_ends_stops_the_reader() -> None:
    camera = ScriptedCamera([([(1.0, 8), (1.2, 8)], None)])
    reader, _ = run(camera)
    assert reader.stop(timeout=10)
    health = reader.health()
    assert health.state == "stopped" and health.frames == 2
    assert len(reader.coverage.intervals()) == 1


def test_stop_while_connected_ends_cleanly() -> None:
    camera = ScriptedCamera([])
    reader, _ = run(camera)
    assert reader.running
    assert reader.stop(timeout=10)
    assert not reader.running and reader.slot.closed
    assert reader.slot.get(timeout=0) is None
