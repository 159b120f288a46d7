"""One NanoDet pass with onnxruntime's intra-op threads spinning between runs vs sleeping.

    .venv/bin/python bench/session_spinning.py [--runs 30] [--rounds 2]

Runs the bundled detector's model on a 416×416 input, with a little Python work between runs (as
the pipeline decodes, tracks and counts between detections), alternating the two settings for
``--rounds`` rounds; prints wall and CPU milliseconds per pass. docs/dev/performance.md quotes it.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort

from storepixel.vision.detector import BUNDLED_MODEL


def session(spinning: bool) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
    return ort.InferenceSession(str(BUNDLED_MODEL), options, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((1, 3, 416, 416), dtype=np.float32)
    name = session(False).get_inputs()[0].name
    for _ in range(args.rounds):
        for spinning in (True, False):
            s = session(spinning)
            for _ in range(3):
                s.run(None, {name: x})
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(args.runs):
                s.run(None, {name: x})
                np.sort(rng.random(20_000))  # the pipeline's own work between detections
            wall_ms = (time.perf_counter() - wall) / args.runs * 1e3
            cpu_ms = (time.process_time() - cpu) / args.runs * 1e3
            label = "spinning" if spinning else "sleeping"
            print(f"{label:<9} wall {wall_ms:6.1f} ms  cpu {cpu_ms:6.1f} ms per pass")


if __name__ == "__main__":
    main()
