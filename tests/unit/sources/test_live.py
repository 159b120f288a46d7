from pathlib import Path

import av.error
import numpy as np
import pytest

from storepixel.errors import SourceError
from storepixel.sources import LiveSourceError, open_live_source
from storepixel.sources.live import Failure, LiveSource, _Timeline, classify


@pytest.mark.parametrize(
    ("target", "kind"),
    [
        ("rtsp://10.0.0.5:554/Streaming/Channels/102", "rtsp"),
        ("RTSPS://cam.local/live", "rtsp"),
        ("http://cam.local/video.mjpg", "http"),
        ("https://cam.local/mjpeg?user=a&password=b", "http"),
        ("/dev/video0", "v4l2"),
        ("footage/front.mp4", "file"),
        (Path("footage/front.mp4"), "file"),
    ],
)
def test_dispatch_by_scheme(target: str | Path, kind: str) -> None:
    assert open_live_source(target).kind == kind


@pytest.mark.parametrize(
    ("target", "kwargs", "message"),
    [
        ("ftp://u:hunter2@cam/x", {}, "unsupported camera URL scheme 'ftp'"),
        ("rtsp://cam/x", {"transport": "quic"}, "transport must be one of"),
        ("rtsp://u:hunter2@cam/x", {"loop": True}, "loop only applies to files"),
    ],
)
def test_bad_targets_fail_at_once_without_secrets(
    target: str, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(SourceError, match=message) as info:
        open_live_source(target, **kwargs)  # type: ignore[arg-type]
    assert "hunter2" not in str(info.value)


def test_ffmpeg_options_per_kind() -> None:
    rtsp = open_live_source("rtsp://cam/x", transport="udp", stall_timeout_s=2.5).av_options()
    assert rtsp["rtsp_transport"] == "udp" and rtsp["timeout"] == "2500000"
    assert open_live_source("http://cam/x.mjpg").av_options()["reconnect"] == "0"
    assert open_live_source("clip.mp4").av_options() == {}


def test_errors_are_one_redacted_line() -> None:
    err = LiveSourceError(
        Failure.AUTH_FAILED,
        "401 Unauthorized for rtsp://admin:hunter2@cam/1\nmore",
        "rtsp://admin:hunter2@cam/1?token=abc",
    )
    text = str(err)
    assert "hunter2" not in text and "abc" not in text and "\n" not in text
    assert text.startswith("auth_failed: ")
    assert err.failure == "auth_failed"


@pytest.mark.parametrize(
    ("exc", "connecting", "failure"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True, Failure.UNREACHABLE),
        (av.error.HTTPUnauthorizedError(-825242872, "401"), True, Failure.AUTH_FAILED),
        (av.error.HTTPForbiddenError(-858797304, "403"), True, Failure.AUTH_FAILED),
        (av.error.HTTPNotFoundError(-875574520, "404"), True, Failure.NOT_FOUND),
        (av.error.InvalidDataError(-1094995529, "Invalid data"), True, Failure.NOT_A_VIDEO),
        (av.error.ExitError(-1414092869, "Immediate exit"), True, Failure.UNREACHABLE),
        (av.error.ExitError(-1414092869, "Immediate exit"), False, Failure.STALLED),
        (ConnectionResetError(104, "reset"), False, Failure.DISCONNECTED),
        (FileNotFoundError(2, "No such file"), True, Failure.NOT_FOUND),
    ],
)
def test_classify(exc: BaseException, connecting: bool, failure: str) -> None:
    assert classify(exc, connecting)[0] == failure


def test_missing_file_is_not_found(tmp_path: Path) -> None:
    source = open_live_source(tmp_path / "gone.mp4")
    with pytest.raises(LiveSourceError) as info:
        next(iter(source))
    assert info.value.failure == Failure.NOT_FOUND
    assert not source.retryable


def test_missing_usb_camera_is_not_found() -> None:
    source = open_live_source("/dev/video99")
    with pytest.raises(LiveSourceError) as info:
        next(iter(source))
    assert info.value.failure == Failure.NOT_FOUND
    assert source.retryable  # a USB camera may be plugged in later


def test_stopped_source_does_not_connect_again(vtest_path: Path) -> None:
    source = open_live_source(vtest_path)
    source.stop()
    assert list(source) == []


def test_unreachable_camera_is_a_clear_state_with_the_password_hidden() -> None:
    source = open_live_source("rtsp://admin:hunter2@127.0.0.1:1/cam", open_timeout_s=2)
    with pytest.raises(LiveSourceError) as info:
        next(iter(source))
    assert info.value.failure == Failure.UNREACHABLE
    assert "hunter2" not in str(info.value) and "admin:***@" in str(info.value)


class FakeWall:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_timeline_follows_pts_from_the_connect_anchor() -> None:
    wall = FakeWall()
    line = _Timeline(wall, wall.now, max_drift_s=5.0, paced=False, sleep=wall.sleep)
    offsets = []
    for pts in (50.0, 50.1, 50.2):
        wall.now += 0.1
        offsets.append(line.offset(pts))
    assert offsets == pytest.approx([0.0, 0.1, 0.2])


@pytest.mark.parametrize(
    "bad_pts",
    [10.0, 500.0, None],  # backwards (a wrap or camera reboot), a far jump, no pts at all
)
def test_timeline_falls_back_to_the_wall_clock_on_bad_pts(bad_pts: float | None) -> None:
    wall = FakeWall()
    line = _Timeline(wall, wall.now, max_drift_s=5.0, paced=False, sleep=wall.sleep)
    line.offset(50.0)
    wall.now += 1.0
    line.offset(51.0)
    wall.now += 1.0
    assert line.offset(bad_pts) == pytest.approx(2.0)
    if bad_pts is not None:
        wall.now += 0.5
        assert line.offset(bad_pts + 0.5) == pytest.approx(2.5)  # pts usable again from there


def test_file_plays_at_its_own_rate_and_loops_with_increasing_time(vtest_path: Path) -> None:
    wall = FakeWall()
    source = LiveSource(vtest_path, analysis_fps=5, loop=True, wall=wall, sleep=wall.sleep)
    frames = []
    for frame in source:
        frames.append(frame)
        if len(frames) == 170:  # vtest is 79.5 s: 160 frames at 5 fps, so this crosses a loop
            source.stop()
    stamps = np.array([f.timestamp for f in frames])
    assert np.all(np.diff(stamps) > 0)
    assert np.diff(stamps) == pytest.approx(0.2, abs=0.06)
    assert stamps[0] == pytest.approx(1_000.0)
    assert wall.now == pytest.approx(stamps[-1], abs=0.2)  # paced: the clock moved with the video
    assert frames[-1].offset_s == pytest.approx(stamps[-1] - 1_000.0)


def test_file_without_loop_ends(vtest_path: Path) -> None:
    wall = FakeWall()
    source = LiveSource(vtest_path, analysis_fps=1, wall=wall, sleep=wall.sleep)
    frames = list(source)
    assert len(frames) == 80
    assert frames[-1].timestamp - frames[0].timestamp == pytest.approx(79.0, abs=0.15)
