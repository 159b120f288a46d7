"""Vision: the ONNX runtime helper, the person detector interface, and its format adapters."""

from storepixel.vision.detector import Detector, load_detector

__all__ = ["Detector", "load_detector"]
