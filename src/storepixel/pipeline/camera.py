"""One camera's per-frame pipeline: privacy mask → gate → detector → ignore areas → static
objects → tracker → pose (cameras with shelves) → analytics → faces (opt-in, site ``faces:``).

No I/O here: sources feed frames in, callers take detections, tracks and events out. The same
class serves ``storepixel track``, ``storepixel analyze`` and the live daemon.

Three options save work without changing what is counted (all off unless given; the factory turns
them on from the camera's ``performance`` settings):

- ``gate`` (``pipeline.gate.ChangeGate``): on frames where nothing new changed, the detector is
  skipped and the tracker *holds* its tracks (``Tracker.hold``). Analytics still sees every
  analysed frame, with the held tracks, so capture time, dwell and occupancy advance as before.
- ``walk_interval_s`` (with the gate): while people walk and the tracker is sure of everyone,
  the detector looks at most this often; the frames in between wait (a frame or two), and once
  the next detection shows the same people, their boxes there are interpolated between the two
  detections around them. If it shows anything else (someone new, someone lost), the waiting
  frames are detected after all and the tracker replays them in order, as if none had waited.
- ``region`` (``pipeline.roi``): the detector looks only at the part of the frame around zones and
  lines; boxes come back in full-frame pixels.

So ``process`` returns the results of the frames it settles: normally the frame given; none
while it waits; the waiting ones and the new one together when it settles them. ``drain``
settles what still waits (end of footage), and ``finish`` drains before closing visits.

Cameras with shelves may also be handed frames *between* analysed ones (``Frame.between``), which
the source converts only when ``wants`` says so (a pose burst, ``pipeline.pose_stage``): they
settle nothing and return no result; only the pose stage and the shelves' touch rule see them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from storepixel.pipeline.gate import ChangeGate
from storepixel.pipeline.ignore import IgnoreAreas
from storepixel.pipeline.privacy import PrivacyMask
from storepixel.pipeline.roi import NormalisedRegion, to_pixels
from storepixel.pipeline.static import StaticObjects
from storepixel.types import Detections, Event, Frame, Tracks, TrackState

_NONE = np.zeros((0, 4))  # no static-object candidates (shared: never written to)
_NONE.flags.writeable = False


class _Detector(Protocol):
    def detect(self, image: NDArray[np.uint8]) -> Detections: ...


class _Tracker(Protocol):
    def update(
        self, detections: Detections, timestamp: float, image: NDArray[np.uint8] | None = None
    ) -> Tracks: ...

    def hold(self, timestamp: float) -> Tracks: ...

    def checkpoint(self) -> Any: ...

    def restore(self, state: Any) -> None: ...


class _PoseStage(Protocol):
    def attach(self, image: NDArray[np.uint8], tracks: Tracks, t: float) -> Tracks: ...

    def wants(self, t: float) -> bool: ...

    def between(self, image: NDArray[np.uint8], tracks: Tracks, t: float) -> Tracks: ...


class _FaceStage(Protocol):
    def observe(
        self, image: NDArray[np.uint8], tracks: Tracks, t: float, events: list[Event]
    ) -> None: ...

    def finish(self) -> None: ...


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
    detected: bool = True  # False: the detector skipped it; tracks held or interpolated
    # Static-object candidates at this frame (xyxy pixels, N x 4): for the installer to decide on.
    static_candidates: NDArray[np.float64] = field(default_factory=lambda: np.zeros((0, 4)))


@dataclass(frozen=True, slots=True)
class _Waiting:
    """A frame whose detection waits for the next one (see ``walk_interval_s``)."""

    frame: Frame
    image: NDArray[np.uint8]  # masked


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
        walk_interval_s: float = 0.0,
        ignore: IgnoreAreas | None = None,
        static: StaticObjects | None = None,
        pose: _PoseStage | None = None,
        faces: _FaceStage | None = None,
    ) -> None:
        self.detector = detector
        self.tracker = tracker
        self.mask = mask
        self.analytics = analytics
        self.gate = gate
        self.region = region
        self.walk_interval_s = walk_interval_s
        self.ignore = ignore
        self.static = static
        self.pose = pose
        self.faces = faces  # opt-in (site ``faces:``); None: nothing biometric is computed
        self.last_timestamp: float | None = None
        self.frames = 0
        self.detections_run = 0  # frames the detector looked at (== frames without a gate)
        self.replays = 0  # times waiting frames had to be detected after all
        self._tracks = Tracks.empty()
        self._waiting: list[_Waiting] = []

    def wants(self, timestamp: float) -> bool:
        """Whether the source should hand over the frame decoded at capture ``timestamp`` that its
        analysis rate skips, as a ``between`` frame: only during a pose burst, and never while
        frames wait for a detection (the touch rule takes its samples in capture order)."""
        return (
            self.pose is not None
            and not self._waiting
            and self.last_timestamp is not None
            and timestamp > self.last_timestamp
            and self.pose.wants(timestamp)
        )

    def process(self, frame: Frame) -> list[FrameResult]:
        """Analyse ``frame``; the results of the frames this settles, in capture order."""
        # The mask is applied first so that no model ever sees masked pixels, and the results
        # carry the masked frame so that no output (annotated video, live view) can show them.
        if frame.between:
            self._between(frame)
            return []
        if self.mask:
            frame = replace(frame, image=self.mask.apply(frame.image))
        image = frame.image
        decision = (
            None if self.gate is None else self.gate.decide(image, frame.timestamp, self._tracks)
        )
        if decision is not None and decision.reason == "moving" and self._may_wait(frame):
            self._waiting.append(_Waiting(frame, image))
            return []
        if self._waiting:
            return self._settle(frame, image, self._detect(image, frame.timestamp))
        if decision is None or decision.detect:
            detections = self._detect(image, frame.timestamp)
            tracks = self._track(detections, frame, image)
            return [self._result(frame, image, detections, tracks, True)]
        held = self.tracker.hold(frame.timestamp)
        return [self._result(frame, image, Detections.empty(), held, False)]

    def _between(self, frame: Frame) -> None:
        """A burst frame: poses for the people standing at a shelf, in their last analysed
        boxes, handed to the shelves' touch rule. Nothing else changes."""
        if not self.wants(frame.timestamp) or self.pose is None:
            return  # not asked for (any more): a frame that arrived anyway is ignored
        image = self.mask.apply(frame.image) if self.mask else frame.image
        tracks = self.pose.between(image, self._tracks, frame.timestamp)
        touch_rule = getattr(self.analytics, "between", None)  # analytics with shelves
        if touch_rule is not None:
            touch_rule(tracks, frame.timestamp, (frame.width, frame.height))

    def drain(self) -> list[FrameResult]:
        """Settle the frames still waiting for a detection (end of footage, a new configuration):
        the last of them is detected now."""
        if not self._waiting:
            return []
        last = self._waiting.pop()
        return self._settle(last.frame, last.image, self._detect(last.image, last.frame.timestamp))

    def _may_wait(self, frame: Frame) -> bool:
        """Whether ``frame`` (people walking, nobody new being confirmed) may wait for the next
        detection: only within ``walk_interval_s`` of the last settled frame, and only one frame
        at a time. At higher analysis rates a walker is still detected every second frame: the
        tracker then sees them at most two frames apart, as at 5 fps, and a replay (someone new
        after all) re-detects one frame, not several."""
        if self.walk_interval_s <= 0 or self.last_timestamp is None or not len(self._tracks):
            return False
        if self._waiting:
            return False
        if (self._tracks.state == TrackState.TENTATIVE).any():
            return False  # confirming a new person takes consecutive detections
        return 0 < frame.timestamp - self.last_timestamp < self.walk_interval_s - 1e-6

    def _settle(
        self, frame: Frame, image: NDArray[np.uint8], detections: Detections
    ) -> list[FrameResult]:
        """``frame`` was detected and frames wait before it: interpolate them if the detection
        shows the same people as the last settled frame, else detect them and replay."""
        waiting, self._waiting = self._waiting, []
        before, since = self._tracks, self.last_timestamp
        assert since is not None
        saved = self.tracker.checkpoint()
        tracks = self.tracker.update(detections, frame.timestamp, image)
        if _same_people(before, tracks):
            if self.gate is not None:
                self.gate.rebase(frame.timestamp, tracks)
            span = frame.timestamp - since
            results = [
                self._result(
                    w.frame,
                    w.image,
                    Detections.empty(),
                    _between(before, tracks, (w.frame.timestamp - since) / span),
                    False,
                )
                for w in waiting
            ]
            return [*results, self._result(frame, image, detections, tracks, True)]
        # Someone appeared or was lost in between: look at the waiting frames after all.
        self.tracker.restore(saved)
        self.replays += 1
        results = []
        for w in waiting:
            found = self._detect(w.image, w.frame.timestamp)
            tracked = self._track(found, w.frame, w.image)
            results.append(self._result(w.frame, w.image, found, tracked, True))
        tracks = self._track(detections, frame, image)
        return [*results, self._result(frame, image, detections, tracks, True)]

    def _track(self, detections: Detections, frame: Frame, image: NDArray[np.uint8]) -> Tracks:
        tracks = self.tracker.update(detections, frame.timestamp, image)
        if self.gate is not None:
            self.gate.rebase(frame.timestamp, tracks)
        return tracks

    def _result(
        self,
        frame: Frame,
        image: NDArray[np.uint8],
        detections: Detections,
        tracks: Tracks,
        detected: bool,
    ) -> FrameResult:
        """Hand a settled frame (``image``: masked) to the pose stage and analytics, in capture
        order."""
        if self.pose is not None:
            tracks = self.pose.attach(image, tracks, frame.timestamp)
        events: list[Event] = []
        if self.analytics is not None:
            events = self.analytics.update(tracks, frame.timestamp, (frame.width, frame.height))
        if self.faces is not None:
            self.faces.observe(image, tracks, frame.timestamp, events)
        self.last_timestamp = frame.timestamp
        self.frames += 1
        self._tracks = tracks
        static = [] if self.static is None else self.static.candidates(frame.timestamp)
        candidates = np.array([a.xyxy for a in static]).reshape(-1, 4) if static else _NONE
        return FrameResult(frame, detections, tracks, events, detected, candidates)

    def _detect(self, image: NDArray[np.uint8], timestamp: float) -> Detections:
        self.detections_run += 1
        found = self._detect_region(image)
        if self.ignore:
            found = self.ignore.apply(found, (image.shape[1], image.shape[0]))
        if self.static is not None:
            found = self.static.apply(found, image, timestamp)
        return found

    def _detect_region(self, image: NDArray[np.uint8]) -> Detections:
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
        """Settle waiting frames, then close open visits at the last analysed capture time (end
        of footage or shutdown): the events of both. Callers that want the waiting frames'
        results call ``drain`` first."""
        events = [e for r in self.drain() for e in r.events]
        if self.faces is not None:
            self.faces.finish()
        if self.analytics is None or self.last_timestamp is None:
            return events
        return events + self.analytics.flush(self.last_timestamp)


