"""The one place a camera's per-frame pipeline is built, so live and file jobs get the same options.

>>> from storepixel.config.site import CameraConfig
>>> class NoPeople:
...     def detect(self, image):
...         from storepixel.types import Detections
...         return Detections.empty()
>>> p = build_camera_pipeline(CameraConfig(id="door"), "demo", NoPeople(), run_anchor=0.0)
>>> p.analytics.camera_id, p.gate is not None
('door', True)
>>> build_camera_pipeline(CameraConfig(id="door"), "demo", NoPeople(), 0.0, naive=True).gate is None
True
"""

from __future__ import annotations

import functools
from typing import Any

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.faces import FacesConfig
from storepixel.config.site import CameraConfig, PerformanceConfig
from storepixel.events.ids import track_pseudonym
from storepixel.pipeline.camera import CameraPipeline
from storepixel.pipeline.face_stage import FaceStage
from storepixel.pipeline.gate import ChangeGate, GateSettings
from storepixel.pipeline.ignore import IgnoreAreas
from storepixel.pipeline.pose_stage import PoseStage
from storepixel.pipeline.privacy import PrivacyMask
from storepixel.pipeline.roi import detection_region
from storepixel.pipeline.static import StaticObjects
from storepixel.tracking.tracker import Tracker
from storepixel.vision.detector import for_camera
from storepixel.vision.pose import PoseEstimator


def build_camera_pipeline(
    camera: CameraConfig,
    site_id: str,
    detector: Any,
    run_anchor: float,
    *,
    naive: bool = False,
    faces: FacesConfig | None = None,
) -> CameraPipeline:
    """Mask → gate → ``detector`` → ignore areas → a fresh tracker → analytics for ``camera``,
    anchored at ``run_anchor`` (the capture time the run started: it seeds the pseudonymous
    track ids).

    The camera's ``performance`` settings (defaults when absent) choose the gate and the
    detection region; ``naive=True`` turns both off (the detector sees every analysed frame,
    whole), which is what ``storepixel bench`` compares against.

    The pipeline gets its own view of ``detector`` (``vision.detector.for_camera``): a detector
    shared by several cameras keeps what its adaptive passes learned per camera, and the naive
    pipeline runs every configured pass on every frame."""
    analytics = CameraAnalytics(site_id, camera, run_anchor)
    own = for_camera(detector, adaptive=not naive)
    pipeline = CameraPipeline(
        own,
        Tracker(),
        camera_mask(camera),
        analytics,
        ignore=camera_ignore_areas(camera),
        static=camera_static_objects(camera),
        pose=pose_stage(camera),
        faces=face_stage(faces, site_id, camera.id, run_anchor),
    )
    if not naive:
        apply_performance(pipeline, camera)
    return pipeline


def pose_stage(camera: CameraConfig) -> PoseStage | None:
    """The pose stage for ``camera``'s shelves; ``None`` (no pose model loaded) without any.
    The model is loaded once per process and shared: it keeps no per-camera state."""
    if not camera.shelves:
        return None
    perf = camera.performance or PerformanceConfig()
    return PoseStage(
        shared_pose_estimator(),
        [s.polygon for s in camera.shelves],
        burst_fps=perf.pose_burst_fps,
    )


@functools.cache
def shared_pose_estimator() -> PoseEstimator:
    return PoseEstimator()


def face_stage(
    faces: FacesConfig | None, site_id: str, camera_id: str, run_anchor: float
) -> FaceStage | None:
    """The opt-in face stage; ``None`` (no face model loaded, nothing biometric computed) unless
    the site turns ``faces.attributes`` or ``faces.visitors`` on. Each switch loads only its own
    model; the models are imported here, not at module level, so that off means not even
    imported."""
    if faces is None or not faces.any:
        return None
    from storepixel.describe.faces import FaceBlur

    attributes = descriptor = None
    if faces.attributes:
        from storepixel.faces.attributes import AgeGender

        attributes = AgeGender()
    if faces.visitors:
        from storepixel.faces.descriptor import FaceDescriptor

        descriptor = FaceDescriptor()
    return FaceStage(
        FaceBlur(),
        lambda tid: track_pseudonym(site_id, camera_id, run_anchor, tid),
        attributes=attributes,
        descriptor=descriptor,
    )


def camera_mask(camera: CameraConfig) -> PrivacyMask:
    """``camera``'s privacy masks, blanked before any model sees a frame."""
    return PrivacyMask([m.polygon for m in camera.privacy_masks])


def camera_ignore_areas(camera: CameraConfig) -> IgnoreAreas:
    """``camera``'s ignore areas, whose detections the tracker never sees."""
    return IgnoreAreas([a.polygon for a in camera.ignore_areas])


def camera_static_objects(camera: CameraConfig) -> StaticObjects | None:
    """Watch for things that never move on ``camera`` (None when its ``static_after_s`` is 0)."""
    if camera.static_after_s <= 0:
        return None
    decisions = [(o.box, o.decision) for o in camera.static_objects]
    return StaticObjects(camera.static_after_s, decisions=decisions)


def apply_performance(pipeline: CameraPipeline, camera: CameraConfig) -> None:
    """Set ``pipeline``'s gate and detection region from ``camera`` (its ``performance``
    settings, lines and zones). Live edits call this too: a new gate starts by looking at the
    next frame, and the region follows the new geometry."""
    perf = camera.performance or PerformanceConfig()
    region = detection_region(camera) if perf.region else None
    gate = None
    if perf.gate:
        settings = GateSettings(
            track_interval_s=perf.track_interval_s, idle_interval_s=perf.idle_interval_s
        )
        # With a detection region, change outside it (a street through the window) does not
        # wake the detector either.
        gate = ChangeGate(settings, region)
    pipeline.gate, pipeline.region = gate, region
    # Interpolating walkers needs the gate to tell who is walking and whether all are tracked.
    pipeline.walk_interval_s = perf.walk_interval_s if gate is not None else 0.0
