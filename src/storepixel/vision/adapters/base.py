"""What every ONNX export format shares: input sizing, placement on the canvas, running the session.

A format (``OnnxModel`` subclass) only says how pixels become a tensor and how output tensors
become person boxes on the canvas; mapping them back to the image is done here, once.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

import cv2
import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray

from storepixel.errors import DetectorError
from storepixel.vision.geometry import Fit, place, tight_size

Candidates = tuple[NDArray[np.float32], NDArray[np.float32]]  # xyxy (N,4), score (N,)
Shape = list[int | str | None]  # as onnxruntime reports it: str/None for dynamic dimensions

DEFAULT_DYNAMIC_SIZE = 640


class OnnxModel(ABC):
    """An ONNX detector in one export format; ``candidates`` gives person boxes in image pixels."""

    format_name: ClassVar[str]
    pad_value: ClassVar[int] = 114  # grey, what YOLO-family letterboxes were trained with
    centre_letterbox: ClassVar[bool] = True
    # Whether ``decode`` reads boxes off any canvas a dynamic model is given, not only the square.
    tight_canvas: ClassVar[bool] = True
    max_stride: int = 32  # canvas sides of a dynamic model are multiples of this

    def __init__(
        self,
        session: ort.InferenceSession,  # or one that answers like it (OpenVinoSession)
        path: Path,
        person_class_id: int = 0,
        input_size: int | None = None,
    ) -> None:
        self.session = session
        self.path = path
        self.person_class_id = person_class_id
        inputs = session.get_inputs()
        if len(inputs) != 1 or len(inputs[0].shape) != 4:
            got = [(i.name, i.shape) for i in inputs]
            raise self.mismatch(f"expected one NCHW image input, got {got}")
        self.input_name: str = inputs[0].name
        self.dynamic_input = known(inputs[0].shape[2]) is None or known(inputs[0].shape[3]) is None
        self.input_size: tuple[int, int] = self._resolve_size(inputs[0].shape, input_size)
        self.check_outputs([o.shape for o in session.get_outputs()])

    def _resolve_size(self, shape: Shape, wanted: int | None) -> tuple[int, int]:
        """(width, height) of the model input: the model's own if fixed, else ``wanted``, else
        the size its metadata gives (``imgsz`` = "[h, w]", as Ultralytics and the bundled
        NanoDet write it), else 640."""
        height, width = known(shape[2]), known(shape[3])
        if height is not None and width is not None:
            if wanted is not None and (wanted, wanted) != (width, height):
                raise DetectorError(
                    f"{self.path.name} has a fixed {width}x{height} input; "
                    f"input_size {wanted} does not fit it (leave input_size empty)"
                )
            return width, height
        if wanted is not None:
            return wanted, wanted
        meta = self.session.get_modelmeta().custom_metadata_map
        try:
            own_h, own_w = (int(side) for side in json.loads(meta["imgsz"]))
        except (KeyError, ValueError, TypeError):
            return DEFAULT_DYNAMIC_SIZE, DEFAULT_DYNAMIC_SIZE
        return own_w, own_h

    def mismatch(self, detail: str) -> DetectorError:
        """The one-line error for a model whose tensors do not fit this format."""
        return DetectorError(f"{self.path.name} is not a {self.format_name} model: {detail}")

    def canvas_size(self, width: int, height: int, fit: Fit, tight: bool) -> tuple[int, int]:
        """(width, height) of the canvas a ``width`` × ``height`` image is placed on.

        ``tight`` letterboxes on a dynamic model get a canvas cut to the image (``tight_size``);
        every other placement, and every placement for a fixed-size model, the input size.
        """
        if tight and fit == "letterbox" and self.dynamic_input and self.tight_canvas:
            return tight_size(width, height, self.input_size, self.max_stride)
        return self.input_size

    def candidates(
        self, image: NDArray[np.uint8], fit: Fit, confidence: float, *, tight: bool = False
    ) -> Candidates:
        """Person boxes (xyxy, image pixels, not clipped) with score ≥ ``confidence``; ``tight``:
        see ``canvas_size``."""
        size = self.canvas_size(image.shape[1], image.shape[0], fit, tight)
        canvas, placement = place(image, size, fit, self.pad_value, centre=self.centre_letterbox)
        outputs = self.run(self.to_tensor(canvas))
        xyxy, scores = self.decode(outputs, confidence, size)
        return placement.to_image(xyxy), scores

    def candidates_all(
        self, views: Sequence[tuple[NDArray[np.uint8], Fit, bool]], confidence: float
    ) -> list[Candidates]:
        """``candidates(image, fit, confidence, tight=tight)`` for each (image, fit, tight) of
        ``views``, the same boxes, with the model run on them side by side where the session
        can (``run_all``)."""
        sizes, placements, tensors = [], [], []
        for image, fit, tight in views:
            size = self.canvas_size(image.shape[1], image.shape[0], fit, tight)
            canvas, placement = place(
                image, size, fit, self.pad_value, centre=self.centre_letterbox
            )
            sizes.append(size)
            placements.append(placement)
            tensors.append(self.to_tensor(canvas))
        out = []
        for outputs, size, placement in zip(self.run_all(tensors), sizes, placements, strict=True):
            xyxy, scores = self.decode(outputs, confidence, size)
            out.append((placement.to_image(xyxy), scores))
        return out

    def run_all(self, tensors: list[NDArray[np.float32]]) -> list[list[NDArray[np.float32]]]:
        """``run``'s outputs for each of ``tensors``: side by side where the session runs
        several at once (``OpenVinoSession.run_all``), else one after the other."""
        run_all = getattr(self.session, "run_all", None)
        if run_all is None or len(tensors) < 2:
            return [self.run(tensor) for tensor in tensors]
        try:
            return [list(outputs) for outputs in run_all(tensors)]
        except DetectorError:
            raise
        except Exception as exc:
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise DetectorError(f"{self.path.name} failed to run: {reason}") from None

    def run(self, tensor: NDArray[np.float32]) -> list[NDArray[np.float32]]:
        """The model's outputs for one input tensor; a failure is a one-line ``DetectorError``."""
        try:
            return list(self.session.run(None, {self.input_name: tensor}))
        except Exception as exc:  # onnxruntime's own exception types are private
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            raise DetectorError(f"{self.path.name} failed to run: {reason}") from None

    @abstractmethod
    def check_outputs(self, shapes: list[Shape]) -> None:
        """Raise ``self.mismatch(...)`` unless the output shapes fit this format."""

    @abstractmethod
    def to_tensor(self, canvas_bgr: NDArray[np.uint8]) -> NDArray[np.float32]:
        """The canvas (input-sized BGR image) as the model's (1,3,H,W) input tensor."""

    @abstractmethod
    def decode(
        self, outputs: list[NDArray[np.float32]], confidence: float, canvas: tuple[int, int]
    ) -> Candidates:
        """Raw outputs of a ``canvas`` = (width, height) input → person boxes on the canvas
        (xyxy pixels) and their scores."""


