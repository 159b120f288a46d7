"""Tracking accuracy on MOTChallenge-format sequences: storepixel vs `trackers` ByteTrack.

    .venv/bin/python bench/mot_eval.py [SEQ_DIR ...] [--detections public,bundled]
        [--trackers storepixel,bytetrack,...] [--synthetic N] [--out out/mot_eval] [--write-docs]

Every tracker gets the SAME detections per frame: the sequence's public detections (scores mapped
to [0, 1], see ``motlib.normalise_scores``) or the bundled detector's boxes with its default
config. Scores: py-motmetrics (MOTA, IDF1, ID switches, precision/recall), TrackEval (HOTA),
matching at IoU 0.5. Our tracker's rows are written as MOTChallenge text under ``--out``.
``--synthetic N`` adds N seeded synthetic store scenes per frame rate (``bench/synth.py``).
``--write-docs`` replaces the "## Tracking" section of docs/accuracy.md with the tables.
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


def _storepixel_file(seq: Sequence, dets: dict[int, Detections], images: Images) -> MotRows:
    return run_storepixel(seq, dets, images=images, offline=True)


TRACKERS: dict[str, tuple[str, RunFn]] = {
    "storepixel": ("storepixel", _storepixel),
    # What `storepixel track` writes for a file: tentative frames backfilled, gaps interpolated.
    "storepixel-file": ("storepixel, file", _storepixel_file),
    "bytetrack": ("trackers ByteTrack", _library_runner("ByteTrackTracker")),
    # ByteTrack with our thresholds (start and first stage at 0.5), so the comparison is not
    # only about ByteTrack's stricter defaults (0.7 / 0.6).
    "bytetrack05": (
        "trackers ByteTrack @0.5",
        _library_runner(
            "ByteTrackTracker", track_activation_threshold=0.5, high_conf_det_threshold=0.5
        ),
    ),
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
    head += ["FP", "FN", "IDs (gt)", "MOTA / IDF1 in scope"]
    body = []
    for r in rows:
        m, sc = r["metrics"], r["scope"]
        assert isinstance(m, dict) and isinstance(sc, dict)
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
                f"{sc['mota']:.3f} / {sc['idf1']:.3f}",
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
    parser.add_argument(
        "--trackers", default="storepixel,storepixel-file,bytetrack,bytetrack05,ocsort,sort"
    )
    parser.add_argument("--out", type=Path, default=REPO / "out" / "mot_eval")
    parser.add_argument("--synthetic", type=int, default=8, help="scenes per frame rate")
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
                if name.startswith("storepixel"):
                    write_mot_rows(args.out / f"{seq.name}.{source}.{name}.txt", rows)
                m = evaluate(seq, rows)
                results.append(
                    {
                        "sequence": f"{seq.name} ({seq.fps:g} fps)",
                        "detections": source,
                        "det_pr": det_pr,
                        "tracker": label,
                        "metrics": m,
                        "scope": evaluate(seq, rows, scope=True),
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
    synth_text = synthetic_table(names, args.synthetic) if args.synthetic > 0 else ""
    print()
    print(synth_text)
    if args.write_docs:
        write_docs(docs_section(text, synth_text))


SYNTH_FPS = (5.0, 10.0, 25.0)


def synthetic_table(names: list[str], n_scenes: int) -> str:
    """Mean metrics over seeded synthetic scenes, per analysis frame rate."""
    from synth import SceneSpec, simulate

    lines = ["| fps | tracker | MOTA | IDF1 | HOTA | IDsw per scene |", "|---|---|---|---|---|---|"]
    for fps in SYNTH_FPS:
        scenes = [simulate(seed, fps) for seed in range(1, n_scenes + 1)]
        for name in names:
            label, fn = TRACKERS[name]
            ms = [evaluate(seq, fn(seq, dets, {})) for seq, dets in scenes]
            mean = {k: float(np.mean([m[k] for m in ms])) for k in ("mota", "idf1", "hota", "idsw")}
            lines.append(
                f"| {fps:g} | {label} | {mean['mota']:.3f} | {mean['idf1']:.3f} | "
                f"{mean['hota']:.3f} | {mean['idsw']:.1f} |"
            )
            print(f"synthetic {fps:g} fps {label:20s} {lines[-1]}", flush=True)
    spec = SceneSpec()
    return (
        f"{n_scenes} scenes per rate, each {spec.duration_s:g} s with {spec.n_people} people and "
        f"{spec.n_shelves} shelves (seeds 1–{n_scenes}).\n\n" + "\n".join(lines)
    )


def docs_section(text: str, synth_text: str) -> str:
    cmd = "    .venv/bin/python bench/mot_eval.py --write-docs"
    return f"""{SECTION}

Measured with

{cmd}

on `../shared/eval/tud-campus` (71 frames, 640×480, 25 fps) and `../shared/eval/pets09-s3mf1`
(107 frames, 768×576, 7 fps). Every tracker gets the same detections per frame: **public** = the
sequence's own detection file (TUD-Campus scores are raw detector margins, divided by 100 and
clipped to [0, 1]); **bundled** = `load_detector(None)` with its default config (boxes scoring
≥ 0.45). Metrics: MOTA, IDF1 and ID switches from py-motmetrics 1.4.0, HOTA from TrackEval, all
matching at IoU 0.5. "det P / R" is precision / recall of the detections scoring ≥ 0.5. "IDs" is
the number of ids a tracker reported (people in the ground truth). The `trackers` library (2.6.1)
runs with its own defaults and the sequence's frame rate; storepixel with `TrackerConfig()`
defaults and the frame image. Our tracker's rows are written to `out/mot_eval/*.txt`
(`frame,id,x,y,w,h,conf,-1,-1,-1`, frame 1-based).

{text}

