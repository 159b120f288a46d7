"""Detect + track throughput on a video at its full frame rate (default: vtest.avi, 768×576).

    .venv/bin/python bench/track_speed.py [VIDEO] [--analysis-fps F] [--threads N]

Prints decode-only throughput (the floor) and the detect+track pipeline's, in frames per second
and × real time. Numbers go to docs/performance.md with the command and the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from storepixel.config.detector import DetectorConfig
from storepixel.pipeline.camera import CameraPipeline
from storepixel.sources import open_source
from storepixel.tracking.tracker import Tracker
from storepixel.vision.detector import load_detector

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=str(REPO / "data/samples/vtest.avi"))
    parser.add_argument("--analysis-fps", type=float, default=None)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    decoded = sum(1 for _ in open_source(args.video, analysis_fps=args.analysis_fps))
    decode_s = time.perf_counter() - started

    source = open_source(args.video, analysis_fps=args.analysis_fps)
    duration = (source.frame_count or decoded) / (source.fps or 25)
    detector = load_detector(DetectorConfig(threads=args.threads))
    pipeline = CameraPipeline(detector, Tracker())
    frames = 0
    started = time.perf_counter()
    for frame in source:
        pipeline.process(frame)
        frames += 1
    total_s = time.perf_counter() - started

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"video: {args.video} ({duration:.1f} s of footage, {frames} frames analysed)")
    print(f"{'stage':<22}{'fps':>8}{'x real time':>14}")
    print(f"{'decode only':<22}{decoded / decode_s:>8.1f}{duration / decode_s:>14.2f}")
    print(f"{'decode+detect+track':<22}{frames / total_s:>8.1f}{duration / total_s:>14.2f}")


if __name__ == "__main__":
    main()
