"""Multi-person tracker for fixed CCTV cameras.

One ``update`` per analysed frame: predict every track to the frame's capture time, then associate
in stages, ByteTrack-style but with CCTV in mind:

1. confirmed tracks (seen or lost) take confident detections by IoU;
2. tracks seen last frame take weak detections by IoU (a half-hidden person scores low);
3. lost tracks are recovered by distance in box heights, the gate widening with time lost (after
   a long gap the prediction may no longer overlap the person), with a height-ratio check and,
   when the image is given, a clothing-colour veto;
4. tentative tracks take what is left (weak boxes too: flicker does not repeat in place).

A box that straddles people already tracked shows nobody else: one lying almost wholly
(``explained_box``) inside the union of two or more boxes given to other tracks this frame, though
inside none of them alone, is the detector boxing a pair as one (a leftover of its NMS). It
starts no track (one born from it takes one of the pair over the moment the other's box
flickers) and brings back no lost track (a third person hidden behind the pair would be pulled
onto them, and the three swap). A box inside one other box is left alone: that is a person
partly hidden behind one other, whom the usual rules keep.

A lost track must be where its thing could have gone. A thing that has never moved — a track
born on a place where something stands (``standing``, from the camera's static-object watch:
the picture there unchanged for longer than anyone walks by) that has never left it — does not
walk off unseen: while lost it takes only a box on its own place. Otherwise a mannequin's
track, its boxes dropped as a static object, would take the box of a passer-by brushing past
it (by overlap, and by colour when the passer-by's box is mostly the mannequin's pixels), and
go on as a person.

Every pair must also pass a distance gate measured at the top of the box (the head): in a store
camera mounted high, shelves, the frame's bottom edge and nearer shoppers hide people from below,
so the top of a box moves least when a person is partly hidden, while a different person's box,
even one overlapping by IoU, usually has its head elsewhere.

Lifecycle:

- a track is TENTATIVE until ``confirm_hits`` matches and dies after ``tentative_max_misses``
  missed frames, so detector flicker never becomes a person and never uses up an id;
- a confirmed track that misses a frame is LOST: its box is the motion model's prediction, its
  velocity decays, and it may be recovered within ``max_lost_s`` seconds of capture time (less
  when it was last seen at the frame's edge: it has probably walked out);
- every track gets its id when it is born (small positive integers, in order) and keeps it, so
  the frames a track was seen before it was confirmed can be credited to the same person later
  (analytics backdates a visit to the first sighting; offline output backfills them). A
  tentative track is reported only in frames where it was matched; one that dies leaves a gap
  in the numbering, never a person.

When ``update`` is given the frame, a clothing-colour descriptor of each person
(``tracking/appearance.py``) is learnt from clean sightings only (nobody else's box over them)
and used three ways: it vetoes recovering a lost track onto someone dressed clearly differently,
it breaks ties between similar positions in stages 1 and 3, and a matched box that does not look
like the track's person (one straddling two people) moves the motion model less. Without the
frame, or with ``appearance`` off, the tracker is exactly the boxes-only tracker. ``hold``
(detector skipped) learns nothing: the descriptor is updated only from fresh boxes. The
descriptor lives in memory for the track's life and is never stored.

Everything is deterministic: no randomness, ties broken by index order.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from storepixel.tracking.appearance import blend, describe, distance_matrix
from storepixel.tracking.association import (
    INFEASIBLE,
    assign,
    log_height_ratio,
    normalised_distance,
)
from storepixel.tracking.kalman import BoxKalman, MotionNoise
from storepixel.types import Detections, Tracks, TrackState
from storepixel.vision.nms import box_iou


@dataclass(frozen=True, slots=True)
class TrackerConfig:
    """Tracker settings. Times are seconds of capture time; distances are in box heights.

    Defaults come from how people, cameras and detectors behave, checked on the shared clips
    and on seeded synthetic store scenes at 5, 10 and 25 fps (``bench/synth.py``); most are flat
    around their value, which is why they are kept round:

    - ``high_threshold`` 0.5 / ``low_threshold`` 0.1: ByteTrack's split. Confident boxes drive
      association and start tracks; weak boxes (often a person half hidden) only continue one.
    - ``confirm_hits`` 3, ``tentative_max_misses`` 1: flicker is a per-frame event of the
      detector, so these count frames. A phantom visitor costs a store more than two frames of
      latency on a real one.
    - ``max_lost_s`` 3: covers the two-second occlusions behind a shelf or another shopper that
      the architecture promises to bridge, with margin; longer memory did not keep more
      identities in the synthetic scenes and makes handing an old id to a newcomer likelier.
    - ``edge_lost_s`` 1: someone last seen touching the frame border has probably left.
    - ``iou_gate`` 0.2: ByteTrack's first-stage gate (its match threshold 0.8 on 1 - IoU).
    - distance gate ``gate_base + gate_per_s * t_lost`` heights, at most ``gate_max``, measured
      at ``gate_anchor`` (the head, see the module doc): 0.3 h covers detector jitter (~0.05 h)
      and a frame's prediction error at 5 fps; 0.5 h/s is what a person's position may drift
      from the prediction per second unseen (a slow walk); 1.5 h caps it.
    - ``max_height_ratio`` 1.5 for recovery: walking towards the camera for a few seconds can
      change the box height by that much, a different-sized person usually more.
    - ``velocity_tau_s`` 1: a hidden person's prediction walks on for about a second and then
      stops (drift ≤ speed × tau) instead of drifting away; ``velocity_hold_s`` bounds how long
      the velocity is kept unchanged across dropped frames.
    - ``output_filtered_box``: report the Kalman estimate rather than the raw detection, which
      smooths detector jitter on the foot points that zones and lines test (HOTA +0.04 on the
      synthetic scenes, same MOTA and IDF1).

    Colour cue (``appearance``; used only when ``update`` is given the frame, see
    ``tracking/appearance.py``). Distances are Hellinger distances in [0, 1] between clothing
    colour histograms. Measured on every pair of detections of the shared clips 0.5–3 s apart,
    the same person is at 0.22 (median; 90 % below 0.35–0.39, 95 % below 0.41–0.47, 99 % below
    0.64–0.77) and two different people at 0.50–0.54 (median; 10 % below 0.34):

    - ``appearance_gate`` 0.6: recovering a lost track by distance needs the person to look
      alike; between the 95th and 99th percentiles of the same person, past the median of
      others.
    - ``appearance_overlap_gate`` 0.8: a lost track taken up again by box overlap (the first
      matching stage, before recovery by distance) already has the box's position for it, so
      only a clear difference vetoes: above the 99th percentile of the same person (small, far
      people are the noisiest).
    - ``appearance_doubt`` 0.45 / ``appearance_doubt_trust`` 0.25: a matched box that looks
      less like the person than that (about the same person's 95th percentile, short of the
      median of others) is probably reaching over a neighbour, or the neighbour taken in a
      crossing; the motion model then trusts it a quarter as much (its variance ×4), so one
      straddling box does not drag the track onto the neighbour. 0.4–0.5 and 0.1–0.25 did the
      same on the clips.
    - ``appearance_weight`` (recovery) and ``appearance_iou_weight`` (overlap matching) 0.5:
      colour is added to the cost at half the weight of the position terms (height-normalised
      distance, 1 − IoU), so it decides between two similar positions but never outweighs a
      clearly better one. ``appearance_unknown`` 0.35, where one side has nothing to compare (hidden
      now, or never seen alone), is where the two distributions above cross: no opinion.
    - ``appearance_clean_overlap`` 0.1: a track learns its person's colours only from a box
      that no other box (except nearer people's, whose pixels are masked) nor any unseen
      track's prediction covers by more than a tenth; learning from a box that reaches over a
      neighbour is how a track would end up looking like both.
    - ``appearance_min_rate`` 0.1: a running mean of the first ten clean sightings, then a
      moving average over about ten, which follows light changing along an aisle.

    ``explained_box`` 0.8: a box at least that much inside the union of two or more boxes
    matched to other tracks this frame (inside none alone) straddles them: it starts no track and
    recovers no lost one. A real person among others shows a head and a shoulder or a side of
    their own (a fifth of their box or more) by the time the detector scores them confidently;
    a box straddling two neighbours shows nothing of its own but the gap between them. On the
    clips 0.7 did the same and 0.9 kept about half of what it does on the plaza.

    ``place_iou`` 0.6: a box on the same place as another (IoU at least that), as the
    static-object watch matches its places (``StaticObjects.match_iou``): what a thing that
    never moved keeps to (see the module doc).
    """

    high_threshold: float = 0.5
    low_threshold: float = 0.1
    new_track_threshold: float = 0.5
    confirm_hits: int = 3
    tentative_max_misses: int = 1
    max_lost_s: float = 3.0
    edge_lost_s: float = 1.0
    edge_margin: float = 0.01  # fraction of the frame size that counts as touching the border
    iou_gate: float = 0.2
    low_iou_gate: float = 0.5
    tentative_iou_gate: float = 0.3
    gate_base: float = 0.3
    gate_per_s: float = 0.5
    gate_max: float = 1.5
    gate_anchor: Literal["top", "centre", "foot"] = "top"
    max_height_ratio: float = 1.5
    velocity_tau_s: float = 1.0
    velocity_hold_s: float = 0.4
    appearance: bool = True
    appearance_gate: float = 0.6
    appearance_overlap_gate: float = 0.8
    appearance_weight: float = 0.5
    appearance_iou_weight: float = 0.5
    appearance_unknown: float = 0.35
    appearance_clean_overlap: float = 0.1
    appearance_min_rate: float = 0.1
    appearance_doubt: float = 0.45
    appearance_doubt_trust: float = 0.25
    place_iou: float = 0.6
    explained_box: float = 0.8
    output_filtered_box: bool = True
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
        "clean_sightings",
        "confidence",
        "confirmed",
        "det_box",
        "first_seen",
        "hits",
        "home",
        "id",
        "kf",
        "last_seen",
        "misses",
        "standing",
        "stayed",
    )

    def __init__(self, xyxy: NDArray[np.floating], conf: float, t: float, noise: MotionNoise):
        self.kf = BoxKalman(xyxy, noise)
        self.det_box = np.asarray(xyxy, np.float64)
        self.confidence = conf
        self.hits = 1
        self.misses = 0  # consecutive analysed frames without a match
        self.last_seen = t
        self.first_seen = t
        self.id = 0  # set by the tracker at birth
        self.confirmed = False
        self.appearance: NDArray[np.float32] | None = None  # colour cue, memory only
        self.clean_sightings = 0
        self.at_edge = False  # last seen touching the frame border: may have walked out
        self.home = self.det_box  # where it was first seen
        self.stayed = True  # every box it took lay on ``home``: it has never been seen moving
        self.standing = False  # ``home`` was seen to be a place where something stands


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
        self._last_t: float | None = None
        self._pinned: set[int] = set()  # this update's lost standing tracks (_mark_standing)

    def reset(self) -> None:
        self._tracks = []
        self._next_id = 1
        self._last_t = None

    def checkpoint(self) -> Any:
        """A copy of the tracker's state, for ``restore``: lets a caller try an update and take
        it back (the pipeline does, when frames it skipped turn out to need the detector)."""
        return copy.deepcopy((self._tracks, self._next_id, self._last_t))

    def restore(self, state: Any) -> None:
        """Go back to a ``checkpoint`` (each checkpoint can be restored once)."""
        self._tracks, self._next_id, self._last_t = state

    def update(
        self,
        detections: Detections,
        timestamp: float,
        image: NDArray[np.uint8] | None = None,
        frame_size: tuple[int, int] | None = None,
        standing: NDArray[np.floating] | None = None,
    ) -> Tracks:
        """Advance to ``timestamp`` (capture time, seconds) with this frame's detections.

        ``image`` (BGR) is optional: when given, the colours of each person's clothes help keep
        identities through crossings and occlusions (see the module doc). ``frame_size`` (width,
        height; taken from ``image`` when given) lets the tracker tell a person who walked out
        of view from one who is hidden. ``standing`` (xyxy, N x 4; ``StaticObjects.standing``)
        are the places where something stands: a lost track born on one that never left it
        takes only boxes on its own place (see the module doc).
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
            # Seen last frame: constant velocity (up to ``velocity_hold_s`` if frames were
            # dropped). Once a frame has been missed, the velocity decays.
            hold = min(dt, cfg.velocity_hold_s) if tr.misses == 0 else 0.0
            tr.kf.predict(hold)
            tr.kf.predict(dt - hold, cfg.velocity_tau_s)

        conf = detections.confidence.astype(np.float64)
        boxes = detections.xyxy.astype(np.float64)
        feats = app = None  # colour descriptors and track-to-detection colour distances
        if cfg.appearance and image is not None and len(boxes) > 0:
            feats = describe(image, boxes)[0]
            app = self._appearance(feats)
        high = np.flatnonzero(conf >= cfg.high_threshold)
        low = np.flatnonzero((conf >= cfg.low_threshold) & (conf < cfg.high_threshold))

        self._mark_standing(standing)
        self._pinned = {
            i for i, t in enumerate(self._tracks) if t.confirmed and t.misses > 0 and t.standing
        }
        matched: dict[int, int] = {}  # track index -> detection index
        confirmed = [i for i, t in enumerate(self._tracks) if t.confirmed]
        tentative = [i for i, t in enumerate(self._tracks) if not t.confirmed]

        # 1. Confirmed tracks (seen or lost) and confident detections, by IoU.
        high_left = self._match_iou(confirmed, high, boxes, cfg.iou_gate, matched, app)
        # 2. Weak detections keep alive tracks that were seen last frame (ByteTrack's second
        #    stage): a person half hidden by another is often detected with low confidence.
        fresh = [i for i in confirmed if i not in matched and self._tracks[i].misses == 0]
        low_left = self._match_iou(fresh, low, boxes, cfg.low_iou_gate, matched)
        # 3. Recover lost tracks by distance: after a gap the prediction may not overlap the box.
        lost = [i for i in confirmed if i not in matched and not self._tracks[i].at_edge]
        high_left = self._match_recover(lost, high_left, boxes, app, matched)
        # 4. Tentative tracks take what is left.
        high_left = self._match_iou(tentative, high_left, boxes, cfg.tentative_iou_gate, matched)
        # A weak box that continues a tentative track still counts as evidence: flicker does not
        # persist in the same place, so consecutive overlapping boxes are a person.
        rest = [i for i in tentative if i not in matched]
        self._match_iou(rest, low_left, boxes, cfg.low_iou_gate, matched)

        self._refuse_explained_recoveries(matched, boxes)
        behind = _behind(boxes) if feats is not None else None
        clean = self._clean(matched, boxes, behind) if behind is not None else {}
        for ti, di in matched.items():
            tr = self._tracks[ti]
            tr.kf.update(boxes[di], self._trust(app[ti, di]) if app is not None else 1.0)
            tr.det_box = boxes[di]
            tr.stayed = tr.stayed and _on_place(tr.det_box, tr.home, cfg.place_iou)
            tr.standing = tr.standing and tr.stayed
            tr.confidence = float(conf[di])
            tr.hits += 1
            tr.misses = 0
            tr.last_seen = now
            tr.at_edge = _touches_edge(tr.det_box, frame_size, cfg.edge_margin)
            if feats is not None and clean.get(ti, False):
                self._learn_appearance(tr, feats[di])
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

        taken = boxes[list(matched.values())]
        for di in high_left:
            if conf[di] < cfg.new_track_threshold:
                continue
            if _straddles(boxes[di], taken, cfg.explained_box):
                continue  # a box straddling people already tracked: nobody new (module doc)
            tr = _Track(boxes[di], float(conf[di]), now, cfg.noise)
            tr.at_edge = _touches_edge(boxes[di], frame_size, cfg.edge_margin)
            tr.id = self._next_id
            self._next_id += 1
            if (
                feats is not None
                and behind is not None
                and behind[di] < cfg.appearance_clean_overlap
            ):
                self._learn_appearance(tr, feats[di])
            if cfg.confirm_hits <= 1:
                self._confirm(tr)
            survivors.append(tr)
            matched_objs.add(id(tr))
        self._tracks = survivors
        return self._output(matched_objs)

    def hold(self, timestamp: float) -> Tracks:
        """No detector ran at ``timestamp`` (the motion gate saw nothing move): keep every track
        where it is.

        Tracks seen in the last update are still seen: their last-seen time moves on, so a
        person standing still is never aged out, and they are reported as they were (confirmed or
        tentative). Lost tracks stay lost and expire on the usual clock. Nothing is predicted, so
        a person who stopped does not drift on their old velocity.
        """
        cfg = self.config
        now = timestamp if self._last_t is None else max(self._last_t, timestamp)
        self._last_t = now
        kept: list[_Track] = []
        for tr in self._tracks:
            if tr.misses == 0:
                tr.last_seen = now
            elif tr.confirmed and now - tr.last_seen > (
                cfg.edge_lost_s if tr.at_edge else cfg.max_lost_s
            ):
                continue
            kept.append(tr)
        self._tracks = kept
        return self._output({id(tr) for tr in kept if tr.misses == 0})

    def _refuse_explained_recoveries(
        self, matched: dict[int, int], boxes: NDArray[np.float64]
    ) -> None:
        """A lost track is not taken up again by a box straddling the boxes given to other
        tracks this frame (``explained_box``): the detector boxing two people as one says
        nothing of a third, who stays lost."""
        limit = self.config.explained_box
        for ti, di in list(matched.items()):
            if self._tracks[ti].misses == 0:
                continue
            others = boxes[[d for t, d in matched.items() if t != ti]]
            if _straddles(boxes[di], others, limit):
                del matched[ti]

    def _confirm(self, tr: _Track) -> None:
        tr.confirmed = True

    def _clean(
        self, matched: dict[int, int], boxes: NDArray[np.float64], behind: NDArray[np.float64]
    ) -> dict[int, bool]:
        """Matched tracks whose box shows only them. Only such sightings teach a track what its
        person looks like; a box straddling two people, or one reaching into a neighbour, would
        teach it the neighbour's clothes. Nearer people's boxes (lower in the picture) do not
        count: ``describe`` already leaves out the pixels they cover. Everyone else (other boxes
        and where unmatched tracks are predicted) may cover at most ``appearance_clean_overlap``
        of the box."""
        unseen = [t.kf.xyxy() for i, t in enumerate(self._tracks) if i not in matched]
        worst = behind  # other boxes; nearer people's are masked in the descriptor
        if unseen:
            worst = np.maximum(worst, _coverage(boxes, np.array(unseen)).max(axis=1))
        limit = self.config.appearance_clean_overlap
        return {ti: bool(worst[di] < limit) for ti, di in matched.items()}

    def _trust(self, distance: float) -> float:
        """Weight of a box in the motion update: low when it does not look like the track's
        person (a box reaching over a neighbour, or the wrong person taken in a crossing)."""
        cfg = self.config
        return cfg.appearance_doubt_trust if distance > cfg.appearance_doubt else 1.0

    def _learn_appearance(self, tr: _Track, desc: NDArray[np.float32]) -> None:
        # A running mean over the first sightings, then a moving average that follows slow
        # changes (lighting along an aisle, a person turning) over about 1 / min_rate sightings.
        if not desc.any():
            return
        tr.clean_sightings += 1
        rate = max(1.0 / tr.clean_sightings, self.config.appearance_min_rate)
        tr.appearance = desc if tr.appearance is None else blend(tr.appearance, desc, rate)

    def _appearance(self, feats: NDArray[np.float32]) -> NDArray[np.float64]:
        """Colour distance of every track to every detection; NaN where either side has
        nothing to compare (never seen clearly, or hidden now)."""
        out = np.full((len(self._tracks), len(feats)), np.nan)
        rows = [i for i, t in enumerate(self._tracks) if t.appearance is not None]
        if rows:
            refs = np.stack([self._tracks[i].appearance for i in rows])  # type: ignore[misc]
            out[rows] = distance_matrix(refs, feats)
        return out

    def _match_iou(
        self,
        track_idx: list[int],
        det_idx: NDArray[np.intp],
        boxes: NDArray[np.float64],
        gate: float,
        matched: dict[int, int],
        app: NDArray[np.float64] | None = None,
    ) -> NDArray[np.intp]:
        """Match by ``1 - IoU`` within the IoU and distance gates; returns detections left.

        With ``app`` (colour distances), the colour distance is added to the cost: it only
        changes the outcome where two people's boxes overlap similarly (a crossing)."""
        if not track_idx or len(det_idx) == 0:
            return det_idx
        cfg = self.config
        pred = np.stack([self._tracks[i].kf.xyxy() for i in track_idx])
        iou = box_iou(pred, boxes[det_idx])
        ok = (iou >= gate) & self._distance_ok(track_idx, pred, boxes[det_idx])
        ok &= self._plausible(track_idx, boxes[det_idx])
        cost = 1.0 - iou
        if app is not None and cfg.appearance_iou_weight > 0:
            colour = app[np.ix_(np.asarray(track_idx, np.intp), det_idx)]
            # Taking up a lost track is a recovery, whatever the overlap: the colour veto holds.
            was_lost = np.array([self._tracks[i].misses > 0 for i in track_idx])
            ok &= ~(was_lost[:, None] & (colour > cfg.appearance_overlap_gate))
            colour = np.nan_to_num(colour, nan=cfg.appearance_unknown)
            cost = cost + cfg.appearance_iou_weight * colour
        cost = np.where(ok, cost, INFEASIBLE)
        pairs, _, left = assign(cost, INFEASIBLE / 2)
        for r, c in pairs:
            matched[track_idx[r]] = int(det_idx[c])
        return det_idx[left]

    def _mark_standing(self, standing: NDArray[np.floating] | None) -> None:
        """Tracks of things that have never moved: born on a place now seen to be one where
        something stands, and never seen off it. Once marked, a track stays so until it is seen
        off its place (the watch may lose sight of the place's picture for a while, e.g. while
        a passer-by covers it); while lost, it takes only a box on its own place."""
        if standing is None or not len(standing):
            return
        places = np.asarray(standing, np.float64).reshape(-1, 4)
        unmarked = [t for t in self._tracks if t.stayed and not t.standing]
        if not unmarked:
            return
        homes = np.stack([t.home for t in unmarked])
        on = box_iou(homes, places).max(axis=1) >= self.config.place_iou
        for t, yes in zip(unmarked, on, strict=True):
            t.standing = bool(yes)

    def _plausible(self, track_idx: list[int], dets: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Which pairs a track's motion allows: a lost track of a thing that never moved
        (``_mark_standing``) only boxes on its own place; every other track, any box (the gates
        decide)."""
        ok = np.ones((len(track_idx), len(dets)), bool)
        for r, i in enumerate(track_idx):
            if i in self._pinned:
                ok[r] = box_iou(self._tracks[i].home[None], dets)[0] >= self.config.place_iou
        return ok

    def _gate(self, track_idx: list[int]) -> NDArray[np.float64]:
        """Per-track distance gate in heights: wider the longer the track has been unseen."""
        cfg = self.config
        assert self._last_t is not None
        lost_s = np.array([self._last_t - self._tracks[i].last_seen for i in track_idx])
        return np.minimum(cfg.gate_base + cfg.gate_per_s * lost_s, cfg.gate_max)

    def _distance_ok(
        self, track_idx: list[int], pred: NDArray[np.float64], dets: NDArray[np.float64]
    ) -> NDArray[np.bool_]:
        dist = normalised_distance(pred, dets, self.config.gate_anchor)
        return dist <= self._gate(track_idx)[:, None]

    def _match_recover(
        self,
        track_idx: list[int],
        det_idx: NDArray[np.intp],
        boxes: NDArray[np.float64],
        app: NDArray[np.float64] | None,
        matched: dict[int, int],
    ) -> NDArray[np.intp]:
        """Lost tracks by distance in heights, the gate widening with time lost."""
        cfg = self.config
        if not track_idx or len(det_idx) == 0:
            return det_idx
        tracks = [self._tracks[i] for i in track_idx]
        pred = np.stack([t.kf.xyxy() for t in tracks])
        dets = boxes[det_idx]
        gate = self._gate(track_idx)
        dist = normalised_distance(pred, dets, cfg.gate_anchor)
        size = log_height_ratio(pred, dets)
        ok = (dist <= gate[:, None]) & (size <= np.log(cfg.max_height_ratio))
        ok &= self._plausible(track_idx, dets)
        # The gate only decides what is possible; the cost is the plain distance, so a track lost
        # for long (wide gate) does not win over one lost a moment ago that is just as close.
        cost = dist + size
        if app is not None:
            colour = app[np.ix_(np.asarray(track_idx, np.intp), det_idx)]
            ok &= ~(colour > cfg.appearance_gate)  # unknown (NaN) never vetoes
            cost = cost + cfg.appearance_weight * np.nan_to_num(colour, nan=cfg.appearance_unknown)
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
            elif seen:
                state = TrackState.TENTATIVE
            else:
                continue  # an unconfirmed guess of where flicker went is worth nothing
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


def _coverage(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Fraction of each box of ``a`` (N,4) that each box of ``b`` (M,4) covers: (N, M)."""
    iw = np.minimum(a[:, None, 2], b[None, :, 2]) - np.maximum(a[:, None, 0], b[None, :, 0])
    ih = np.minimum(a[:, None, 3], b[None, :, 3]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    area = np.maximum((a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1]), 1e-9)
    return inter / area[:, None]


# A grid of points over a box, to measure how much of it a union of other boxes covers.
_GRID = (np.arange(8) + 0.5) / 8


def _straddles(box: NDArray[np.float64], others: NDArray[np.float64], limit: float) -> bool:
    """``box`` lies at least ``limit`` inside the union of ``others`` (N, 4) though no one of
    them covers that much alone: it spans two or more of them (an 8 × 8 grid of points)."""
    if len(others) < 2:
        return False
    xs = box[0] + (box[2] - box[0]) * _GRID
    ys = box[1] + (box[3] - box[1]) * _GRID
    in_x = (xs[None, :] >= others[:, 0:1]) & (xs[None, :] <= others[:, 2:3])  # (N, 8)
    in_y = (ys[None, :] >= others[:, 1:2]) & (ys[None, :] <= others[:, 3:4])
    inside = in_y[:, :, None] & in_x[:, None, :]  # (N, 8, 8)
    alone = inside.mean(axis=(1, 2)).max()
    return bool(inside.any(axis=0).mean() >= limit and alone < limit)


def _behind(boxes: NDArray[np.float64]) -> NDArray[np.float64]:
    """For each box, how much of it the boxes of people not nearer the camera cover (the most
    any one covers). Nearer people's boxes (reaching lower in the picture) do not count."""
    covered = _coverage(boxes, boxes)
    covered[boxes[None, :, 3] > boxes[:, None, 3]] = 0.0
    np.fill_diagonal(covered, 0.0)
    return covered.max(axis=1)


def _on_place(box: NDArray[np.float64], place: NDArray[np.float64], iou: float) -> bool:
    return bool(box_iou(box[None], place[None])[0, 0] >= iou)


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
