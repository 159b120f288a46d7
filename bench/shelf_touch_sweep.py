"""How the touch count moves with the touch rule's two lengths, on the labelled shelf clips.

    PYTHONPATH=src .venv/bin/python bench/shelf_touch_sweep.py

Each clip of ``bench/shelf_truth.yaml`` runs once through the product's pipeline, as in
``bench/shelf_eval.py`` (the bundled detector, tracker and pose model, 5 analysed frames a
second, no pose bursts), recording what the shelf analytics is handed on every analysed frame
(track ids, boxes, keypoints). The shelf analytics is then replayed on those inputs with
``analytics.shelves.TOUCH_IN`` (how deep a hand must go to start a touch) and ``HAND_REACH``
(how far past the wrist the hand's middle is carried) set to other values, one at a time, and
the touches are matched against the labelled reaches as in ``shelf_eval`` (``match_touches``).

Then, for every labelled reach, the pose model is run on every decoded frame of it (30 a
second, the person in the box of the last analysed frame) and the deepest confident point of
the hand is reported three ways: the wrist keypoint, the hand's middle as the product places it
(carried on along the forearm), and BlazePose's own hand landmarks (index, little-finger and
thumb knuckles, which the product does not use). Depths are in body heights, positive inside
the outline; ``null`` where no point of that kind was seen with confidence.

It is a sensitivity check, not a search: the product keeps its values (3 % of body height, the
edge's keypoint noise; 0.37 forearm lengths, anthropometry). It says whether the missed reaches
could be had by moving them, and at the price of how many touches that are no reach.
Results: ``bench/results/shelf_touch_sweep.json``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

from storepixel.analytics import shelves
from storepixel.analytics.geometry import Polygon
from storepixel.analytics.orientation import MIN_SCORE
from storepixel.config.site import load_site
from storepixel.vision import pose
from storepixel.vision.detector import load_detector

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shelf_eval import BENCH, FOOTAGE, TRUTH, match_touches, run_clip

VALUES = {"TOUCH_IN": [0.0, 0.01, 0.02, 0.03, 0.04], "HAND_REACH": [0.0, 0.2, 0.37, 0.5]}
Frame = tuple[float, Any, Any, Any, tuple[int, int]]
KNUCKLES = {"left": (17, 19, 21), "right": (18, 20, 22)}  # BlazePose's 33: pinky, index, thumb


def record(clip: str, detector: Any) -> list[Frame]:
    """The shelf analytics' inputs on every analysed frame of ``clip``."""
    frames: list[Frame] = []
    update = shelves.ShelfAnalytics.update

    def spy(self: shelves.ShelfAnalytics, t: float, ids: Any, boxes: Any, kp: Any, size: Any):  # type: ignore[no-untyped-def]
        frames.append(
            (t, np.array(ids), np.array(boxes), None if kp is None else np.array(kp), size)
        )
        return update(self, t, ids, boxes, kp, size)

    shelves.ShelfAnalytics.update = spy  # type: ignore[method-assign]
    try:
        run_clip(clip, detector)
    finally:
        shelves.ShelfAnalytics.update = update  # type: ignore[method-assign]
    return frames


def replay(frames: list[Frame], shelf: Any) -> list[float]:
    """Every touch's first frame when the shelf analytics is fed ``frames`` again."""
    analytics = shelves.ShelfAnalytics([(shelf.id, shelf.polygon, shelf.min_attention_s)])
    for t, ids, boxes, kp, size in frames:
        analytics.update(t, ids, boxes, kp, size)
    analytics.flush()
    return sorted(round(t, 2) for o in analytics.outcomes for t in o.touch_starts)


