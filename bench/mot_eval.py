"""Tracking accuracy on MOTChallenge-format sequences: storepixel vs `trackers` ByteTrack.

    .venv/bin/python bench/mot_eval.py [SEQ_DIR ...] [--detections public,bundled,bundled-site]
        [--trackers storepixel,bytetrack,...] [--synthetic N] [--out out/mot_eval] [--write-docs]
        [--tracker-config JSON] [--detector-config JSON] [--grey]
        [--runtime auto|onnxruntime|openvino] [--confidence C]

Every tracker gets the SAME detections per frame: the sequence's public detections (scores mapped
to [0, 1], see ``motlib.normalise_scores``), the bundled detector's boxes with its default
config (``--confidence`` changes its threshold), or (``bundled-site``) those boxes less the
ones standing in the ignore areas of the sequence's camera in ``bench/sites/<sequence>.yaml``
(none: all boxes), as ``storepixel track --site`` does. Scores: py-motmetrics (MOTA, IDF1, ID
switches, precision/recall), TrackEval (HOTA), matching at IoU 0.5. Our tracker's rows are
written as MOTChallenge text under ``--out``.
``--synthetic N`` adds N seeded synthetic store scenes per frame rate (``bench/synth.py``).
``--trackers storepixel-boxes,storepixel-file-boxes`` runs ours without the colour cue;
``--tracker-config '{"appearance_doubt": 1.01}'`` overrides ``TrackerConfig`` fields of our rows
(ablations); ``--detector-config '{"far_slices": 3}'`` overrides ``DetectorConfig`` fields of
the bundled detector; ``--grey`` gives the trackers the clips in grey, as a camera in infrared
night mode would (the detections still come from the recorded picture).
``--switches`` lists every ID switch of each run (frame, true person, the ids before and after,
whom the new id was on, the nearest other person): which crossings a tracker loses; the list is
also in ``--json``.
``--write-docs`` replaces the tables of the "## Tracking" section of
docs/dev/accuracy-history.md (the clips' table, then the synthetic scenes' one) and leaves its
text alone.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from storepixel.evaluation.mot import (
    EVAL_ROOT,
    MotRows,
    Sequence,
    detection_pr,
    evaluate,
    iter_images,
    load_sequence,
    public_detections,
    replace_tables,
    run_storepixel,
    switch_events,
)
from storepixel.tracking import TrackerConfig
from storepixel.tracking.mot_io import write_mot_rows
from storepixel.types import Detections

REPO = Path(__file__).resolve().parents[1]
SHARED_EVAL = EVAL_ROOT
TRUTH = REPO / "bench" / "truth"
DEFAULT_SEQS = [SHARED_EVAL / "tud-campus", SHARED_EVAL / "pets09-s3mf1"]
DEFAULT_SEQS += sorted(p for p in (TRUTH / "caviar").glob("*") if (p / "gt" / "gt.txt").is_file())
# (the CAVIAR clips with our truth: the corridor EnterExitCrossingPaths1cor and OneStopNoEnter2cor,
# the shop entrance EnterExitCrossingPaths1front)
DEFAULT_SEQS += [TRUTH / "plaza" / "vtest"]  # the wide plaza: data/samples/vtest.avi, our truth
DOCS = (
    REPO / "docs" / "dev" / "accuracy-history.md"
)  # the tables of record; docs/accuracy.md sums up
SECTION = "## Tracking"
SITES = REPO / "bench" / "sites"

Images = Mapping[int, np.ndarray]
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


# Overrides of ``TrackerConfig`` for our tracker's rows (``--tracker-config``), for ablations.
CONFIG_OVERRIDES: dict[str, object] = {}


def _our_runner(offline: bool, colour: bool = True) -> RunFn:
    def run(seq: Sequence, dets: dict[int, Detections], images: Images) -> MotRows:
        config = TrackerConfig(**{**CONFIG_OVERRIDES, "appearance": colour})  # type: ignore[arg-type]
        return run_storepixel(seq, dets, config, images=images, offline=offline)

    return run


TRACKERS: dict[str, tuple[str, RunFn]] = {
    "storepixel": ("storepixel", _our_runner(offline=False)),
    # What `storepixel track` writes for a file: tentative frames backfilled, gaps interpolated.
    "storepixel-file": ("storepixel, file", _our_runner(offline=True)),
    # The same without the colour cue (not in the default list): boxes only, for comparison.
    "storepixel-boxes": ("storepixel, boxes only", _our_runner(offline=False, colour=False)),
    "storepixel-file-boxes": ("storepixel, file, boxes only", _our_runner(True, colour=False)),
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


# The detector config's runtime and confidence for the bundled detections (``--runtime``,
# ``--confidence``).
RUNTIME = "auto"
CONFIDENCE = 0.45
# Overrides of the bundled detector's ``DetectorConfig`` (``--detector-config``), e.g. the far
# band: '{"far_slices": 3, "far_budget": null}'.
DETECTOR_OVERRIDES: dict[str, object] = {}
RELEASE = ""  # appended to our trackers' labels (``--label``): which version of storepixel ran


def bundled_detections(images: Images) -> dict[int, Detections]:
    from storepixel.config.detector import DetectorConfig
    from storepixel.vision.detector import load_detector

    config = DetectorConfig(
        **{**DETECTOR_OVERRIDES, "runtime": RUNTIME, "confidence": CONFIDENCE}  # type: ignore[arg-type]
    )
    detector = load_detector(config)
    return {f: detector.detect(img) for f, img in images.items()}


def site_detections(seq: Sequence, dets: dict[int, Detections]) -> dict[int, Detections] | None:
    """``dets`` less the boxes standing in the sequence's site ignore areas (first camera);
    None when it has none (the rows would repeat the plain ones)."""
    from storepixel.config.site import load_site
    from storepixel.pipeline.ignore import IgnoreAreas

    path = SITES / f"{seq.name}.yaml"
    camera = load_site(path).cameras[0] if path.exists() else None
    if camera is None or not camera.ignore_areas:
        return None
    ignore = IgnoreAreas([a.polygon for a in camera.ignore_areas])
    assert seq.frame_size is not None
    return {f: ignore.apply(d, seq.frame_size) for f, d in dets.items()}


def _fmt_row(cells: list[str], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def table(rows: list[dict[str, object]]) -> str:
    head = ["sequence", "detections", "det P / R", "R <60 px", "tracker", "MOTA", "IDF1", "HOTA"]
    head += ["IDsw", "IDsw at crossings", "FP", "FN", "IDs (gt)", "MOTA / IDF1 in scope"]
    body = []
    for r in rows:
        m, sc = r["metrics"], r["scope"]
        assert isinstance(m, dict) and isinstance(sc, dict)
        body.append(
            [
                str(r["sequence"]),
                str(r["detections"]),
                str(r["det_pr"]),
                str(r.get("det_small", "–")),
                str(r["tracker"]),
                f"{m['mota']:.3f}",
                f"{m['idf1']:.3f}",
                f"{m['hota']:.3f}",
                str(m["idsw"]),
                f"{m['idsw_cross']} ({m['crossings']})",
                str(m["fp"]),
                str(m["fn"]),
                f"{r['n_ids']} ({m['gt_ids']})",
                f"{sc['mota']:.3f} / {sc['idf1']:.3f}",
            ]
        )
    widths = [max(len(x) for x in col) for col in zip(head, *body, strict=True)]
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([_fmt_row(head, widths), sep, *(_fmt_row(b, widths) for b in body)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sequences", nargs="*", type=Path, default=DEFAULT_SEQS)
    parser.add_argument("--detections", default="public,bundled,bundled-site")
    parser.add_argument(
        "--trackers", default="storepixel,storepixel-file,bytetrack,bytetrack05,ocsort,sort"
    )
    parser.add_argument("--out", type=Path, default=REPO / "out" / "mot_eval")
    parser.add_argument("--synthetic", type=int, default=8, help="scenes per frame rate")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument(
        "--runtime",
        default="auto",
        choices=["auto", "onnxruntime", "openvino"],
        help="what runs the model (the detector config's runtime)",
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=0.45,
        help="the bundled detector's confidence threshold (its default 0.45)",
    )
    parser.add_argument(
        "--tracker-config", type=json.loads, default={}, help="TrackerConfig overrides (JSON)"
    )
    parser.add_argument(
        "--detector-config",
        type=json.loads,
        default={},
        help="DetectorConfig overrides for the bundled detections (JSON)",
    )
    parser.add_argument(
        "--grey", action="store_true", help="trackers see the clips in grey (infrared night mode)"
    )
    parser.add_argument(
        "--label", default="", help="name this run's storepixel (e.g. a release) in the table"
    )
    parser.add_argument(
        "--json", type=Path, help="also write the raw results here (bench/results/...)"
    )
    parser.add_argument("--switches", action="store_true", help="list every ID switch")
    parser.add_argument(
        "--baseline",
        type=Path,
        action="append",
        default=[],
        help="a --json file of another run (e.g. the previous release): its storepixel rows "
        "are listed beside this run's",
    )
    args = parser.parse_args()
    CONFIG_OVERRIDES.update(args.tracker_config)
    DETECTOR_OVERRIDES.update(args.detector_config)
    global RUNTIME, CONFIDENCE, RELEASE
    RELEASE = f" ({args.label})" if args.label else ""
    RUNTIME = args.runtime
    CONFIDENCE = args.confidence

    sources = [s.strip() for s in args.detections.split(",") if s.strip()]
    names = [t.strip() for t in args.trackers.split(",") if t.strip()]
    args.out.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, object]] = []
    for path in args.sequences:
        seq = load_sequence(path)
        images = dict(iter_images(seq))
        # Detections always come from the picture as recorded; --grey changes what trackers see.
        seen = {f: _grey(img) for f, img in images.items()} if args.grey else images
        bundled: dict[int, Detections] | None = None
        for source in sources:
            started = time.perf_counter()
            if source == "public":
                dets = public_detections(seq)
            else:
                bundled = bundled or bundled_detections(images)
                dets = bundled
                if source == "bundled-site":
                    if (filtered := site_detections(seq, bundled)) is None:
                        continue  # no ignore areas: the same as "bundled"
                    dets = filtered
            pr = detection_pr(seq, dets, 0.5)
            det_pr = f"{pr['det_precision']:.2f} / {pr['det_recall']:.2f}"
            det_small = f"{pr['det_recall_small']:.2f} ({pr['n_small']})" if pr["n_small"] else "–"
            for name in names:
                label, fn = TRACKERS[name]
                rows = fn(seq, dets, seen)
                if name.startswith("storepixel"):
                    write_mot_rows(args.out / f"{seq.name}.{source}.{name}.txt", rows)
                m = evaluate(seq, rows)
                switches = switch_events(seq, rows) if args.switches else None
                results.append(
                    {
                        "sequence": f"{seq.name} ({seq.fps:g} fps)",
                        "detections": source,
                        "det_pr": det_pr,
                        "det_small": det_small,
                        "tracker": label + RELEASE,
                        "metrics": m,
                        "scope": evaluate(seq, rows, scope=True),
                        "n_ids": len({r[1] for r in rows}),
                        **({"switches": switches} if switches is not None else {}),
                    }
                )
                for e in switches or []:
                    print(
                        f"    switch f{e['frame']}: person {e['truth']} id {e['before']} -> "
                        f"{e['after']} (was on {e['after_was_on']}), nearest {e['nearest']} "
                        f"at {e['nearest_heights']} h"
                    )
                print(
                    f"{seq.name:14s} {source:8s} {label:20s} MOTA {m['mota']:.3f} "
                    f"IDF1 {m['idf1']:.3f} HOTA {m['hota']:.3f} IDsw {m['idsw']}",
                    flush=True,
                )
            print(f"  ({time.perf_counter() - started:.1f} s)", flush=True)

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    for path in args.baseline:
        theirs = [r for r in json.loads(path.read_text()) if "storepixel" in str(r["tracker"])]
        results = _interleave(results, theirs)
    text = table(results)
    print()
    print(text)
    synth_text = synthetic_table(names, args.synthetic) if args.synthetic > 0 else ""
    print()
    print(synth_text)
    if args.write_docs:
        replace_tables(DOCS, SECTION, [text, synth_text] if synth_text else [text])


def _interleave(
    ours: list[dict[str, object]], theirs: list[dict[str, object]]
) -> list[dict[str, object]]:
    """``ours`` with each of ``theirs`` placed after our rows of the same sequence and
    detections (so a baseline reads beside the run it is compared with)."""
    out = list(ours)
    for row in theirs:
        key = (row["sequence"], row["detections"])
        at = max(
            (i for i, r in enumerate(out) if (r["sequence"], r["detections"]) == key), default=None
        )
        if at is None:
            out.append(row)
        else:
            out.insert(at + 1, row)
    return out


def _grey(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


SYNTH_FPS = (5.0, 10.0, 25.0)


def synthetic_table(names: list[str], n_scenes: int) -> str:
    """Mean metrics over seeded synthetic scenes, per analysis frame rate."""
    from synth import Frames, SceneSpec, simulate

    lines = ["| fps | tracker | MOTA | IDF1 | HOTA | IDsw per scene |", "|---|---|---|---|---|---|"]
    for fps in SYNTH_FPS:
        seeds = range(1, n_scenes + 1)
        scenes = [(*simulate(seed, fps), Frames(seed, fps)) for seed in seeds]
        # Every tracker on the detections alone; ours also given drawn frames (the colour cue).
        runs = [(name, False) for name in names]
        runs += [(n, True) for n in names if n.startswith("storepixel") and "boxes" not in n]
        for name, drawn in runs:
            label, fn = TRACKERS[name]
            label += ", drawn frames" if drawn else ""
            ms = [
                evaluate(seq, fn(seq, dets, frames if drawn else {}))
                for seq, dets, frames in scenes
            ]
            mean = {k: float(np.mean([m[k] for m in ms])) for k in ("mota", "idf1", "hota", "idsw")}
            lines.append(
                f"| {fps:g} | {label} | {mean['mota']:.3f} | {mean['idf1']:.3f} | "
                f"{mean['hota']:.3f} | {mean['idsw']:.1f} |"
            )
            print(f"synthetic {fps:g} fps {label:20s} {lines[-1]}", flush=True)
    spec = SceneSpec()
    print(
        f"{n_scenes} scenes per rate, each {spec.duration_s:g} s with {spec.n_people} people and "
        f"{spec.n_shelves} shelves (seeds 1–{n_scenes})."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
