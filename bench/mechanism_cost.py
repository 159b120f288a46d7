"""CPU cost per frame of the camera-adaptive mechanisms: far band, size map, static objects, colour.

    STOREPIXEL_EVAL=../shared/eval .venv/bin/python bench/mechanism_cost.py [VIDEO ...] \
        [--frames 200] [--json bench/results/mechanism_cost.json]

For each clip: the bundled detector (onnxruntime float32) with ``far_slices: 0``, with
``far_slices: 3`` under the default ``far_budget`` and with no budget, CPU seconds per frame
(``time.process_time``: what the mechanism costs this process, whatever else loads the
machine), how many frames ran the far band and the share of the base
passes' cost (model-input pixels) the budget let it spend; then
``StaticObjects.apply`` on that detector's boxes, the person-size map's learning and far-band
query (``PersonSizeMap.add_boxes`` + ``far_band``), the colour descriptors
(``tracking.appearance.describe``) and the whole tracker with and without its colour cue.
CPU time counts both onnxruntime threads. One command; the load average is printed at the end
(CPU time is what to compare; wall time on a loaded box is not).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storepixel.evaluation.mot import EVAL_ROOT

DEFAULT = [
    EVAL_ROOT / "caviar" / "EnterExitCrossingPaths1cor.mpg",
    EVAL_ROOT / "caviar" / "EnterExitCrossingPaths1front.mpg",
    EVAL_ROOT / "pets09-s3mf1" / "img",
]


def main() -> None:
    from storepixel.config.detector import DetectorConfig
    from storepixel.pipeline.static import StaticObjects
    from storepixel.sources import open_source
    from storepixel.tracking import Tracker, TrackerConfig
    from storepixel.tracking.appearance import describe
    from storepixel.vision.detector import load_detector
    from storepixel.vision.size_map import PersonSizeMap

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    out = []
    for video in args.videos:
        frames = [f for _, f in zip(range(args.frames), open_source(video, fps=7.0), strict=False)]
        row: dict[str, object] = {"clip": video.stem if video.is_file() else video.parent.name}
        budget = DetectorConfig().far_budget
        runs = (("base", 0, budget), ("far band", 3, budget), ("far band, no budget", 3, None))
        for name, slices, share in runs:
            config = DetectorConfig(runtime="onnxruntime", far_slices=slices, far_budget=share)
            det = load_detector(config)
            found, cpu = [], 0.0
            for f in frames:
                c0 = time.process_time()
                found.append(det.detect(f.image))
                cpu += time.process_time() - c0
            row[f"{name} ms"] = round(1000 * cpu / len(frames), 1)
            row[f"{name} passes"] = det.passes_run
            if slices:
                row[f"{name}: frames it ran"] = det.far_frames
            if slices and share is not None:
                # What the budget counted (model-input pixels): far band / base passes.
                row[f"{name}: share used"] = round(det.budget.spent / max(det.budget.base, 1), 3)
                row[f"{name}: budget"] = share
            if name == "far band":
                kept = found
        found = kept  # what the product runs by default with the far band on
        static = StaticObjects()
        c0 = time.process_time()
        for f, d in zip(frames, found, strict=True):
            static.apply(d, f.image, f.timestamp)
        row["static ms"] = round(1000 * (time.process_time() - c0) / len(frames), 2)
        size_map = PersonSizeMap()
        c0 = time.process_time()
        for f, d in zip(frames, found, strict=True):
            size_map.add_boxes(d.xyxy, (f.width, f.height))
            size_map.far_band(40.0, f.height)
        row["size map ms"] = round(1000 * (time.process_time() - c0) / len(frames), 3)
        c0 = time.process_time()
        for f, d in zip(frames, found, strict=True):
            describe(f.image, d.xyxy)
        row["colour ms"] = round(1000 * (time.process_time() - c0) / len(frames), 2)
        for name, colour in (("tracker ms", True), ("tracker ms, boxes only", False)):
            tracker = Tracker(TrackerConfig(appearance=colour))
            c0 = time.process_time()
            for f, d in zip(frames, found, strict=True):
                tracker.update(d, f.timestamp, f.image, (f.width, f.height))
            row[name] = round(1000 * (time.process_time() - c0) / len(frames), 2)
        row["people per frame"] = round(sum(len(d) for d in found) / len(frames), 1)
        row["frames"] = len(frames)
        out.append(row)
        print(row, flush=True)
    load = round(os.getloadavg()[0], 1)
    print(f"load average {load}")
    if args.json:
        result = {"load_average": load, "clips": out}
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
