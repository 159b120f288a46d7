"""Detector config: defaults, YAML loading, and one-line errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from storepixel.config.detector import DetectorConfig, load_detector_config
from storepixel.errors import ConfigError


def write(tmp_path: Path, text: str, name: str = "detector.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_defaults_are_the_bundled_two_pass_nanodet() -> None:
    config = DetectorConfig()
    assert config.format == "nanodet"
    assert config.path is None
    assert config.passes == ("letterbox", "stretch")
    assert config.confidence == 0.45
    assert config.nms_iou == 0.6
    assert config.person_class_id == 0
    assert config.threads == 2
    assert config.adaptive_passes is True
    assert (config.adaptive_window, config.adaptive_recheck) == (25, 10)


def test_every_field_is_described() -> None:
    for name, field in DetectorConfig.model_fields.items():
        assert field.description, name


def test_yaml_file_with_relative_model_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "format: yolov8\npath: models/yolo11n.onnx\nconfidence: 0.3\npasses: [letterbox, tiles]\n"
        "tile_grid: [3, 2]\n",
    )
    config = load_detector_config(path)
    assert config.format == "yolov8"
    assert config.path == (tmp_path / "models" / "yolo11n.onnx").resolve()
    assert config.confidence == 0.3
    assert config.passes == ("letterbox", "tiles")
    assert config.tile_grid == (3, 2)


@pytest.mark.parametrize(
    "text",
    ["detector:\n  confidence: 0.5\n", "confidence: 0.5\n"],
)
def test_settings_may_sit_under_a_detector_key(tmp_path: Path, text: str) -> None:
    assert load_detector_config(write(tmp_path, text)).confidence == 0.5


def test_empty_file_means_defaults(tmp_path: Path) -> None:
    assert load_detector_config(write(tmp_path, "")) == DetectorConfig()


def test_single_pass_may_be_a_string(tmp_path: Path) -> None:
    assert load_detector_config(write(tmp_path, "passes: stretch\n")).passes == ("stretch",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "format: yolov5\npath: m.onnx\n",
            "format: expected 'nanodet', 'yolov8' or 'yolox', got 'yolov5'",
        ),
        (
            "confidense: 0.4\n",
            "unknown key 'confidense' (did you mean 'confidence'?); expected one of: format, path,",
        ),
        ("confidence: 1.5\n", "confidence: expected less than or equal to 1, got 1.5"),
        ("confidence: high\n", "confidence: expected a valid number"),
        ("nms_iou: 0\n", "nms_iou: expected greater than 0"),
        ("threads: 0\n", "threads: expected greater than or equal to 1"),
        ("input_size: 500\n", "input_size: expected a multiple of 32"),
        ("person_class_id: -1\n", "person_class_id: "),
        (
            "passes: [letterbox, zoom]\n",
            "passes[1]: expected 'letterbox', 'stretch' or 'tiles', got 'zoom'",
        ),
        ("passes: []\n", "passes: "),
        ("passes: [tiles, tiles]\n", "each pass may be listed once"),
        ("adaptive_window: 0\n", "adaptive_window: expected greater than or equal"),
        ("adaptive_recheck: 0\n", "adaptive_recheck: expected greater than or equal"),
        ("adaptive_passes: sometimes\n", "adaptive_passes: expected a valid boolean"),
        ("tile_grid: [9, 2]\n", "tile_grid: columns and rows must be between 1 and 8"),
        ("format: yolox\n", "format yolox needs a model path (only nanodet is bundled)"),
        ("- confidence\n", "expected a mapping of settings"),
        ("confidence: 0.4: x\n", "not valid YAML at line 1"),
    ],
)
def test_bad_config_is_one_line_naming_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_detector_config(path)
    text_of = str(err.value)
    assert message in text_of
    assert text_of.startswith(f"detector config {path}")
    assert "\n" not in text_of


def test_adaptive_passes_can_be_turned_off(tmp_path: Path) -> None:
    config = load_detector_config(write(tmp_path, "adaptive_passes: false\nadaptive_window: 40\n"))
    assert config.adaptive_passes is False
    assert config.adaptive_window == 40


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="detector config not found"):
        load_detector_config(tmp_path / "absent.yaml")
