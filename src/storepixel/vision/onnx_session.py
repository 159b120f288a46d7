"""One place that opens ONNX models, tuned for a small CPU box (2 cores is the target)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import onnxruntime as ort

from storepixel.config.detector import Runtime
from storepixel.errors import DetectorError


def open_model(path: Path, threads: int = 2, runtime: Runtime = "auto") -> Any:
    """A session for ``path`` that runs it with ``runtime``: ``onnxruntime`` (float32),
    ``openvino`` (``vision.openvino_session``: bfloat16 where the CPU computes in it natively),
    or ``auto``, OpenVINO where it is installed and the CPU has native bfloat16, else
    onnxruntime. Either way the result answers like an onnxruntime session (``run``,
    ``get_inputs``, ``get_outputs``, ``get_modelmeta``)."""
    from storepixel.vision import openvino_session as ov

    session = create_session(path, threads)
    if runtime == "onnxruntime" or (runtime == "auto" and not ov.native_bf16()):
        return session
    if not ov.available():
        raise DetectorError(
            "runtime: openvino needs OpenVINO: pip install 'storepixel[openvino]' "
            "(or runtime: auto / onnxruntime)"
        )
    return ov.OpenVinoSession(session, path, threads, ov.default_streams(threads))


def runtime_label(session: Any) -> str:
    """How ``session`` computes, for reports: "onnxruntime float32" or "openvino bf16"."""
    if getattr(session, "runtime", None) == "openvino":
        return f"openvino {session.precision}"
    return "onnxruntime float32"


def create_session(path: Path, threads: int = 2) -> ort.InferenceSession:
    """Open ``path`` on the CPU with ``threads`` intra-op threads, sequential execution.

    Inter-op parallelism is off: these models are a chain of convolutions, so extra threads only
    compete with the decoder and tracker for the same two cores. For the same reason the
    intra-op threads sleep between runs instead of spinning: spinning workers burn the cores the
    decoder, the gate and other cameras need, and on the shared 2-core box one 416×416 NanoDet
    pass took 41–62 ms (22 ms of CPU) without spinning against 81–134 ms (40 ms of CPU) with it
    (see docs/dev/performance.md). Raises ``DetectorError`` with a one-line message if the file is
    missing or is not a loadable ONNX model.
    """
    if not path.is_file():
        raise DetectorError(f"detector model not found: {path}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: shape-inference warnings are noise to users
    try:
        return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises several private exception types
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DetectorError(f"cannot load detector model {path}: {reason[:200]}") from None
