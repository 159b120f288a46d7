"""Shared set-up of the live benchmarks: clips made from real footage, RTSP cameras on loopback.

Clips are made with PyAV's libx264 (FFmpeg's libraries; no ffmpeg binary needed) into a work
folder (default ``/tmp/storepixel-bench``), never into the repository. The cameras are GStreamer
RTSP servers (``tests/fixtures/rtsp_server_gst.py``, one process per camera), as in the tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.fixtures.rtsp_server import RtspCamera  # noqa: E402

VTEST = REPO / "data" / "samples" / "vtest.avi"
STORE_DAY = REPO / "out" / "store_day.mp4"  # built by bench/store_day.py
STORE_DAY_SITE = REPO / "bench" / "sites" / "store-day.yaml"
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


def rotate_clip(clip: Path, dest: Path, offset_s: int) -> Path:
    """``clip`` starting at its first key frame from ``offset_s`` seconds on (key frames come at
    least once a second) and wrapping round to its start, by remuxing: no re-encode."""
    if dest.exists():
        return dest
    tmp = dest.with_suffix(".part.mp4")
    with av.open(str(clip)) as probe:
        stream = probe.streams.video[0]
        tb = stream.time_base
        duration = float(probe.duration or 0) / av.time_base
    assert tb is not None and 0 <= offset_s < duration
    cut, length = round(offset_s / float(tb)), round(duration / float(tb))
    with av.open(str(clip)) as src, av.open(str(tmp), "w") as out:
        in_stream = src.streams.video[0]
        out_stream = out.add_stream_from_template(in_stream)
        head: list[av.Packet] = []  # the part before the cut goes after the end
        started = False
        for packet in src.demux(in_stream):
            if packet.dts is None:
                continue
            if not started:
                if (packet.pts or 0) < cut or not packet.is_keyframe:
                    head.append(packet)
                    continue
                started, cut = True, packet.pts or 0
            packet.pts, packet.dts = (packet.pts or 0) - cut, packet.dts - cut
            packet.stream = out_stream
            out.mux(packet)
        for packet in head:
            packet.pts, packet.dts = (packet.pts or 0) + length - cut, packet.dts + length - cut
            packet.stream = out_stream
            out.mux(packet)
    tmp.rename(dest)
    return dest


def store_day_720p() -> Path:
    """The store-day clip (``bench/store_day.py``, 768×432 10 fps) as 1280×720 H.264 at 15 fps."""
    if not STORE_DAY.exists():
        raise SystemExit(f"{STORE_DAY} is missing: run .venv/bin/python bench/store_day.py")
    return make_clip(WORK / "store_day_720p15.mp4", 1280, 720, 15, source=STORE_DAY)


def store_day_offsets(count: int, length_s: float = 600.0) -> list[int]:
    """Where in the store day each of ``count`` cameras starts: evenly spread over the clip, so
    that about a fifth of the cameras are busy at any moment instead of all at once."""
    return [round(i * length_s / count) % round(length_s) for i in range(count)]


def store_day_clips(count: int) -> list[tuple[Path, int]]:
    """Per camera, the 720p store day rotated to start at its offset (seconds), cached."""
    base = store_day_720p()
    return [
        (rotate_clip(base, WORK / f"store_day_720p15_from{s:03d}s.mp4", s), s)
        for s in store_day_offsets(count)
    ]


def busy_seconds(start_s: float, seconds: float) -> float:
    """Seconds with people in view in ``[start_s, start_s + seconds)`` of the (looping) store day,
    from the stretches that ``bench/store_day.py`` records next to the clip."""
    recipe = json.loads(STORE_DAY.with_suffix(".json").read_text())
    fps, t, spans = recipe["fps"], 0.0, []
    for stretch in recipe["stretches"]:
        if stretch["kind"] == "busy":
            spans.append((t, t + stretch["frames"] / fps))
        t += stretch["frames"] / fps
    busy, end = 0.0, start_s + seconds
    for lap in range(int(start_s // t), int(end // t) + 1):
        for a, b in spans:
            busy += max(0.0, min(b + lap * t, end) - max(a + lap * t, start_s))
    return busy


def store_day_geometry() -> dict[str, list[dict[str, object]]]:
    """The lines and zones that ``bench/sites/store-day.yaml`` draws on the store day."""
    camera = yaml.safe_load(STORE_DAY_SITE.read_text())["cameras"][0]
    return {"lines": camera["lines"], "zones": camera["zones"]}


@contextlib.contextmanager
def rtsp_cameras(clip: Path | list[Path], count: int) -> Iterator[list[RtspCamera]]:
    """``count`` RTSP servers serving ``clip`` (one process each; or ``clip[i]`` for camera i),
    killed on exit."""
    clips = clip if isinstance(clip, list) else [clip] * count
    cams: list[RtspCamera] = []
    try:
        for i in range(count):
            cam = RtspCamera(clips[i])
            cam.start()
            cams.append(cam)
        yield cams
    finally:
        for cam in cams:
            with contextlib.suppress(Exception):
                cam.kill()


def process_cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) so far of the processes ``pids`` (those still running)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
