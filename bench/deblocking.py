"""Skipping H.264's deblocking filter while decoding: what it saves and what it costs.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/deblocking.py [CLIP ...]

FFmpeg can leave out the in-loop deblocking filter (``skip_loop_filter=all``), a sizeable part
of H.264 decoding. Every frame of CCTV H.264 is a reference frame, so the unfiltered pixels are
also what later frames are predicted from: the error builds up until the next keyframe.

1. Speed: decodes each CLIP (default: the store day and its 720p 15 fps version from
   ``bench/live_common.py``, when present) twice each way, alternating, and prints wall and CPU
   seconds, and how far the pixels move (mean and 99.9th percentile of the absolute grey-level
   difference on every 500th frame).
2. Accuracy: encodes the shared ground-truth sequences to H.264 (libx264, no B-frames) with a
   2 s keyframe interval and with a single keyframe, at CRF 23 and 28 (a camera substream's
   quality), decodes each both ways and prints detection P / R and MOTA / IDF1 of storepixel's
   tracker online and from a file (TUD-Campus with its site's ignore area, as in
   ``bench/mot_eval.py``'s ``bundled-site`` rows).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

sys.path.insert(0, str(Path(__file__).resolve().parent))

from mot_eval import SHARED_EVAL, bundled_detections, site_detections
from storepixel.evaluation import mot as motlib
from storepixel.tracking import TrackerConfig

REPO = Path(__file__).resolve().parents[1]
CLIPS = [REPO / "out" / "store_day.mp4", Path("/tmp/storepixel-bench/store_day_720p15.mp4")]
Images = dict[int, NDArray[np.uint8]]


def decode(path: Path, skip: bool, keep_every: int = 0) -> tuple[int, float, float, Images]:
    """Frames decoded, wall and CPU seconds, and every ``keep_every``-th frame (BGR; all
    when 0), 1-based."""
    container = av.open(str(path))
    stream = container.streams.video[0]
    stream.thread_type = "AUTO"
    if skip:
        stream.codec_context.options = {"skip_loop_filter": "all"}
    kept: Images = {}
    started, cpu, n = time.perf_counter(), time.process_time(), 0
    for frame in container.decode(stream):
        n += 1
        if keep_every == 0 or n % keep_every == keep_every // 2:
            kept[n] = frame.to_ndarray(format="bgr24")
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    container.close()
    return n, wall, cpu, kept


def speed(clip: Path) -> None:
    reference: Images = {}
    for _ in range(2):
        for skip in (False, True):
            n, wall, cpu, kept = decode(clip, skip, keep_every=500)
            reference = reference or kept
            diff = [np.abs(kept[f].astype(np.int16) - reference[f]) for f in reference]
            mean = float(np.mean([d.mean() for d in diff]))
            p999 = max(float(np.percentile(d, 99.9)) for d in diff)
            label = "skip_loop_filter=all" if skip else "full decoding       "
            print(
                f"{clip.name}: {label} {n} frames, wall {wall:.2f} s, CPU {cpu:.2f} s; "
                f"pixels moved: mean {mean:.2f}, p99.9 {p999:.0f}",
                flush=True,
            )


def encode(seq: motlib.Sequence, path: Path, keyint: int, crf: int) -> None:
    images = dict(motlib.iter_images(seq))
    height, width = next(iter(images.values())).shape[:2]
    container = av.open(str(path), "w")
    stream = container.add_stream("libx264", rate=round(seq.fps))
    stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
    stream.options = {
        "crf": str(crf),
        "preset": "veryfast",
        "g": str(keyint),
        "keyint_min": str(keyint),
        "bf": "0",
        "sc_threshold": "0",
    }
    for f in sorted(images):
        container.mux(stream.encode(av.VideoFrame.from_ndarray(images[f], format="bgr24")))
    container.mux(stream.encode(None))
    container.close()


def accuracy(folder: Path) -> None:
    for name in ("pets09-s3mf1", "tud-campus"):
        seq = motlib.load_sequence(SHARED_EVAL / name)
        for keyint, crf in ((2 * round(seq.fps), 23), (10_000, 23), (10_000, 28)):
            path = folder / f"{name}_g{keyint}_crf{crf}.mp4"
            encode(seq, path, keyint, crf)
            gop = "2 s" if keyint < 10_000 else "one"
            for skip in (False, True):
                *_, images = decode(path, skip)
                dets = bundled_detections(images)
                dets = site_detections(seq, dets) or dets
                pr = motlib.detection_pr(seq, dets, 0.5)
                cells = []
                for offline in (False, True):
                    rows = motlib.run_storepixel(
                        seq, dets, TrackerConfig(), images=images, offline=offline
                    )
                    m = motlib.evaluate(seq, rows)
                    cells.append(f"{m['mota']:.3f} / {m['idf1']:.3f}")
                how = "skip_loop_filter" if skip else "full"
                print(
                    f"| {name} | {gop} | {crf} | {how} | {pr['det_precision']:.3f} / "
                    f"{pr['det_recall']:.3f} | {cells[0]} | {cells[1]} |",
                    flush=True,
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("clips", nargs="*", type=Path)
    args = parser.parse_args()
    for clip in args.clips or [c for c in CLIPS if c.exists()]:
        speed(clip)
    print()
    print("| sequence | keyframes | CRF | decoding | det P / R | MOTA / IDF1 online | file |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        accuracy(Path(folder))


if __name__ == "__main__":
    main()
