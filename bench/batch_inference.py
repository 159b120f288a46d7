"""Does batching frames into one inference call pay on two cores?

    .venv/bin/python bench/batch_inference.py [--batch 4] [--rounds 2]

Makes an in-memory copy of the bundled NanoDet whose batch dimension is dynamic (its six
Reshape targets take the batch from their input: 1 → 0), checks it gives the same outputs as
the original one frame at a time, then times ``--batch`` frames one by one against one call.
docs/dev/performance.md quotes it (the answer here: no, so ``Detector.detect_batch`` stays a loop).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

from storepixel.vision.detector import BUNDLED_MODEL


def batch_dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    reshape_targets = {n.input[1] for n in model.graph.node if n.op_type == "Reshape"}
    for init in model.graph.initializer:
        if init.name in reshape_targets:
            shape = numpy_helper.to_array(init).copy()
            shape[0] = 0  # copy the batch from the input
            init.CopyFrom(numpy_helper.from_array(shape, init.name))
    for value in [*model.graph.input, *model.graph.output]:
        value.type.tensor_type.shape.dim[0].dim_param = "N"
    del model.graph.value_info[:]
    return model


def session(data: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    single = session(BUNDLED_MODEL.read_bytes())
    batched = session(batch_dynamic(onnx.load(str(BUNDLED_MODEL))).SerializeToString())
    name = single.get_inputs()[0].name
    x = np.random.default_rng(0).random((args.batch, 3, 416, 416), dtype=np.float32)
    ones = [single.run(None, {name: x[i : i + 1]}) for i in range(args.batch)]
    together = batched.run(None, {name: x})
    diff = max(
        float(np.abs(together[k][i] - ones[i][k][0]).max())
        for i in range(args.batch)
        for k in range(len(together))
    )
    print(f"batch-dynamic copy: max output difference {diff:.1e}")
    for _ in range(args.rounds):
        started = time.perf_counter()
        for _ in range(5):
            for i in range(args.batch):
                single.run(None, {name: x[i : i + 1]})
        one_by_one = (time.perf_counter() - started) / (5 * args.batch) * 1e3
        started = time.perf_counter()
        for _ in range(5):
            batched.run(None, {name: x})
        in_one_call = (time.perf_counter() - started) / (5 * args.batch) * 1e3
        print(
            f"per frame: one by one {one_by_one:.1f} ms, {args.batch} per call {in_one_call:.1f} ms"
        )


if __name__ == "__main__":
    main()
