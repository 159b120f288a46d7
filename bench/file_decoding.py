"""Converting decoded frames to BGR, measured on storepixel's whole run end to end.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/file_decoding.py out/store_day.mp4 \
        --site bench/sites/store-day.yaml [--rounds 2]

Runs storepixel's pipeline on the whole clip (``speed.run_alone``: open, decode, analyse, close
the visits, as ``storepixel analyze`` does) once per variant per round, the variants alternating
so that load from other work hits them alike, and prints wall and CPU seconds of each run. The
variants convert the sampled frames with FFmpeg's swscale (PyAV's ``to_ndarray("bgr24")``) or
with OpenCV's I420 conversion (``sources.pixels.to_bgr``, the default).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

import storepixel.sources.file as file_source
from frame_convert import swscale  # type: ignore[import-not-found]
from storepixel.config.site import load_site
from storepixel.pipeline.speed import run_alone
from storepixel.sources.pixels import to_bgr
from storepixel.vision.detector import load_detector

VARIANTS: dict[str, Callable[[av.VideoFrame], NDArray[np.uint8]]] = {
    "swscale": swscale,
    "OpenCV (default)": to_bgr,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    site = load_site(args.site)
    camera = site.cameras[0]
    detector = load_detector(camera.detector)
    print(f"{args.video}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}", flush=True)
    for round_ in range(args.rounds):
        for name, convert in VARIANTS.items():
            file_source.to_bgr = convert  # what the file source calls on each sampled frame
            run = run_alone(args.video, site.site.id, camera, detector)
            print(
                f"round {round_ + 1}  {name:18} wall {run.seconds:5.1f} s  "
                f"CPU {run.cpu_seconds:5.1f} s  ({run.frames} frames)",
                flush=True,
            )


if __name__ == "__main__":
    main()
