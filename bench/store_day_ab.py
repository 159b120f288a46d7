"""One end-to-end storepixel run on the store day, for A/B comparisons of code that must not
change what it finds: wall and CPU time, and a hash of the summary and every track row.

    .venv/bin/python bench/store_day.py
    PYTHONPATH=<one tree's src> .venv/bin/python bench/store_day_ab.py out/store_day.mp4 \
        --site bench/sites/store-day.yaml --append /tmp/runs.jsonl

Run as ``speed.run_alone`` runs it (open, decode, analyse, close the visits), after decoding the
whole clip alone once (``speed.decode_floor``). Alternate the trees run after run: load from
other work only ever slows a run, so compare several of each, and the hashes, which must match.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from pathlib import Path

import storepixel
from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import load_site
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.pipeline.speed import decode_floor
from storepixel.sources import open_source
from storepixel.tracking.mot_io import tracks_to_mot_rows
from storepixel.vision.detector import load_detector


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--append", type=Path, help="Also append the run as a JSON line here.")
    args = parser.parse_args()
    site = load_site(args.site)
    camera = site.cameras[0]
    detector = load_detector(camera.detector)
    floor = decode_floor(args.video)
    started, cpu = time.perf_counter(), time.process_time()
    pipeline = build_camera_pipeline(camera, site.site.id, detector, run_anchor=0.0)
    source = open_source(args.video, camera.id, analysis_fps=camera.analysis_fps, anchor=0.0)
    rows: list[list[float]] = []
    for frame in source:
        for result in pipeline.process(frame):
            rows.extend(map(list, tracks_to_mot_rows(result.frame.index + 1, result.tracks)))
    for result in pipeline.drain():
        rows.extend(map(list, tracks_to_mot_rows(result.frame.index + 1, result.tracks)))
    pipeline.finish()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    analytics = pipeline.analytics
    assert isinstance(analytics, CameraAnalytics)
    summary = analytics.summary()
    digest = json.dumps([summary, [[float(v) for v in r] for r in rows]], sort_keys=True)
    run = {
        "src": os.path.dirname(storepixel.__file__),
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "decode_seconds": round(floor.seconds, 2),
        "decode_cpu_seconds": round(floor.cpu_seconds, 2),
        "passes": int(getattr(pipeline.detector, "passes_run", 0)),
        "detected": pipeline.detections_run,
        "load_1min": round(os.getloadavg()[0], 2),
        "hash": hashlib.md5(digest.encode()).hexdigest()[:10],
        "lines": summary["lines"],
    }
    print(json.dumps(run), flush=True)
    if args.append:
        with args.append.open("a", encoding="utf-8") as out:
            out.write(json.dumps(run) + "\n")


if __name__ == "__main__":
    main()
