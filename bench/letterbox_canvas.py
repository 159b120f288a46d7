"""Cost of the detector's letterbox pass on the tight canvas against the square one.

    .venv/bin/python bench/letterbox_canvas.py [--frames 60] [--model PATH]

The bundled NanoDet takes any input sides that are multiples of 32, so the whole-frame letterbox
pass runs on a canvas 416 on the frame's long side and only as large as the frame needs on the
other (``OnnxModel.canvas_size``); stretch and tiles stay on 416x416, as every pass did before.
For frames of the store-day clip (768x432, 16:9) and of PETS09-S3MF1 (768x576, 4:3), one
``candidates`` call (placement, tensor, inference, decoding) is timed on each canvas, the two
alternating frame by frame so that other load on the machine hits both alike. Prints wall and
CPU time per pass (median, minimum) and how many candidate boxes each found.
``--model``: another NanoDet file (e.g. the previous fixed 416x416 one) for the square pass.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.config.detector import DetectorConfig
from storepixel.vision.adapters.base import OnnxModel
from storepixel.vision.detector import load_detector

REPO = Path(__file__).resolve().parents[1]
STORE_DAY = REPO / "out" / "store_day.mp4"
PETS = REPO.parent / "shared" / "eval" / "pets09-s3mf1" / "img"
CONFIDENCE = 0.45


def store_day_frames(count: int) -> Iterator[NDArray[np.uint8]]:
    """Every 50th frame of the store-day clip (people come and go), up to ``count``."""
    with av.open(str(STORE_DAY)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index // 50 >= count:
                return
            if index % 50 == 0:
                yield frame.to_ndarray(format="bgr24")


def pets_frames(count: int) -> Iterator[NDArray[np.uint8]]:
    for path in sorted(PETS.glob("*.jpg"))[:count]:
        image = cv2.imread(str(path))
        assert image is not None, path
        yield np.asarray(image, np.uint8)


def model_of(path: Path | None) -> OnnxModel:
    detector = load_detector(DetectorConfig(path=path, passes=("letterbox",)))
    model = detector.model  # type: ignore[attr-defined]
    assert isinstance(model, OnnxModel)
    return model


def time_pass(model: OnnxModel, image: NDArray[np.uint8], tight: bool) -> tuple[float, float, int]:
    """Wall ms, CPU ms and candidate count of one letterbox pass."""
    wall, cpu = time.perf_counter(), time.process_time()
    _, scores = model.candidates(image, "letterbox", CONFIDENCE, tight=tight)
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, len(scores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=60, help="frames per clip")
    parser.add_argument("--model", type=Path, help="NanoDet file for the square pass")
    args = parser.parse_args()
    tight_model = model_of(None)
    square_model = model_of(args.model) if args.model else tight_model
    print(f"load average {os.getloadavg()[0]:.2f}; 2 intra-op threads; {args.frames} frames each")
    print("| clip | canvas | wall ms / pass (median, min) | CPU ms / pass (median) | boxes |")
    print("|---|---|---|---|---|")
    for clip, frames in (("store day", store_day_frames), ("PETS09-S3MF1", pets_frames)):
        runs: dict[bool, list[tuple[float, float, int]]] = {True: [], False: []}
        sizes = set()
        for index, image in enumerate(frames(args.frames)):
            sizes.add(tight_model.canvas_size(image.shape[1], image.shape[0], "letterbox", True))
            if index == 0:  # onnxruntime's first run at a new input size is slow
                time_pass(tight_model, image, True)
                time_pass(square_model, image, False)
            for tight in (True, False) if index % 2 else (False, True):
                runs[tight].append(time_pass(tight_model if tight else square_model, image, tight))
        for tight, rows in runs.items():
            wall, cpu, boxes = zip(*rows, strict=True)
            canvas = "x".join(map(str, sizes.pop() if tight else square_model.input_size))
            print(
                f"| {clip} | {canvas} {'tight' if tight else 'square'} | "
                f"{statistics.median(wall):.1f}, {min(wall):.1f} | {statistics.median(cpu):.1f} "
                f"| {sum(boxes)} |"
            )


if __name__ == "__main__":
    main()
