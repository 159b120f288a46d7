"""Tracking accuracy on MOTChallenge-format sequences: storepixel vs `trackers` ByteTrack.

    .venv/bin/python bench/mot_eval.py [SEQ_DIR ...] [--detections public,bundled]
        [--trackers storepixel,bytetrack,...] [--out out/mot_eval] [--write-docs]

Every tracker gets the SAME detections per frame: the sequence's public detections (scores mapped
to [0, 1], see ``motlib.normalise_scores``) or the bundled detector's boxes with its default
config. Scores: py-motmetrics (MOTA, IDF1, ID switches, precision/recall), TrackEval (HOTA),
matching at IoU 0.5. Our tracker's rows are written as MOTChallenge text under ``--out``.
``--write-docs`` replaces the "## Tracking" section of docs/accuracy.md with the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from motlib import (
    MotRows,
    Sequence,
    detection_pr,
    evaluate,
    iter_images,
    load_sequence,
    public_detections,
    run_storepixel,
)
from storepixel.tracking.mot_io import write_mot_rows
from storepixel.types import Detections

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = REPO.parent / "shared" / "eval"
DEFAULT_SEQS = [SHARED_EVAL / "tud-campus", SHARED_EVAL / "pets09-s3mf1"]
DOCS = REPO / "docs" / "accuracy.md"
SECTION = "## Tracking"

Images = dict[int, np.ndarray]
RunFn = Callable[[Sequence, dict[int, Detections], Images], MotRows]


def _library_runner(name: str, **kwargs: object) -> RunFn:
    """A `trackers` tracker with its defaults, fed sv.Detections; rows = boxes it gave an id."""

    def run(seq: Sequence, dets: dict[int, Detections], images: Images) -> MotRows:
        import supervision as sv
        import trackers

        tracker = getattr(trackers, name)(frame_rate=seq.fps, **kwargs)
        rows: MotRows = []
        for f in seq.frame_numbers():
            d = dets[f]
            svd = sv.Detections(
                xyxy=d.xyxy.astype(np.float32),
                confidence=d.confidence.astype(np.float32),
                class_id=np.zeros(len(d), int),
            )
            out = tracker.update(svd, timestamp=(f - 1) / seq.fps)
            for box, tid, conf in zip(out.xyxy, out.tracker_id, out.confidence, strict=True):
                if tid >= 0:
                    x1, y1, x2, y2 = (float(v) for v in box)
                    rows.append((f, int(tid), x1, y1, x2 - x1, y2 - y1, float(conf)))
        return rows

    return run


def _storepixel(seq: Sequence, dets: dict[int, Detections], images: Images) -> MotRows:
    return run_storepixel(seq, dets, images=images)


TRACKERS: dict[str, tuple[str, RunFn]] = {
    "storepixel": ("storepixel", _storepixel),
    "bytetrack": ("trackers ByteTrack", _library_runner("ByteTrackTracker")),
    "ocsort": ("trackers OC-SORT", _library_runner("OCSORTTracker")),
    "sort": ("trackers SORT", _library_runner("SORTTracker")),
}


def bundled_detections(images: Images) -> dict[int, Detections]:
    from storepixel.vision.detector import load_detector

    detector = load_detector(None)
    return {f: detector.detect(img) for f, img in images.items()}


def _fmt_row(cells: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def table(rows: list[dict[str, object]]) -> str:
    head = ["sequence", "detections", "det P / R", "tracker", "MOTA", "IDF1", "HOTA", "IDsw"]
    head += ["FP", "FN", "IDs (gt)"]
    body = []
    for r in rows:
        m = r["metrics"]
        assert isinstance(m, dict)
        body.append(
            [
                str(r["sequence"]),
                str(r["detections"]),
                str(r["det_pr"]),
                str(r["tracker"]),
                f"{m['mota']:.3f}",
                f"{m['idf1']:.3f}",
                f"{m['hota']:.3f}",
                str(m["idsw"]),
                str(m["fp"]),
                str(m["fn"]),
                f"{r['n_ids']} ({m['gt_ids']})",
            ]
        )
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([_fmt_row(head, widths), sep, *(_fmt_row(b, widths) for b in body)])


def write_docs(text: str) -> None:
    """Replace (or append) our section of docs/accuracy.md, leaving the others as they are."""
    DOCS.parent.mkdir(parents=True, exist_ok=True)
    old = DOCS.read_text(encoding="utf-8") if DOCS.exists() else "# Accuracy\n"
    lines = old.splitlines()
    start = next((i for i, ln in enumerate(lines) if ln.strip() == SECTION), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines)
        )
        new_lines = [*lines[:start], *text.rstrip("\n").splitlines(), "", *lines[end:]]
        new = "\n".join(new_lines).rstrip("\n") + "\n"
    DOCS.write_text(new, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sequences", nargs="*", type=Path, default=DEFAULT_SEQS)
    parser.add_argument("--detections", default="public,bundled")
    parser.add_argument("--trackers", default="storepixel,bytetrack")
    parser.add_argument("--out", type=Path, default=REPO / "out" / "mot_eval")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    sources = [s.strip() for s in args.detections.split(",") if s.strip()]
    names = [t.strip() for t in args.trackers.split(",") if t.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, object]] = []
    for path in args.sequences:
        seq = load_sequence(path)
        images = dict(iter_images(seq))
        for source in sources:
            started = time.perf_counter()
            dets = public_detections(seq) if source == "public" else bundled_detections(images)
            pr = detection_pr(seq, dets, 0.5)
            det_pr = f"{pr['det_precision']:.2f} / {pr['det_recall']:.2f}"
            for name in names:
                label, fn = TRACKERS[name]
                rows = fn(seq, dets, images)
                if name == "storepixel":
                    write_mot_rows(args.out / f"{seq.name}.{source}.storepixel.txt", rows)
                m = evaluate(seq, rows)
                results.append(
                    {
                        "sequence": f"{seq.name} ({seq.fps:g} fps)",
                        "detections": source,
                        "det_pr": det_pr,
                        "tracker": label,
                        "metrics": m,
                        "n_ids": len({r[1] for r in rows}),
                    }
                )
                print(
                    f"{seq.name:14s} {source:8s} {label:20s} MOTA {m['mota']:.3f} "
                    f"IDF1 {m['idf1']:.3f} HOTA {m['hota']:.3f} IDsw {m['idsw']}",
                    flush=True,
                )
            print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)

    text = table(results)
    print()
    print(text)
    if args.write_docs:
        write_docs(docs_section(text, args))


def docs_section(text: str, args: argparse.Namespace) -> str:
    cmd = "        .venv/bin/python bench/mot_eval.py --write-docs"
    return f"""{SECTION}

Measured with

{cmd}

on `../shared/eval/tud-campus` (71 frames, 640×480, 25 fps) and `../shared/eval/pets09-s3mf1`
(107 frames, 768×576, 7 fps). Each tracker gets the same detections per frame: **public** = the
sequence's own detection file (TUD-Campus scores are raw detector margins, divided by 100 and
clipped to [0, 1]); **bundled** = `load_detector(None)` with its default config. Metrics: MOTA,
IDF1 and ID switches from py-motmetrics 1.4.0, HOTA from TrackEval, matching at IoU 0.5. "det P / R"
is the precision / recall of the detections scoring at least 0.5. "IDs" counts the ids a tracker
reported against the number of people in the ground truth. `trackers` runs with its own defaults
and the sequence's frame rate.

{text}
"""


if __name__ == "__main__":
    main()
