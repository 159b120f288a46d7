"""The small typed values that cross every stage boundary.

``Frame`` → ``Detections`` → ``Tracks`` → ``Event`` / ``MetricRow``. All geometry here is in
pixels of the frame it came from; configs and the API use normalised 0–1 coordinates and convert at
the edge. Images are BGR ``uint8`` HxWx3 (OpenCV's order), since decoding and drawing both use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded picture from a camera or file.

    ``offset_s`` is the presentation time from the stream's own clock (container pts × time base),
    relative to the start of the source. ``timestamp`` is the capture time as POSIX seconds (UTC):
    the source's anchor (a file's start time, or the wall clock when a live stream began) plus
    ``offset_s``. Every analytic uses ``timestamp``, never the time the frame was processed.

    ``between``: a frame the source's analysis rate skips, handed over only because the pipeline
    asked for it (a pose *burst*: someone stands at a shelf, ``pipeline.pose_stage``); only the
    pose stage and the touch rule look at it, the detector, tracker and every count do not.
    """

    camera_id: str
    index: int
    offset_s: float
    timestamp: float
    image: NDArray[np.uint8]
    between: bool = False

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(slots=True)
class Detections:
    """People found in one frame: ``xyxy`` (N,4) pixels, ``confidence`` (N,), optional keypoints.

    >>> d = Detections(np.array([[0, 0, 10, 20]], np.float32), np.array([0.9], np.float32))
    >>> len(d)
    1
    """

    xyxy: FloatArray
    confidence: FloatArray
    keypoints: FloatArray | None = None  # (N, K, 3): x, y, score

    def __post_init__(self) -> None:
        self.xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        self.confidence = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        if len(self.xyxy) != len(self.confidence):
            raise ValueError("xyxy and confidence must have the same length")

    def __len__(self) -> int:
        return len(self.xyxy)

    @classmethod
    def empty(cls) -> Detections:
        return cls(np.zeros((0, 4), np.float32), np.zeros((0,), np.float32))

    def select(self, mask: NDArray[np.bool_] | NDArray[np.intp]) -> Detections:
        """Subset by boolean mask or index array."""
        kp = None if self.keypoints is None else self.keypoints[mask]
        return Detections(self.xyxy[mask], self.confidence[mask], kp)


class TrackState(IntEnum):
    TENTATIVE = 0  # seen, not yet trusted: detector flicker must not create people
    CONFIRMED = 1  # matched in this frame and trusted
    LOST = 2  # trusted, but not matched in this frame; position is the motion model's prediction


@dataclass(slots=True)
class Tracks:
    """The tracker's view of people after one frame.

    ``ids`` are small integers unique within one tracker run. ``foot_points`` (N,2) are the
    bottom-centre of each box: where a person stands, which is what zones and lines test.
    """

    ids: NDArray[np.int64]
    xyxy: FloatArray
    confidence: FloatArray
    state: NDArray[np.int8]
    hits: NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    # (N, 17, 3) body keypoints x, y, score (``vision.pose.KEYPOINTS``) where the pose stage
    # looked at a person in this frame, NaN rows where it did not; ``None``: no pose stage.
    keypoints: FloatArray | None = None

    def __post_init__(self) -> None:
        self.ids = np.asarray(self.ids, dtype=np.int64).reshape(-1)
        self.xyxy = np.asarray(self.xyxy, dtype=np.float32).reshape(-1, 4)
        self.confidence = np.asarray(self.confidence, dtype=np.float32).reshape(-1)
        self.state = np.asarray(self.state, dtype=np.int8).reshape(-1)
        if len(self.hits) != len(self.ids):
            self.hits = np.zeros(len(self.ids), np.int32)
        n = len(self.ids)
        if not (len(self.xyxy) == len(self.confidence) == len(self.state) == n):
            raise ValueError("all track arrays must have the same length")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def empty(cls) -> Tracks:
        return cls(
            np.zeros(0, np.int64),
            np.zeros((0, 4), np.float32),
            np.zeros(0, np.float32),
            np.zeros(0, np.int8),
        )

    @property
    def foot_points(self) -> FloatArray:
        x = (self.xyxy[:, 0] + self.xyxy[:, 2]) / 2
        return np.stack([x, self.xyxy[:, 3]], axis=1).astype(np.float32)

    def select(self, mask: NDArray[np.bool_] | NDArray[np.intp]) -> Tracks:
        return Tracks(
            self.ids[mask],
            self.xyxy[mask],
            self.confidence[mask],
            self.state[mask],
            self.hits[mask],
            None if self.keypoints is None else self.keypoints[mask],
        )

    def confirmed(self) -> Tracks:
        """Tracks matched in this frame and past confirmation: the ones to report."""
        return self.select(self.state == TrackState.CONFIRMED)


class EventKind:
    """The event kinds (plain strings, so they serialise as they are): version 1's seven, and the
    shelf funnel's three and the vision-language model's alert added in version 2."""

    LINE_CROSSING = "line_crossing"
    ZONE_ENTER = "zone_enter"
    ZONE_EXIT = "zone_exit"
    QUEUE_JOIN = "queue_join"
    QUEUE_LEAVE = "queue_leave"
    VISIT_START = "visit_start"
    VISIT_END = "visit_end"
    SHELF_PASS = "shelf_pass"
    SHELF_ATTENTION = "shelf_attention"
    SHELF_REACH = "shelf_reach"
    VLM_ALERT = "vlm_alert"  # a vision-language model's alert about a people-chunk (describe)

    ALL = (
        LINE_CROSSING,
        ZONE_ENTER,
        ZONE_EXIT,
        QUEUE_JOIN,
        QUEUE_LEAVE,
        VISIT_START,
        VISIT_END,
        SHELF_PASS,
        SHELF_ATTENTION,
        SHELF_REACH,
        VLM_ALERT,
    )


EVENT_SCHEMA_VERSION = 2


@dataclass(frozen=True, slots=True)
class Event:
    """One "pixel": something a person did, at the capture time it happened.

    ``id`` is derived from the content (see ``storepixel.events.ids``), so analysing the same
    footage twice yields the same ids and the store can ignore the repeats. ``scope_id`` is the
    zone or line the event is about (``None`` for camera-wide events such as a visit).
    """

    id: str
    kind: str
    site_id: str
    camera_id: str
    time: float  # capture time, POSIX seconds UTC
    track_id: str  # pseudonymous: never a face, never a name
    scope_id: str | None = None
    properties: dict[str, object] = field(default_factory=dict)
    schema_version: int = EVENT_SCHEMA_VERSION


@dataclass(frozen=True, slots=True)
class MetricRow:
    """One metric for one scope in one minute of capture time.

    ``coverage`` is the fraction of the minute the camera was actually analysed (0–1) and
    ``sample_count`` the number of analysed frames in it, so a minute with no data is told apart
    from a minute whose value was zero.
    """

    site_id: str
    camera_id: str
    scope_id: str  # zone id, line id, or "*" for the whole camera
    metric: str  # e.g. "occupancy_avg", "occupancy_peak", "line_in", "queue_length_avg"
    bucket_start: float  # POSIX seconds, start of the minute
    value: float
    sample_count: int
    coverage: float
