"""Try an INT8 copy of the bundled NanoDet: quantise, then compare speed and accuracy.

    .venv/bin/python tools/quantize_nanodet.py [--out out/nanodet-int8.onnx]

onnxruntime static quantisation (QDQ, per-channel int8 weights, uint8 activations) of the Conv
layers only (quantising the outputs too made every score zero), calibrated on letterbox and
stretch canvases of every 40th vtest.avi frame and every 20th TUD-Campus frame. Prints ms per pass
of both models and detection precision/recall (IoU 0.5, score ≥ 0.45) on PETS09-S3MF1 and
TUD-Campus. The file goes to ``out/`` and is not shipped (see docs/dev/performance.md for why).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import onnxruntime as ort
from onnxruntime.quantization import (
    CalibrationDataReader,
    QuantFormat,
    QuantType,
    quantize_static,
)
from onnxruntime.quantization.shape_inference import quant_pre_process

from storepixel.config.detector import DetectorConfig
from storepixel.sources import open_source
from storepixel.vision.adapters.nanodet import MEAN, STD
from storepixel.vision.detector import BUNDLED_MODEL, load_detector
from storepixel.vision.geometry import place

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
sys.path.insert(0, str(REPO / "bench"))


def _calibration() -> Iterator[dict[str, np.ndarray]]:
    images = [
        f.image for i, f in enumerate(open_source(REPO / "data/samples/vtest.avi")) if i % 40 == 0
    ]
    images += [cv2.imread(str(p)) for p in sorted((EVAL / "tud-campus/img1").glob("*.jpg"))[::20]]
    for image in images:
        for fit in ("letterbox", "stretch"):
            canvas, _ = place(image, (416, 416), fit, 114)
            x = canvas.transpose(2, 0, 1).astype(np.float32)
            x -= MEAN[:, None, None]
            x /= STD[:, None, None]
            yield {"input_1": x[None]}


class _Reader(CalibrationDataReader):
    def __init__(self) -> None:
        self.items = _calibration()

    def get_next(self) -> dict[str, np.ndarray] | None:
        return next(self.items, None)


def _ms_per_pass(path: Path, runs: int = 20) -> float:
    options = ort.SessionOptions()
    options.intra_op_num_threads = 2
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(0).random((1, 3, 416, 416), dtype=np.float32)
    for _ in range(3):
        session.run(None, {"input_1": x})
    started = time.perf_counter()
    for _ in range(runs):
        session.run(None, {"input_1": x})
    return (time.perf_counter() - started) / runs * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "out" / "nanodet-int8.onnx")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    pre = args.out.with_suffix(".pre.onnx")
    quant_pre_process(str(BUNDLED_MODEL), str(pre), skip_symbolic_shape=True)
    quantize_static(
        str(pre),
        str(args.out),
        _Reader(),
        quant_format=QuantFormat.QDQ,
        per_channel=True,
        activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8,
        op_types_to_quantize=["Conv"],
    )
    pre.unlink()
    from storepixel.evaluation import mot as motlib

    for name, path in (("fp32 (bundled)", BUNDLED_MODEL), ("int8", args.out)):
        print(f"{name}: {_ms_per_pass(path):.1f} ms per pass")
        detector = load_detector(DetectorConfig(path=None if path == BUNDLED_MODEL else path))
        for seq_dir in (EVAL / "pets09-s3mf1", EVAL / "tud-campus"):
            seq = motlib.load_sequence(seq_dir)
            dets = {f: detector.detect(image) for f, image in motlib.iter_images(seq)}
            pr = motlib.detection_pr(seq, dets, 0.45)
            print(
                f"  {seq.name}: precision {pr['det_precision']:.3f} recall {pr['det_recall']:.3f}"
            )


if __name__ == "__main__":
    main()
