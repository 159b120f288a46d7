"""Cost of turning decoded frames into BGR arrays: PyAV's swscale against OpenCV on the planes.

    .venv/bin/python bench/frame_convert.py out/store_day.mp4 [--frames 300] [--repeats 3]

Decodes ``--frames`` frames once, then converts all of them ``--repeats`` times each way and
prints the ms per frame of every pass (the first pass finds the frames out of cache), and how
far apart the two results are. Only 4:2:0 YUV with even sides can take the OpenCV path.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import av
import cv2
import numpy as np
from numpy.typing import NDArray


def swscale(frame: av.VideoFrame) -> NDArray[np.uint8]:
    return frame.to_ndarray(format="bgr24")


def opencv_i420(frame: av.VideoFrame) -> NDArray[np.uint8]:
    return cv2.cvtColor(frame.to_ndarray(), cv2.COLOR_YUV2BGR_I420)


def ms_per_frame(
    convert: Callable[[av.VideoFrame], NDArray[np.uint8]], frames: list[av.VideoFrame], repeats: int
) -> list[float]:
    """Per-frame cost of each pass over ``frames``; the first pass touches the frames cold."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for frame in frames:
            convert(frame)
        runs.append((time.perf_counter() - start) / len(frames) * 1000)
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with av.open(args.video) as container:
        stream = container.streams.video[0]
        frames = [f for _, f in zip(range(args.frames), container.decode(stream), strict=False)]
    first = frames[0]
    print(f"{args.video}: {len(frames)} frames {first.width}x{first.height} {first.format.name}")
    if first.format.name != "yuv420p" or first.width % 2 or first.height % 2:
        raise SystemExit("not 4:2:0 YUV with even sides: only swscale applies")
    for name, convert in (("swscale bgr24", swscale), ("planes + cv2 I420", opencv_i420)):
        runs = ms_per_frame(convert, frames, args.repeats)
        shown = " ".join(f"{r:.2f}" for r in runs)
        print(f"{name:18} ms/frame per pass: {shown} (median {statistics.median(runs):.2f})")
    diff = np.abs(
        np.stack([swscale(f) for f in frames]).astype(np.int16)
        - np.stack([opencv_i420(f) for f in frames])
    )
    print(
        f"difference (levels): mean {diff.mean():.2f}, p99.9 {np.percentile(diff, 99.9):.0f}, "
        f"max {diff.max()}"
    )


if __name__ == "__main__":
    main()
