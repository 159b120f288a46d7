"""Cost of building the detector's input tensor from a 416×416 BGR canvas.

    .venv/bin/python bench/model_input.py [--calls 300]

Times the plane-by-plane ``bgr_to_nchw`` the NanoDet adapter uses against the strided
transpose-then-normalise it replaced, on a real frame (``vtest.avi``'s first, resized), and
checks both give the same tensor.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.vision.adapters.base import bgr_to_nchw
from storepixel.vision.adapters.nanodet import INV_STD, MEAN

VIDEO = Path("data/samples/vtest.avi")


def strided(canvas: NDArray[np.uint8]) -> NDArray[np.float32]:
    """The previous way: transpose the uint8 pixels, cast, normalise in place."""
    chw = canvas.transpose(2, 0, 1).astype(np.float32)
    chw -= MEAN[:, None, None]
    chw *= INV_STD[:, None, None]
    return chw[None]


def planes(canvas: NDArray[np.uint8]) -> NDArray[np.float32]:
    return bgr_to_nchw(canvas, rgb=False, mean=MEAN, inv_std=INV_STD)


def ms_per_call(
    build: Callable[[NDArray[np.uint8]], NDArray[np.float32]], canvas: NDArray[np.uint8], calls: int
) -> float:
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(calls):
            build(canvas)
        runs.append((time.perf_counter() - start) / calls * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with av.open(str(VIDEO)) as container:
        frame = next(container.decode(video=0)).to_ndarray(format="bgr24")
    canvas = np.ascontiguousarray(cv2.resize(frame, (416, 416)))
    same = np.array_equal(strided(canvas), planes(canvas))
    print(f"416x416 canvas from {VIDEO}; identical tensors: {same}")
    for name, build in (("strided transpose", strided), ("plane by plane", planes)):
        print(f"{name:18} {ms_per_call(build, canvas, args.calls):.3f} ms per call (median of 3)")


if __name__ == "__main__":
    main()
