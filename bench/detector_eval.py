"""Person detector accuracy and speed on the shared footage, per sequence and per setting.

    .venv/bin/python bench/detector_eval.py                      # all settings, markdown table
    .venv/bin/python bench/detector_eval.py --settings default --confidence 0.4
    .venv/bin/python bench/detector_eval.py --runtime onnxruntime   # float32 on any CPU

Sequences (MOTChallenge ``gt/gt.txt``: frame,id,x,y,w,h,…):
- ``pets09-s3mf1``: high, wide surveillance view, people ~100 px tall in 768×576.
- ``tud-campus``: street level, people 130–300 px tall in 640×480, often cut by the frame edge.
- ``pets09-mosaic``: synthetic far view: 2×2 mosaics of PETS frames (1536×1152), so people are
  a quarter of the frame they were, as on a wide high-resolution camera.
- ``stills``: close-up photos (``../shared/eval/stills``), people hand-boxed below; recall only,
  since the crowds in the background are not boxed.

A detection matches an unmatched ground-truth box at IoU ≥ 0.5, best score first (COCO style).
"P scope" ignores unmatched detections shorter than half the sequence's smallest annotated
person: TUD-Campus boxes only the pedestrians in the street, not the small people seen through
the windows behind them. ms/frame is the wall time of ``detect`` (all passes + NMS), median and
minimum over the sequence's frames (with adaptive passes, the median is of a mix of one- and
two-pass frames): on a shared machine the median follows the other load (the
load average is printed first), the minimum is close to the cost on an idle one.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.config.detector import DetectorConfig
from storepixel.vision.detector import Detector, for_camera, load_detector
from storepixel.vision.nms import box_iou

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO.parent / "shared" / "eval"
IOU_MATCH = 0.5

SETTINGS: dict[str, dict[str, object]] = {
    "default": {},  # letterbox + stretch, adaptive passes (each sequence is its own camera)
    "default-every-pass": {"adaptive_passes": False},  # both passes on every frame
    "letterbox": {"passes": ("letterbox",)},
    "stretch": {"passes": ("stretch",)},
    "default-nms0.5": {"nms_iou": 0.5},
    # A bigger canvas instead of tiles for small, far people (the default passes at that size).
    "input512": {"input_size": 512},
    "input640": {"input_size": 640},
    "default+tiles2x2": {"passes": ("letterbox", "stretch", "tiles"), "tile_grid": (2, 2)},
}

# Hand-drawn boxes (x0, y0, x1, y1) of the people in the close-up stills.
STILLS: dict[str, list[tuple[int, int, int, int]]] = {
    "bus.jpg": [(50, 400, 245, 900), (222, 405, 345, 860), (668, 395, 810, 880), (0, 555, 78, 870)],
    "basketball1.png": [(35, 80, 180, 480), (435, 20, 640, 480)],
    "basketball2.png": [(38, 78, 165, 480), (428, 18, 640, 480)],
    "messi5.jpg": [(65, 60, 455, 335)],
}

Frame = tuple[NDArray[np.uint8], NDArray[np.float64]]  # image, ground-truth xyxy (N,4)


def load_gt(path: Path) -> dict[int, NDArray[np.float64]]:
    rows = np.loadtxt(path, delimiter=",", ndmin=2)
    boxes: dict[int, NDArray[np.float64]] = {}
    for frame in np.unique(rows[:, 0]).astype(int):
        xywh = rows[rows[:, 0] == frame, 2:6]
        boxes[frame] = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
    return boxes


def mot_frames(folder: Path, pattern: str) -> Iterator[Frame]:
    gt = load_gt(folder / "gt" / "gt.txt")
    for frame in sorted(gt):
        image = cv2.imread(str(folder / pattern.format(frame)))
        if image is not None:
            yield image, gt[frame]


def mosaic_frames(folder: Path, pattern: str) -> Iterator[Frame]:
    """2×2 mosaics of frames a quarter of the sequence apart: people at half their size."""
    frames = list(mot_frames(folder, pattern))
    step = len(frames) // 4
    for k in range(step):
        parts = [frames[k + i * step] for i in range(4)]
        height, width = parts[0][0].shape[:2]
        image = np.zeros((2 * height, 2 * width, 3), np.uint8)
        boxes = []
        for i, (part, gt) in enumerate(parts):
            x0, y0 = (i % 2) * width, (i // 2) * height
            image[y0 : y0 + height, x0 : x0 + width] = part
            boxes.append(gt + np.array([x0, y0, x0, y0]))
        yield image, np.concatenate(boxes)


def still_frames(folder: Path) -> Iterator[Frame]:
    for name, boxes in STILLS.items():
        image = cv2.imread(str(folder / name))
        if image is not None:
            yield image, np.array(boxes, np.float64)


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fp_scope: int = 0
    fn: int = 0
    ious: list[float] = field(default_factory=list)

    def add(self, boxes: NDArray[np.float32], gt: NDArray[np.float64], min_height: float) -> None:
        ious = box_iou(boxes, gt) if len(boxes) and len(gt) else np.zeros((len(boxes), len(gt)))
        taken = np.zeros(len(gt), bool)
        for i in range(len(boxes)):  # boxes come best first from the detector
            row = np.where(taken, -1.0, ious[i]) if len(gt) else np.zeros(0)
            j = int(row.argmax()) if len(row) else -1
            if j >= 0 and row[j] >= IOU_MATCH:
                taken[j] = True
                self.tp += 1
                self.ious.append(float(row[j]))
            else:
                self.fp += 1
                self.fp_scope += int(boxes[i, 3] - boxes[i, 1] >= 0.5 * min_height)
        self.fn += int((~taken).sum())

    def row(self) -> tuple[float, float, float, float]:
        precision = self.tp / max(1, self.tp + self.fp)
        scope = self.tp / max(1, self.tp + self.fp_scope)
        recall = self.tp / max(1, self.tp + self.fn)
        return precision, scope, recall, float(np.mean(self.ious)) if self.ious else 0.0


def evaluate(
    detector: Detector, frames: list[Frame], confidences: list[float]
) -> tuple[dict[float, Tally], float, float]:
    """Tallies per confidence (one run at the lowest, filtered) and median, min ms/frame."""
    min_height = min(float((gt[:, 3] - gt[:, 1]).min()) for _, gt in frames if len(gt))
    tallies = {c: Tally() for c in confidences}
    times = []
    for image, gt in frames:
        start = time.perf_counter()
        found = detector.detect(image)
        times.append(time.perf_counter() - start)
        for c, tally in tallies.items():
            tally.add(found.xyxy[found.confidence >= c], gt, min_height)
    return tallies, 1000 * float(np.median(times)), 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-dir", type=Path, default=EVAL_DIR)
    parser.add_argument("--settings", default=",".join(SETTINGS), help="comma-separated names")
    parser.add_argument("--confidence", default="0.3,0.4,0.5", help="comma-separated thresholds")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "onnxruntime", "openvino"],
        help="what runs the model (the detector config's runtime)",
    )
    args = parser.parse_args()
    confidences = sorted(float(c) for c in args.confidence.split(","))
    pets, tud = args.eval_dir / "pets09-s3mf1", args.eval_dir / "tud-campus"
    sequences = {
        "pets09-s3mf1": list(mot_frames(pets, "img/frame_{:04d}.jpg")),
        "tud-campus": list(mot_frames(tud, "img1/{:06d}.jpg")),
        "pets09-mosaic": list(mosaic_frames(pets, "img/frame_{:04d}.jpg")),
        "stills": list(still_frames(args.eval_dir / "stills")),
    }
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average before the run: {load} ({os.cpu_count()} CPUs)\n")
    print("| sequence | setting | conf | P | P scope | R | mean IoU | ms/frame median / min |")
    print("|---|---|---|---|---|---|---|---|")
    for name in args.settings.split(","):
        overrides = SETTINGS[name]
        config = DetectorConfig(
            confidence=confidences[0], threads=args.threads, runtime=args.runtime, **overrides
        )  # type: ignore[arg-type]
        shared = load_detector(config)
        shared.detect(sequences["pets09-s3mf1"][0][0])  # warm-up: first run allocates
        for seq, frames in sequences.items():
            if not frames:
                continue
            # A camera per sequence: adaptive passes learn from that sequence alone.
            tallies, ms, ms_min = evaluate(for_camera(shared), frames, confidences)
            for c, tally in tallies.items():
                p, p_scope, r, miou = tally.row()
                p_text = "–" if seq == "stills" else f"{p:.2f}"
                s_text = "–" if seq == "stills" else f"{p_scope:.2f}"
                print(
                    f"| {seq} | {name} | {c:.2f} | {p_text} | {s_text} | {r:.2f} | {miou:.3f} "
                    f"| {ms:.0f} / {ms_min:.0f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
