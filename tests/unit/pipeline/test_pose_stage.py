"""The pose stage runs only where it pays: never without shelves, only near them, once a second on
someone walking, every analysed frame on someone standing, all of a frame in one batch."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from storepixel.config.site import CameraConfig
from storepixel.pipeline import factory
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.pipeline.pose_stage import PoseStage
from storepixel.types import Detections, Tracks, TrackState

SHELF = [(0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)]


class Counting:
    def __init__(self) -> None:
        self.batches: list[int] = []

    def estimate(self, image: NDArray[np.uint8], boxes: NDArray[np.float32]) -> NDArray[np.float32]:
        self.batches.append(len(boxes))
        return np.ones((len(boxes), 17, 3), np.float32)


class NoPeople:
    def detect(self, image: NDArray[np.uint8]) -> Detections:
        return Detections.empty()


def test_a_camera_without_shelves_loads_no_pose_model() -> None:
    factory.shared_pose_estimator.cache_clear()
    pipeline = build_camera_pipeline(CameraConfig(id="door"), "demo", NoPeople(), 0.0)
    assert pipeline.pose is None
    assert factory.shared_pose_estimator.cache_info().currsize == 0
    shelf = CameraConfig.model_validate({"id": "aisle", "shelves": [{"id": "s", "polygon": SHELF}]})
    assert build_camera_pipeline(shelf, "demo", NoPeople(), 0.0).pose is not None


def tracks(xs: list[float]) -> Tracks:
    boxes = [[x - 30, 100, x + 30, 400] for x in xs]
    n = len(xs)
    return Tracks(list(range(1, n + 1)), boxes, [0.9] * n, [TrackState.CONFIRMED] * n)


def test_rate_follows_what_people_do_and_a_frame_is_one_batch() -> None:
    model = Counting()
    stage = PoseStage(model, [[(0.25, 0.0), (1.0, 0.0), (1.0, 1.0), (0.25, 1.0)]])
    image = np.zeros((480, 1280, 3), np.uint8)  # the shelf spans x 320-1280 px
    looked = {1: 0, 2: 0, 3: 0}
    for i in range(25):  # 5 s at 5 fps
        t = i * 0.2
        # 1 walks along the shelf (0.8 box heights a second), 2 stands at it, 3 far from it
        out = stage.attach(image, tracks([160 + 240 * t, 700.0, 40.0]), t)
        for k, tid in enumerate(out.ids.tolist()):
            looked[tid] += int(np.isfinite(out.keypoints[k, 0, 0]))
    assert looked[3] == 0  # nowhere near a shelf: never looked at
    assert looked[2] >= 23  # standing at the shelf: (nearly) every frame
    assert 4 <= looked[1] <= 7  # walking past: about once a second
    assert max(model.batches) == 2 and sum(model.batches) == looked[1] + looked[2]


def test_a_live_shelf_edit_adds_and_removes_the_pose_stage() -> None:
    from storepixel.config.site import SiteConfig
    from storepixel.pipeline.supervisor import Supervisor
    from storepixel.store import open_store
    from storepixel.types import Frame

    site = SiteConfig.model_validate(
        {"site": {"id": "s"}, "cameras": [{"id": "cam1", "source": "rtsp://cam.invalid/1"}]}
    )
    sup = Supervisor(site, open_store("sqlite://"), detector_factory=lambda config: NoPeople())
    cam = sup._cameras["cam1"]
    assert cam.pipeline.pose is None
    shelf = {"id": "cola", "polygon": SHELF}
    sup.update_camera(
        CameraConfig.model_validate({**site.cameras[0].model_dump(), "shelves": [shelf]})
    )
    image = np.zeros((48, 64, 3), np.uint8)
    cam.analyse(Frame("cam1", 0, 0.0, 1714561200.0, image))
    assert isinstance(cam.pipeline.pose, PoseStage)
    assert cam.pipeline.analytics.shelves is not None  # shelf counters follow the edit
    sup.update_camera(site.cameras[0])
    cam.analyse(Frame("cam1", 1, 0.2, 1714561200.2, image))
    assert cam.pipeline.pose is None
    sup.stop()
