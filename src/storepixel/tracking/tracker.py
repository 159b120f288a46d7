"""Multi-person tracker for fixed CCTV cameras.

One ``update`` per analysed frame: predict every track to the frame's capture time, associate in
stages (confident detections by IoU → weak detections to tracks seen last frame → lost tracks
recovered by height-normalised distance → tentative tracks), then manage the lifecycle:

- a track is TENTATIVE until ``confirm_hits`` matches, and dies after ``tentative_max_misses``
  missed frames, so a detector flicker never becomes a person and never uses up an id;
- a confirmed track that misses a frame is LOST: its box is the motion model's prediction, its
  velocity decays, and it may be recovered within ``max_lost_s`` seconds of capture time;
- ids are small positive integers handed out at confirmation, in order.

Everything is deterministic: no randomness, ties broken by index order.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from storepixel.tracking.appearance import colour_histogram, histogram_distance
from storepixel.tracking.association import (
    INFEASIBLE,
    assign,
    iou_matrix,
    log_height_ratio,
    normalised_distance,
)
from storepixel.tracking.kalman import BoxKalman, MotionNoise
from storepixel.types import Detections, Tracks, TrackState


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Tracker settings. Times are seconds of capture time; distances are in box heights.

    Defaults are chosen from how people and detectors behave, not fitted to one clip:

    - ``high_threshold`` 0.5 / ``low_threshold`` 0.1: ByteTrack's split. Confident boxes drive
      association and may start tracks; weak boxes (often a person half hidden) only keep an
      existing, just-seen track alive.
    - ``confirm_hits`` 3, ``tentative_max_misses`` 1: detector flicker is a per-frame event, so
      these count frames. Three matches with at most one gap between them.
    - ``max_lost_s`` 4: occlusion behind a shelf or another shopper lasts a few seconds; beyond
      that a reappearance near the same spot is as likely to be someone else.
    - ``iou_gate`` 0.2: ByteTrack's first-stage gate (match threshold 0.8 on 1 - IoU).
    - recovery gate: a lost track may take a detection whose centre is within
      ``recover_gate_base + recover_gate_rate * t_lost`` heights of the prediction (capped at
      ``recover_gate_max``), with a height ratio below ``max_height_ratio``. 0.5 h/s is a slow
      walk: the prediction already carries the last velocity, the gate covers what changed.
    - ``velocity_tau_s`` 1: a hidden person's predicted box stops within about a second of
      walking, instead of drifting away at the last speed.
    - ``output_filtered_box``: report the Kalman estimate rather than the raw detection, which
      smooths detector jitter on foot points (zones and lines test foot points).
    """

    high_threshold: float = 0.5
    low_threshold: float = 0.1
    new_track_threshold: float = 0.5
    confirm_hits: int = 3
    tentative_max_misses: int = 1
    max_lost_s: float = 4.0
    iou_gate: float = 0.2
    low_iou_gate: float = 0.5
    tentative_iou_gate: float = 0.3
    recover_gate_base: float = 0.5
    recover_gate_rate: float = 0.5
    recover_gate_max: float = 1.5
    max_height_ratio: float = 1.5
    velocity_tau_s: float = 1.0
    appearance_weight: float = 0.5
    appearance_gate: float = 0.6
    output_filtered_box: bool = True
    tentative_low_hits: bool = True
    edge_margin: float = 0.01
    edge_lost_s: float = 1.0
    noise: MotionNoise = field(default_factory=MotionNoise)

    def __post_init__(self) -> None:
        if not 0 <= self.low_threshold <= self.high_threshold:
            raise ValueError("need 0 <= low_threshold <= high_threshold")
        if self.confirm_hits < 1:
            raise ValueError("confirm_hits must be at least 1")
        if self.max_lost_s < 0 or self.tentative_max_misses < 0:
            raise ValueError("max_lost_s and tentative_max_misses must be non-negative")


class _Track:
    __slots__ = (
        "appearance",
        "at_edge",
        "confidence",
        "det_box",
        "hits",
        "id",
        "kf",
        "last_seen",
        "misses",
    )

    def __init__(self, xyxy: NDArray[np.floating], conf: float, t: float, noise: MotionNoise):
        self.kf = BoxKalman(xyxy, noise)
        self.det_box = np.asarray(xyxy, np.float64)
        self.confidence = conf
        self.hits = 1
        self.misses = 0  # consecutive analysed frames without a match
        self.last_seen = t
        self.id = 0  # set by the tracker: negative while tentative, positive once confirmed
        self.appearance: NDArray[np.float32] | None = None
        self.at_edge = False  # last seen touching the frame border: may have walked out

    @property
    def confirmed(self) -> bool:
        return self.id > 0


