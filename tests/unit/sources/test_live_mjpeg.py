"""HTTP MJPEG against a real (in-process, loopback) multipart server: decode, resize, faults."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cv2
import numpy as np
import pytest

from storepixel.sources import LiveSourceError, open_live_source
from storepixel.sources.live import Failure


class Camera(BaseHTTPRequestHandler):
    """``/mjpeg``: 40 frames at 10 fps, 320 wide then 160 wide; ``/hang``: 2 frames then
    silence; ``/page``: HTML; ``/locked``: 401."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/page":
            self._reply(200, "text/html", b"<html><body>router login</body></html>" * 50)
        elif self.path == "/locked":
            self._reply(401, "text/plain", b"", {"WWW-Authenticate": 'Basic realm="cam"'})
        elif self.path in ("/mjpeg", "/hang"):
            self._stream(hang=self.path == "/hang")
        else:
            self._reply(404, "text/plain", b"no such stream")

    def _reply(
        self, code: int, kind: str, body: bytes, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _stream(self, hang: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
        self.end_headers()
        for i in range(2 if hang else 40):
            width = 320 if i < 15 else 160  # the camera switches to its substream
            image = np.full((width * 3 // 4, width, 3), (i * 5) % 255, np.uint8)
            jpg = cv2.imencode(".jpg", image)[1].tobytes()
            head = b"--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n" % len(jpg)
            try:
                self.wfile.write(head + jpg + b"\r\n")
                self.wfile.flush()
            except OSError:
                return
            time.sleep(0.1)
        if hang:
            time.sleep(10)  # connected, sending nothing


@pytest.fixture(scope="module")
def http_camera() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Camera)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://viewer:hunter2@127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.slow
def test_mjpeg_frames_follow_arrival_time_and_survive_a_resolution_change(
    http_camera: str,
) -> None:
    source = open_live_source(f"{http_camera}/mjpeg", analysis_fps=5, stall_timeout_s=3)
    frames = []
    for frame in source:
        frames.append(frame)
        if len(frames) == 10:
            source.stop()
    stamps = np.array([f.timestamp for f in frames])
    assert np.all(np.diff(stamps) > 0)
    # the camera sends 10 fps; sampling at 5 fps by arrival time keeps every other frame
    assert float(np.median(np.diff(stamps))) == pytest.approx(0.2, abs=0.05)
    assert abs(stamps[-1] - time.time()) < 2
    widths = [f.width for f in frames]
    assert widths[0] == 320 and widths[-1] == 160


@pytest.mark.slow
def test_connected_but_silent_stream_is_stalled(http_camera: str) -> None:
    source = open_live_source(f"{http_camera}/hang", stall_timeout_s=1)
    frames = 0
    with pytest.raises(LiveSourceError) as info:
        for _ in source:
            frames += 1
    assert info.value.failure == Failure.STALLED
    assert frames >= 1
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("path", "failure"),
    [
        ("/page", Failure.NOT_A_VIDEO),
        ("/locked", Failure.AUTH_FAILED),
        ("/nope", Failure.NOT_FOUND),
    ],
)
def test_http_failures_are_told_apart(http_camera: str, path: str, failure: str) -> None:
    source = open_live_source(http_camera + path, open_timeout_s=3, stall_timeout_s=3)
    with pytest.raises(LiveSourceError) as info:
        next(iter(source))
    assert info.value.failure == failure
    assert "hunter2" not in str(info.value) and "viewer:***@" in str(info.value)
