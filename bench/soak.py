"""Soak: `storepixel run` on RTSP cameras for a long time; memory must stay flat (within 10 %).

    nice -n 10 .venv/bin/python bench/soak.py [--minutes 30] [--cameras 3] [--json OUT]

Starts ``--cameras`` GStreamer RTSP servers (vtest.avi as 768×576 H.264 at 10 fps, looped to
outlast the run), runs the real daemon as a subprocess on them (5 analysed fps each, SQLite
store), kills camera 0's server for 15 s every ``--outage-every`` minutes (reconnects are part of
a soak), samples the daemon's resident memory every few seconds from /proc, and stops it with
SIGTERM at the end. Memory is *flat* when the median RSS of the last 3 minutes is within 10 % of
the median over minutes 3–6 (after models and buffers have warmed up); a shorter run uses the
same fractions of its length.
Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from live_common import GEOMETRY, clip_576p, rtsp_cameras
from storepixel.store import open_store
from storepixel.store.queries import coverage, event_stats, sessions


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--cameras", type=int, default=3)
    parser.add_argument("--sample-every", type=float, default=5.0)
    parser.add_argument("--outage-every", type=float, default=8.0, help="minutes")
    parser.add_argument("--outage-s", type=float, default=15.0)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    loops = int(args.minutes * 60 / 79) + 3
    clip = clip_576p(loops)
    total_s = args.minutes * 60
    samples: list[tuple[float, float]] = []
    outages = 0
    with rtsp_cameras(clip, args.cameras) as cams, tempfile.TemporaryDirectory() as tmp:
        site = {
            "site": {"id": "soak", "timezone": "UTC"},
            "cameras": [
                {"id": f"cam{i}", "source": c.url(), "analysis_fps": 5, **GEOMETRY}
                for i, c in enumerate(cams)
            ],
        }
        site_path = Path(tmp) / "site.yaml"
        site_path.write_text(yaml.safe_dump(site))
        db = f"sqlite:///{tmp}/soak.db"
        log_path = Path(tmp) / "daemon.log"
        cmd = [sys.executable, "-m", "storepixel.cli", "run", "--site", str(site_path)]
        cmd += ["--db", db, "--log-format", "json", "--health-every", "60"]
        with open(log_path, "w") as log:
            daemon = subprocess.Popen(cmd, stdout=log, stderr=log)
        started = time.monotonic()
        next_outage = args.outage_every * 60
        while (elapsed := time.monotonic() - started) < total_s:
            if daemon.poll() is not None:
                break
            if (mb := rss_mb(daemon.pid)) is not None:
                samples.append((elapsed, mb))
            if elapsed >= next_outage and elapsed + args.outage_s + 60 < total_s:
                cams[0].kill()
                time.sleep(args.outage_s)
                cams[0].start()
                outages += 1
                next_outage += args.outage_every * 60
            time.sleep(args.sample_every)
        crashed = daemon.poll() is not None
        if not crashed:
            daemon.send_signal(signal.SIGTERM)
        try:
            rc = daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            rc = daemon.wait()
        records = []
        for line in log_path.read_text().splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                records.append({"msg": line})
        with open_store(db) as store:
            stats = event_stats(store, site_id="soak")
            n_sessions = len(sessions(store, site_id="soak"))
            n_coverage = len(coverage(store, site_id="soak"))
    final = {r["camera"]: r for r in records if r.get("msg") == "final health"}
    # warmed-up baseline: minutes 3-6 of 30 (the same fractions of a shorter run); tail: last 10 %
    base = [mb for t, mb in samples if 0.1 * total_s <= t < 0.2 * total_s]
    tail = [mb for t, mb in samples if t >= samples[-1][0] - 0.1 * total_s] if samples else []
    growth = (statistics.median(tail) / statistics.median(base) - 1) if base and tail else None
    result = {
        "machine": f"{platform.node()}, {os.cpu_count()} cores",
        "minutes": round((samples[-1][0] if samples else 0) / 60, 1),
        "cameras": args.cameras,
        "exit_code": rc,
        "crashed": crashed,
        "rss_mb_baseline_median": round(statistics.median(base), 1) if base else None,
        "rss_mb_last3min_median": round(statistics.median(tail), 1) if tail else None,
        "rss_mb_max": round(max(mb for _, mb in samples), 1) if samples else None,
        "rss_growth_pct": round(100 * growth, 2) if growth is not None else None,
        "flat_within_10pct": growth is not None and abs(growth) <= 0.10,
        "outages": outages,
        "reconnects": {k: v.get("reconnects") for k, v in final.items()},
        "analysed_fps_final": {k: v.get("analysed_fps") for k, v in final.items()},
        "events": stats.total,
        "coverage_intervals": n_coverage,
        "sessions": n_sessions,
        "errors_logged": sum(r.get("level") == "error" for r in records),
        "rss_samples": [
            (round(t), round(mb, 1)) for t, mb in samples[:: max(1, len(samples) // 60)]
        ],
    }
    print(json.dumps({k: v for k, v in result.items() if k != "rss_samples"}, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
