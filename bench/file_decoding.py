"""How a video file is decoded and converted, measured on storepixel's whole run end to end.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/file_decoding.py out/store_day.mp4 \
        --site bench/sites/store-day.yaml [--rounds 2]

Runs storepixel's pipeline on the whole clip (``speed.run_alone``: open, decode, analyse, close
the visits, as ``storepixel analyze`` does) once per variant per round, the variants alternating
so that load from other work hits them alike, and prints wall and CPU seconds of each run:

- decoding *in turn* (the caller's thread, FFmpeg frame threads on every core) or *read ahead*
  (``sources.ahead``: a thread of its own, one decoder thread on a 2-core box);
- converting the sampled frames to BGR with FFmpeg's swscale (PyAV's ``to_ndarray("bgr24")``) or
  with OpenCV's I420 conversion (``sources.pixels.to_bgr``, the default).
"""

from __future__ import annotations

import argparse
import functools
import os
from collections.abc import Callable
from pathlib import Path

import av

import storepixel.pipeline.speed as speed
import storepixel.sources.file as file_source
from storepixel.config.site import load_site
from storepixel.sources import open_source
from storepixel.sources.pixels import to_bgr
from storepixel.vision.detector import load_detector


def swscale(frame: av.VideoFrame):  # type: ignore[no-untyped-def]
    return frame.to_ndarray(format="bgr24")


VARIANTS: dict[str, tuple[bool, Callable]] = {  # type: ignore[type-arg]
    "in turn, swscale": (False, swscale),
    "in turn, OpenCV": (False, to_bgr),
    "read ahead, swscale": (True, swscale),
    "read ahead, OpenCV (default)": (True, to_bgr),
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
        for name, (ahead, convert) in VARIANTS.items():
            speed.open_source = functools.partial(open_source, read_ahead=ahead)  # type: ignore[assignment]
            file_source.to_bgr = convert
            run = speed.run_alone(args.video, site.site.id, camera, detector)
            print(
                f"round {round_ + 1}  {name:30} wall {run.seconds:5.1f} s  "
                f"CPU {run.cpu_seconds:5.1f} s  ({run.frames} frames)",
                flush=True,
            )


if __name__ == "__main__":
    main()
