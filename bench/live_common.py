"""Shared set-up of the live benchmarks: clips made from vtest.avi, RTSP cameras on loopback.

Clips are made with PyAV's libx264 (FFmpeg's libraries; no ffmpeg binary needed) into a work
folder (default ``/tmp/storepixel-bench``), never into the repository. The cameras are GStreamer
RTSP servers (``tests/fixtures/rtsp_server_gst.py``, one process per camera), as in the tests.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fixtures.rtsp_server import RtspCamera  # noqa: E402

VTEST = REPO / "data" / "samples" / "vtest.avi"
WORK = Path("/tmp/storepixel-bench")
GEOMETRY = {
    "lines": [{"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}],
    "zones": [
        {"id": "west", "polygon": [[0.0, 0.26], [0.45, 0.3], [0.45, 0.56], [0.0, 0.46]]},
        {"id": "east", "polygon": [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]},
    ],
}


def make_clip(dest: Path, width: int, height: int, fps: int, source: Path = VTEST) -> Path:
    """``source`` re-encoded as H.264 ``width``×``height`` at ``fps`` (frames repeated to reach
    the rate: the decoder's work is what matters), one GOP per second. Cached by name."""
    if dest.exists():
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part.mp4")
    with av.open(str(source)) as src, av.open(str(tmp), "w") as out:
        in_stream = src.streams.video[0]
        src_fps = float(in_stream.average_rate or 10)
        stream = out.add_stream(
            "libx264", rate=fps, options={"preset": "veryfast", "tune": "zerolatency"}
        )
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = fps
        stream.codec_context.time_base = Fraction(1, fps)
        n = 0
        for i, frame in enumerate(src.decode(in_stream)):
            scaled = frame.reformat(width=width, height=height, format="yuv420p")
            # output frames whose time falls within this source frame's interval
            while n / fps < (i + 1) / src_fps:
                scaled.pts = n
                scaled.time_base = Fraction(1, fps)
                out.mux(stream.encode(scaled))
                n += 1
        out.mux(stream.encode())
    tmp.rename(dest)
    return dest


def loop_clip(clip: Path, dest: Path, times: int) -> Path:
    """``clip`` repeated ``times`` by remuxing (no re-encode): long runs from a short clip."""
    if dest.exists():
        return dest
    tmp = dest.with_suffix(".part.mp4")
    with av.open(str(clip)) as probe:
        stream = probe.streams.video[0]
        duration = float(probe.duration or 0) / av.time_base
        tb = stream.time_base
    assert tb is not None and duration > 0
    step = round(duration / float(tb))  # the duration ends one frame after the last pts
    with av.open(str(tmp), "w") as out:
        out_stream = None
        for k in range(times):
            with av.open(str(clip)) as src:
                in_stream = src.streams.video[0]
                if out_stream is None:
                    out_stream = out.add_stream_from_template(in_stream)
                for packet in src.demux(in_stream):
                    if packet.dts is None:
                        continue
                    packet.pts = (packet.pts or 0) + k * step
                    packet.dts = packet.dts + k * step
                    packet.stream = out_stream
                    out.mux(packet)
    tmp.rename(dest)
    return dest


def clip_720p(seconds_loops: int = 10) -> Path:
    """vtest.avi as 1280×720 H.264 at 15 fps (≈80 s), looped ``seconds_loops`` times."""
    base = make_clip(WORK / "vtest_720p15.mp4", 1280, 720, 15)
    return loop_clip(base, WORK / f"vtest_720p15_x{seconds_loops}.mp4", seconds_loops)


def clip_576p(loops: int = 30) -> Path:
    """vtest.avi as 768×576 H.264 at 10 fps, looped ``loops`` times (≈80 s each)."""
    base = make_clip(WORK / "vtest_576p10.mp4", 768, 576, 10)
    return loop_clip(base, WORK / f"vtest_576p10_x{loops}.mp4", loops)


@contextlib.contextmanager
def rtsp_cameras(clip: Path, count: int) -> Iterator[list[RtspCamera]]:
    """``count`` RTSP servers serving ``clip`` (one process each), killed on exit."""
    cams: list[RtspCamera] = []
    try:
        for _ in range(count):
            cam = RtspCamera(clip)
            cam.start()
            cams.append(cam)
        yield cams
    finally:
        for cam in cams:
            with contextlib.suppress(Exception):
                cam.kill()


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
