"""Fleet throughput: windows per minute and cameras per node on Ray with 1, 2 and 4 workers.

Cuts vtest.avi (real footage) into ``--windows`` clips of ``--window-s`` seconds, the shape of a
DVR backlog's windows, and analyses them as engine units (``storepixel analyze``'s file units:
detection, tracking, analytics, store writes) on a Ray cluster on this machine with each worker
count in turn. Per run it records the wall time from the first task submitted to the last
outcome, the CPU seconds each window's worker process spent (``time.process_time``, all its
threads), the machine's load average before and after, and the cores Ray was given.

- windows/min = windows / wall minutes;
- footage s per CPU s = how many cameras at this analysis rate one fully used core keeps up with;
- cameras per node = footage seconds analysed per wall second, i.e. how many cameras' footage
  this machine (a "node") gets through in real time with that many workers.

The machine may be shared: the CPU-time numbers hold regardless, the wall-clock ones do not (the
load average says by how much). Writes bench/results/fleet_throughput.json.

    PYTHONPATH=src nice -n 10 python bench/fleet_throughput.py [--workers 1 2 4] [--windows 8]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from storepixel.config.site import parse_site
from storepixel.engine import Unit, UnitOutcome, run_units
from storepixel.pipeline.file_units import file_units
from storepixel.store import open_store

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SITE = parse_site(
    {
        "site": {"id": "bench", "timezone": "UTC"},
        "cameras": [
            {
                "id": "walkway",
                "analysis_fps": 5,
                "lines": [{"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}],
                "zones": [
                    {"id": "east", "polygon": [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]}
                ],
            }
        ],
    }
)


def cut_windows(video: Path, folder: Path, count: int, seconds: float) -> list[Path]:
    """``count`` consecutive ``seconds``-long H.264 clips of ``video`` (wrapping around)."""
    import av

    with av.open(str(video)) as src:
        stream_in = src.streams.video[0]
        rate = float(stream_in.average_rate or 10)
        frames = [f.to_ndarray(format="rgb24") for f in src.decode(stream_in)]
    per = int(seconds * rate)
    clips = []
    for k in range(count):
        dest = folder / f"window{k:02d}.mp4"
        with av.open(str(dest), "w") as sink:
            stream = sink.add_stream("libx264", rate=int(rate), options={"preset": "ultrafast"})
            stream.height, stream.width = frames[0].shape[:2]
            stream.pix_fmt = "yuv420p"
            for i in range(per):
                image = frames[(k * per + i) % len(frames)]
                sink.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
            sink.mux(stream.encode())
        clips.append(dest)
    return clips


def timed(run: Any) -> UnitOutcome:
    """A unit's body that also reports the CPU seconds its process spent on it."""
    cpu = time.process_time()
    outcome: UnitOutcome = run()
    spent_ms = int((time.process_time() - cpu) * 1000)
    return UnitOutcome(
        outcome.key, outcome.ok, outcome.detail, {**outcome.counts, "cpu_ms": spent_ms}
    )


def one_run(workers: int, clips: list[Path], store_url: str, window_s: float) -> dict[str, Any]:
    import ray

    load_before = os.getloadavg()
    started = time.perf_counter()
    ray.init(
        address="local",  # a new cluster of exactly this size, never one already running here
        num_cpus=workers,
        include_dashboard=False,
        logging_level="WARNING",
        log_to_driver=False,
    )
    up_s = time.perf_counter() - started
    try:
        units = [
            Unit(u.key, functools.partial(timed, u.run))
            for u in file_units(SITE, "walkway", clips, store_url)
        ]
        clock = time.perf_counter()
        outcomes = list(run_units(units, engine="ray", retries=0))
        wall = time.perf_counter() - clock
    finally:
        ray.shutdown()
    failed = [o.detail for o in outcomes if not o.ok]
    if failed:
        raise SystemExit(f"{len(failed)} window(s) failed: {failed[0]}")
    cpu_s = [o.counts["cpu_ms"] / 1000 for o in outcomes]
    footage_s = window_s * len(clips)
    return {
        "workers": workers,
        "windows": len(clips),
        "window_s": window_s,
        "ray_start_s": round(up_s, 2),
        "wall_s": round(wall, 2),
        "windows_per_min": round(len(clips) / wall * 60, 2),
        "cpu_s_per_window": round(sum(cpu_s) / len(cpu_s), 2),
        "footage_s_per_cpu_s": round(footage_s / sum(cpu_s), 2),
        "cameras_per_node": round(footage_s / wall, 2),
        "load_avg_before": [round(x, 2) for x in load_before],
        "load_avg_after": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=REPO / "data" / "samples" / "vtest.avi")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--window-s", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "fleet_throughput.json")
    args = parser.parse_args()
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        clips = cut_windows(args.video, Path(tmp), args.windows, args.window_s)
        for workers in args.workers:
            store = f"sqlite:///{tmp}/store-{workers}.db"
            open_store(store).close()  # created once, as `analyze` does, before workers open it
            runs.append(one_run(workers, clips, store, args.window_s))
            print(json.dumps(runs[-1]), flush=True)
    result = {
        "command": "PYTHONPATH=src nice -n 10 python bench/fleet_throughput.py "
        + " ".join(["--workers", *map(str, args.workers), "--windows", str(args.windows)]),
        "machine": {"cores": os.cpu_count(), "cpu": platform.processor() or platform.machine()},
        "analysis_fps": SITE.cameras[0].analysis_fps,
        "video": args.video.name,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"→ {args.out}")


if __name__ == "__main__":
    main()
