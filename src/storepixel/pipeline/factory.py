"""The one place a camera's per-frame pipeline is built, so live and file jobs get the same options.

>>> from storepixel.config.site import CameraConfig
>>> class NoPeople:
...     def detect(self, image):
...         from storepixel.types import Detections
...         return Detections.empty()
>>> p = build_camera_pipeline(CameraConfig(id="door"), "demo", NoPeople(), run_anchor=0.0)
>>> p.analytics.camera_id
'door'
"""

from __future__ import annotations

from typing import Any

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import CameraConfig
from storepixel.pipeline.camera import CameraPipeline
from storepixel.pipeline.privacy import PrivacyMask
from storepixel.tracking.tracker import Tracker


def build_camera_pipeline(
    camera: CameraConfig, site_id: str, detector: Any, run_anchor: float
) -> CameraPipeline:
    """Mask → ``detector`` → a fresh tracker → analytics for ``camera``, anchored at ``run_anchor``
    (the capture time the run started: it seeds the pseudonymous track ids)."""
    mask = PrivacyMask([m.polygon for m in camera.privacy_masks])
    analytics = CameraAnalytics(site_id, camera, run_anchor)
    return CameraPipeline(detector, Tracker(), mask, analytics)