def _same_people(before: Tracks, after: Tracks) -> bool:
    """Whether two moments show the same confirmed people, each seen in both or lost in both
    (a person lost in the first may be forgotten by the second: nobody saw them in between)."""
    if not len(before) or (before.state == TrackState.TENTATIVE).any():
        return False
    was = dict(zip(before.ids.tolist(), before.state.tolist(), strict=True))
    now = dict(zip(after.ids.tolist(), after.state.tolist(), strict=True))
    if any(tid not in was for tid in now):
        return False  # someone new
    for tid, state in was.items():
        if now.get(tid, TrackState.LOST if state == TrackState.LOST else None) != state:
            return False  # someone lost, or found again
    return True


def _between(before: Tracks, after: Tracks, fraction: float) -> Tracks:
    """``before``'s people ``fraction`` of the way to where ``after`` has them (a lost person
    forgotten by ``after`` stays where ``before`` predicted)."""
    row = {tid: i for i, tid in enumerate(after.ids.tolist())}
    end = before.xyxy.copy()
    for i, tid in enumerate(before.ids.tolist()):
        if tid in row:
            end[i] = after.xyxy[row[tid]]
    return Tracks(
        before.ids,
        before.xyxy + (end - before.xyxy) * fraction,
        before.confidence,
        before.state,
        before.hits,
    )
