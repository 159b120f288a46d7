"""The one way to build a person detector from a config (the interface: :mod:`.base`).

>>> import numpy as np
>>> detector = load_detector()  # the bundled NanoDet with the measured defaults
>>> detections = detector.detect(np.zeros((576, 768, 3), np.uint8))
>>> len(detections)
0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storepixel.config.detector import DetectorConfig
from storepixel.vision.adapters import ADAPTERS
from storepixel.vision.base import Detector
from storepixel.vision.onnx_detector import AdaptivePasses, OnnxDetector
from storepixel.vision.onnx_session import open_model

__all__ = ["BUNDLED_MODEL", "Detector", "describe_runtime", "for_camera", "load_detector"]

BUNDLED_MODEL = Path(__file__).parent / "models" / "nanodet.onnx"


def describe_runtime(detector: object) -> str:
    """How ``detector``'s model computes, for reports: "openvino bf16", "onnxruntime float32",
    or "a custom detector" for one that is not an ONNX model of ours."""
    from storepixel.vision.onnx_session import runtime_label

    session = getattr(getattr(detector, "model", None), "session", None)
    return runtime_label(session) if session is not None else "a custom detector"


def load_detector(config: DetectorConfig | None = None) -> Detector:
    """Build the detector described by ``config`` (``None``: the bundled NanoDet, defaults).

    Raises ``DetectorError`` (one line) when the model file is missing, is not ONNX, or its
    tensors do not match ``config.format``.
    """
    config = config or DetectorConfig()
    path = config.path or BUNDLED_MODEL
    session = open_model(path, threads=config.threads, runtime=config.runtime)
    model = ADAPTERS[config.format](session, path, config.person_class_id, config.input_size)
    adaptive = None
    if config.adaptive_passes:
        adaptive = AdaptivePasses(config.adaptive_window, config.adaptive_recheck)
    return OnnxDetector(
        model,
        confidence=config.confidence,
        nms_iou=config.nms_iou,
        passes=config.passes,
        tile_grid=config.tile_grid,
        tile_overlap=config.tile_overlap,
        adaptive=adaptive,
        far_slices=config.far_slices,
        size_map=config.size_map,
        far_budget=config.far_budget,
    )


def for_camera(detector: Any, *, adaptive: bool = True) -> Any:
    """The detector one camera's pipeline should call: its own view of ``detector`` when that
    keeps per-stream state (adaptive passes), so cameras sharing a detector do not share what
    it learned; ``adaptive=False``: every configured pass on every frame. Others: unchanged."""
    view = getattr(detector, "for_camera", None)
    return view(adaptive=adaptive) if callable(view) else detector
