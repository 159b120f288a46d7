"""Multi-person tracking for fixed CCTV cameras: ``Tracker(config).update(detections, t)``."""

from storepixel.tracking.tracker import Tracker, TrackerConfig

__all__ = ["Tracker", "TrackerConfig"]
