"""How the touch count moves with the touch rule's two lengths, on the labelled shelf clips.

    PYTHONPATH=src .venv/bin/python bench/shelf_touch_sweep.py

Each clip of ``bench/shelf_truth.yaml`` runs once through the product's pipeline, as in
``bench/shelf_eval.py`` (the bundled detector, tracker and pose model, 5 analysed frames a
second, no pose bursts), recording what the shelf analytics is handed on every analysed frame
(track ids, boxes, keypoints). The shelf analytics is then replayed on those inputs with
``analytics.shelves.TOUCH_IN`` (how deep a hand must go to start a touch) and ``HAND_REACH``
(how far past the wrist the hand's middle is carried) set to other values, one at a time, and
the touches are matched against the labelled reaches as in ``shelf_eval`` (``match_touches``).

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

import numpy as np
import yaml

from storepixel.analytics import shelves
from storepixel.config.site import load_site
from storepixel.vision.detector import load_detector

sys.path.insert(0, str(Path(__file__).resolve().parent))
from shelf_eval import BENCH, TRUTH, match_touches, run_clip

VALUES = {"TOUCH_IN": [0.0, 0.01, 0.02, 0.03, 0.04], "HAND_REACH": [0.0, 0.2, 0.37, 0.5]}
Frame = tuple[float, Any, Any, Any, tuple[int, int]]


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
    out = {
        "command": "PYTHONPATH=src .venv/bin/python bench/shelf_touch_sweep.py",
        "load_average": round(os.getloadavg()[0], 2),
        "truth_reaches": sum(len(truth[c]["reaches"]) for c in truth),
        "rows": rows,
    }
    path = Path(BENCH / "results" / "shelf_touch_sweep.json")
    path.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
