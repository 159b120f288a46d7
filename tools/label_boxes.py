"""Label person boxes on a clip: pre-fill them from the current tracker, then correct by eye.

    PYTHONPATH=src .venv/bin/python tools/label_boxes.py prefill CLIP DRAFT.txt [--every 5]
    PYTHONPATH=src .venv/bin/python tools/label_boxes.py sheet CLIP LABELS.txt OUT_DIR \
        [--every 5] [--first F] [--last F] [--per-sheet 6] [--cols 2] [--scale 2] [--crop ...]
    PYTHONPATH=src .venv/bin/python tools/label_boxes.py export KEYS.txt gt/gt.txt [--every 5]
    PYTHONPATH=src .venv/bin/python tools/label_boxes.py strips CLIP LABELS.txt OUT_DIR \
        [--every 5] [--first F] [--last F]

``prefill`` runs the bundled detector (at its default input and again at a 640 input, which
finds the small far people the default misses, merged by NMS) and our tracker over every frame,
and keeps the rows of every ``--every``-th frame (1-based frame numbers, MOTChallenge
``frame,id,x,y,w,h,1,1,1``). The draft is only a starting point: ``sheet`` draws the boxes
of a labels file with their ids on the frames, upscaled, with a 50-pixel coordinate grid, a few
frames per PNG, so a person can look at them and edit the text file — delete false boxes, fix
ids that swap, move edges, add the people the tracker missed — then draw again to check.
``strips`` draws, for each id of a labels file, a row of its crops across the labelled frames
(each crop squeezed to one tile size, the frame number above it): a change of clothes along a
row is an identity swap to fix, faster to spot than on whole frames. ``export`` writes the
result as MOTChallenge ground truth (the filled boxes of every ``--every``-th frame). Frames
are read with the product's own source, so frame numbers match ``storepixel track``.
"""

from __future__ import annotations

import argparse
import itertools
from pathlib import Path

import cv2
import numpy as np

from storepixel.sources import open_source

COLOURS = [(0, 255, 255), (255, 0, 255), (0, 255, 0), (255, 128, 0), (0, 128, 255), (255, 255, 0)]


def _frames(clip: Path, every: int, first: int = 1, last: int = 10**9):
    for frame in open_source(clip, camera_id="label"):
        f = frame.index + 1
        if f > last:
            break
        if f >= first and (f - 1) % every == 0:
            yield f, frame.image


def prefill(clip: Path, out: Path, every: int) -> None:
    from storepixel.config.detector import DetectorConfig
    from storepixel.tracking import Tracker
    from storepixel.types import Detections, TrackState
    from storepixel.vision.detector import load_detector
    from storepixel.vision.nms import nms

    base = load_detector(DetectorConfig(confidence=0.35, adaptive_passes=False))
    big = load_detector(
        DetectorConfig(
            confidence=0.35, input_size=640, passes=("letterbox",), adaptive_passes=False
        )
    )
    tracker = Tracker()
    rows = []
    source = open_source(clip, camera_id="label")
    fps = getattr(source, "fps", None) or 25.0
    for frame in source:
        a, b = base.detect(frame.image), big.detect(frame.image)
        xyxy = np.concatenate([a.xyxy, b.xyxy]).astype(np.float32)
        conf = np.concatenate([a.confidence, b.confidence]).astype(np.float32)
        keep = nms(xyxy, conf, 0.5)
        dets = Detections(xyxy[keep], conf[keep])
        h, w = frame.image.shape[:2]
        tracks = tracker.update(dets, frame.index / fps, image=frame.image, frame_size=(w, h))
        f = frame.index + 1
        if (f - 1) % every:
            continue
        seen = tracks.select(tracks.state != TrackState.LOST)  # predictions are no evidence
        for tid, box in zip(seen.ids, seen.xyxy, strict=True):
            x1, y1, x2, y2 = (round(float(v)) for v in box)
            rows.append(f"{f},{int(tid)},{x1},{y1},{x2 - x1},{y2 - y1},1,1,1")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} boxes on {len({r.split(',')[0] for r in rows})} frames -> {out}")


Box = tuple[int, float, float, float, float]  # id, x, y, w, h


