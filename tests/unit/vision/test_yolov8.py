"""YOLOv8/YOLO11 adapter: decoding, letterbox inversion and input format, on synthetic exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storepixel.config.detector import DetectorConfig
from storepixel.errors import DetectorError
from storepixel.vision.detector import load_detector
from tests.unit.vision.onnx_graphs import write_model

N = 8400  # candidates of a 640 export: 80² + 40² + 20²


def yolo_output(boxes: list[tuple[float, float, float, float, int, float]]) -> np.ndarray:
    """(1, 84, N): each box is cx, cy, w, h (input pixels), class, score."""
    out = np.zeros((1, 84, N), np.float32)
    for i, (cx, cy, w, h, cls, score) in enumerate(boxes):
        out[0, :4, i] = cx, cy, w, h
        out[0, 4 + cls, i] = score
    return out


def detector(path: Path, **kwargs: object):
    config = DetectorConfig(format="yolov8", path=path, passes=("letterbox",), **kwargs)  # type: ignore[arg-type]
    return load_detector(config)


def test_box_maps_back_through_the_centred_letterbox(tmp_path: Path) -> None:
    # 1280x720 → scale 0.5, 640x360 placed at y = 140 on the 640 canvas.
    out = yolo_output([(320, 320, 100, 200, 0, 0.9)])
    found = detector(write_model(tmp_path / "y.onnx", {"output0": out})).detect(
        np.zeros((720, 1280, 3), np.uint8)
    )
    assert len(found) == 1
    np.testing.assert_allclose(found.xyxy[0], [540, 160, 740, 560], atol=1e-3)
    assert found.confidence[0] == pytest.approx(0.9)


def test_only_the_person_class_and_scores_above_confidence(tmp_path: Path) -> None:
    out = yolo_output(
        [
            (100, 100, 40, 80, 0, 0.8),  # person
            (300, 300, 40, 80, 2, 0.95),  # a car
            (500, 500, 40, 80, 0, 0.2),  # a weak person
        ]
    )
    path = write_model(tmp_path / "y.onnx", {"output0": out})
    image = np.zeros((640, 640, 3), np.uint8)
    people = detector(path, confidence=0.5).detect(image)
    np.testing.assert_allclose(people.xyxy, [[80, 60, 120, 140]], atol=1e-3)
    cars = detector(path, confidence=0.5, person_class_id=2).detect(image)
    np.testing.assert_allclose(cars.xyxy, [[280, 260, 320, 340]], atol=1e-3)


def test_overlapping_candidates_are_suppressed(tmp_path: Path) -> None:
    out = yolo_output([(100, 100, 40, 80, 0, 0.9), (102, 101, 40, 80, 0, 0.8)])
    found = detector(write_model(tmp_path / "y.onnx", {"output0": out})).detect(
        np.zeros((640, 640, 3), np.uint8)
    )
    assert found.confidence.tolist() == pytest.approx([0.9])


def test_transposed_output_is_read_too(tmp_path: Path) -> None:
    out = yolo_output([(320, 320, 100, 200, 0, 0.9)]).transpose(0, 2, 1)  # (1, N, 84)
    found = detector(write_model(tmp_path / "y.onnx", {"output0": out})).detect(
        np.zeros((640, 640, 3), np.uint8)
    )
    np.testing.assert_allclose(found.xyxy, [[270, 220, 370, 420]], atol=1e-3)


@pytest.mark.parametrize(
    ("bgr", "expected"),
    [((0, 0, 255), [0.5]), ((255, 0, 0), [])],  # red → RGB channel 0 is 1.0; blue → 0.0
)
def test_input_is_rgb_scaled_to_one(
    tmp_path: Path, bgr: tuple[int, int, int], expected: list[float]
) -> None:
    out = yolo_output([(320, 320, 100, 200, 0, 0.0)])
    # The person score of candidate 0 is half the mean of input channel 0.
    path = write_model(tmp_path / "y.onnx", {"output0": out}, probe=("output0", (0, 4, 0), 0, 0.5))
    image = np.full((640, 640, 3), bgr, np.uint8)
    found = detector(path, confidence=0.1).detect(image)
    assert found.confidence.tolist() == pytest.approx(expected)


def test_dynamic_input_uses_configured_size(tmp_path: Path) -> None:
    out = yolo_output([(160, 160, 50, 100, 0, 0.9)])
    path = write_model(tmp_path / "y.onnx", {"output0": out}, input_shape=(1, 3, "h", "w"))
    found = detector(path, input_size=320).detect(np.zeros((640, 640, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[270, 220, 370, 420]], atol=1e-3)


def test_dynamic_input_letterboxes_onto_a_tight_canvas(tmp_path: Path) -> None:
    # 1280x500 at 320: scale 0.25 → 320x125, on a 320x128 canvas with 1 grey row above (the
    # square canvas would have 97).
    out = yolo_output([(160, 64, 40, 80, 0, 0.9)])
    path = write_model(tmp_path / "y.onnx", {"output0": out}, input_shape=(1, 3, "h", "w"))
    found_by = detector(path, input_size=320)
    assert found_by.model.canvas_size(1280, 500, "letterbox", True) == (320, 128)
    found = found_by.detect(np.zeros((500, 1280, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[560, 92, 720, 412]], atol=1e-3)


@pytest.mark.parametrize(("metadata", "canvas"), [({}, (320, 160)), ({"stride": "64"}, (320, 192))])
def test_tight_canvas_sides_are_multiples_of_the_exported_stride(
    tmp_path: Path, metadata: dict[str, str], canvas: tuple[int, int]
) -> None:
    out = yolo_output([(160, 64, 40, 80, 0, 0.9)])
    shape = (1, 3, "h", "w")
    path = write_model(tmp_path / "y.onnx", {"output0": out}, input_shape=shape, metadata=metadata)
    model = detector(path, input_size=320).model
    assert model.canvas_size(1280, 600, "letterbox", True) == canvas  # 150 rows


def test_dynamic_input_defaults_to_the_exported_size(tmp_path: Path) -> None:
    out = yolo_output([])
    path = write_model(
        tmp_path / "y.onnx", {"output0": out}, input_shape=(1, 3, "h", "w"),
        metadata={"imgsz": "[320, 480]"},
    )  # fmt: skip
    assert detector(path).model.input_size == (480, 320)
    plain = write_model(tmp_path / "p.onnx", {"output0": out}, input_shape=(1, 3, "h", "w"))
    assert detector(plain).model.input_size == (640, 640)


@pytest.mark.parametrize(
    ("outputs", "kwargs", "message"),
    [
        ({"a": np.zeros((1, 84, N)), "b": np.zeros((1, 84, N))}, {}, "is not a yolov8 model"),
        ({"a": np.zeros((1, 4, N))}, {}, "is not a yolov8 model"),
        ({"a": np.zeros((1, 6, N))}, {"person_class_id": 2}, "only 2 classes"),
        ({"a": np.zeros((1, 84, N))}, {"input_size": 320}, "fixed 640x640 input"),
    ],
)
def test_outputs_that_do_not_fit_raise_one_line(
    tmp_path: Path, outputs: dict[str, np.ndarray], kwargs: dict[str, object], message: str
) -> None:
    path = write_model(tmp_path / "bad.onnx", outputs)
    with pytest.raises(DetectorError, match=message) as err:
        detector(path, **kwargs)
    assert "\n" not in str(err.value)


def test_a_model_failing_at_run_time_raises_one_line(tmp_path: Path) -> None:
    out = yolo_output([(160, 160, 50, 100, 0, 0.9)])
    path = write_model(
        tmp_path / "y.onnx",
        {"output0": out},
        input_shape=(1, 3, "h", "w"),
        reshape_input=(1, 3, 640, 640),  # only a 640 input fits
    )
    broken = detector(path, input_size=320)
    with pytest.raises(DetectorError, match=r"y\.onnx failed to run") as err:
        broken.detect(np.zeros((480, 640, 3), np.uint8))
    assert "\n" not in str(err.value)
