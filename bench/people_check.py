"""Staff and groups on real footage against truth written by eye (bench/truth/people.yaml).

    PYTHONPATH=src .venv/bin/python bench/people_check.py            # every clip
    PYTHONPATH=src .venv/bin/python bench/people_check.py --clip vtest

Each clip runs through the product's own per-camera pipeline (``build_camera_pipeline``) with
the site the truth names (``bench/sites/``), and the ended visits are counted as
``CameraAnalytics.people_summary`` counts them (customers, groups, customers in groups, staff).
Results: ``bench/results/people_check.json`` and a line per clip on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import cv2
import yaml

from storepixel.config.site import load_site
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.types import Frame
from storepixel.vision.detector import load_detector

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
EVAL = next(
    (p / "shared/eval" for p in BENCH.parents if (p / "shared/eval").is_dir()),
    Path("../shared/eval"),
)


def run_clip(spec: dict[str, Any], detector: Any) -> dict[str, Any]:
    site = load_site(BENCH / "sites" / spec["site"])
    camera = site.camera(spec["camera"])
    pipeline = build_camera_pipeline(camera, site.site.id, detector, run_anchor=0.0)
    video = ROOT / spec["video"] if spec["video"].startswith("data/") else EVAL / spec["video"]
    cap = cv2.VideoCapture(str(video))
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    step = max(1, round(fps / camera.analysis_fps))
    index, cpu = 0, time.process_time()
    while True:
        ok, image = cap.read()
        if not ok:
            break
        if index % step == 0:
            pipeline.process(Frame(camera.id, index, index / fps, index / fps, image))
        index += 1
    pipeline.drain()
    pipeline.finish()
    people = pipeline.analytics.people_summary()
    return {"people": people, "frames": index, "cpu_s": round(time.process_time() - cpu, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", action="append", help="only these clips (default: all)")
    parser.add_argument("--out", default=str(BENCH / "results" / "people_check.json"))
    args = parser.parse_args()
    truth = yaml.safe_load((BENCH / "truth" / "people.yaml").read_text())["clips"]
    detector = load_detector()
    clips: dict[str, Any] = {}
    for name in args.clip or list(truth):
        got = run_clip(truth[name], detector)
        want = {k: v for k, v in truth[name].items() if k in got["people"]}
        got["truth"] = want
        got["matches"] = {k: got["people"][k] == v for k, v in want.items()}
        clips[name] = got
        print(f"{name:18} truth {want} | measured {got['people']}", flush=True)
    result = {
        "command": "PYTHONPATH=src .venv/bin/python bench/people_check.py",
        "load_average": round(os.getloadavg()[0], 2),
        "clips": clips,
    }
    if not args.clip:
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
