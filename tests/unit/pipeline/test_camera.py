"""The per-camera pipeline with the change gate and the detection region."""

from __future__ import annotations

import functools

import cv2
import numpy as np
import pytest

from storepixel.config.site import CameraConfig, PerformanceConfig
from storepixel.pipeline.factory import apply_performance, build_camera_pipeline
from storepixel.types import Detections, Frame

H, W, FPS = 240, 320, 5.0
CAMERA = {
    "id": "cam",
    "analysis_fps": FPS,
    "lines": [{"id": "door", "points": [[0.5, 0.1], [0.5, 0.95]]}],
    "zones": [{"id": "shelf", "polygon": [[0.6, 0.3], [0.9, 0.3], [0.9, 0.9], [0.6, 0.9]]}],
}


class BlobDetector:
    """Finds dark people on the bright synthetic floor; records what it was shown."""

    def __init__(self) -> None:
        self.shapes: list[tuple[int, ...]] = []

    def detect(self, image: np.ndarray) -> Detections:
        self.shapes.append(image.shape)
        dark = (image.max(axis=2) < 50).astype(np.uint8)
        n, _, stats, _ = cv2.connectedComponentsWithStats(dark)
        boxes = [[x, y, x + w, y + h] for x, y, w, h, area in stats[1:n] if area >= 100]
        return Detections(np.array(boxes, np.float32).reshape(-1, 4), np.full(len(boxes), 0.9))


