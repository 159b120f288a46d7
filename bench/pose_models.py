"""Which BlazePose variant to bundle: speed and agreement on the shelf footage.

    PYTHONPATH=src .venv/bin/python bench/pose_models.py \
        --model lite=src/storepixel/vision/models/pose_lite.onnx \
        --model full=/tmp/storepixel-blazepose/pose_full.onnx \
        --reference /tmp/storepixel-blazepose/pose_heavy.onnx

(``full`` and ``heavy`` come from ``tools/convert_blazepose.py --variant full|heavy
--no-manifest --out /tmp/storepixel-blazepose``.) Every ``--step``-th frame of each clip in
``../shared/eval/shelf``; people are found by the bundled detector (confidence ≥ 0.4), each
crop goes through every model. There are no keypoint labels for this footage, so the largest
model (heavy, 27.7 MB) is the yardstick: per model, the share of people whose shoulders, hips and
wrists it places within 10 % of the box height of heavy's (PCK@0.1 against heavy; wrists
separately, since reaches hang on them), the share of crops where it finds a person
(presence ≥ 0.5), and ms of CPU per person (process time over the crops run one at a time).
Results: ``bench/results/pose_models.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np

from storepixel.vision.detector import load_detector
from storepixel.vision.pose import KP, PoseEstimator

# The shared footage sits beside the checkout (``../shared``); from a worktree, further up.
SHELF = next(
    (
        p / "shared/eval/shelf"
        for p in Path(__file__).resolve().parents
        if (p / "shared/eval").is_dir()
    ),
    Path("../shared/eval/shelf"),
)
JOINTS = [KP[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]
WRISTS = [KP["left_wrist"], KP["right_wrist"]]


def frames(root: Path, step: int):
    for clip in sorted(root.glob("*/*.mp4")):
        cap = cv2.VideoCapture(str(clip))
        index = 0
        while True:
            ok, image = cap.read()
            if not ok:
                break
            if index % step == 0:
                yield clip.name, image
            index += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", required=True, help="name=path.onnx")
    parser.add_argument("--reference", required=True, help="the yardstick model (heavy)")
    parser.add_argument("--step", type=int, default=30)
    parser.add_argument("--root", default=str(SHELF))
    parser.add_argument("--out", default="bench/results/pose_models.json")
    args = parser.parse_args()
    detector = load_detector()
    models = {n: PoseEstimator(Path(p)) for n, p in (m.split("=", 1) for m in args.model)}
    reference = PoseEstimator(Path(args.reference))
    stats: dict[str, dict[str, list[float]]] = {
        n: {"cpu_ms": [], "found": [], "pck": [], "pck_wrist": []} for n in models
    }
    people = 0
    for _, image in frames(Path(args.root), args.step):
        found = detector.detect(image)
        boxes = found.xyxy[found.confidence >= 0.4]
        for box in boxes:
            ref = reference.estimate(image, box[None])[0]
            if ref[JOINTS, 2].min() < 0.5:
                continue  # heavy itself is unsure: no yardstick for this person
            people += 1
            height = float(box[3] - box[1])
            for name, model in models.items():
                start = time.process_time()
                kp = model.estimate(image, box[None])[0]
                stats[name]["cpu_ms"].append((time.process_time() - start) * 1000)
                stats[name]["found"].append(float(kp[:, 2].max() >= 0.5))
                err = np.linalg.norm(kp[:, :2] - ref[:, :2], axis=1) / height
                stats[name]["pck"].append(float((err[JOINTS + WRISTS] < 0.1).mean()))
                seen = [w for w in WRISTS if ref[w, 2] >= 0.5]
                if seen:
                    stats[name]["pck_wrist"].append(float((err[seen] < 0.1).mean()))
    result = {
        "people": people,
        "step": args.step,
        "load_average": os.getloadavg()[0],
        "models": {
            name: {
                "size_mb": round(Path(m.path).stat().st_size / 1e6, 1),
                "cpu_ms_per_person_median": round(float(np.median(s["cpu_ms"])), 1),
                "found": round(float(np.mean(s["found"])), 3),
                "pck_vs_heavy": round(float(np.mean(s["pck"])), 3),
                "pck_wrist_vs_heavy": round(float(np.mean(s["pck_wrist"])), 3),
            }
            for (name, s), m in zip(stats.items(), models.values(), strict=True)
        },
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
