"""NanoDet adapter: anchor centres, distance bins and both ONNX layouts, on synthetic exports."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from storepixel.config.detector import DetectorConfig
from storepixel.errors import DetectorError
from storepixel.vision.adapters.nanodet import MEAN, STD
from storepixel.vision.detector import Detector, load_detector
from tests.unit.vision.onnx_graphs import write_model, write_spot_nanodet

SIZE = 64  # input side: strides 8/16/32 give 8², 4², 2² cells
BINS = 8  # reg_max 7


def detector(path: Path, **kwargs: object) -> Detector:
    config = DetectorConfig(format="nanodet", path=path, passes=("letterbox",), **kwargs)  # type: ignore[arg-type]
    return load_detector(config)


def peaked(sides_in_bins: tuple[int, int, int, int]) -> np.ndarray:
    """Box logits whose softmax is (almost) one-hot at the given bin per side."""
    logits = np.full((4, BINS), -30.0, np.float32)
    for side, k in enumerate(sides_in_bins):
        logits[side, k] = 30.0
    return logits.reshape(-1)


def split_outputs(names: tuple[str, str] = ("cls", "box")) -> dict[str, np.ndarray]:
    outputs = {}
    for stride in (8, 16, 32):
        cells = (SIZE // stride) ** 2
        outputs[f"{names[0]}{stride}"] = np.zeros((1, cells, 2), np.float32)
        outputs[f"{names[1]}{stride}"] = np.zeros((1, cells, 4 * BINS), np.float32)
    # Stride-16 cell (gx=1, gy=2): centre ((1 + 0.5)·16, (2 + 0.5)·16) = (24, 40);
    # sides left 1, top 2, right 1, bottom 1 bins × 16 px.
    outputs[f"{names[0]}16"][0, 2 * 4 + 1, 0] = 0.9
    outputs[f"{names[1]}16"][0, 2 * 4 + 1] = peaked((1, 2, 1, 1))
    return outputs


def test_split_layout_centres_anchors_at_half_a_stride(tmp_path: Path) -> None:
    path = write_model(tmp_path / "n.onnx", split_outputs(), input_shape=(1, 3, SIZE, SIZE))
    found = detector(path).detect(np.zeros((SIZE, SIZE, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[8, 8, 40, 56]], atol=1e-3)
    assert found.confidence.tolist() == pytest.approx([0.9])


def test_outputs_are_told_apart_by_width_without_name_hints(tmp_path: Path) -> None:
    outputs = split_outputs(names=("a", "z"))
    path = write_model(tmp_path / "n.onnx", outputs, input_shape=(1, 3, SIZE, SIZE))
    found = detector(path).detect(np.zeros((2 * SIZE, 2 * SIZE, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[16, 16, 80, 112]], atol=1e-3)  # image is 2× input


def test_concatenated_nanodet_plus_layout_uses_integer_centres(tmp_path: Path) -> None:
    cells = [(SIZE // s) ** 2 for s in (8, 16, 32)] + [1]  # + stride 64: 1 cell
    out = np.zeros((1, sum(cells), 2 + 4 * BINS), np.float32)
    row = cells[0] + 2 * 4 + 1  # stride-16 cell (1, 2): centre (16, 32)
    out[0, row, 0] = 0.9
    out[0, row, 2:] = peaked((1, 2, 1, 1))
    path = write_model(tmp_path / "n.onnx", {"output": out}, input_shape=(1, 3, SIZE, SIZE))
    found = detector(path).detect(np.zeros((SIZE, SIZE, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[0, 0, 32, 48]], atol=1e-3)


def test_concatenated_three_level_layout_uses_half_stride_centres(tmp_path: Path) -> None:
    cells = [(SIZE // s) ** 2 for s in (8, 16, 32)]
    out = np.zeros((1, sum(cells), 2 + 4 * BINS), np.float32)
    row = cells[0] + 2 * 4 + 1
    out[0, row, 0] = 0.9
    out[0, row, 2:] = peaked((1, 2, 1, 1))
    path = write_model(tmp_path / "n.onnx", {"output": out}, input_shape=(1, 3, SIZE, SIZE))
    found = detector(path).detect(np.zeros((SIZE, SIZE, 3), np.uint8))
    np.testing.assert_allclose(found.xyxy, [[8, 8, 40, 56]], atol=1e-3)


@pytest.mark.parametrize("concatenated", [False, True])
def test_a_tight_canvas_gets_its_own_row_major_anchor_grid(
    tmp_path: Path, concatenated: bool
) -> None:
    # 256x100 at input size 128: scale 0.5 → 128x50, on a tight 128x64 canvas with 7 grey rows
    # above. Its stride-16 grid is 8 columns x 4 rows; a white spot inside canvas cell
    # (gx=5, gy=2) (canvas x 83..93, y 35..45) makes that cell fire: centre (88, 40), sides
    # left 1, top 2, right 1, bottom 1 bins x 16 px → canvas box (72, 8, 104, 56).
    # A transposed grid (4 columns) puts that row at (24, 88); a corner-anchored one 8 px
    # up-left; the square 128x128 grid has twice the cells and does not fit the outputs.
    path = tmp_path / "spots.onnx"
    write_spot_nanodet(path, 16, peaked((1, 2, 1, 1)), concatenated=concatenated)
    found_by = detector(path, input_size=128)
    model = found_by.model  # type: ignore[attr-defined]
    assert model.canvas_size(256, 100, "letterbox", True) == (128, 64)
    image = np.zeros((100, 256, 3), np.uint8)
    image[56:76, 166:186] = 255
    found = found_by.detect(image)
    # Canvas → image: x / 0.5, (y − 7) / 0.5.
    np.testing.assert_allclose(found.xyxy, [[144, 2, 208, 98]], atol=1e-3)
    assert list(model._grids) == [(128, 64)]


def test_a_dynamic_model_reads_its_default_size_and_strides_at_load(tmp_path: Path) -> None:
    path = write_spot_nanodet(tmp_path / "spots.onnx", 16, peaked((1, 2, 1, 1)))
    model = detector(path).model  # type: ignore[attr-defined]
    assert model.input_size == (640, 640)  # no size in its metadata
    assert [level.head.stride for level in model.levels((640, 640))] == [8, 16, 32]
    assert model.max_stride == 32
    assert model.canvas_size(1280, 720, "letterbox", True) == (640, 384)
    assert model.canvas_size(1280, 720, "stretch", True) == (640, 640)
    assert model.canvas_size(1280, 720, "letterbox", False) == (640, 640)


def test_a_fixed_size_model_keeps_its_square_canvas(tmp_path: Path) -> None:
    path = write_model(tmp_path / "n.onnx", split_outputs(), input_shape=(1, 3, SIZE, SIZE))
    model = detector(path).model  # type: ignore[attr-defined]
    assert model.canvas_size(4 * SIZE, SIZE, "letterbox", True) == (SIZE, SIZE)


def test_input_is_bgr_mean_std_normalised(tmp_path: Path) -> None:
    outputs = split_outputs()
    outputs["cls16"][0, 2 * 4 + 1, 0] = 0.0
    # Person score = 0.5 × normalised channel 0 (blue): 0.5 for blue = MEAN + STD.
    probe = ("cls16", (0, 2 * 4 + 1, 0), 0, 0.5)
    path = write_model(tmp_path / "n.onnx", outputs, input_shape=(1, 3, SIZE, SIZE), probe=probe)
    blue = np.zeros((SIZE, SIZE, 3), np.uint8)
    blue[..., 0] = round(float(MEAN[0] + STD[0]))
    found = detector(path, confidence=0.1).detect(blue)
    assert found.confidence.tolist() == pytest.approx([0.5], abs=0.01)


@pytest.mark.parametrize(
    ("outputs", "kwargs", "message"),
    [
        ({"output0": np.zeros((1, 84, 8400))}, {}, "84 cells fit no NanoDet stride set"),  # YOLOv8
        ({"cls8": np.zeros((1, 6400, 2)), "box8": np.zeros((1, 6399, 32))}, {}, "per stride"),
        ({"out": np.zeros((1, 8400, 34))}, {"person_class_id": 5}, "only 2 classes"),
    ],
)
def test_outputs_that_do_not_fit_raise_one_line(
    tmp_path: Path, outputs: dict[str, np.ndarray], kwargs: dict[str, object], message: str
) -> None:
    path = write_model(tmp_path / "bad.onnx", outputs)  # a 640 input
    with pytest.raises(DetectorError, match=message) as err:
        detector(path, **kwargs)
    assert "\n" not in str(err.value)