class Tracker:
    """Online tracker; feed it every analysed frame in capture-time order.

    >>> tr = Tracker(TrackerConfig(confirm_hits=2))
    >>> det = Detections(np.array([[10, 10, 30, 70]]), np.array([0.9]))
    >>> _ = tr.update(det, 0.0)
    >>> out = tr.update(det, 0.2)
    >>> out.ids.tolist(), out.state.tolist()
    ([1], [1])
    """

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        self._tracks: list[_Track] = []
        self._next_id = 1
        self._next_tentative = -1
        self._last_t: float | None = None

    def reset(self) -> None:
        self._tracks = []
        self._next_id = 1
        self._next_tentative = -1
        self._last_t = None

    def update(
        self,
        detections: Detections,
        timestamp: float,
        image: NDArray[np.uint8] | None = None,
        frame_size: tuple[int, int] | None = None,
    ) -> Tracks:
        """Advance to ``timestamp`` (capture time, seconds) with this frame's detections.

        ``image`` (BGR) is optional: when given, a colour histogram of each person helps pick the
        right lost track after an occlusion. ``frame_size`` (width, height; taken from ``image``
        when given) lets the tracker tell a person who walked out of view from one who is hidden.
        A timestamp that goes backwards is treated as no time passing (the source is responsible
        for a monotonic clock).
        """
        cfg = self.config
        if image is not None:
            frame_size = (int(image.shape[1]), int(image.shape[0]))
        dt = 0.0 if self._last_t is None else max(0.0, timestamp - self._last_t)
        self._last_t = timestamp if self._last_t is None else max(self._last_t, timestamp)
        now = self._last_t

        for tr in self._tracks:
            tr.kf.predict(dt, cfg.velocity_tau_s if tr.misses > 0 else None)

        conf = detections.confidence.astype(np.float64)
        boxes = detections.xyxy.astype(np.float64)
        feats = _features(image, boxes) if image is not None else None
        high = np.flatnonzero(conf >= cfg.high_threshold)
        low = np.flatnonzero((conf >= cfg.low_threshold) & (conf < cfg.high_threshold))

        matched: dict[int, int] = {}  # track index -> detection index
        confirmed = [i for i, t in enumerate(self._tracks) if t.confirmed]
        tentative = [i for i, t in enumerate(self._tracks) if not t.confirmed]

        # 1. Confirmed tracks (seen or lost) and confident detections, by IoU.
        high_left = self._match_iou(confirmed, high, boxes, cfg.iou_gate, matched)
        # 2. Weak detections keep alive tracks that were seen last frame (ByteTrack's second
        #    stage): a person half hidden by another is often detected with low confidence.
        fresh = [i for i in confirmed if i not in matched and self._tracks[i].misses == 0]
        low_left = self._match_iou(fresh, low, boxes, cfg.low_iou_gate, matched)
        # 3. Recover lost tracks by distance: after a gap the prediction may not overlap the box.
        lost = [i for i in confirmed if i not in matched and not self._tracks[i].at_edge]
        high_left = self._match_recover(lost, high_left, boxes, feats, now, matched)
        # 4. Tentative tracks take what is left.
        high_left = self._match_iou(tentative, high_left, boxes, cfg.tentative_iou_gate, matched)
        if cfg.tentative_low_hits:
            # A weak box that continues a tentative track still counts as evidence: flicker
            # does not persist in the same place, so consecutive overlapping boxes are a person.
            rest = [i for i in tentative if i not in matched]
            self._match_iou(rest, low_left, boxes, cfg.low_iou_gate, matched)

        for ti, di in matched.items():
            tr = self._tracks[ti]
            tr.kf.update(boxes[di])
            tr.det_box = boxes[di]
            tr.confidence = float(conf[di])
            tr.hits += 1
            tr.misses = 0
            tr.last_seen = now
            tr.at_edge = _touches_edge(tr.det_box, frame_size, cfg.edge_margin)
            if feats is not None:
                f = feats[di]
                tr.appearance = f if tr.appearance is None else 0.8 * tr.appearance + 0.2 * f
            if not tr.confirmed and tr.hits >= cfg.confirm_hits:
                self._confirm(tr)

        survivors: list[_Track] = []
        for ti, tr in enumerate(self._tracks):
            if ti not in matched:
                tr.misses += 1
                if not tr.confirmed and tr.misses > cfg.tentative_max_misses:
                    continue
                memory = cfg.edge_lost_s if tr.at_edge else cfg.max_lost_s
                if tr.confirmed and now - tr.last_seen > memory:
                    continue
                if frame_size is not None and _outside(tr.kf.xyxy(), frame_size):
                    continue
            survivors.append(tr)
        matched_objs = {id(self._tracks[ti]) for ti in matched}

        for di in high_left:
            if conf[di] < cfg.new_track_threshold:
                continue
            tr = _Track(boxes[di], float(conf[di]), now, cfg.noise)
            tr.at_edge = _touches_edge(boxes[di], frame_size, cfg.edge_margin)
            tr.id = self._next_tentative  # negative: not a person yet, no real id spent
            self._next_tentative -= 1
            if feats is not None:
                tr.appearance = feats[di]
            if cfg.confirm_hits <= 1:
                self._confirm(tr)
            survivors.append(tr)
            matched_objs.add(id(tr))
        self._tracks = survivors
        return self._output(matched_objs)

    def _confirm(self, tr: _Track) -> None:
        tr.id = self._next_id
        self._next_id += 1

    def _match_iou(
        self,
        track_idx: list[int],
        det_idx: NDArray[np.intp],
        boxes: NDArray[np.float64],
        gate: float,
        matched: dict[int, int],
    ) -> NDArray[np.intp]:
        """Match by ``1 - IoU`` with a minimum IoU; returns the detections left over."""
        if not track_idx or len(det_idx) == 0:
            return det_idx
        pred = np.stack([self._tracks[i].kf.xyxy() for i in track_idx])
        cost = 1.0 - iou_matrix(pred, boxes[det_idx])
        pairs, _, left = assign(cost, 1.0 - gate)
        for r, c in pairs:
            matched[track_idx[r]] = int(det_idx[c])
        return det_idx[left]

    def _match_recover(
        self,
        track_idx: list[int],
        det_idx: NDArray[np.intp],
        boxes: NDArray[np.float64],
        feats: NDArray[np.float32] | None,
        now: float,
        matched: dict[int, int],
    ) -> NDArray[np.intp]:
        """Lost tracks by centre distance in heights, gate widening with time lost."""
        cfg = self.config
        if not track_idx or len(det_idx) == 0:
            return det_idx
        tracks = [self._tracks[i] for i in track_idx]
        pred = np.stack([t.kf.xyxy() for t in tracks])
        dets = boxes[det_idx]
        lost_s = np.array([now - t.last_seen for t in tracks])
        gate = np.minimum(
            cfg.recover_gate_base + cfg.recover_gate_rate * lost_s, cfg.recover_gate_max
        )
        dist = normalised_distance(pred, dets)
        size = log_height_ratio(pred, dets)
        ok = (dist <= gate[:, None]) & (size <= np.log(cfg.max_height_ratio))
        # The gate only decides what is possible; the cost is the plain distance, so a track lost
        # for long (wide gate) does not win over one lost a moment ago that is just as close.
        cost = dist + size
        if feats is not None:
            app = np.zeros_like(cost)
            for r, t in enumerate(tracks):
                if t.appearance is not None:
                    app[r] = histogram_distance(t.appearance, feats[det_idx])
            ok &= app <= cfg.appearance_gate
            cost = cost + cfg.appearance_weight * app
        pairs, _, left = assign(np.where(ok, cost, INFEASIBLE), INFEASIBLE / 2)
        for r, c in pairs:
            matched[track_idx[r]] = int(det_idx[c])
        return det_idx[left]

    def _output(self, matched_objs: set[int]) -> Tracks:
        if not self._tracks:
            return Tracks.empty()
        cfg = self.config
        ids, boxes, confs, states, hits = [], [], [], [], []
        for tr in self._tracks:
            seen = id(tr) in matched_objs
            if tr.confirmed:
                state = TrackState.CONFIRMED if seen else TrackState.LOST
            else:
                state = TrackState.TENTATIVE
            ids.append(tr.id)
            use_det = seen and not cfg.output_filtered_box
            boxes.append(tr.det_box if use_det else tr.kf.xyxy())
            confs.append(tr.confidence)
            states.append(int(state))
            hits.append(tr.hits)
        return Tracks(
            np.array(ids, np.int64),
            np.array(boxes, np.float32),
            np.array(confs, np.float32),
            np.array(states, np.int8),
            np.array(hits, np.int32),
        )


def _features(image: NDArray[np.uint8], boxes: NDArray[np.float64]) -> NDArray[np.float32]:
    if len(boxes) == 0:
        return np.zeros((0, 0), np.float32)
    return np.stack([colour_histogram(image, b) for b in boxes])


def _touches_edge(
    xyxy: NDArray[np.floating], frame_size: tuple[int, int] | None, margin: float
) -> bool:
    if frame_size is None:
        return False
    w, h = frame_size
    x1, y1, x2, y2 = (float(v) for v in xyxy)
    mx, my = margin * w, margin * h
    return x1 <= mx or y1 <= my or x2 >= w - mx or y2 >= h - my


def _outside(xyxy: NDArray[np.floating], frame_size: tuple[int, int]) -> bool:
    """Predicted centre out of the picture: the person has left, not hidden."""
    w, h = frame_size
    cx, cy = (xyxy[0] + xyxy[2]) / 2, (xyxy[1] + xyxy[3]) / 2
    return not (0 <= cx <= w and 0 <= cy <= h)
