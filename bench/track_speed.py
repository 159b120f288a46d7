"""Detect + track throughput on a video at its full frame rate (default: vtest.avi, 768×576).

    .venv/bin/python bench/track_speed.py [VIDEO] [--analysis-fps F] [--threads N]
        [--tracker-only] [--max-frames N] [--runtime auto|onnxruntime|openvino]

Prints decode-only throughput (the floor) and the detect+track pipeline's, in frames per second
and × real time. Numbers go to docs/dev/performance.md with the command and the machine.

``--tracker-only`` times the tracker alone: the detector runs once per frame first, then the
same detections go through ``Tracker.update`` with the frame (colour cue on) and without it
(boxes only), and the cost per frame of each is printed with the people per frame.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np

from storepixel.config.detector import DetectorConfig
from storepixel.pipeline.camera import CameraPipeline
from storepixel.sources import open_source
from storepixel.tracking.tracker import Tracker, TrackerConfig
from storepixel.vision.detector import load_detector

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", nargs="?", default=str(REPO / "data/samples/vtest.avi"))
    parser.add_argument("--analysis-fps", type=float, default=None)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "onnxruntime", "openvino"],
        help="what runs the model (the detector config's runtime)",
    )
    parser.add_argument("--tracker-only", action="store_true", help="time the tracker alone")
    parser.add_argument("--max-frames", type=int, default=0, help="stop after N frames (0: all)")
    args = parser.parse_args()
    if args.tracker_only:
        tracker_only(args)
        return

    started = time.perf_counter()
    decoded = sum(1 for _ in open_source(args.video, analysis_fps=args.analysis_fps))
    decode_s = time.perf_counter() - started

    source = open_source(args.video, analysis_fps=args.analysis_fps)
    duration = (source.frame_count or decoded) / (source.fps or 25)
    detector = load_detector(DetectorConfig(threads=args.threads, runtime=args.runtime))
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


def tracker_only(args: argparse.Namespace) -> None:
    detector = load_detector(DetectorConfig(threads=args.threads, runtime=args.runtime))
    frames = []
    for frame in open_source(args.video, analysis_fps=args.analysis_fps):
        frames.append((frame.timestamp, frame.image, detector.detect(frame.image)))
        if args.max_frames and len(frames) >= args.max_frames:
            break
    people = float(np.mean([len(d) for _, _, d in frames]))
    height, width = frames[0][1].shape[:2]
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"video: {args.video} ({width}×{height}, {len(frames)} frames, {people:.1f} boxes/frame)")
    for label, with_image in (("boxes only", False), ("boxes + colour cue", True)):
        best = float("inf")
        for _ in range(3):  # best of three: the machine is shared
            tracker = Tracker(TrackerConfig())
            started = time.perf_counter()
            for t, image, dets in frames:
                tracker.update(dets, t, image if with_image else None, (width, height))
            best = min(best, time.perf_counter() - started)
        print(f"tracker, {label:<20}{1000 * best / len(frames):>8.2f} ms/frame")


if __name__ == "__main__":
    main()
