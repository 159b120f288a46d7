"""The bundled pose model: the file matches its manifest, and on a real frame the keypoints land
on the person, in body order, batched the same as one by one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from storepixel.errors import DetectorError
from storepixel.vision.detector import load_detector
from storepixel.vision.pose import BUNDLED_POSE_MODEL, KP, PoseEstimator

VTEST = Path(__file__).resolve().parents[3] / "data" / "samples" / "vtest.avi"


def test_manifest_records_source_licence_and_checksum() -> None:
    manifest = json.loads((BUNDLED_POSE_MODEL.parent / "MANIFEST.json").read_text())
    entry = manifest["models"]["pose_lite.onnx"]
    assert entry["sha256"] == hashlib.sha256(BUNDLED_POSE_MODEL.read_bytes()).hexdigest()
    assert entry["size_bytes"] == BUNDLED_POSE_MODEL.stat().st_size < 10 * 2**20
    assert entry["source"]["registry"] == "npm"
    assert entry["source"]["package"] == "@mediapipe/pose"
    assert entry["source"]["package_license"] == entry["upstream"]["license"] == "Apache-2.0"
    assert "pose_lite.onnx" in (BUNDLED_POSE_MODEL.parent / "NOTICE").read_text()


def test_missing_model_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(DetectorError, match="pose model not found"):
        PoseEstimator(tmp_path / "nope.onnx")


@pytest.fixture(scope="module")
def frame_and_people() -> tuple[np.ndarray, np.ndarray]:
    if not VTEST.exists():
        pytest.skip("data/samples/vtest.avi not present")
    cap = cv2.VideoCapture(str(VTEST))
    cap.set(cv2.CAP_PROP_POS_FRAMES, 100)
    ok, image = cap.read()
    assert ok
    found = load_detector().detect(image)
    boxes = found.xyxy[found.confidence >= 0.5]
    tallest = np.argsort(boxes[:, 1] - boxes[:, 3])[:3]  # the three nearest people
    return image, boxes[tallest]


def test_keypoints_land_on_the_person_in_body_order(
    frame_and_people: tuple[np.ndarray, np.ndarray],
) -> None:
    image, boxes = frame_and_people
    kp = PoseEstimator().estimate(image, boxes)
    assert kp.shape == (len(boxes), 17, 3)
    for person, (x0, y0, x1, y1) in zip(kp, boxes, strict=True):
        sure = person[person[:, 2] >= 0.5]
        assert len(sure) >= 8  # most of the body is seen
        margin = 0.15 * (y1 - y0)
        assert (sure[:, 0] >= x0 - margin).all() and (sure[:, 0] <= x1 + margin).all()
        assert (sure[:, 1] >= y0 - margin).all() and (sure[:, 1] <= y1 + margin).all()
        shoulders = person[[KP["left_shoulder"], KP["right_shoulder"]], 1].mean()
        hips = person[[KP["left_hip"], KP["right_hip"]], 1].mean()
        ankles = person[[KP["left_ankle"], KP["right_ankle"]], 1].mean()
        assert person[KP["nose"], 1] < shoulders < hips < ankles


def test_a_batch_gives_what_one_at_a_time_gives(
    frame_and_people: tuple[np.ndarray, np.ndarray],
) -> None:
    image, boxes = frame_and_people
    pose = PoseEstimator()
    together = pose.estimate(image, boxes)
    alone = np.concatenate([pose.estimate(image, b[None]) for b in boxes])
    np.testing.assert_allclose(together, alone, atol=1e-2)
    assert pose.estimate(image, np.zeros((0, 4), np.float32)).shape == (0, 17, 3)
