"""Live capture against a real RTSP server (GStreamer, loopback) serving real footage."""

from __future__ import annotations

import time

import pytest

from storepixel.sources import Backoff, CameraReader, LatestFrameSlot, open_live_source
from storepixel.sources.health import CameraHealth
from tests.fixtures.helpers import wait_for
from tests.fixtures.rtsp_server import RtspCamera, free_port

pytestmark = pytest.mark.slow


def reader_for(url: str, **kwargs: object) -> CameraReader:
    source = open_live_source(
        url, camera_id="door", analysis_fps=5, open_timeout_s=3, stall_timeout_s=3, **kwargs
    )
    return CameraReader(source, LatestFrameSlot(), Backoff(initial_s=0.25, max_s=2.0))


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_frames_arrive_with_increasing_capture_times(
    rtsp_camera: RtspCamera, transport: str
) -> None:
    reader = reader_for(rtsp_camera.url(), transport=transport).start()
    try:
        frames = []
        deadline = time.monotonic() + 10
        while len(frames) < 8 and time.monotonic() < deadline:
            if (frame := reader.slot.get(timeout=1)) is not None:
                frames.append(frame)
                reader.report_analysed()
        assert len(frames) == 8, reader.health()
        stamps = [f.timestamp for f in frames]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)
        assert abs(stamps[-1] - time.time()) < 3  # capture time is now, not 1970 or the clip's
        assert frames[0].image.shape == (576, 768, 3)
        health = reader.health()
        assert health.state == "streaming"
        assert (health.width, health.height) == (768, 576)
        assert health.reconnect_count == 0
        assert health.input_fps > 7  # the camera's 10 fps, not the 5 fps analysed
        assert health.analysed_fps > 0
    finally:
        assert reader.stop(timeout=5)
    assert reader.health().state == "stopped"


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_outage_reconnects_and_records_a_coverage_gap(
    rtsp_camera: RtspCamera, transport: str
) -> None:
    """The issue's fault test, with the default back-off: the server dies for ~6 s and returns."""
    states: list[CameraHealth] = []
    source = open_live_source(
        rtsp_camera.url(), analysis_fps=5, transport=transport, stall_timeout_s=2
    )
    reader = CameraReader(source, on_state=states.append).start()
    try:
        assert wait_for(lambda: reader.health().frames >= 10, 10), reader.health()
        rtsp_camera.kill()
        killed_at = time.time()
        assert wait_for(lambda: reader.health().state == "reconnecting", 5), reader.health()
        time.sleep(max(0.0, 6.0 - (time.time() - killed_at)))  # a ~6 s outage
        frames_before = reader.health().frames
        rtsp_camera.start()
        back_at = time.time()
        assert wait_for(lambda: reader.health().frames > frames_before, 10), reader.health()
        reconnect_s = time.time() - back_at
        assert wait_for(lambda: reader.health().frames > frames_before + 5, 5)
        health = reader.health()
        print(f"{transport}: reconnected {reconnect_s:.2f} s after the server returned")
        assert reconnect_s < 10
        assert health.state == "streaming"
        assert health.reconnect_count >= 1
        assert {s.failure for s in states} & {"disconnected", "stalled"}
        assert reader.stop(timeout=5)
        intervals = reader.coverage.intervals()
        assert len(intervals) == 2, intervals
        (_, end_before), (start_after, _) = intervals
        assert end_before <= killed_at + 0.5
        assert start_after >= back_at
        assert start_after - end_before >= 5.5  # the outage is a gap: "no data", not zero
        stored = reader.coverage.to_store("site", "door")
        assert [(c.start, c.end) for c in stored] == intervals
    finally:
        assert reader.stop(timeout=5)


def test_unreachable_port_reports_state_and_keeps_retrying() -> None:
    reader = reader_for(f"rtsp://admin:hunter2@127.0.0.1:{free_port()}/cam").start()
    try:
        assert wait_for(lambda: reader.health().reconnect_count >= 3, 10), reader.health()
        health = reader.health()
        assert health.state == "reconnecting"
        assert health.failure == "unreachable"
        assert health.message is not None and "hunter2" not in health.message
        assert "admin:***@" in health.message
        assert reader.running
    finally:
        assert reader.stop(timeout=5)


def test_wrong_password_and_wrong_path_are_told_apart(rtsp_camera_with_auth: RtspCamera) -> None:
    cam = rtsp_camera_with_auth
    cases = {
        cam.url(user="viewer", password="wrong"): "auth_failed",
        cam.url("/nope", user="viewer", password="s3cret"): "not_found",
    }
    for url, failure in cases.items():
        reader = reader_for(url).start()
        try:
            assert wait_for(lambda r=reader: r.health().failure is not None, 10)
            assert reader.health().failure == failure
            assert "wrong" not in (reader.health().message or "")
        finally:
            assert reader.stop(timeout=5)
    reader = reader_for(cam.url(user="viewer", password="s3cret")).start()
    try:
        assert reader.slot.get(timeout=10) is not None, reader.health()
    finally:
        assert reader.stop(timeout=5)
