"""ONNX export formats, one module each, by the ``format`` name used in detector configs."""

from storepixel.vision.adapters.base import OnnxModel
from storepixel.vision.adapters.nanodet import NanoDetModel
from storepixel.vision.adapters.yolov8 import YoloV8Model
from storepixel.vision.adapters.yolox import YoloXModel

ADAPTERS: dict[str, type[OnnxModel]] = {
    "nanodet": NanoDetModel,
    "yolov8": YoloV8Model,
    "yolox": YoloXModel,
}

__all__ = ["ADAPTERS", "NanoDetModel", "OnnxModel", "YoloV8Model", "YoloXModel"]
