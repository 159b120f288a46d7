"""Shop entries and exits on the eight CAVIAR clips: each tracker's door counts vs our truth.

    STOREPIXEL_EVAL=../shared/eval .venv/bin/python bench/caviar_counts.py \
        [--trackers storepixel,bytetrack,sort] [--label NAME] [--json bench/results/X.json] \
        [--baseline bench/results/Y.json]

Truth: ``bench/truth/caviar/events.yaml`` (entries and exits written by looking at the frames).
Every tracker gets the same detections (the bundled detector, default config, as
``bench/mot_eval.py`` "bundled"), and its tracks' foot points go through the product's own
``LineCounter`` on the door line of the clip's camera in ``bench/sites/caviar.yaml`` (``*front``
clips: camera ``front``; ``*cor``: ``cor``). Count error = |counted − true|, entries and exits
apart, summed over the clips. ``--label`` names this run's storepixel (run it once with
``PYTHONPATH`` on an older checkout's ``src`` to get that release's rows, ``--json`` to keep them,
and ``--baseline`` to list them beside this run's).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import mot_eval
from storepixel.analytics.lines import LineCounter
from storepixel.config.site import load_site
from storepixel.evaluation.mot import EVAL_ROOT, Sequence

REPO = Path(__file__).resolve().parents[1]
TRUTH = REPO / "bench" / "truth" / "caviar" / "events.yaml"
SITE = REPO / "bench" / "sites" / "caviar.yaml"
CAVIAR = EVAL_ROOT / "caviar"


def truth() -> dict[str, tuple[int, int]]:
    """(entries, exits) per clip name."""
    out = {}
    for scenario in yaml.safe_load(TRUTH.read_text(encoding="utf-8")).values():
        for clip in scenario["clips"]:
            out[clip] = (int(scenario["entries"]), int(scenario["exits"]))
    return out


def _sequence(video: Path) -> Sequence:
    from storepixel.evaluation.mot import _video_info

    n, fps, size = _video_info(video)
    empty = np.zeros((0, 6))
    return Sequence(video.stem, video.parent, video, float(fps or 25.0), n, empty, None, size)


def count(rows: mot_eval.MotRows, seq: Sequence, camera: str) -> tuple[int, int]:
    """(in, out) of the camera's door line over tracker rows (xywh pixels)."""
    cam = next(c for c in load_site(SITE).cameras if c.id == camera)
    line = cam.lines[0]
    counter = LineCounter(
        line.id, line.points[0], line.points[1], line.hysteresis, hidden_side=line.hidden_side
    )
    assert seq.frame_size is not None
    w, h = seq.frame_size
    by_frame: dict[int, list[tuple[int, float, float]]] = {}
    for f, tid, x, y, bw, bh, _ in rows:
        by_frame.setdefault(int(f), []).append((tid, (x + bw / 2) / w, (y + bh) / h))
    for f in range(1, max([seq.n_frames, *by_frame]) + 1):  # every frame: people vanish too
        here = by_frame.get(f, [])
        counter.update([r[0] for r in here], [r[1:] for r in here], (f - 1) / seq.fps)
    return counter.in_count, counter.out_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trackers", default="storepixel,bytetrack,sort")
    parser.add_argument("--label", default="")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--baseline", type=Path, action="append", default=[])
    args = parser.parse_args()
    names = [n.strip() for n in args.trackers.split(",") if n.strip()]
    want = truth()
    results: list[dict[str, object]] = []
    for clip, (t_in, t_out) in sorted(want.items()):
        video = next(CAVIAR.glob(f"{clip}.*"))
        seq = _sequence(video)
        images = dict(mot_eval.iter_images(seq))
        dets = mot_eval.bundled_detections(images)
        camera = "front" if clip.endswith("front") else "cor"
        for name in names:
            label, fn = mot_eval.TRACKERS[name]
            if name.startswith("storepixel") and args.label:
                label += f" ({args.label})"
            got_in, got_out = count(fn(seq, dets, images), seq, camera)
            results.append(
                {
                    "clip": clip,
                    "tracker": label,
                    "in": got_in,
                    "out": got_out,
                    "true_in": t_in,
                    "true_out": t_out,
                }
            )
            print(
                f"{clip:30s} {label:28s} in {got_in} ({t_in})  out {got_out} ({t_out})", flush=True
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    for path in args.baseline:
        results += [r for r in json.loads(path.read_text()) if "storepixel" in str(r["tracker"])]
    print()
    print(summary(results))


def summary(results: list[dict[str, object]]) -> str:
    """One row per tracker: entries and exits counted / true over all clips, and the error."""
    lines = [
        "| tracker | entries counted (true) | exits counted (true) | error, summed per clip |",
        "|---|---|---|---|",
    ]
    for tracker in dict.fromkeys(str(r["tracker"]) for r in results):
        rs = [r for r in results if r["tracker"] == tracker]
        got_in = sum(int(r["in"]) for r in rs)  # type: ignore[call-overload]
        got_out = sum(int(r["out"]) for r in rs)  # type: ignore[call-overload]
        t_in = sum(int(r["true_in"]) for r in rs)  # type: ignore[call-overload]
        t_out = sum(int(r["true_out"]) for r in rs)  # type: ignore[call-overload]
        err = sum(
            abs(int(r["in"]) - int(r["true_in"])) + abs(int(r["out"]) - int(r["true_out"]))  # type: ignore[call-overload]
            for r in rs
        )
        lines.append(f"| {tracker} | {got_in} ({t_in}) | {got_out} ({t_out}) | {err} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
