"""Which person detector to run and how: the ``detector`` section of a camera, or its own YAML file.

>>> cfg = DetectorConfig(confidence=0.5)
>>> cfg.format, cfg.path is None, cfg.passes
('nanodet', True, ('letterbox', 'stretch'))
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from storepixel.errors import ConfigError
from storepixel.files import read_yaml
from storepixel.validation import describe_validation_error

DetectorFormat = Literal["nanodet", "yolov8", "yolox"]
PassKind = Literal["letterbox", "stretch", "tiles"]
Runtime = Literal["auto", "onnxruntime", "openvino"]


class DetectorConfig(BaseModel):
    """A person detector: an ONNX model in one of the known export formats plus its settings.

    The defaults are the bundled NanoDet, measured on a high wide view (PETS09) and a street-level
    near view (TUD-Campus); see ``docs/accuracy.md`` ("Detector") for the numbers behind them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: DetectorFormat = Field(
        default="nanodet",
        title="Model format",
        description="Output layout of the ONNX file: nanodet, yolov8 (also YOLO11) or yolox.",
    )
    path: Path | None = Field(
        default=None,
        title="Model file",
        description="ONNX file; relative paths are relative to the YAML file. "
        "Empty = the bundled NanoDet (format must then be nanodet).",
    )
    input_size: int | None = Field(
        default=None,
        ge=32,
        le=4096,
        multiple_of=32,
        title="Input size",
        description="Square model input side in pixels for models with a dynamic input; "
        "empty = the model's own (the bundled NanoDet: 416; 640 when it has none). A fixed-size "
        "model must match. A dynamic NanoDet or YOLOv8 model letterboxes a non-square frame "
        "onto a canvas this long and only as wide or tall as the frame needs. For a camera "
        "whose people are all small, 640 finds about as many as tiles at less cost; near "
        "people are missed more at 640.",
    )
    confidence: float = Field(
        default=0.45,
        gt=0.0,
        le=1.0,
        title="Confidence threshold",
        description="Minimum person score to report a box.",
    )
    nms_iou: float = Field(
        default=0.6,
        gt=0.0,
        le=1.0,
        title="NMS IoU",
        description="Boxes overlapping a higher-scored box by more than this IoU are dropped; "
        "higher keeps more of the people walking close together.",
    )
    person_class_id: int = Field(
        default=0, ge=0, title="Person class", description="Class index of 'person' (COCO: 0)."
    )
    threads: int = Field(
        default=2, ge=1, le=64, title="Threads", description="CPU threads for one inference."
    )
    runtime: Runtime = Field(
        default="auto",
        title="Runtime",
        description="What runs the model: onnxruntime (float32), openvino (bfloat16 on CPUs "
        "that compute in it natively, about 1.7x faster there; needs storepixel[openvino]), or "
        "auto: openvino where it is installed and the CPU has native bfloat16, else onnxruntime.",
    )
    passes: tuple[PassKind, ...] = Field(
        default=("letterbox", "stretch"),
        min_length=1,
        title="Passes",
        description="Views of each frame run through the model, merged with NMS: letterbox "
        "(whole frame, aspect kept), stretch (whole frame squeezed to the input: helps people "
        "filling a portrait frame), tiles (overlapping crops: helps small far people). "
        "Each pass costs one inference (tiles: one per tile).",
    )
    adaptive_passes: bool = Field(
        default=True,
        title="Adaptive passes",
        description="Per camera, run only the first pass while the others find no one it "
        "missed: after adaptive_window frames with people in which every person was also found "
        "by the first pass, the other passes are skipped, and all passes run again on every "
        "adaptive_recheck-th detection (and from then on as soon as they find someone new). "
        "Off: every pass on every frame.",
    )
    adaptive_window: int = Field(
        default=25,
        ge=1,
        le=1000,
        title="Adaptive window",
        description="Frames with people, all passes run, that must show the extra passes "
        "adding no one before they are skipped.",
    )
    adaptive_recheck: int = Field(
        default=10,
        ge=1,
        le=1000,
        title="Adaptive re-check",
        description="While the extra passes are skipped, every this-many-th detection runs all "
        "passes again to check that they still add no one.",
    )
    far_slices: int = Field(
        default=0,
        ge=0,
        le=8,
        title="Far-band slices",
        description="Scale that follows the camera: the detector learns how tall people are at "
        "each row of this camera's view (from its own confident boxes) and, where they are too "
        "small for the model's input, looks again at that band of rows in up to this many "
        "overlapping slices, each enlarged, within far_budget. 0 = off; 3 suits a deep view. "
        "A camera whose people are all big enough never runs it.",
    )
    far_budget: float | None = Field(
        default=0.25,
        ge=0.0,
        le=8.0,
        title="Far-band time budget",
        description="The most the far band may spend, as a share of this camera's other "
        "passes (0.25: at most a quarter more detector time; counted in model-input pixels "
        "over the stream). Within it the slices are scanned in turn, and one that finds "
        "someone new is looked at on the next two frames too, so the tracker can confirm "
        "them. Empty = no budget: the whole band whenever the other extra passes run.",
    )
    size_map: tuple[float, float, float, float] | None = Field(
        default=None,
        title="Person-size map",
        description="What `storepixel calibrate` measured for this camera: slope, horizon row, "
        "and the lowest and highest foot row seen (frame pixels; a person's height is slope × "
        "(foot row − horizon row)). The detector starts from it and keeps learning; empty = "
        "learn from the first people seen.",
    )
    tile_grid: tuple[int, int] = Field(
        default=(2, 2),
        title="Tile grid",
        description="Columns and rows of the tiles pass.",
    )
    tile_overlap: float = Field(
        default=0.25,
        ge=0.0,
        le=0.75,
        title="Tile overlap",
        description="Fraction of a tile shared with its neighbour, so people on a seam are whole "
        "in one tile.",
    )

    @field_validator("passes", mode="before")
    @classmethod
    def _one_pass_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @field_validator("passes")
    @classmethod
    def _unique_passes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("each pass may be listed once")
        return value

    @field_validator("tile_grid")
    @classmethod
    def _grid_bounds(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not all(1 <= n <= 8 for n in value):
            raise ValueError("columns and rows must be between 1 and 8")
        return value

    @model_validator(mode="after")
    def _bundled_is_nanodet(self) -> DetectorConfig:
        if self.path is None and self.format != "nanodet":
            raise ValueError(f"format {self.format} needs a model path (only nanodet is bundled)")
        return self


def load_detector_config(path: str | Path) -> DetectorConfig:
    """Read a detector YAML file (the fields of ``DetectorConfig``, optionally under ``detector:``).

    Raises ``ConfigError`` with one line naming the file, the key and what was expected.
    """
    path = Path(path)
    data = read_yaml(path, "detector config")
    if isinstance(data, dict) and set(data) == {"detector"}:
        data = data["detector"]
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"detector config {path}: expected a mapping of settings")
    try:
        config = DetectorConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(
            f"detector config {path}: {describe_validation_error(exc.errors(), DetectorConfig)}"
        ) from None
    if config.path is not None and not config.path.is_absolute():
        config = config.model_copy(update={"path": (path.parent / config.path).resolve()})
    return config
