"""YOLOX adapter: grid/stride decoding, decoded exports, top-left letterbox, BGR 0–255 input."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from storepixel.config.detector import DetectorConfig
from storepixel.errors import DetectorError
from storepixel.vision.detector import Detector, load_detector
from tests.unit.vision.onnx_graphs import write_model

N = 8400  # 80² (stride 8) + 40² (16) + 20² (32) at 640


def row_of(stride: int, gx: int, gy: int) -> int:
    """Index of a grid cell in the concatenated (1, N, 5+C) output."""
    start = {8: 0, 16: 6400, 32: 6400 + 1600}[stride]
    return start + gy * (640 // stride) + gx


def detector(path: Path, **kwargs: object) -> Detector:
    config = DetectorConfig(format="yolox", path=path, passes=("letterbox",), **kwargs)  # type: ignore[arg-type]
    return load_detector(config)


def raw_output() -> np.ndarray:
    out = np.zeros((1, N, 85), np.float32)
    # Stride-32 cell (gx=4, gy=3): centre ((0.5 + 4)·32, (0.25 + 3)·32) = (144, 104);
    # size exp(log 3)·32 = 96 wide, exp(log 2)·32 = 64 tall; score = 0.9 obj × 0.8 person.
    out[0, row_of(32, 4, 3), :5] = 0.5, 0.25, math.log(3), math.log(2), 0.9
    out[0, row_of(32, 4, 3), 5] = 0.8
    return out


def test_raw_output_is_decoded_on_the_grid(tmp_path: Path) -> None:
    path = write_model(tmp_path / "x.onnx", {"output": raw_output()})
    found = detector(path).detect(np.zeros((640, 640, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[96, 72, 192, 136]], atol=1e-3)
    assert found.confidence.tolist() == pytest.approx([0.72])


def test_letterbox_is_top_left_so_boxes_only_scale_back(tmp_path: Path) -> None:
    # 1280x720 → scale 0.5, no offset (YOLOX pads at the right and bottom).
    path = write_model(tmp_path / "x.onnx", {"output": raw_output()})
    found = detector(path).detect(np.zeros((720, 1280, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[192, 144, 384, 272]], atol=1e-3)


def test_decoded_export_is_used_as_pixels(tmp_path: Path) -> None:
    out = np.zeros((1, N, 85), np.float32)
    out[0, :, 0] = 320  # decoded centres spread over the input
    out[0, 10, :6] = 144, 104, 96, 64, 0.9, 0.8
    path = write_model(tmp_path / "x.onnx", {"output": out})
    found = detector(path).detect(np.zeros((640, 640, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[96, 72, 192, 136]], atol=1e-3)


def test_objectness_times_class_is_the_score(tmp_path: Path) -> None:
    out = raw_output()
    out[0, row_of(32, 4, 3), 5] = 0.4  # 0.9 × 0.4 = 0.36
    path = write_model(tmp_path / "x.onnx", {"output": out})
    assert len(detector(path, confidence=0.4).detect(np.zeros((640, 640, 3), np.uint8))) == 0
    assert len(detector(path, confidence=0.3).detect(np.zeros((640, 640, 3), np.uint8))) == 1


@pytest.mark.parametrize(
    ("bgr", "expected"),
    [((200, 0, 0), [0.5]), ((0, 0, 200), [])],  # blue → BGR channel 0 is 200
)
def test_input_is_bgr_0_to_255(tmp_path: Path, bgr: tuple[int, int, int], expected: list) -> None:
    out = raw_output()
    out[0, row_of(32, 4, 3), 4] = 0.0  # objectness comes from the probe: 0.0025 × mean(ch 0)
    path = write_model(
        tmp_path / "x.onnx", {"output": out}, probe=("output", (0, row_of(32, 4, 3), 4), 0, 0.0025)
    )
    found = detector(path, confidence=0.1).detect(np.full((640, 640, 3), bgr, np.uint8))
    assert found.confidence.tolist() == pytest.approx([e * 0.8 for e in expected])


@pytest.mark.parametrize(
    ("outputs", "message"),
    [
        ({"output": np.zeros((1, 84, N))}, "give 8400"),  # a YOLOv8 export
        ({"output": np.zeros((1, N, 5))}, "is not a yolox model"),
        ({"a": np.zeros((1, N, 85)), "b": np.zeros((1, N, 85))}, "is not a yolox model"),
    ],
)
def test_outputs_that_do_not_fit_raise_one_line(
    tmp_path: Path, outputs: dict[str, np.ndarray], message: str
) -> None:
    with pytest.raises(DetectorError, match=message) as err:
        detector(write_model(tmp_path / "bad.onnx", outputs))
    assert "\n" not in str(err.value)


def test_dynamic_input_stays_on_the_square_canvas(tmp_path: Path) -> None:
    # YOLOX's grid is built for the square input: a wide frame must not get a tight canvas.
    path = write_model(tmp_path / "x.onnx", {"output": raw_output()}, input_shape=(1, 3, "h", "w"))
    model = detector(path).model  # type: ignore[attr-defined]
    assert model.canvas_size(1280, 720, "letterbox", True) == (640, 640)
