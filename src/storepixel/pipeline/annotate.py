"""Drawing what the pipeline saw (boxes, ids, lines, zones) and writing it as a video."""

from __future__ import annotations

from collections.abc import Sequence
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


def _pixels(points: Points, width: int, height: int) -> NDArray[np.int32]:
    return np.round(np.asarray(points, np.float64) * [width, height]).astype(np.int32)


def draw_overlay(
    image: NDArray[np.uint8],
    tracks: Tracks,
    lines: dict[str, Points] | None = None,
    zones: dict[str, Points] | None = None,
    counts: dict[str, str] | None = None,
) -> NDArray[np.uint8]:
    """A copy of ``image`` with zones, directed lines, track boxes, ids and foot points drawn.

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
    return out


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
