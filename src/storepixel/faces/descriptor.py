"""A 128-number face descriptor for returning visitors: dlib's ResNet face recogniser
(``dlib_face_recognition_resnet_model_v1``, from PyPI ``face-recognition-models==0.3.0``, CC0)
run by ``dlib-bin``, both in the optional ``storepixel[visitors]`` extra.

Two descriptors of the same person lie closer than ``SAME_PERSON`` (Euclidean), the distance dlib
documents for this model (99.38 % on LFW). The face is located by YuNet (``FaceBlur.detect``);
dlib's own 5-point landmark model places it for the recogniser. Nothing here is loaded unless a
site turns ``faces.visitors`` on.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from storepixel.errors import ConfigError

SAME_PERSON = 0.6  # dlib's documented threshold for this model
DIMENSIONS = 128


def _load() -> tuple[Any, Any, Any]:
    try:
        import dlib
        import face_recognition_models as frm
    except ImportError:
        raise ConfigError(
            "faces.visitors needs the visitors extra: pip install 'storepixel[visitors]'"
        ) from None
    shapes = dlib.shape_predictor(frm.pose_predictor_five_point_model_location())
    recogniser = dlib.face_recognition_model_v1(frm.face_recognition_model_location())
    return dlib, shapes, recogniser


class FaceDescriptor:
    """The landmark model and the recogniser, loaded once."""

    def __init__(self) -> None:
        self._dlib, self._shapes, self._recogniser = _load()

    def describe(self, image: NDArray[np.uint8], face: NDArray[np.float32]) -> NDArray[np.float32]:
        """The descriptor (128,) of ``face`` (a YuNet row, x y w h first) in ``image`` (BGR)."""
        rgb = np.ascontiguousarray(image[:, :, ::-1])
        x, y, w, h = (float(v) for v in face[:4])
        rect = self._dlib.rectangle(int(x), int(y), int(x + w), int(y + h))
        shape = self._shapes(rgb, rect)
        vec = self._recogniser.compute_face_descriptor(rgb, shape)
        return np.asarray(vec, np.float32)


def distance(a: NDArray[np.float32], b: NDArray[np.float32]) -> float:
    """Euclidean distance between two descriptors.

    >>> distance(np.zeros(2, np.float32), np.array([3, 4], np.float32))
    5.0
    """
    return float(np.linalg.norm(a - b))