@functools.cache
def _floor(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    img = 150 + 20 * (np.indices((H, W)).sum(0) % 20 < 10)[:, :, None] + rng.normal(0, 2, (H, W, 3))
    return img.clip(0, 255).astype(np.uint8)


def _person_x(t: float) -> float | None:
    """Empty for 6 s, walks in from the left across the door line, stands at the shelf for
    8 s, walks off to the right; empty again."""
    if t < 6 or t >= 22:
        return None
    if t < 10:
        return 20 + (t - 6) * 55  # reaches x=240 at t=10
    if t < 18:
        return 240
    return 240 + (t - 18) * 25


@functools.cache
def _frames(seconds: float = 30.0) -> list[Frame]:
    frames = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        img = _floor(i % 7).copy()  # a few noise draws, cycled
        x = _person_x(t)
        if x is not None:
            img[100:200, int(x) : int(x) + 30] = 20
        frames.append(Frame("cam", i, t, 1000.0 + t, img))
    return frames


def _run(camera: CameraConfig, naive: bool, frames: list[Frame] | None = None):  # type: ignore[no-untyped-def]
    detector = BlobDetector()
    pipeline = build_camera_pipeline(camera, "site", detector, run_anchor=1000.0, naive=naive)
    results = [r for f in frames or _frames() for r in pipeline.process(f)]
    results += pipeline.drain()
    pipeline.finish()
    return pipeline, detector, results


def test_without_the_gate_every_frame_is_detected() -> None:
    pipeline, detector, results = _run(CameraConfig.model_validate(CAMERA), naive=True)
    assert len(detector.shapes) == len(results) == pipeline.detections_run
    assert all(r.detected for r in results)


def test_the_gate_skips_frames_and_counts_stay_the_same() -> None:
    camera = CameraConfig.model_validate(CAMERA)
    naive, naive_det, _ = _run(camera, naive=True)
    gated, gated_det, results = _run(camera, naive=False)
    assert gated.analytics is not None and naive.analytics is not None
    # analytics saw every frame, detected or not: capture time advanced the same
    assert gated.analytics.frames == naive.analytics.frames == len(results)
    got, want = gated.analytics.summary(), naive.analytics.summary()
    assert got["lines"] == want["lines"]
    assert sum(got["lines"]["door"].values()) == 1
    assert got["zones"]["shelf"]["visits"] == want["zones"]["shelf"]["visits"] == 1
    assert got["zones"]["shelf"]["occupancy_avg"] == pytest.approx(
        want["zones"]["shelf"]["occupancy_avg"], abs=0.01
    )
    assert gated.analytics.zones["shelf"].dwells == naive.analytics.zones["shelf"].dwells
    # empty and standing stretches were skipped
    assert len(gated_det.shapes) < 0.5 * len(naive_det.shapes)
    assert not all(r.detected for r in results)
    # results come once per frame, in capture order, even where frames waited
    assert [r.frame.index for r in results] == list(range(len(_frames())))
    # walking: every other frame (0.4 s at 5 fps); the frames between are interpolated
    walking = "".join("D" if r.detected else "-" for r in results if 7 <= r.frame.offset_s < 10)
    assert "--" not in walking and 0.4 < walking.count("-") / len(walking) < 0.6


def test_at_a_higher_rate_a_walker_is_still_detected_every_second_frame() -> None:
    # 10 fps: 0.4 s would let three frames wait; one at a time keeps detections 2 frames apart.
    frames = [
        Frame("cam", i, t, 1000.0 + t, f.image)
        for i, (t, f) in enumerate((k / 10, _frames()[k // 2]) for k in range(2 * len(_frames())))
    ]
    camera = CameraConfig.model_validate({**CAMERA, "analysis_fps": 10})
    _, _, results = _run(camera, naive=False, frames=frames)
    assert [r.frame.index for r in results] == list(range(len(frames)))
    walking = "".join("D" if r.detected else "-" for r in results if 7 <= r.frame.offset_s < 10)
    assert "--" not in walking and walking.count("-") > 5


def test_walking_every_frame_without_the_walk_interval() -> None:
    camera = CameraConfig.model_validate({**CAMERA, "performance": {"walk_interval_s": 0}})
    _, _, results = _run(camera, naive=False)
    assert all(r.detected for r in results if 6.0 <= r.frame.offset_s < 10)


def test_skipped_frames_hold_the_standing_person() -> None:
    _, _, results = _run(CameraConfig.model_validate(CAMERA), naive=False)
    standing = [r for r in results if 12 <= r.frame.offset_s < 17.8 and not r.detected]
    assert standing
    assert all(len(r.tracks.confirmed()) == 1 for r in standing)
    assert all(len(r.detections) == 0 for r in standing)


def test_the_region_crops_what_the_detector_sees_and_boxes_come_back_in_frame_pixels() -> None:
    camera = CameraConfig.model_validate(
        {**CAMERA, "lines": [], "performance": {"gate": False, "region": True}}
    )
    _, _, naive_results = _run(camera, naive=True)
    cropped, detector, results = _run(camera, naive=False)
    assert cropped.region is not None
    assert all(shape[1] < W for shape in detector.shapes)
    standing = [i for i, r in enumerate(results) if 12 <= r.frame.offset_s < 17]
    for i in standing:
        np.testing.assert_allclose(results[i].detections.xyxy, naive_results[i].detections.xyxy)


def test_performance_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="track_interval_s"):
        PerformanceConfig(track_interval_s=-1)


def test_apply_performance_follows_a_live_edit() -> None:
    camera = CameraConfig.model_validate({**CAMERA, "performance": {"region": True}})
    pipeline = build_camera_pipeline(camera, "site", BlobDetector(), run_anchor=0.0)
    assert pipeline.gate is not None and pipeline.region is not None
    moved = CameraConfig.model_validate(
        {
            "id": "cam",
            "zones": [{"id": "z", "polygon": [[0.0, 0.8], [0.2, 0.8], [0.2, 1.0]]}],
            "performance": {"gate": False, "region": True},
        }
    )
    apply_performance(pipeline, moved)
    assert pipeline.gate is None
    assert pipeline.region == (0.0, 0.35, 0.3, 1.0)


def _two_walkers(newcomer_at: float, seconds: float = 8.0) -> list[Frame]:
    """One person walks right from t=0; a second appears at ``newcomer_at`` further down and
    walks left."""
    frames = []
    for i in range(int(seconds * FPS)):
        t = i / FPS
        img = _floor(i % 7).copy()
        img[20:110, int(10 + 30 * t) : int(10 + 30 * t) + 25] = 20
        if t >= newcomer_at:
            x = int(290 - 30 * (t - newcomer_at))
            img[130:225, x : x + 25] = 20
        frames.append(Frame("cam", i, t, 1000.0 + t, img))
    return frames


@pytest.mark.parametrize("newcomer_at", [3.0, 3.2])  # on a detected or on a waiting frame
def test_a_newcomer_while_frames_wait_is_tracked_as_without_waiting(newcomer_at: float) -> None:
    frames = _two_walkers(newcomer_at)
    every = CameraConfig.model_validate({**CAMERA, "performance": {"walk_interval_s": 0}})
    _, _, want = _run(every, naive=False, frames=frames)
    pipeline, _, got = _run(CameraConfig.model_validate(CAMERA), naive=False, frames=frames)
    assert [r.frame.index for r in got] == [f.index for f in frames]
    assert [r.tracks.ids.tolist() for r in got] == [r.tracks.ids.tolist() for r in want]
    assert pipeline.replays >= 1  # the newcomer made waiting frames be detected after all
    assert not all(r.detected for r in got)
    for g, w in zip(got, want, strict=True):
        # interpolated boxes lie within a pixel or two of the detected ones (steady walkers)
        np.testing.assert_allclose(g.tracks.xyxy, w.tracks.xyxy, atol=3)


def test_a_frame_still_waiting_at_the_end_is_settled_by_finish() -> None:
    frames = _two_walkers(newcomer_at=99.0, seconds=4.0)
    detector = BlobDetector()
    camera = CameraConfig.model_validate(CAMERA)
    pipeline = build_camera_pipeline(camera, "site", detector, run_anchor=1000.0)
    settled = [r for f in frames for r in pipeline.process(f)]
    assert len(settled) < len(frames)  # the last frame waits for a detection that never comes
    events = pipeline.finish()
    assert pipeline.frames == len(frames) and pipeline.last_timestamp == frames[-1].timestamp
    assert any(e.kind == "visit_end" for e in events)


def test_an_ignore_area_drops_the_person_standing_in_it_and_keeps_the_rest() -> None:
    # The person's feet at the shelf are at (0.8, 0.83): an ignore area there (a mannequin's
    # plinth, say) hides them while they stand, not while they walk to it through the door.
    ignored = [{"polygon": [[0.7, 0.6], [1.0, 0.6], [1.0, 1.0], [0.7, 1.0]]}]
    camera = CameraConfig.model_validate({**CAMERA, "ignore_areas": ignored})
    *_, results = _run(camera, naive=True)
    *_, plain_results = _run(CameraConfig.model_validate(CAMERA), naive=True)
    standing = [r for r in results if 12 <= r.frame.offset_s < 17.8]
    assert standing and all(len(r.detections) == 0 for r in standing)
    walking = [i for i, r in enumerate(results) if 7 <= r.frame.offset_s < 9]
    for i in walking:
        np.testing.assert_allclose(results[i].detections.xyxy, plain_results[i].detections.xyxy)
    assert _count(results, "line_crossing") == _count(plain_results, "line_crossing") == 1
    assert _count(plain_results, "zone_enter") == 1
    assert _count(results, "zone_enter") == 0


def _count(results, kind: str) -> int:  # type: ignore[no-untyped-def]
    return sum(e.kind == kind for r in results for e in r.events)


def test_results_carry_the_masked_frame_so_no_output_shows_masked_pixels() -> None:
    """Issue 15, defect 2: ``analyze --annotate`` drew on the unmasked frame. Every result's
    frame is the masked one, waiting and interpolated frames included."""
    mask = {"polygon": [[0.0, 0.0], [0.5, 0.0], [0.5, 1.0], [0.0, 1.0]]}
    camera = CameraConfig.model_validate({**CAMERA, "privacy_masks": [mask]})
    _, _, results = _run(camera, naive=False)
    assert results and not all(r.detected for r in results)
    for r in results:
        assert r.frame.image[:, : W // 2 - 1].max() == 0
        assert r.frame.image[:, W // 2 + 1 :].min() > 0
