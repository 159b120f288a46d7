"""One camera's per-frame pipeline: privacy mask → gate → detector → tracker → analytics.

No I/O here: sources feed frames in, callers take detections, tracks and events out. The same
class serves ``storepixel track``, ``storepixel analyze`` and the live daemon.

Two options save work without changing what is counted (both off unless given; the factory turns
them on from the camera's ``performance`` settings):

- ``gate`` (``pipeline.gate.ChangeGate``): on frames where nothing new changed, the detector is
  skipped and the tracker *holds* its tracks (``Tracker.hold``). Analytics still sees every
  analysed frame, with the held tracks, so capture time, dwell and occupancy advance as before.
- ``region`` (``pipeline.roi``): the detector looks only at the part of the frame around zones and
  lines; boxes come back in full-frame pixels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from storepixel.pipeline.gate import ChangeGate
from storepixel.pipeline.privacy import PrivacyMask
from storepixel.pipeline.roi import NormalisedRegion, to_pixels
from storepixel.types import Detections, Event, Frame, Tracks


class _Detector(Protocol):
    def detect(self, image: NDArray[np.uint8]) -> Detections: ...


class _Tracker(Protocol):
    def update(
        self, detections: Detections, timestamp: float, image: NDArray[np.uint8] | None = None
    ) -> Tracks: ...

    def hold(self, timestamp: float) -> Tracks: ...


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
    detected: bool = True  # False: the gate skipped the detector and the tracks were held


class CameraPipeline:
    """Runs the stages for one camera, frame by frame, in capture-time order."""

    def __init__(
        self,
        detector: _Detector,
        tracker: _Tracker,
        mask: PrivacyMask | None = None,
        analytics: _Analytics | None = None,
        *,
        gate: ChangeGate | None = None,
        region: NormalisedRegion | None = None,
    ) -> None:
        self.detector = detector
        self.tracker = tracker
        self.mask = mask
        self.analytics = analytics
        self.gate = gate
        self.region = region
        self.last_timestamp: float | None = None
        self.frames = 0
        self.detections_run = 0  # frames the detector looked at (== frames without a gate)
        self._tracks = Tracks.empty()

    def process(self, frame: Frame) -> FrameResult:
        # The mask is applied first so that no model ever sees masked pixels.
        image = self.mask.apply(frame.image) if self.mask else frame.image
        detect = self.gate is None or self.gate.decide(image, frame.timestamp, self._tracks).detect
        if detect:
            detections = self._detect(image)
            tracks = self.tracker.update(detections, frame.timestamp, image)
            if self.gate is not None:
                self.gate.rebase(frame.timestamp, tracks)
            self.detections_run += 1
        else:
            detections = Detections.empty()
            tracks = self.tracker.hold(frame.timestamp)
        events: list[Event] = []
        if self.analytics is not None:
            events = self.analytics.update(tracks, frame.timestamp, (frame.width, frame.height))
        self.last_timestamp = frame.timestamp
        self.frames += 1
        self._tracks = tracks
        return FrameResult(frame, detections, tracks, events, detect)

    def _detect(self, image: NDArray[np.uint8]) -> Detections:
        if self.region is None:
            return self.detector.detect(image)
        x0, y0, x1, y1 = to_pixels(self.region, image.shape[1], image.shape[0])
        found = self.detector.detect(image[y0:y1, x0:x1])
        shift = np.array([x0, y0, x0, y0], np.float32)
        keypoints = found.keypoints
        if keypoints is not None:
            keypoints = keypoints + np.array([x0, y0, 0], np.float32)
        return Detections(found.xyxy + shift, found.confidence, keypoints)

    def finish(self) -> list[Event]:
        """Close open visits at the last analysed capture time (end of footage or shutdown)."""
        if self.analytics is None or self.last_timestamp is None:
            return []
        return self.analytics.flush(self.last_timestamp)
