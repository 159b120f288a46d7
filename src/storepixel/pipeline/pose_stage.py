"""The pose stage: body keypoints for tracked people near a shelf, as often as what they do needs.

It runs after the tracker, on the masked frame, and only on confirmed people whose box (grown by
``LOOK_REACH`` of its height) overlaps one of the camera's shelves: the rest of the frame costs
nothing, and a camera without shelves has no pose stage at all (``pipeline.factory``). Someone
walking past is looked at every ``walk_interval_s`` (a pass needs no pose, but their facing is
sampled); someone standing still near a shelf, who may look or reach, every analysed frame
(``still_interval_s``, 0 by default). All people due in a frame go through the model in one
batch. Their keypoints join the track (``Tracks.keypoints``; NaN rows for people not looked at).

While someone stands at a shelf, the analysis rate is not enough: a hand goes in and out in a
third of a second, one or two analysed frames at 5 fps, and the one pose may catch the hand on
its way. So the stage asks for a *burst* (``wants``): the source hands over the decoded frames
between analysed ones too (``Frame.between``), up to ``burst_fps`` (a rate at or above the
source's: every decoded frame; 0, the default: no bursts), and ``between`` looks at the people
standing there on them, in the boxes the tracker gave them at the last analysed frame (they
stand still, so the box holds). The burst ends at the first analysed frame where nobody stands
at a shelf; walkers and cameras without shelves never cause one.

>>> import numpy as np
>>> from storepixel.types import Tracks, TrackState
>>> class Fake:
...     def estimate(self, image, boxes):
...         return np.ones((len(boxes), 17, 3), np.float32)
>>> stage = PoseStage(Fake(), [[(0.5, 0.0), (1.0, 0.0), (1.0, 1.0), (0.5, 1.0)]])
>>> tracks = Tracks([1, 2], [[10, 200, 60, 400], [500, 200, 560, 400]], [0.9, 0.9],
...                 [TrackState.CONFIRMED] * 2)
>>> out = stage.attach(np.zeros((480, 640, 3), np.uint8), tracks, 0.0)
>>> np.isnan(out.keypoints[:, 0, 0]).tolist(), stage.people
([True, False], 1)
"""

from __future__ import annotations

import time
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from storepixel.analytics.geometry import Polygon
from storepixel.analytics.shelves import STILL_SPEED, Motion, boxes_near
from storepixel.types import Tracks, TrackState

LOOK_REACH = 0.5  # of box height: a little wider than arm's reach, so the pose is there in time
FORGET_S = 5.0


class _Estimator(Protocol):
    def estimate(
        self, image: NDArray[np.uint8], boxes: NDArray[np.float32]
    ) -> NDArray[np.float32]: ...


class PoseStage:
    """Adds keypoints to the tracks near ``shelves`` (normalised polygons)."""

    def __init__(
        self,
        estimator: _Estimator,
        shelves: list[list[tuple[float, float]]],
        *,
        still_interval_s: float = 0.0,
        walk_interval_s: float = 1.0,
        burst_fps: float = 0.0,
    ) -> None:
        self.estimator = estimator
        self.shelves = [np.asarray(p, np.float64) for p in shelves]
        self.still_interval_s = still_interval_s
        self.walk_interval_s = walk_interval_s
        self.burst_fps = burst_fps
        self.frames = 0  # frames where the model ran (analysed and between)
        self.people = 0  # person crops it looked at (analysed and between)
        self.burst_frames = 0  # of ``frames``: between frames (bursts)
        self.burst_people = 0  # of ``people``: on between frames
        self._standing: set[int] = set()  # people standing at a shelf at the last analysed frame
        self._last_burst = -np.inf
        self.cpu_s = 0.0  # process CPU seconds spent in the model (crops, inference, mapping)
        self._last: dict[int, float] = {}
        self._motion: dict[int, Motion] = {}
        self._size: tuple[int, int] | None = None
        self._polys: list[Polygon] = []

    def attach(self, image: NDArray[np.uint8], tracks: Tracks, t: float) -> Tracks:
        """``tracks`` with ``keypoints`` for the people due a look in this frame."""
        n = len(tracks)
        keypoints = np.full((n, 17, 3), np.nan, np.float32)
        self._standing = set()
        if n:
            due = self._due(tracks, t, (int(image.shape[1]), int(image.shape[0])))
            if due.any():
                start = time.process_time()
                keypoints[due] = self.estimator.estimate(image, tracks.xyxy[due])
                self.cpu_s += time.process_time() - start
                self.frames += 1
                self.people += int(due.sum())
                for tid in tracks.ids[due].tolist():
                    self._last[int(tid)] = t
        self._forget(t)
        return Tracks(
            tracks.ids, tracks.xyxy, tracks.confidence, tracks.state, tracks.hits, keypoints
        )

    def wants(self, t: float) -> bool:
        """Whether the frame decoded at capture time ``t`` between analysed ones is wanted: someone
        stood at a shelf at the last analysed frame, and the last burst frame is ``1 /
        burst_fps`` old."""
        if self.burst_fps <= 0 or not self._standing:
            return False
        return t - self._last_burst >= 1.0 / self.burst_fps - 1e-3

    def between(self, image: NDArray[np.uint8], tracks: Tracks, t: float) -> Tracks:
        """Keypoints, on a between frame at ``t``, for the people of ``tracks`` (the last analysed
        frame's) standing at a shelf; NaN rows for the rest."""
        keypoints = np.full((len(tracks), 17, 3), np.nan, np.float32)
        due = np.isin(tracks.ids, list(self._standing)) & (tracks.state == TrackState.CONFIRMED)
        self._last_burst = t
        if due.any():
            start = time.process_time()
            keypoints[due] = self.estimator.estimate(image, tracks.xyxy[due])
            self.cpu_s += time.process_time() - start
            self.frames += 1
            self.burst_frames += 1
            self.people += int(due.sum())
            self.burst_people += int(due.sum())
        return Tracks(
            tracks.ids, tracks.xyxy, tracks.confidence, tracks.state, tracks.hits, keypoints
        )

    def _due(self, tracks: Tracks, t: float, size: tuple[int, int]) -> NDArray[np.bool_]:
        if self._size != size:
            self._size = size
            self._polys = [Polygon(p * np.asarray(size, np.float64)) for p in self.shelves]
        confirmed = tracks.state == TrackState.CONFIRMED
        near = np.zeros(len(tracks), bool)
        for poly in self._polys:
            near |= boxes_near(poly, tracks.xyxy, LOOK_REACH)
        due = np.zeros(len(tracks), bool)
        for i in np.flatnonzero(confirmed).tolist():
            tid = int(tracks.ids[i])
            box = tracks.xyxy[i]
            m = self._motion.setdefault(tid, Motion())
            m.add(t, np.array([(box[0] + box[2]) / 2, box[3]]), float(box[3] - box[1]))
            if not near[i]:
                continue
            speed = m.speed()
            still = speed is not None and speed < STILL_SPEED
            if still:
                self._standing.add(tid)
            interval = self.still_interval_s if still else self.walk_interval_s
            last = self._last.get(tid)
            due[i] = last is None or t - last >= interval - 1e-6
        return due

    def _forget(self, t: float) -> None:
        for tid in [k for k, m in self._motion.items() if t - m.trail[-1][0] > FORGET_S]:
            del self._motion[tid]
            self._last.pop(tid, None)
