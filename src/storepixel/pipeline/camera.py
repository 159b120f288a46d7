"""One camera's per-frame pipeline: privacy mask → detector → tracker → analytics.

No I/O here: sources feed frames in, callers take detections, tracks and events out. The same
class serves ``storepixel track``, ``storepixel analyze`` and the live daemon.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from storepixel.pipeline.privacy import PrivacyMask
from storepixel.types import Detections, Event, Frame, Tracks


class _Detector(Protocol):
    def detect(self, image: NDArray[np.uint8]) -> Detections: ...


class _Tracker(Protocol):
    def update(
        self, detections: Detections, timestamp: float, image: NDArray[np.uint8] | None = None
    ) -> Tracks: ...


class _Analytics(Protocol):
    def update(
        self, tracks: Tracks, timestamp: float, frame_size: tuple[int, int]
    ) -> list[Event]: ...

    def flush(self, timestamp: float) -> list[Event]: ...


@dataclass(slots=True)
class FrameResult:
    frame: Frame
    detections: Detections
    tracks: Tracks
    events: list[Event] = field(default_factory=list)


class CameraPipeline:
    """Runs the stages for one camera, frame by frame, in capture-time order."""

    def __init__(
        self,
        detector: _Detector,
        tracker: _Tracker,
        mask: PrivacyMask | None = None,
        analytics: _Analytics | None = None,
    ) -> None:
        self.detector = detector
        self.tracker = tracker
        self.mask = mask
        self.analytics = analytics
        self.last_timestamp: float | None = None

    def process(self, frame: Frame) -> FrameResult:
        # The mask is applied first so that no model ever sees masked pixels.
        image = self.mask.apply(frame.image) if self.mask else frame.image
        detections: Detections = self.detector.detect(image)
        tracks = self.tracker.update(detections, frame.timestamp, image)
        events: list[Event] = []
        if self.analytics is not None:
            events = self.analytics.update(tracks, frame.timestamp, (frame.width, frame.height))
        self.last_timestamp = frame.timestamp
        return FrameResult(frame, detections, tracks, events)

    def finish(self) -> list[Event]:
        """Close open visits at the last analysed capture time (end of footage or shutdown)."""
        if self.analytics is None or self.last_timestamp is None:
            return []
        return self.analytics.flush(self.last_timestamp)
