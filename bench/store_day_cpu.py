"""Where the store day's CPU goes: decoding, inference, the detector's own Python, the rest.

    .venv/bin/python bench/store_day.py
    .venv/bin/python bench/store_day_cpu.py out/store_day.mp4 --site bench/sites/store-day.yaml \
        [--rounds 2] [--threads N] [--profile 30] [--json bench/results/store_day_cpu.json]

Runs storepixel's pipeline alone on the whole clip (``speed.run_alone``: open, decode, analyse,
close the visits, as ``storepixel analyze`` and ``storepixel bench``'s end-to-end row do) and
decoding alone (``speed.decode_floor``), alternating, ``--rounds`` times, and splits the run's
process CPU time (every thread) by clocking ``time.process_time`` around the model's inference
calls and the detector's ``detect`` calls:

- **inference**: the model runtime's own calls (OpenVINO or onnxruntime, all its threads; the
  passes of a frame run side by side count once);
- **detector, Python**: placing the frame on the canvas, the input tensor, decoding the outputs,
  merging passes (``detect`` minus inference);
- the other stages, each clocked the same way: converting the sampled frames to BGR, the change
  gate, static objects (``apply`` on detected frames, ``candidates`` on every frame), the
  tracker, analytics;
- **rest**: decoding and the per-frame plumbing (what no clock above covers).

The decoder's frame threads may run while another part is clocked, so the split is close, not
exact; the totals are exact. ``--profile N`` also prints the N functions with the most CPU
time of one extra run under cProfile (timed by process CPU time, so profiling overhead
included). Run before and after a change on the same box state, and give the load average.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
from pathlib import Path
from typing import Any

import storepixel.sources.file as file_source
from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.detector import DetectorConfig
from storepixel.config.site import load_site
from storepixel.pipeline.gate import ChangeGate
from storepixel.pipeline.speed import decode_floor, run_alone
from storepixel.pipeline.static import StaticObjects
from storepixel.tracking.tracker import Tracker
from storepixel.vision.adapters import base as adapter_base
from storepixel.vision.detector import describe_runtime, load_detector
from storepixel.vision.onnx_detector import OnnxDetector

# (owner, attribute, clock): the calls clocked; none of them runs inside another
STAGES = [
    (file_source, "to_bgr", "convert"),
    (ChangeGate, "decide", "gate"),
    (ChangeGate, "rebase", "gate"),
    (StaticObjects, "apply", "static apply"),
    (StaticObjects, "candidates", "static candidates"),
    (Tracker, "update", "tracker"),
    (Tracker, "hold", "tracker"),
    (Tracker, "checkpoint", "tracker"),
    (Tracker, "restore", "tracker"),
    (CameraAnalytics, "update", "analytics"),
]
_spent = dict.fromkeys(["inference", "detect", *(clock for _, _, clock in STAGES)], 0.0)


_depth = dict.fromkeys(_spent, 0)


def _clocked(func: Any, key: str) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        # Outermost call only: ``run_all`` may call ``run`` (passes one after the other).
        _depth[key] += 1
        started = time.process_time()
        try:
            return func(*args, **kwargs)
        finally:
            _depth[key] -= 1
            if not _depth[key]:
                _spent[key] += time.process_time() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--threads", type=int, help="CPU threads per inference (default: the camera's, 2)"
    )
    args = parser.parse_args()
    site = load_site(args.site)
    camera = site.cameras[0]
    if args.threads:
        config = (camera.detector or DetectorConfig()).model_copy(update={"threads": args.threads})
        camera = camera.model_copy(update={"detector": config})
    detector = load_detector(camera.detector)
    adapter_base.OnnxModel.run = _clocked(adapter_base.OnnxModel.run, "inference")  # type: ignore[method-assign]
    adapter_base.OnnxModel.run_all = _clocked(adapter_base.OnnxModel.run_all, "inference")  # type: ignore[method-assign]
    OnnxDetector.detect = _clocked(OnnxDetector.detect, "detect")  # type: ignore[method-assign]
    for owner, name, clock in STAGES:
        setattr(owner, name, _clocked(getattr(owner, name), clock))
    print(
        f"{args.video}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
        f"model on {describe_runtime(detector)}",
        flush=True,
    )
    rounds = []
    for round_ in range(args.rounds):
        floor = decode_floor(args.video)
        _spent.update(dict.fromkeys(_spent, 0.0))
        run = run_alone(args.video, site.site.id, camera, detector)
        inference, detect = _spent["inference"], _spent["detect"]
        stages = {k: v for k, v in _spent.items() if k not in ("inference", "detect")}
        rest = run.cpu_seconds - detect - sum(stages.values())
        row = {
            "load_1min": os.getloadavg()[0],
            "decode_seconds": floor.seconds,
            "decode_cpu_seconds": floor.cpu_seconds,
            "seconds": run.seconds,
            "cpu_seconds": run.cpu_seconds,
            "inference_cpu_seconds": inference,
            "detector_python_cpu_seconds": detect - inference,
            **{f"{k.replace(' ', '_')}_cpu_seconds": v for k, v in stages.items()},
            "rest_cpu_seconds": rest,
            "frames": run.frames,
            "fraction_of_decode_speed": floor.seconds / run.seconds,
            "cpu_fraction_of_decode": floor.cpu_seconds / run.cpu_seconds,
        }
        rounds.append(row)
        print(
            f"round {round_ + 1}: decode {floor.seconds:.1f} s / {floor.cpu_seconds:.1f} CPU s; "
            f"storepixel {run.seconds:.1f} s / {run.cpu_seconds:.1f} CPU s = inference "
            f"{inference:.2f} + detector Python {detect - inference:.2f} + "
            + " + ".join(f"{k} {v:.2f}" for k, v in stages.items())
            + f" + rest {rest:.2f}; outside inference and decoding "
            f"{1000 * (run.cpu_seconds - inference - rest) / run.frames:.2f} ms a frame; "
            f"× decoding {row['fraction_of_decode_speed']:.3f} wall, "
            f"{row['cpu_fraction_of_decode']:.3f} CPU; load {row['load_1min']:.2f}",
            flush=True,
        )
    if args.profile:
        profile = cProfile.Profile(time.process_time)
        profile.runcall(run_alone, args.video, site.site.id, camera, detector)
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.profile)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {"video": str(args.video), "runtime": describe_runtime(detector), "rounds": rounds}
        args.json.write_text(json.dumps(data, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