def known(dim: int | str | None) -> int | None:
    """A dimension as an int when the model fixes it, else None."""
    return dim if isinstance(dim, int) and dim > 0 else None


def bgr_to_nchw(
    canvas: NDArray[np.uint8],
    *,
    rgb: bool,
    mean: NDArray[np.float32] | None = None,
    inv_std: NDArray[np.float32] | None = None,
) -> NDArray[np.float32]:
    """HxWx3 uint8 → (1,3,H,W) float32, optionally swapping BGR to RGB and normalising each
    channel as ``(x − mean[c]) · inv_std[c]`` (channels in the output's order).

    Plane by plane (``cv2.split``, then in-place float ops on contiguous rows): 0.16 ms at
    416×416 against 1.5 ms for numpy's strided transpose-and-cast, with the same values.

    >>> t = bgr_to_nchw(np.dstack([np.full((2, 2), v, np.uint8) for v in (1, 2, 3)]), rgb=True)
    >>> t.shape, t[0, :, 0, 0].tolist()
    ((1, 3, 2, 2), [3.0, 2.0, 1.0])
    """
    height, width = canvas.shape[:2]
    out = np.empty((1, 3, height, width), np.float32)
    planes = cv2.split(np.ascontiguousarray(canvas))
    for channel, plane in enumerate(planes[::-1] if rgb else planes):
        dst = out[0, channel]
        dst[...] = plane
        if mean is not None:
            dst -= mean[channel]
        if inv_std is not None:
            dst *= inv_std[channel]
    return out
