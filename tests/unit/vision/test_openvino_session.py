"""The bundled model run by OpenVINO gives onnxruntime's boxes, from any number of threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import numpy as np
import pytest

from storepixel.config.detector import DetectorConfig
from storepixel.errors import DetectorError
from storepixel.vision import openvino_session
from storepixel.vision.detector import load_detector
from storepixel.vision.nms import box_iou
from storepixel.vision.onnx_session import runtime_label

needs_openvino = pytest.mark.skipif(
    not openvino_session.available(), reason="OpenVINO not installed (storepixel[openvino])"
)


def _frames(path: Path, every: int = 40, count: int = 6) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        decoded = (f.to_ndarray(format="bgr24") for f in container.decode(video=0))
        return [img for i, img in enumerate(decoded) if i % every == 0][:count]


@needs_openvino
def test_openvino_finds_the_same_people_as_onnxruntime(vtest_path: Path) -> None:
    fast = load_detector(DetectorConfig(runtime="openvino", adaptive_passes=False))
    exact = load_detector(DetectorConfig(runtime="onnxruntime", adaptive_passes=False))
    assert runtime_label(exact.model.session) == "onnxruntime float32"
    assert runtime_label(fast.model.session).startswith("openvino ")
    people = 0
    for image in _frames(vtest_path):
        a, b = fast.detect(image), exact.detect(image)
        assert len(a) == len(b)
        if len(a):
            # Same people, boxes within a pixel or two (bfloat16 keeps 8 bits of mantissa).
            assert box_iou(a.xyxy, b.xyxy).max(axis=1).min() > 0.95
            np.testing.assert_allclose(np.sort(a.confidence), np.sort(b.confidence), atol=0.03)
        people += len(a)
    assert people > 10


@needs_openvino
def test_threads_sharing_one_detector_get_their_own_answers(vtest_path: Path) -> None:
    # The live supervisor's workers call one detector at once: each thread has its own request.
    # One pass and no far band: a detector without per-stream state, so answers can be compared.
    config = DetectorConfig(runtime="openvino", threads=1, passes=("letterbox",), far_slices=0)
    detector = load_detector(config)
    images = _frames(vtest_path, every=10, count=8)
    alone = [detector.detect(image).xyxy for image in images]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda image: detector.detect(image).xyxy, images * 3))
    for i, boxes in enumerate(together):
        np.testing.assert_array_equal(boxes, alone[i % len(images)])


def test_auto_picks_openvino_only_where_the_cpu_computes_in_bfloat16() -> None:
    label = runtime_label(load_detector(DetectorConfig(runtime="auto")).model.session)
    assert label == ("openvino bf16" if openvino_session.native_bf16() else "onnxruntime float32")


def test_asking_for_openvino_without_it_is_a_one_line_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(openvino_session, "available", lambda: False)
    monkeypatch.setattr(openvino_session, "native_bf16", lambda: False)
    with pytest.raises(DetectorError, match=r"storepixel\[openvino\]"):
        load_detector(DetectorConfig(runtime="openvino"))
    assert runtime_label(load_detector(DetectorConfig()).model.session) == "onnxruntime float32"


def test_an_unknown_runtime_is_refused() -> None:
    with pytest.raises(ValueError, match="runtime"):
        DetectorConfig(runtime="tensorrt")  # type: ignore[arg-type]


@needs_openvino
def test_passes_side_by_side_give_the_same_bits_as_in_turn(vtest_path: Path) -> None:
    # Letterbox and stretch of one frame, side by side on one thread each (``run_all``), against
    # the same two one after the other on two threads: the boxes must not depend on it.
    detector = load_detector(DetectorConfig(runtime="openvino", threads=2, adaptive_passes=False))
    model = detector.model
    session = model.session
    for image in _frames(vtest_path, every=60, count=3):
        views = [(image, "letterbox", True), (image, "stretch", True)]
        together = model.candidates_all(views, 0.3)
        apart = [model.candidates(im, fit, 0.3, tight=tight) for im, fit, tight in views]
        assert len(together[0][1]) > 0
        for (xyxy_a, scores_a), (xyxy_b, scores_b) in zip(together, apart, strict=True):
            np.testing.assert_array_equal(xyxy_a, xyxy_b)
            np.testing.assert_array_equal(scores_a, scores_b)
    assert session._side_by_side is not None  # they did run side by side


@needs_openvino
def test_one_thread_an_inference_runs_the_passes_in_turn(vtest_path: Path) -> None:
    # The live supervisor with a worker per core: nothing to put side by side.
    detector = load_detector(DetectorConfig(runtime="openvino", threads=1, adaptive_passes=False))
    assert len(detector.detect(_frames(vtest_path, count=1)[0])) > 0
    assert detector.model.session._side_by_side is None
