"""Capture-to-event latency of the live daemon on RTSP cameras (loopback, real footage).

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/live_latency.py \
        [--cameras 1] [--seconds 120] [--fps 5] [--json OUT]

Each camera serves vtest.avi as 1280×720 H.264 at 15 fps; the supervisor analyses 5 fps. On a
live stream capture time is the wall clock at the frame's arrival (plus the stream's own clock),
so *wall time when an event reaches a consumer of the event bus − the event's capture time* is
the latency. Reported for line crossings (dated at the frame that reveals them; consumers get
them once the store has them, so this includes the writer's flush interval) and, separately, for
each analysed frame (capture → result handed to the bus's frame consumers). Zone and
visit events are dated back on purpose (minimum presence, exit grace) and are not latency.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from live_common import GEOMETRY, clip_720p, percentile, rtsp_cameras
from storepixel.config.site import parse_site
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.supervisor import Supervisor
from storepixel.store import open_store
from storepixel.types import Event


class Latency:
    def __init__(self) -> None:
        self.frames: list[float] = []
        self.crossings: list[float] = []
        self.lock = threading.Lock()

    def write_frame(self, camera_id: str, result: FrameResult, counts: Mapping[str, Any]) -> None:
        lag = time.time() - result.frame.timestamp
        with self.lock:
            self.frames.append(lag)

    def write_events(self, events: Sequence[Event]) -> None:
        now = time.time()
        with self.lock:
            self.crossings += [now - e.time for e in events if e.kind == "line_crossing"]


def stats(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "p50_s": round(percentile(values, 50) or 0, 3),
        "p99_s": round(percentile(values, 99) or 0, 3),
        "max_s": round(max(values), 3) if values else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--fps", type=float, default=5.0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    clip = clip_720p()
    load0 = os.getloadavg()[0]
    with rtsp_cameras(clip, args.cameras) as cams, tempfile.TemporaryDirectory() as tmp:
        cameras = [
            {"id": f"cam{i}", "source": c.url(), "analysis_fps": args.fps, **GEOMETRY}
            for i, c in enumerate(cams)
        ]
        site = parse_site({"site": {"id": "bench"}, "cameras": cameras})
        store = open_store(f"sqlite:///{tmp}/bench.db")
        sup = Supervisor(site, store)
        sup.start()
        time.sleep(args.warmup)
        meter = Latency()
        sup.bus.subscribe(meter, inline=True)  # measured at hand-off, no queue
        time.sleep(args.seconds)
        sup.bus.unsubscribe(meter)
        health = sup.health()
        sup.stop()
        store.close()
    result = {
        "machine": f"{platform.node()}, {os.cpu_count()} cores",
        "load_before": round(load0, 2),
        "cameras": args.cameras,
        "analysis_fps": args.fps,
        "seconds": args.seconds,
        "line_crossing_latency": stats(meter.crossings),
        "frame_latency": stats(meter.frames),
        "analysed_fps": {k: round(h.analysed_fps, 2) for k, h in health.items()},
        "dropped": {k: h.dropped_frames for k, h in health.items()},
    }
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
