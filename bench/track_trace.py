"""Frame-by-frame trace of our tracker on a MOTChallenge sequence: who each track covers, and how
lost tracks are taken back.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/track_trace.py [SEQ_DIR]
        [--detections bundled|public] [--frames 1-71] [--ids 4,11]
        [--tracker-config JSON]

Runs ``Tracker`` (``TrackerConfig()`` defaults, with the frame image: the colour cue) on the
bundled detector's boxes (or the sequence's public ones) and prints, per frame, every reported
track as ``id<state><GT id>@x,y,h`` (state T tentative, C confirmed, L lost; GT id the ground-truth
person its box overlaps most, at IoU > 0.3, ``-`` for none), the detections with the GT people they
overlap, and every time a lost track is matched again: by overlap (stage 1) or by distance
(stage 3), with the detection's GT person, the colour distance and, for stage 3, every candidate
pair near its gate (distance at the head in heights, gate, log height ratio, colour distance).
``--ids`` keeps the lines about those track ids only. A debugging aid for one clip at a time; it
wraps the tracker's private matching stages, so it follows their signatures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storepixel.evaluation.mot import iter_images, load_sequence, public_detections
from storepixel.tracking.association import log_height_ratio, normalised_distance
from storepixel.tracking.tracker import Tracker, TrackerConfig
from storepixel.types import Detections
from storepixel.vision.nms import box_iou

REPO = Path(__file__).resolve().parents[1]
F64 = NDArray[np.float64]
STATE = "TCL"


class _GroundTruth:
    def __init__(self, gt: F64) -> None:
        self.gt = gt

    def overlaps(self, box: NDArray[np.floating], frame: int, min_iou: float) -> dict[int, float]:
        rows = self.gt[self.gt[:, 0] == frame]
        if not len(rows):
            return {}
        xyxy = np.column_stack(
            [rows[:, 2], rows[:, 3], rows[:, 2] + rows[:, 4], rows[:, 3] + rows[:, 5]]
        )
        iou = box_iou(np.asarray([box], np.float64), xyxy)[0]
        return {int(rows[j, 1]): round(float(iou[j]), 2) for j in np.flatnonzero(iou > min_iou)}

    def best(self, box: NDArray[np.floating], frame: int) -> str:
        o = self.overlaps(box, frame, 0.3)
        return str(max(o, key=o.__getitem__)) if o else "-"


class TracingTracker(Tracker):
    """``Tracker`` that records how lost tracks are matched again in the current frame."""

    def __init__(self, config: TrackerConfig, gt: _GroundTruth) -> None:
        super().__init__(config)
        self.gt = gt
        self.frame = 0
        self.notes: list[tuple[int, str]] = []  # (track id, text)

    def _match_iou(self, track_idx, det_idx, boxes, gate, matched, app=None):  # type: ignore[no-untyped-def]
        before = set(matched)
        left = super()._match_iou(track_idx, det_idx, boxes, gate, matched, app)
        for ti in set(matched) - before:
            tr = self._tracks[ti]
            if tr.confirmed and tr.misses > 0:
                di = matched[ti]
                colour = app[ti, di] if app is not None else float("nan")
                self.notes.append(
                    (
                        tr.id,
                        f"  stage 1 (overlap): id{tr.id} after {tr.misses} missed -> det{di} "
                        f"GT {self.gt.best(boxes[di], self.frame)} colour {colour:.2f}",
                    )
                )
        return left

    def _match_recover(self, track_idx, det_idx, boxes, app, matched):  # type: ignore[no-untyped-def]
        cfg = self.config
        if track_idx and len(det_idx):
            pred = np.stack([self._tracks[i].kf.xyxy() for i in track_idx])
            dist = normalised_distance(pred, boxes[det_idx], cfg.gate_anchor)
            size = log_height_ratio(pred, boxes[det_idx])
            gate = self._gate(track_idx)
            for r, ti in enumerate(track_idx):
                tr = self._tracks[ti]
                for c, di in enumerate(det_idx):
                    if dist[r, c] > gate[r] + 0.5:
                        continue
                    colour = app[ti, di] if app is not None else float("nan")
                    lost_s = (self._last_t or 0.0) - tr.last_seen
                    self.notes.append(
                        (
                            tr.id,
                            f"  stage 3 candidate: id{tr.id} lost {lost_s:.2f} s"
                            f" -> det{di} GT {self.gt.best(boxes[di], self.frame)} distance "
                            f"{dist[r, c]:.2f} gate {gate[r]:.2f} log height ratio "
                            f"{size[r, c]:.2f} (max {np.log(cfg.max_height_ratio):.2f}) colour "
                            f"{colour:.2f} (gate {cfg.appearance_gate})",
                        )
                    )
        before = set(matched)
        left = super()._match_recover(track_idx, det_idx, boxes, app, matched)
        for ti in set(matched) - before:
            tr = self._tracks[ti]
            self.notes.append(
                (tr.id, f"  stage 3 (distance): id{tr.id} recovered -> det{matched[ti]}")
            )
        return left


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("seq", nargs="?", type=Path, default=REPO.parent / "shared/eval/tud-campus")
    ap.add_argument("--detections", choices=("bundled", "public"), default="bundled")
    ap.add_argument("--frames", default="", help="first-last frame to print (1-based)")
    ap.add_argument("--ids", default="", help="comma-separated track ids to print")
    ap.add_argument("--tracker-config", type=json.loads, default={}, help="TrackerConfig fields")
    args = ap.parse_args()

    seq = load_sequence(args.seq)
    images = dict(iter_images(seq))
    if args.detections == "public":
        dets: dict[int, Detections] = public_detections(seq)
    else:
        from storepixel.vision.detector import load_detector

        detector = load_detector(None)
        dets = {f: detector.detect(images[f]) for f in sorted(images)}
    first, _, last = args.frames.partition("-")
    lo, hi = int(first or 1), int(last or seq.n_frames)
    only = {int(i) for i in args.ids.split(",") if i.strip()}
    gt = _GroundTruth(seq.gt)
    config: Any = TrackerConfig(**args.tracker_config)
    tracker = TracingTracker(config, gt)
    for f in range(1, seq.n_frames + 1):
        tracker.frame, tracker.notes = f, []
        out = tracker.update(dets[f], (f - 1) / seq.fps, images[f])
        if not lo <= f <= hi:
            continue
        shown = [
            f"id{i}{STATE[s]}{gt.best(b, f)}@{b[0]:.0f},{b[1]:.0f},{b[3] - b[1]:.0f}"
            for i, b, s in zip(out.ids.tolist(), out.xyxy, out.state.tolist(), strict=True)
            if not only or i in only
        ]
        print(f"frame {f}: " + " ".join(shown))
        d = dets[f]
        boxes = [
            f"[{k} {c:.2f} {b[0]:.0f},{b[1]:.0f},{b[2]:.0f},{b[3]:.0f} GT {gt.overlaps(b, f, 0.1)}]"
            for k, (b, c) in enumerate(zip(d.xyxy, d.confidence, strict=True))
        ]
        print("  detections: " + " ".join(boxes))
        for tid, text in tracker.notes:
            if not only or tid in only:
                print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
