"""Drawing what the pipeline saw (boxes, ids, lines, zones, shelves, body keypoints) and writing
it as a video."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.types import Tracks, TrackState

Points = Sequence[Sequence[float]]

_ZONE = (255, 170, 0)
_LINE = (0, 215, 255)
_TRACK = (60, 220, 60)
_LOST = (140, 140, 140)
_SHELF = (255, 0, 200)
_POSE = (0, 140, 255)
_POSE_MIN_SCORE = 0.5
# COCO-17 limbs (``vision.pose.KEYPOINTS`` order): arms, shoulders, torso, legs, head.
_LIMBS = ((5, 7), (7, 9), (6, 8), (8, 10), (5, 6), (5, 11), (6, 12), (11, 12), (11, 13),
          (13, 15), (12, 14), (14, 16), (0, 1), (0, 2), (1, 3), (2, 4))  # fmt: skip


def _pixels(points: Points, width: int, height: int) -> NDArray[np.int32]:
    return np.round(np.asarray(points, np.float64) * [width, height]).astype(np.int32)


def draw_overlay(
    image: NDArray[np.uint8],
    tracks: Tracks,
    lines: dict[str, Points] | None = None,
    zones: dict[str, Points] | None = None,
    counts: dict[str, str] | None = None,
    shelves: Mapping[str, Points] | None = None,
) -> NDArray[np.uint8]:
    """A copy of ``image`` with zones, shelves, directed lines, track boxes, ids, foot points and
    the body keypoints the pose stage found in this frame drawn.

    Geometry is normalised (0–1); ``counts`` adds a caption per line or zone id.
    """
    out = image.copy()
    h, w = out.shape[:2]
    counts = counts or {}
    for zone_id, polygon in (zones or {}).items():
        pts = _pixels(polygon, w, h)
        cv2.polylines(out, [pts], True, _ZONE, 2)
        label = f"{zone_id} {counts.get(zone_id, '')}".strip()
        cv2.putText(out, label, tuple(pts[0] + [4, 16]), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _ZONE, 1)
    for shelf_id, polygon in (shelves or {}).items():
        pts = _pixels(polygon, w, h)
        cv2.polylines(out, [pts], True, _SHELF, 2)
        cv2.putText(
            out, shelf_id, tuple(pts[0] + [4, 16]), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _SHELF, 1
        )
    for line_id, points in (lines or {}).items():
        a, b = (tuple(p) for p in _pixels(points, w, h))
        cv2.arrowedLine(out, a, b, _LINE, 2, tipLength=0.03)
        label = f"{line_id} {counts.get(line_id, '')}".strip()
        cv2.putText(out, label, (a[0] + 4, a[1] - 6), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _LINE, 1)
    for tid, box, state, foot in zip(
        tracks.ids, tracks.xyxy, tracks.state, tracks.foot_points, strict=True
    ):
        if state == TrackState.TENTATIVE:
            continue
        colour = _TRACK if state == TrackState.CONFIRMED else _LOST
        x1, y1, x2, y2 = (int(v) for v in np.round(box))
        cv2.rectangle(out, (x1, y1), (x2, y2), colour, 2)
        cv2.putText(out, str(int(tid)), (x1, y1 - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, colour, 2)
        cv2.circle(out, (int(foot[0]), int(foot[1])), 3, colour, -1)
    if tracks.keypoints is not None:
        for kp in tracks.keypoints:
            _draw_pose(out, kp)
    return out


def _draw_pose(out: NDArray[np.uint8], kp: NDArray[np.float32]) -> None:
    """Limbs between confident keypoints (a person not looked at this frame has NaN rows)."""
    sure = np.isfinite(kp).all(axis=1) & (np.nan_to_num(kp[:, 2]) >= _POSE_MIN_SCORE)
    for a, b in _LIMBS:
        if sure[a] and sure[b]:
            pa, pb = (int(kp[a, 0]), int(kp[a, 1])), (int(kp[b, 0]), int(kp[b, 1]))
            cv2.line(out, pa, pb, _POSE, 2)
    for x, y in kp[sure, :2]:
        cv2.circle(out, (int(x), int(y)), 3, _POSE, -1)


class VideoWriter:
    """H.264 MP4 writer (PyAV's bundled FFmpeg); frames are BGR."""

    def __init__(self, path: str | Path, fps: float) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._container = av.open(str(self.path), mode="w")
        self._stream = self._container.add_stream(
            "libx264", rate=Fraction(fps).limit_denominator(1000)
        )
        self._stream.pix_fmt = "yuv420p"
        self._stream.options = {"preset": "veryfast", "crf": "26"}
        self._opened = False

    def write(self, image: NDArray[np.uint8]) -> None:
        if not self._opened:
            # x264 with yuv420p needs even sizes.
            self._stream.width = image.shape[1] // 2 * 2
            self._stream.height = image.shape[0] // 2 * 2
            self._opened = True
        image = image[: self._stream.height, : self._stream.width]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")
        for packet in self._stream.encode(frame):
            self._container.mux(packet)

    def close(self) -> None:
        if self._opened:
            for packet in self._stream.encode():
                self._container.mux(packet)
        self._container.close()