### Synthetic store scenes

Two short clips cannot show that defaults generalise, so the same comparison runs on seeded
synthetic scenes (`bench/synth.py`): a high camera over a shop floor, people entering at the
edges, walking between waypoints, stopping to browse (0–6 s), passing behind shelves and behind
each other; a simulated detector that sees only the visible part, misses partly hidden people
more often (misses correlated in time), scores them lower, and adds stray boxes. Failures seen
on the clips suggested mechanisms; a mechanism or default was kept only if it also held up on
these scenes, at 5, 10 and 25 fps.

{synth_text}

### Reading the numbers (as of this writing)

- **storepixel** rows are the tracker as it runs live: a person is reported from confirmation
  (third matched frame), and a hidden person is not reported until seen again. **storepixel,
  file** is what `storepixel track` writes for a file (`tracking/offline.py`, `TrackLog`): the
  tracker keeps one id from a track's birth, so once a track is confirmed its tentative frames are
  written too, and a gap of at most the lost-track memory (3 s) between two sightings of one id
  is filled by linear interpolation, at the analysed frames only. A track that never confirms is
  never written. Offline MOT trackers commonly do the same for offline output.
- **MOTA / IDF1 in scope** drops hypothesis boxes that match no ground-truth box and are shorter
  than half the sequence's smallest annotated person: the same rule as the detector's "P scope".
  TUD-Campus annotates only the pedestrians in the street, not the people seen through the
  building's glass behind them; the other columns count those as false positives.
- Against `trackers` ByteTrack with its defaults, storepixel (online, like for like) has the
  higher MOTA and IDF1 on both clips with both detection sources. Against ByteTrack given our
  thresholds (`@0.5`), IDF1 is higher everywhere, MOTA is higher or equal except TUD-Campus
  public (0.479 vs 0.504), where ByteTrack's loose IoU gate (0.1) keeps covering a half-hidden
  person at the cost of 19 ID switches against our 4. On the synthetic scenes IDF1 and HOTA are
  higher at every frame rate and MOTA is within 0.01 online; the file output adds 0.07–0.09 MOTA.
- Where the gain comes from: a head-anchored distance gate on every association (shelves, the
  frame edge and nearer shoppers hide people from below, so the top of the box is what moves
  least), recovery of lost tracks by a gate that widens with time lost, weak boxes allowed to
  confirm tentative tracks, lost-track memory in seconds (3 s) with a decaying velocity, and a
  short memory for people last seen at the frame edge.
- **Bundled detector, MOTA ≥ 0.80 and IDF1 ≥ 0.80**: met on PETS09-S3MF1 (online 0.910 / 0.953,
  file 0.958 / 0.979); **not met on TUD-Campus** (online 0.524 / 0.660, file 0.563 / 0.695;
  in scope 0.769 / 0.769). Why, measured (`bench/mot_eval.py` tables above and the detector
  section):
  - *False positives are mostly people the ground truth leaves out*: of the file output's 105,
    74 are boxes smaller than half the smallest annotated person (people seated behind the
    glass, 27–31 px wide; a sign); one such person seated all clip long is 64 of them. Nothing
    in a tracker can tell a real person outside the annotation's scope from one inside it; a
    camera's privacy mask is the product's answer where a view looks through a window.
  - *Recall of the annotated people*: the detector finds 0.77 of them at its 0.45 threshold
    (0.72 at 0.5), because the ground truth includes people walking almost fully hidden behind
    others in a side-by-side group. Where the tracker holds the identity across the gap,
    interpolation recovers them (FN 101 → 49).
  - *Lower detector thresholds do not help here*: feeding boxes down to 0.2–0.4 to the tracker's
    weak-box stage (ByteTrack's second association) lowered TUD-Campus MOTA in file mode to
    0.36–0.53 (in scope 0.58–0.74): the weak boxes there are mostly a box spanning two people
    walking side by side and clutter on the glass, which extend or swap the wrong tracks; on
    PETS09 they cost 0.00–0.02. The detector default stays at 0.45.
  - *Identity in the crossing group*: two people cross behind a nearer one (frames 12–22). Just
    before one of them disappears, the detector's box for them straddles them and their
    neighbour (frames 13–14, scores 0.52 and 0.45), which drags their track onto the neighbour;
    when the hidden people reappear, lost tracks are recovered onto the wrong person (2–3 ID
    switches, and one track covering three people in turn), which also limits IDF1.
- Tried this round and not kept, because the synthetic scenes did not gain at all three frame
  rates (MOTA and IDF1 changed by −0.05 to +0.01) and the clips did not move: a head-distance
  term in the association cost (not only a gate); giving a lone detection to the nearer of two
  overlapping people (the farther one is the one hidden); other lost-velocity time constants and
  gate growth rates (flat, as before); keeping a track's height when its box is cut from below
  (up to −0.11 MOTA online, as the synthetic ground truth is the visible box). Closest miss:
  trusting a box less (Kalman measurement variance ×4) when it also overlaps another person's
  prediction lifts TUD-Campus file output to MOTA 0.602 / IDF1 0.755 (from 0.563 / 0.695) with
  PETS09 unchanged, but the synthetic scenes lose 0.018 MOTA and 0.018 IDF1 at 25 fps (5 fps:
  −0.003 / −0.004; 10 fps: +0.002 / +0.019), so it is not the default. Most identity
  errors left on the synthetic scenes are swaps between two people of the same size crossing
  (395 swap transitions against 69 plain fragments over 24 scenes), where boxes alone cannot
  tell who is who.
- TUD-Campus public detections are weak (recall 0.41 at score ≥ 0.5), so every tracker scores
  low; SORT's lower start threshold buys MOTA there at the price of many more ids.
"""


if __name__ == "__main__":
    main()
