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

    ``run_all`` runs several inputs of one frame (the detector's passes) at once, each on its
    share of the calling thread's ``threads``: two threads of one inference spend about a sixth
    of their CPU waiting for each other, so two one-thread inferences side by side finish as
    soon as the same two one after the other on two threads each, with ≈ 15 % less CPU
    (docs/dev/performance.md, "Passes side by side"). The outputs are the same bits: each
    inference's arithmetic does not depend on its thread count.
    """

    runtime = "openvino"

    def __init__(self, metadata: ort.InferenceSession, path: Path, threads: int, streams: int):
        self._metadata = metadata
        self._path = path
        self.threads, self.streams = threads, streams
        self.precision = "bf16" if native_bf16() else "f32"
        self._compiled = self._compile(streams, threads)
        # Compiled on the first ``run_all``: the same threads cut into one-thread streams.
        self._side_by_side: Any = None
        self._lock = threading.Lock()
        self._outputs = self._ports(self._compiled)
        self._local = threading.local()

    def _compile(self, streams: int, threads: int) -> Any:
        config = {
            "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": streams,
            "INFERENCE_NUM_THREADS": threads * streams,
            "INFERENCE_PRECISION_HINT": self.precision,
        }
        try:
            return _core().compile_model(str(self._path), "CPU", config)
        except Exception as exc:  # OpenVINO raises RuntimeError with multi-line reports
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise DetectorError(f"OpenVINO cannot load {self._path.name}: {reason}") from None

    def _ports(self, compiled: Any) -> list[Any]:
        """``compiled``'s output ports in onnxruntime's order, which the adapters decode by."""
        names = [o.name for o in self._metadata.get_outputs()]
        try:
            return [next(p for p in compiled.outputs if n in p.get_names()) for n in names]
        except StopIteration:
            raise DetectorError(f"OpenVINO renamed the outputs of {self._path.name}") from None

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

    def run_all(self, tensors: list[NDArray[np.float32]]) -> list[list[Any]]:
        """``run``'s outputs for each of ``tensors``, the inferences side by side on one thread
        each (of this caller's ``threads``). With one thread an inference, one after the other:
        the caller's share of the cores is a single one (the live supervisor with as many
        workers as cores or more), and there is nothing to put side by side."""
        if self.threads < 2 or len(tensors) < 2:
            return [self.run(None, {"input": tensor}) for tensor in tensors]
        requests: list[Any] = getattr(self._local, "side_by_side", [])
        if len(requests) < len(tensors):
            with self._lock:
                if self._side_by_side is None:
                    # As many one-thread streams as the threads all callers together may use.
                    compiled = self._compile(self.threads * self.streams, 1)
                    self._side_by_side = compiled, self._ports(compiled)
            compiled, _ = self._side_by_side
            requests = requests + [
                compiled.create_infer_request() for _ in range(len(tensors) - len(requests))
            ]
            self._local.side_by_side = requests
        ports = self._side_by_side[1]
        started = []
        try:
            for request, tensor in zip(requests, tensors, strict=False):
                request.start_async({0: tensor}, share_inputs=True)
                started.append(request)
        finally:
            for request in started:  # the inputs are read in place: none may outlive this call
                request.wait()
        outputs = []
        for request in started:
            result = request.results.to_dict()
            outputs.append([np.array(result[port]) for port in ports])
        return outputs


def default_streams(threads: int) -> int:
    """Inferences that may run at once: as many as ``threads``-thread inferences fit the cores."""
    return max(1, (os.cpu_count() or 1) // threads)
