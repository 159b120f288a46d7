"""Build the "store day" clip: a mostly empty scene with busy stretches, from real footage.

    .venv/bin/python bench/store_day.py [--out out/store_day.mp4] [--minutes 10] [--busy 0.2]

Stores are empty much of the day, so a fair speed test is not wall-to-wall crowds. This takes
OpenCV's ``vtest.avi`` (PETS2009 S2.L1, 768×576, 10 fps, 2–11 people walking on every frame) and
writes a 768×432 H.264 clip (the middle band of the picture, CCTV-style: no B-frames, a key frame
every 2 s) in which ``--busy`` of the time shows the real busy footage, in four stretches, and the
rest is the same camera's empty scene:

- the empty plate is the per-pixel median of the clip (people move, so the median is the
  background; the bundled detector finds no one on it);
- each empty frame is a real frame with the people painted out with that plate (pixels that differ
  from it, dilated), so sensor noise and compression texture stay real; 50 such frames are looped,
  as ffmpeg's ``loop`` filter would.

The clip is written once and reused (it is rebuilt when missing or when the options change); it
lives in ``out/`` (git-ignored), never in the repository. Encoding uses PyAV's bundled libx264, so
no ``ffmpeg`` binary is needed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

REPO = Path(__file__).resolve().parents[1]
VTEST = REPO / "data" / "samples" / "vtest.avi"
DEFAULT_OUT = REPO / "out" / "store_day.mp4"
FPS = 10
CROP_TOP, CROP_HEIGHT = 72, 432  # 768×576 → 768×432, keeping the road and the lawn
EMPTY_LOOP = 50  # frames of empty scene repeated, like ffmpeg's loop=size=50
VERSION = 1  # bump when the recipe changes so cached clips are rebuilt


def _read(path: Path) -> list[NDArray[np.uint8]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return [f.to_ndarray(format="bgr24") for f in container.decode(stream)]


def _paint_out(frame: NDArray[np.uint8], plate: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The frame with everything that differs from the empty plate (people) replaced by it."""
    import cv2

    diff = np.abs(frame.astype(np.int16) - plate.astype(np.int16)).max(axis=2)
    moving = cv2.dilate((diff > 28).astype(np.uint8), np.ones((21, 21), np.uint8))
    return np.where(moving[:, :, None] > 0, plate, frame)


def plan(total_frames: int, busy_fraction: float, busy_len: int) -> list[tuple[str, int, int]]:
    """The clip as (kind, first source frame, count) stretches: four busy stretches spread
    over the day, empty scene around them. Busy stretches take consecutive source frames."""
    busy_total = round(total_frames * busy_fraction)
    per = busy_total // 4
    starts = [0, busy_len // 3, (2 * busy_len) // 3 - per // 2, busy_len - per]
    empty_total = total_frames - 4 * per
    # Uneven gaps, like a real day: a quiet opening, short and long lulls, a quiet close.
    weights = [0.2, 0.15, 0.25, 0.2, 0.2]
    gaps = [int(empty_total * w) for w in weights]
    gaps[-1] = empty_total - sum(gaps[:-1])
    stretches: list[tuple[str, int, int]] = []
    for i in range(4):
        stretches.append(("empty", 0, gaps[i]))
        stretches.append(("busy", max(0, min(starts[i], busy_len - per)), per))
    stretches.append(("empty", 0, gaps[4]))
    return [s for s in stretches if s[2] > 0]


def build(out: Path, minutes: float = 10.0, busy: float = 0.2, source: Path = VTEST) -> Path:
    """Write the clip to ``out`` unless an identical one is there; returns ``out``."""
    total = round(minutes * 60 * FPS)
    recipe = {"version": VERSION, "minutes": minutes, "busy": busy, "source": source.name}
    meta = out.with_suffix(".json")
    if out.exists() and meta.exists() and json.loads(meta.read_text())["recipe"] == recipe:
        return out
    if not source.exists():
        raise SystemExit(f"{source} missing: run scripts/fetch_samples.sh")
    frames = [f[CROP_TOP : CROP_TOP + CROP_HEIGHT] for f in _read(source)]
    plate = np.median(np.stack(frames[::4]), axis=0).astype(np.uint8)
    empty = [_paint_out(f, plate) for f in frames[:EMPTY_LOOP]]
    stretches = plan(total, busy, len(frames))

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part.mp4")
    with av.open(str(tmp), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "tune": "zerolatency", "g": str(2 * FPS)}
        for kind, first, count in stretches:
            for i in range(count):
                image = empty[i % EMPTY_LOOP] if kind == "empty" else frames[first + i]
                frame = av.VideoFrame.from_ndarray(image, format="bgr24")
                container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    tmp.replace(out)
    busy_frames = sum(c for k, _, c in stretches if k == "busy")
    meta.write_text(
        json.dumps(
            {
                "recipe": recipe,
                "frames": total,
                "fps": FPS,
                "busy_frames": busy_frames,
                "stretches": [{"kind": k, "source_first": f, "frames": c} for k, f, c in stretches],
            },
            indent=1,
        )
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--busy", type=float, default=0.2, help="fraction of time with people")
    args = parser.parse_args()
    path = build(args.out, args.minutes, args.busy)
    info = json.loads(path.with_suffix(".json").read_text())
    print(f"{path}: {info['frames']} frames at {info['fps']} fps, {info['busy_frames']} busy")


if __name__ == "__main__":
    main()
