"""The detector's model run by OpenVINO in bfloat16, on CPUs that compute in it natively.

Recent x86 server CPUs (AVX-512 BF16: AMD Zen 4 and later, Intel Cooper Lake; AMX: Intel
Sapphire Rapids and later) multiply bfloat16 in hardware. There the bundled NanoDet runs about
1.7× faster through OpenVINO in bfloat16 than through onnxruntime in float32, with the same
boxes to two decimals of precision, recall and IoU (docs/dev/performance.md, "Inference in
bfloat16"). OpenVINO is an optional dependency (``pip install storepixel[openvino]``); on other
CPUs it would compute in float32 no faster than onnxruntime, so ``runtime: auto`` keeps
onnxruntime there.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from storepixel.errors import DetectorError


@cache
def _core() -> Any:
    import openvino

    return openvino.Core()


def available() -> bool:
    """Whether OpenVINO is installed."""
    try:
        _core()
    except Exception:  # not installed, or its native libraries fail to load
        return False
    return True


@cache
def native_bf16() -> bool:
    """Whether OpenVINO is installed and this CPU computes in bfloat16 natively."""
    if not available():
        return False
    try:
        capabilities = _core().get_property("CPU", "OPTIMIZATION_CAPABILITIES")
    except Exception:  # no CPU plugin
        return False
    return "BF16" in capabilities


class OpenVinoSession:
    """What the detector adapters use of an onnxruntime session (inputs, outputs, metadata, and
    ``run``), with ``run`` done by OpenVINO in bfloat16 (float32 where the CPU has none).

    ``threads`` CPU threads per inference as with onnxruntime; ``streams`` inferences may run at
    once, one per calling thread (the live supervisor's workers share one detector), each with
    its own OpenVINO infer request.
    """

    runtime = "openvino"

    def __init__(self, metadata: ort.InferenceSession, path: Path, threads: int, streams: int):
        self._metadata = metadata
        self.precision = "bf16" if native_bf16() else "f32"
        config = {
            "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": streams,
            "INFERENCE_NUM_THREADS": threads * streams,
            "INFERENCE_PRECISION_HINT": self.precision,
        }
        try:
            self._compiled = _core().compile_model(str(path), "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError with multi-line reports
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise DetectorError(f"OpenVINO cannot load {path.name}: {reason}") from None
        names = [o.name for o in metadata.get_outputs()]
        outputs = self._compiled.outputs
        try:
            # onnxruntime's output order, which the adapters decode by.
            self._outputs = [next(p for p in outputs if n in p.get_names()) for n in names]
        except StopIteration:
            raise DetectorError(f"OpenVINO renamed the outputs of {path.name}") from None
        self._local = threading.local()

    def get_inputs(self) -> Any:
        return self._metadata.get_inputs()

    def get_outputs(self) -> Any:
        return self._metadata.get_outputs()

    def get_modelmeta(self) -> Any:
        return self._metadata.get_modelmeta()

    def run(self, output_names: None, feed: dict[str, NDArray[np.float32]]) -> list[Any]:
        """The model's outputs, in onnxruntime's order, for one input tensor."""
        request = getattr(self._local, "request", None)
        if request is None:
            request = self._local.request = self._compiled.create_infer_request()
        (tensor,) = feed.values()
        # The input is read in place (the call is synchronous); the outputs are copied, since
        # the request reuses their memory on its next inference.
        # ``to_dict``: the plain dict under OpenVINO's result wrapper, whose own lookup by port
        # costs ~60 µs an output (six a pass).
        result = request.infer({0: tensor}, share_inputs=True).to_dict()
        return [np.array(result[port]) for port in self._outputs]


def default_streams(threads: int) -> int:
    """Inferences that may run at once: as many as ``threads``-thread inferences fit the cores."""
    return max(1, (os.cpu_count() or 1) // threads)
