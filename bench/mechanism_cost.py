"""CPU cost per frame of the camera-adaptive mechanisms: the far-band pass and static objects.

    STOREPIXEL_EVAL=../shared/eval .venv/bin/python bench/mechanism_cost.py [VIDEO ...] \
        [--frames 200] [--json bench/results/mechanism_cost.json]

For each clip: the bundled detector (onnxruntime float32) with ``far_slices: 0`` and with the
default, CPU seconds per frame (``time.process_time``: what the mechanism costs this process,
whatever else loads the machine) and how many frames ran the far band; then
``StaticObjects.apply`` on that detector's boxes. CPU time counts both onnxruntime threads.
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
    from storepixel.vision.detector import load_detector

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("videos", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--frames", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    out = []
    for video in args.videos:
        frames = [f for _, f in zip(range(args.frames), open_source(video, fps=7.0), strict=False)]
        row: dict[str, object] = {"clip": video.stem if video.is_file() else video.parent.name}
        for name, slices in (("base", 0), ("far band", 3)):
            det = load_detector(DetectorConfig(runtime="onnxruntime", far_slices=slices))
            found, cpu, banded = [], 0.0, 0
            for f in frames:
                c0 = time.process_time()
                found.append(det.detect(f.image))
                cpu += time.process_time() - c0
                banded += bool(det.far_windows(f.width, f.height)) and not det.skipping_extra_passes
            row[f"{name} ms"] = round(1000 * cpu / len(frames), 1)
            row[f"{name} passes"] = det.passes_run
            if slices:
                row["frames with far band"] = banded
        static = StaticObjects()
        c0 = time.process_time()
        for f, d in zip(frames, found, strict=True):
            static.apply(d, f.image, f.timestamp)
        row["static ms"] = round(1000 * (time.process_time() - c0) / len(frames), 2)
        row["frames"] = len(frames)
        out.append(row)
        print(row, flush=True)
    print(f"load average {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