def read_keys(path: Path) -> list[tuple[int, int, float, float, float, float]]:
    """Rows of a labels file: ``frame,id,x,y,w,h`` (more columns ignored, ``#`` comments)."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if not line:
            continue
        p = [float(v) for v in line.split(",")[:6]]
        rows.append((int(p[0]), int(p[1]), p[2], p[3], p[4], p[5]))
    return rows


def fill(
    keys: list[tuple[int, int, float, float, float, float]], every: int
) -> dict[int, list[Box]]:
    """Boxes on every ``every``-th frame (1, 1+every, ...): the key rows, and between two keys of
    the same id, boxes interpolated linearly — so a slow walker needs a key only where the
    straight line drifts off them. A key with width 0 says "not visible from here": nothing is
    interpolated across it and it is not a box."""
    out: dict[int, list[Box]] = {}
    by_id: dict[int, list[tuple[int, float, float, float, float]]] = {}
    for f, tid, x, y, w, h in sorted(keys):
        by_id.setdefault(tid, []).append((f, x, y, w, h))
    for tid, ks in by_id.items():
        for (f0, *a), (f1, *b) in itertools.pairwise(ks):
            if a[2] <= 0 or b[2] <= 0:
                continue
            for f in range(f0 + 1, f1):
                if (f - 1) % every == 0:
                    t = (f - f0) / (f1 - f0)
                    box = [u + t * (v - u) for u, v in zip(a, b, strict=True)]
                    out.setdefault(f, []).append((tid, *box))  # type: ignore[arg-type]
        for f, x, y, w, h in ks:
            if w > 0:
                out.setdefault(f, []).append((tid, x, y, w, h))
    return out


def _read(path: Path, every: int = 1) -> dict[int, list[Box]]:
    return fill(read_keys(path), every)


def _draw(
    image: np.ndarray, f: int, boxes: list[Box], scale: int, crop: tuple[int, int, int, int]
) -> np.ndarray:
    cx, cy, cx2, cy2 = crop
    img = cv2.resize(image[cy:cy2, cx:cx2], None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    h, w = img.shape[:2]
    step = 50 if scale < 3 else 10  # coordinate grid, labelled in frame pixels
    for v in range(0, max(image.shape[:2]), step):
        x, y = (v - cx) * scale, (v - cy) * scale
        if 0 <= x < w:
            cv2.line(img, (x, 0), (x, h), (90, 90, 90), 1)
            cv2.putText(img, str(v), (x + 2, 10), 0, 0.35, (255, 255, 255), 1)
        if 0 <= y < h:
            cv2.line(img, (0, y), (w, y), (90, 90, 90), 1)
            cv2.putText(img, str(v), (2, y + 12), 0, 0.35, (255, 255, 255), 1)
    for tid, x, y, bw, bh in boxes:
        c = COLOURS[tid % len(COLOURS)]
        p1 = (round((x - cx) * scale), round((y - cy) * scale))
        p2 = (round((x + bw - cx) * scale), round((y + bh - cy) * scale))
        cv2.rectangle(img, p1, p2, c, 1)
        cv2.putText(img, str(tid), (p1[0], p1[1] - 3), 0, 0.5, c, 1)
    cv2.putText(img, f"frame {f}", (w - 110, h - 8), 0, 0.5, (255, 255, 255), 1)
    return img


def sheet(
    clip: Path,
    labels: Path,
    out: Path,
    every: int,
    first: int,
    last: int,
    per: int,
    scale: int,
    crop: tuple[int, int, int, int] | None = None,
    cols: int = 2,
) -> None:
    boxes = _read(labels, every) if labels.exists() else {}
    out.mkdir(parents=True, exist_ok=True)
    batch: list[np.ndarray] = []
    names = []

    def flush() -> None:
        if not batch:
            return
        while len(batch) % cols:
            batch.append(np.zeros_like(batch[0]))
        rows = [np.hstack(batch[i : i + cols]) for i in range(0, len(batch), cols)]
        path = out / f"sheet_{names[0]:05d}.png"
        cv2.imwrite(str(path), np.vstack(rows))
        print(path)
        batch.clear()
        names.clear()

    for f, image in _frames(clip, every, first, last):
        area = crop or (0, 0, image.shape[1], image.shape[0])
        batch.append(_draw(image, f, boxes.get(f, []), scale, area))
        names.append(f)
        if len(batch) == per:
            flush()
    flush()


def strips(clip: Path, labels: Path, out: Path, every: int, first: int, last: int) -> None:
    tile_w, tile_h, per_row, rows_per_sheet = 32, 72, 40, 10
    boxes = _read(labels, every)
    tiles: dict[int, list[np.ndarray]] = {}
    for f, image in _frames(clip, every, first, last):
        h, w = image.shape[:2]
        for tid, x, y, bw, bh in sorted(boxes.get(f, [])):
            x1, y1 = max(0, round(x)), max(0, round(y))
            x2, y2 = min(w, round(x + bw)), min(h, round(y + bh))
            if x2 <= x1 or y2 <= y1:
                continue
            tile = np.zeros((tile_h + 12, tile_w, 3), np.uint8)
            tile[12:] = cv2.resize(image[y1:y2, x1:x2], (tile_w, tile_h))
            cv2.putText(tile, str(f), (0, 10), 0, 0.3, (255, 255, 255), 1)
            tiles.setdefault(tid, []).append(tile)
    rows = []
    for tid in sorted(tiles):
        for i in range(0, len(tiles[tid]), per_row):
            row = np.zeros((tile_h + 12, 40 + tile_w * per_row, 3), np.uint8)
            cv2.putText(row, str(tid), (2, 40), 0, 0.6, COLOURS[tid % len(COLOURS)], 2)
            part = np.hstack(tiles[tid][i : i + per_row])
            row[:, 40 : 40 + part.shape[1]] = part
            rows.append(row)
    out.mkdir(parents=True, exist_ok=True)
    for i in range(0, len(rows), rows_per_sheet):
        path = out / f"strips_{i // rows_per_sheet:02d}.png"
        cv2.imwrite(str(path), np.vstack(rows[i : i + rows_per_sheet]))
        print(path)


def export(keys_path: Path, out: Path, every: int) -> None:
    """Write the filled boxes as MOTChallenge ground truth: ``frame,id,x,y,w,h,flag,1,1``;
    flag 0 ("don't care": a figure too small or hidden to call) when the id's key rows say so
    in their 7th column, else 1."""
    flags = {}
    for line in keys_path.read_text(encoding="utf-8").splitlines():
        p = line.split("#")[0].strip().split(",")
        if len(p) >= 7:
            flags[int(p[1])] = int(float(p[6]))
    boxes = fill(read_keys(keys_path), every)
    rows = [
        f"{f},{tid},{x:.0f},{y:.0f},{w:.0f},{h:.0f},{flags.get(tid, 1)},1,1"
        for f in sorted(boxes)
        for tid, x, y, w, h in sorted(boxes[f])
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} boxes on {len(boxes)} frames -> {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prefill")
    p.add_argument("clip", type=Path)
    p.add_argument("out", type=Path)
    p.add_argument("--every", type=int, default=5)
    e = sub.add_parser("export")
    e.add_argument("keys", type=Path)
    e.add_argument("out", type=Path)
    e.add_argument("--every", type=int, default=5)
    for view in ("strips", "sheet"):  # both draw labelled frames of a range
        r = sub.add_parser(view)
        r.add_argument("clip", type=Path)
        r.add_argument("labels", type=Path)
        r.add_argument("out", type=Path)
        r.add_argument("--every", type=int, default=5)
        r.add_argument("--first", type=int, default=1)
        r.add_argument("--last", type=int, default=10**9)
    s = sub.choices["sheet"]
    s.add_argument("--per-sheet", type=int, default=6)
    s.add_argument("--scale", type=int, default=2)
    s.add_argument("--cols", type=int, default=2, help="frames side by side on a sheet")
    s.add_argument("--crop", help="x1,y1,x2,y2: draw only this part of the frame (zoom in)")
    args = parser.parse_args()
    if args.cmd == "prefill":
        prefill(args.clip, args.out, args.every)
    elif args.cmd == "export":
        export(args.keys, args.out, args.every)
    elif args.cmd == "strips":
        strips(args.clip, args.labels, args.out, args.every, args.first, args.last)
    else:
        crop = tuple(int(v) for v in args.crop.split(",")) if args.crop else None
        sheet(
            args.clip,
            args.labels,
            args.out,
            args.every,
            args.first,
            args.last,
            args.per_sheet,
            args.scale,
            crop,  # type: ignore[arg-type]
            args.cols,
        )


if __name__ == "__main__":
    main()
