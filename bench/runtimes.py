"""One pass of the bundled NanoDet on each runtime: wall and CPU per inference.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/runtimes.py [--runs 40]

onnxruntime in float32 (the session storepixel opens), OpenVINO in float32, and OpenVINO in
bfloat16 (only where the CPU computes in it natively), on the store day's letterbox canvas
(416×256) and the square stretch canvas (416×416), two threads each, with a random input (the
speed of these convolutions does not depend on the picture). Each runs back to back and with
the calling thread busy for 5 ms between inferences, which shows worker threads that spin while
they wait (CPU per inference beyond the caller's grows with the gap).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from storepixel.vision import openvino_session
from storepixel.vision.detector import BUNDLED_MODEL
from storepixel.vision.onnx_session import create_session

SHAPES = [(1, 3, 256, 416), (1, 3, 416, 416)]


def _openvino(precision: str) -> Callable[[np.ndarray], object]:
    import openvino

    config = {
        "PERFORMANCE_HINT": "LATENCY",
        "NUM_STREAMS": 1,
        "INFERENCE_NUM_THREADS": 2,
        "INFERENCE_PRECISION_HINT": precision,
    }
    compiled = openvino.Core().compile_model(str(BUNDLED_MODEL), "CPU", config)
    request = compiled.create_infer_request()
    return lambda x: request.infer({0: x})


def _onnxruntime() -> Callable[[np.ndarray], object]:
    session = create_session(BUNDLED_MODEL, threads=2)
    name = session.get_inputs()[0].name
    return lambda x: session.run(None, {name: x})


def _time(infer: Callable[[np.ndarray], object], x: np.ndarray, runs: int, gap_s: float) -> str:
    for _ in range(5):
        infer(x)
    cpu, busy = time.process_time(), 0.0
    for _ in range(runs):
        started = time.perf_counter()
        infer(x)
        busy += time.perf_counter() - started
        started = time.perf_counter()
        while time.perf_counter() - started < gap_s:
            pass  # the caller at work on one core
    own = (time.process_time() - cpu - runs * gap_s) / runs
    return f"wall {1000 * busy / runs:5.1f} ms, CPU {1000 * own:5.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    runtimes: dict[str, Callable[[np.ndarray], object]] = {"onnxruntime f32": _onnxruntime()}
    if openvino_session.available():
        runtimes["openvino f32"] = _openvino("f32")
        if openvino_session.native_bf16():
            runtimes["openvino bf16"] = _openvino("bf16")
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        x = rng.normal(size=shape).astype(np.float32)
        for name, infer in runtimes.items():
            back_to_back = _time(infer, x, args.runs, 0.0)
            with_gap = _time(infer, x, args.runs, 0.005)
            print(
                f"{shape[3]}x{shape[2]} {name:16s} back to back: {back_to_back}; "
                f"5 ms apart: {with_gap}",
                flush=True,
            )


if __name__ == "__main__":
    main()
