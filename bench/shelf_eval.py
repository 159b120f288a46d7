"""Shelf funnel against truth written by eye (bench/shelf_truth.yaml), beside a dwell-only baseline.

    PYTHONPATH=src .venv/bin/python bench/shelf_eval.py          # all labelled clips
    PYTHONPATH=src .venv/bin/python bench/shelf_eval.py --clip normal_04
    PYTHONPATH=src .venv/bin/python bench/shelf_eval.py \
        --pose-model /tmp/storepixel-blazepose/pose_full.onnx \
        --out bench/results/shelf_eval-full.json   # another variant (tools/convert_blazepose.py)
    PYTHONPATH=src .venv/bin/python bench/shelf_eval.py --burst-fps 30 \
        --out bench/results/shelf_eval-burst30.json   # pose bursts (performance.pose_burst_fps)

Each clip runs through the product's own per-camera pipeline (``build_camera_pipeline``: the
bundled detector, tracker, pose stage and shelf analytics) with its site from
``bench/sites/shelf/mnnit_<clip>.yaml`` at that site's analysis rate, and the shelf events are
counted: passes (``shelf_pass``), stoppers (``shelf_attention``, with their seconds), reaches
(the ``count`` of each ``shelf_reach``: touches) and reachers (people with a ``shelf_reach``; in
the truth, every clip has at most one person who reaches).

The baseline has no pose, only what a zone-dwell count knows: the same tracks and the same
"within reach" test (the box grown by ``analytics.shelves.REACH``), a pass for every run within
reach, and a stopper for every run with at least the shelf's ``min_attention_s`` of standing
still (``STILL_SPEED``) within reach, its seconds being that standing time; it cannot see
reaches. Results: ``bench/results/shelf_eval.json`` and a table on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from storepixel.analytics.shelves import GRACE_S, REACH, STILL_SPEED, Motion, boxes_near
from storepixel.config.site import load_site
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.types import Event, EventKind, Frame
from storepixel.vision.detector import load_detector
from storepixel.vision.pose import PoseEstimator

BENCH = Path(__file__).resolve().parent
TRUTH = BENCH / "shelf_truth.yaml"
FOOTAGE = next(
    (p / "shared/eval/shelf/mnnit" for p in BENCH.parents if (p / "shared/eval").is_dir()),
    Path("../shared/eval/shelf/mnnit"),
)


def run_clip(
    clip: str,
    detector: Any,
    pose_model: Path | None = None,
    *,
    burst_fps: float | None = None,
) -> dict[str, Any]:
    site = load_site(BENCH / "sites" / "shelf" / f"mnnit_{clip}.yaml")
    camera = site.cameras[0]
    pipeline = build_camera_pipeline(camera, site.site.id, detector, run_anchor=0.0)
    if pipeline.pose is not None:
        if pose_model is not None:
            pipeline.pose.estimator = PoseEstimator(pose_model)
        if burst_fps is not None:
            pipeline.pose.burst_fps = burst_fps
    cap = cv2.VideoCapture(str(FOOTAGE / f"{clip}.mp4"))
    fps = cap.get(cv2.CAP_PROP_FPS)
    step = max(1, round(fps / camera.analysis_fps))
    events: list[Event] = []
    results: list[FrameResult] = []
    index = 0
    cpu = time.process_time()
    while True:
        ok, image = cap.read()
        if not ok:
            break
        t = index / fps
        if index % step == 0:
            for r in pipeline.process(Frame(camera.id, index, t, t, image)):
                results.append(r)
                events += r.events
        elif pipeline.wants(t):  # a pose burst: someone stands at the shelf
            pipeline.process(Frame(camera.id, index, t, t, image, between=True))
        index += 1
    for r in pipeline.drain():
        results.append(r)
        events += r.events
    events += pipeline.finish()
    cpu = time.process_time() - cpu
    shelf = camera.shelves[0]
    pose = pipeline.pose
    return {
        "pose": {
            "passes": sum(e.kind == EventKind.SHELF_PASS for e in events),
            "stoppers": sum(e.kind == EventKind.SHELF_ATTENTION for e in events),
            "reaches": sum(
                int(e.properties["count"]) for e in events if e.kind == EventKind.SHELF_REACH
            ),
            "reachers": len({e.track_id for e in events if e.kind == EventKind.SHELF_REACH}),
            "attention_s": [
                float(e.properties["attention_s"])
                for e in events
                if e.kind == EventKind.SHELF_ATTENTION
            ],
            "reach_times": [round(e.time, 1) for e in events if e.kind == EventKind.SHELF_REACH],
            "touch_starts": touch_starts(pipeline.analytics),
        },
        "baseline": dwell_baseline(results, shelf.polygon, shelf.min_attention_s),
        "frames": len(results),
        "cpu_s": round(cpu, 2),
        "pose_people": getattr(pose, "people", 0),
        "pose_frames": getattr(pose, "frames", 0),
        "pose_cpu_s": round(getattr(pose, "cpu_s", 0.0), 3),
        "burst_frames": getattr(pose, "burst_frames", 0),
        "burst_people": getattr(pose, "burst_people", 0),
    }


def dwell_baseline(
    results: list[FrameResult], polygon: list[tuple[float, float]], min_still_s: float
) -> dict[str, Any]:
    """Passes and stoppers from within-reach runs and standing time alone (no pose)."""
    from storepixel.analytics.geometry import Polygon

    runs: dict[int, dict[str, float]] = {}
    done: list[dict[str, float]] = []
    motion: dict[int, Motion] = {}
    poly: Polygon | None = None
    for r in results:
        t = r.frame.timestamp
        if poly is None:
            poly = Polygon(np.asarray(polygon) * [r.frame.width, r.frame.height])
        tracks = r.tracks.confirmed()
        near = boxes_near(poly, tracks.xyxy, REACH) if len(tracks) else []
        for tid, box, is_near in zip(tracks.ids.tolist(), tracks.xyxy, near, strict=True):
            m = motion.setdefault(tid, Motion())
            m.add(t, np.array([(box[0] + box[2]) / 2, box[3]]), float(box[3] - box[1]))
            if not is_near:
                continue
            run = runs.setdefault(tid, {"frames": 0, "still_s": 0.0, "last": t})
            speed = m.speed()
            if speed is not None and speed < STILL_SPEED:
                run["still_s"] += min(t - run["last"], GRACE_S)
            run["frames"] += 1
            run["last"] = t
        for tid in [k for k, v in runs.items() if t - v["last"] >= GRACE_S]:
            done.append(runs.pop(tid))
    done += runs.values()
    passes = [d for d in done if d["frames"] >= 2]
    stops = [round(d["still_s"], 3) for d in passes if d["still_s"] >= min_still_s]
    return {
        "passes": len(passes),
        "stoppers": len(stops),
        "reaches": None,
        "reachers": None,
        "attention_s": stops,
    }


def touch_starts(analytics: Any) -> list[float]:
    """Every touch's first frame (capture seconds), over the clip's engagements."""
    shelves = getattr(analytics, "shelves", None)
    if shelves is None:
        return []
    return sorted(round(t, 2) for o in shelves.outcomes for t in o.touch_starts)


MATCH_S = 1 / 3  # the truth's time resolution (sheets of every 10th frame at 30 fps)


def match_touches(starts: list[float], reaches: list[list[Any]]) -> dict[str, int]:
    """Touches that start within a labelled reach (± the truth's resolution), one each:
    ``matched``; labelled reaches no touch started in: ``missed``; the other touches:
    ``extra`` (a reach split in two, or a hand held over the shelf)."""
    free = [(float(r[0]), float(r[1])) for r in reaches]
    matched = 0
    for t in starts:
        hit = next((r for r in free if r[0] - MATCH_S <= t <= r[1] + MATCH_S), None)
        if hit is not None:
            free.remove(hit)
            matched += 1
    return {"matched": matched, "missed": len(free), "extra": len(starts) - matched}


def truth_count(clip: dict[str, Any], key: str) -> int:
    return int(clip["passes"]) if key == "passes" else len(clip[TRUTH_KEYS[key]])


TRUTH_KEYS = {"stoppers": "attention_s", "reaches": "reaches"}


def error(measured: float | None, truth: float) -> float | None:
    if measured is None:
        return None
    return round(abs(measured - truth) / truth, 3) if truth else (0.0 if not measured else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clip", action="append", help="only these clips (default: all)")
    parser.add_argument("--out", default=str(BENCH / "results" / "shelf_eval.json"))
    parser.add_argument(
        "--pose-model", type=Path, help="another pose ONNX file (default: the bundled one)"
    )
    parser.add_argument(
        "--burst-fps",
        type=float,
        help="pose bursts at this rate (performance.pose_burst_fps; default: the site's, 0)",
    )
    args = parser.parse_args()
    truth = yaml.safe_load(TRUTH.read_text())["clips"]
    clips = args.clip or list(truth)
    detector = load_detector()
    per_clip = {}
    for clip in clips:
        per_clip[clip] = run_clip(clip, detector, args.pose_model, burst_fps=args.burst_fps)
        got = per_clip[clip]
        t = truth[clip]
        print(
            f"{clip:16} truth p/s/r {t['passes']}/{len(t['attention_s'])}/{len(t['reaches'])} "
            f"att {t['attention_s']} | pose {got['pose']['passes']}/{got['pose']['stoppers']}/"
            f"{got['pose']['reaches']} att {got['pose']['attention_s']} reach@"
            f"{got['pose']['reach_times']} | dwell {got['baseline']['passes']}/"
            f"{got['baseline']['stoppers']} att {got['baseline']['attention_s']}",
            flush=True,
        )
    totals: dict[str, Any] = {"truth": {}, "pose": {}, "baseline": {}}
    totals["truth"] = {
        "passes": sum(truth[c]["passes"] for c in clips),
        "stoppers": sum(len(truth[c]["attention_s"]) for c in clips),
        "reaches": sum(len(truth[c]["reaches"]) for c in clips),
        "reachers": sum(1 for c in clips if truth[c]["reaches"]),  # one person a clip reaches
        "attention_p50_s": float(np.median([s for c in clips for s in truth[c]["attention_s"]])),
    }
    for side in ("pose", "baseline"):
        att = [s for c in clips for s in per_clip[c][side]["attention_s"]]
        reaches = [per_clip[c][side]["reaches"] for c in clips]
        reachers = [per_clip[c][side]["reachers"] for c in clips]
        totals[side] = {
            "passes": sum(per_clip[c][side]["passes"] for c in clips),
            "stoppers": sum(per_clip[c][side]["stoppers"] for c in clips),
            "reaches": None if None in reaches else sum(reaches),
            "reachers": None if None in reachers else sum(reachers),
            "attention_p50_s": float(np.median(att)) if att else None,
        }
        totals[side]["error"] = {
            k: error(totals[side][k], totals["truth"][k]) for k in totals["truth"]
        }
        # Totals can be right by luck (one clip's extra reach cancels another's miss): the sum
        # of each clip's own miscount says how well each clip is counted.
        totals[side]["per_clip_miscount"] = {
            k: None
            if per_clip[clips[0]][side][k] is None
            else sum(abs(per_clip[c][side][k] - truth_count(truth[c], k)) for c in clips)
            for k in ("passes", "stoppers", "reaches")
        }
    # Totals and per-clip counts can both be right by luck (a split reach standing in for a
    # missed one): which touches start inside a labelled reach says what the counts cannot.
    for c in clips:
        per_clip[c]["touch_match"] = match_touches(
            per_clip[c]["pose"]["touch_starts"], truth[c]["reaches"]
        )
    totals["pose"]["touch_match"] = {
        k: sum(per_clip[c]["touch_match"][k] for c in clips) for k in ("matched", "missed", "extra")
    }
    frames = sum(per_clip[c]["frames"] for c in clips)
    result = {
        "command": "PYTHONPATH=src .venv/bin/python bench/shelf_eval.py"
        + (f" --pose-model {args.pose_model}" if args.pose_model else "")
        + (f" --burst-fps {args.burst_fps:g}" if args.burst_fps is not None else ""),
        "burst_fps": args.burst_fps or 0.0,
        "pose_model": str(args.pose_model or "bundled"),
        "load_average": round(os.getloadavg()[0], 2),
        "totals": totals,
        "pose_people_per_frame": round(sum(per_clip[c]["pose_people"] for c in clips) / frames, 3),
        "pose_cpu_ms_per_frame": round(
            1000 * sum(per_clip[c]["pose_cpu_s"] for c in clips) / frames, 1
        ),
        "pose_cpu_ms_per_person": round(
            1000
            * sum(per_clip[c]["pose_cpu_s"] for c in clips)
            / max(1, sum(per_clip[c]["pose_people"] for c in clips)),
            1,
        ),
        "pipeline_cpu_ms_per_frame": round(
            1000 * sum(per_clip[c]["cpu_s"] for c in clips) / frames, 1
        ),
        "clips": per_clip,
    }
    if not args.clip:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "clips"}, indent=2))


if __name__ == "__main__":
    main()