def reach_depths(clip: str, frames: list[Frame], shelf: Any, reaches: list[Any]) -> list[Any]:
    """The deepest confident wrist, hand middle and knuckle in each labelled reach of ``clip``."""
    estimator = pose.PoseEstimator()
    raw: dict[str, Any] = {}
    run = estimator.session.run

    def keep(names: Any, feeds: Any) -> Any:
        raw["out"] = run(names, feeds)
        return raw["out"]

    estimator.session.run = keep
    cap = cv2.VideoCapture(str(FOOTAGE / f"{clip}.mp4"))
    fps = cap.get(cv2.CAP_PROP_FPS)
    deepest = [{"wrist": None, "hand": None, "knuckles": None} for _ in reaches]
    index = 0
    while True:
        ok, image = cap.read()
        if not ok:
            break
        t, index = index / fps, index + 1
        inside = [i for i, r in enumerate(reaches) if r[0] <= t <= r[1]]
        known = [f for f in frames if f[0] <= t + 1e-6 and len(f[1])]
        if not inside or not known:
            continue
        _, _, boxes, _, size = known[-1]
        k = int(np.argmax(boxes[:, 3] - boxes[:, 1]))  # one person reaches in each clip
        box = boxes[k : k + 1]
        kp = estimator.estimate(image, box)[0]
        landmarks, presence = raw["out"]
        lm = landmarks.reshape(-1, 5)
        side = max(box[0, 2] - box[0, 0], box[0, 3] - box[0, 1]) * pose.CROP_SCALE
        left = (box[0, 0] + box[0, 2]) / 2 - side / 2
        top = (box[0, 1] + box[0, 3]) / 2 - side / 2
        xy = np.column_stack(
            [left + lm[:, 0] * side / pose.SIZE, top + lm[:, 1] * side / pose.SIZE]
        )
        score = 1 / (1 + np.exp(-lm[:, 3])) * float(presence.reshape(-1)[0])
        poly = Polygon(np.asarray(shelf.polygon, np.float64) * np.asarray(size, np.float64))
        height = float(box[0, 3] - box[0, 1])
        hand = shelves._hand_depth(poly, kp, height)
        wrists = [kp[w, :2] for w in shelves.WRISTS if kp[w, 2] >= MIN_SCORE]
        knuckles = [xy[j] for js in KNUCKLES.values() for j in js if score[j] >= MIN_SCORE]
        found = {
            "wrist": poly.signed_depth(np.asarray(wrists, np.float64)).max() / height
            if wrists
            else None,
            "hand": hand,
            "knuckles": poly.signed_depth(np.asarray(knuckles, np.float64)).max() / height
            if knuckles
            else None,
        }
        for i in inside:
            for kind, depth in found.items():
                if depth is not None:
                    best = deepest[i][kind]
                    deepest[i][kind] = round(float(depth if best is None else max(best, depth)), 3)
    return [{"reach": r, **d} for r, d in zip(reaches, deepest, strict=True)]


def main() -> None:
    truth = yaml.safe_load(TRUTH.read_text())["clips"]
    detector = load_detector()
    recorded = {c: record(c, detector) for c in truth}
    shelf_of = {
        c: load_site(BENCH / "sites" / "shelf" / f"mnnit_{c}.yaml").cameras[0].shelves[0]
        for c in truth
    }
    rows: list[dict[str, Any]] = []
    for name, values in VALUES.items():
        kept = getattr(shelves, name)
        for value in values:
            setattr(shelves, name, value)
            per_clip = {c: replay(recorded[c], shelf_of[c]) for c in truth}
            match = [match_touches(per_clip[c], truth[c]["reaches"]) for c in truth]
            rows.append(
                {
                    "constant": name,
                    "value": value,
                    "product_value": value == kept,
                    "touches": sum(len(s) for s in per_clip.values()),
                    **{k: sum(m[k] for m in match) for k in ("matched", "missed", "extra")},
                    "touch_starts": per_clip,
                }
            )
            print(
                f"{name}={value:<5} " + " ".join(f"{k} {rows[-1][k]}" for k in list(rows[-1])[3:7])
            )
        setattr(shelves, name, kept)
    depths = {c: reach_depths(c, recorded[c], shelf_of[c], truth[c]["reaches"]) for c in truth}
    for c, rows_of_clip in depths.items():
        for row in rows_of_clip:
            print(c, row)
    out = {
        "command": "PYTHONPATH=src .venv/bin/python bench/shelf_touch_sweep.py",
        "load_average": round(os.getloadavg()[0], 2),
        "truth_reaches": sum(len(truth[c]["reaches"]) for c in truth),
        "rows": rows,
        "reach_depths": depths,
    }
    path = Path(BENCH / "results" / "shelf_touch_sweep.json")
    path.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
