"""A ``Detector`` over any ``OnnxModel``: runs the configured passes, merges them with NMS.

With ``adaptive`` settings, a detector learns whether its extra passes (every pass after the
first) find anyone the first pass missed, and stops running them while they do not: see
``AdaptivePasses``. That state belongs to one camera's stream, so a detector shared by several
cameras hands each its own view (``for_camera``), all on the same ONNX session.
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from storepixel.config.detector import PassKind
from storepixel.types import Detections
from storepixel.vision.adapters.base import Candidates, OnnxModel
from storepixel.vision.base import Detector
from storepixel.vision.far_budget import FarBandBudget
from storepixel.vision.geometry import Fit, clip_boxes, tile_windows
from storepixel.vision.nms import box_iou, nms
from storepixel.vision.size_map import PersonSizeMap

SEAM_MARGIN = 2.0  # px: a tile box this close to an inner tile edge is a cut-off person
MIN_SIDE = 2.0  # px: narrower boxes are clipping debris, not people
SAME_PERSON_IOU = 0.5  # an extra-pass box this close to a first-pass candidate is that person
# A person last reported is still seen by a first-pass box whose centre is within this many of
# their heights and whose height is within this factor: a brisk walk over 0.4 s, not overlap,
# since detections may be a few frames apart (the pipeline lets walkers' frames wait).
KEPT_SHIFT = 0.5
KEPT_SCALE = 1.5
# The model finds few people shorter than this on its input (NanoDet at 416: 2 of 6 people of
# 36-40 input px in a mall frame, all of them at 55-62): rows of the frame where the size map
# expects people shorter than this get the far-band pass.
SMALL_ON_INPUT = 48.0
LEARN_CONFIDENCE = 0.55  # boxes this sure teach the size map


@dataclass(frozen=True, slots=True)
class AdaptivePasses:
    """When a camera may skip its extra passes.

    ``window``: the last this-many frames with people, all passes run, must show the extra passes
    adding no one (no kept box without a first-pass candidate at IoU ≥ 0.5) before they are
    skipped. ``recheck``: while skipped, every ``recheck``-th detection runs all passes again;
    one frame where they add someone brings them back for good, until a new clean window.
    Counted in detections, not seconds, so analysing a file twice gives the same result.
    """

    window: int = 25
    recheck: int = 10


class _PassStats:
    """One camera's record of what its extra passes added, and whether they are skipped now."""

    __slots__ = ("added", "last", "since_check", "skipping")

    def __init__(self, window: int) -> None:
        self.added: deque[bool] = deque(maxlen=window)  # per frame with people: extras added one
        self.skipping = False
        self.since_check = 0  # detections since all passes last ran
        self.last: NDArray[np.float32] = np.zeros((0, 4), np.float32)  # last detection's boxes


class OnnxDetector(Detector):
    """Person detector on an ONNX model; ``passes`` are the views of each frame it looks at.

    ``letterbox``/``stretch`` run the whole frame once (a model with a dynamic input letterboxes
    onto a canvas cut to the frame's shape, ``OnnxModel.canvas_size``; stretch and tiles stay on
    the square input); ``tiles`` runs each overlapping window of
    ``tile_grid`` (cols, rows) and drops boxes cut by an inner seam, which a neighbouring tile or
    a whole-frame pass sees in full. ``adaptive`` (default off here; on in ``load_detector``'s
    default config) lets a camera skip the passes after the first while they add no one.
    """

    def __init__(
        self,
        model: OnnxModel,
        confidence: float = 0.45,
        nms_iou: float = 0.6,
        passes: Sequence[PassKind] = ("letterbox", "stretch"),
        tile_grid: tuple[int, int] = (2, 2),
        tile_overlap: float = 0.25,
        adaptive: AdaptivePasses | None = None,
        far_slices: int = 0,
        size_map: tuple[float, float, float, float] | None = None,
        far_budget: float | None = None,
    ) -> None:
        self.model = model
        self.far_slices = far_slices
        self.far_budget = far_budget
        self.budget = self._new_budget()
        self.size_seed = size_map
        self.size_map = self._new_size_map()
        self.confidence = confidence
        self.nms_iou = nms_iou
        self.passes = tuple(passes)
        self.tile_grid = tile_grid
        self.tile_overlap = tile_overlap
        self.adaptive = adaptive if len(self.passes) > 1 or far_slices > 0 else None
        self._stats = _PassStats(self.adaptive.window) if self.adaptive else None
        self.passes_run = 0  # inferences-worth of passes run (a tiles pass counts once)
        self.far_frames = 0  # detections on which the far band (some of its slices) ran
        self._slices_run: list[int] = []  # which far-band slices the last detection ran
        self._far_found: dict[int, NDArray[np.float32]] = {}  # per slice: who its last look added

    def for_camera(self, *, adaptive: bool = True) -> OnnxDetector:
        """A detector for one camera's stream on the same model: its own pass statistics, or
        (``adaptive=False``) every pass on every frame, as the naive baseline needs."""
        view = copy.copy(self)
        view.adaptive = self.adaptive if adaptive else None
        view._stats = _PassStats(view.adaptive.window) if view.adaptive else None
        view.size_map = self._new_size_map()  # per camera
        view.budget = self._new_budget()
        view._far_found = {}
        view.passes_run = view.far_frames = 0
        return view

    def _new_budget(self) -> FarBandBudget | None:
        if self.far_slices <= 0 or self.far_budget is None:
            return None
        return FarBandBudget(self.far_budget)

    def _new_size_map(self) -> PersonSizeMap | None:
        if self.far_slices <= 0:
            return None
        size_map = PersonSizeMap()
        if self.size_seed is not None:
            size_map.seed(*self.size_seed)
        return size_map

    @property
    def skipping_extra_passes(self) -> bool:
        """Whether the next detection runs only the first pass (unless it is a re-check)."""
        return self._stats is not None and self._stats.skipping

    def detect(self, image_bgr: NDArray[np.uint8]) -> Detections:
        if image_bgr.ndim != 3 or image_bgr.shape[2] != 3 or image_bgr.dtype != np.uint8:
            raise ValueError(
                f"expected an HxWx3 uint8 BGR image, got {image_bgr.shape} {image_bgr.dtype}"
            )
        stats, adaptive = self._stats, self.adaptive
        # Whether every pass runs is known before the first unless the extras are being skipped
        # and this is no re-check (then the first pass's people decide): known, they all run
        # side by side (``OnnxModel.candidates_all``; the same boxes as one after the other).
        known = True
        if stats is not None and adaptive is not None and stats.skipping:
            stats.since_check += 1
            known = stats.since_check >= adaptive.recheck
        if known and len(self.passes) > 1 and "tiles" not in self.passes:
            found = self._passes_side_by_side(image_bgr, cast("tuple[Fit, ...]", self.passes))
            first = len(found[0][1])
            run_extras = True
        else:
            found = self._pass(image_bgr, self.passes[0])
            first = sum(len(f[1]) for f in found)
            run_extras = known or self._lost_someone(found, image_bgr)
            for kind in self.passes[1:] if run_extras else ():
                found.extend(self._pass(image_bgr, kind))
        ran = self.passes[: len(self.passes) if run_extras else 1]
        extras_end = sum(len(f[1]) for f in found)
        if self.budget is not None:
            slices = self._far_band_budgeted(image_bgr, ran)
        else:  # no budget: the whole band whenever the other extra passes run
            slices = self._far_band(image_bgr) if run_extras else []
        found.extend(slices)
        detections, kept = self._merge(image_bgr, found, first)
        far = kept >= extras_end  # boxes only the far band found
        if self.budget is not None:
            self._report_slices(slices, kept, detections.xyxy, extras_end)
        self._learn(detections, image_bgr)
        if stats is None or adaptive is None:
            return detections
        # Under a budget the far band keeps its own account: its people, seen only on the frames
        # it runs, neither count as the extra passes' finds nor as someone the first pass lost.
        own = detections.xyxy[~far] if self.budget is not None else detections.xyxy
        stats.last = own
        if not run_extras:
            return detections
        stats.since_check = 0
        by_extras = kept >= first if self.budget is None else ~far & (kept >= first)
        added = int(by_extras.sum())
        if len(detections):
            stats.added.append(added > 0)
        if added:
            stats.skipping = False
        elif len(stats.added) == adaptive.window and not any(stats.added):
            stats.skipping = True
        return detections

    def _passes_side_by_side(
        self, image: NDArray[np.uint8], kinds: Sequence[Fit]
    ) -> list[Candidates]:
        """``_pass`` of each whole-frame pass of ``kinds``, the model run on them at once."""
        self.passes_run += len(kinds)
        return self._candidates_all([(image, kind, True) for kind in kinds])

    def _candidates_all(
        self, views: Sequence[tuple[NDArray[np.uint8], Fit, bool]]
    ) -> list[Candidates]:
        """The model's candidates for each (image, fit, tight) of ``views``: side by side where
        it can (``OnnxModel.candidates_all``), else one after the other."""
        together = getattr(self.model, "candidates_all", None)
        if together is not None:
            return list(together(views, self.confidence))
        return [
            self.model.candidates(image, fit, self.confidence, tight=tight)
            for image, fit, tight in views
        ]

    def _pass(self, image: NDArray[np.uint8], kind: PassKind) -> list[Candidates]:
        self.passes_run += 1
        if kind == "tiles":
            return self._tiles(image)
        return [self.model.candidates(image, kind, self.confidence, tight=True)]

    def _learn(self, detections: Detections, image: NDArray[np.uint8]) -> None:
        if self.size_map is not None and len(detections):
            sure = detections.xyxy[detections.confidence >= LEARN_CONFIDENCE]
            self.size_map.add_boxes(sure, (image.shape[1], image.shape[0]))

    def far_windows(self, width: int, height: int) -> list[tuple[int, int, int, int]]:
        """The slices (x0, y0, x1, y1) of the far band this camera's size map asks for: rows
        where people are expected under ``SMALL_ON_INPUT`` px of the model's input, cut into
        as few overlapping slices as bring them up to it (at most ``far_slices``)."""
        if self.size_map is None:
            return []
        input_w = float(self.model.input_size[0])
        band = self.size_map.far_band(SMALL_ON_INPUT * width / input_w, height)
        if band is None:
            return []
        top, bottom = band
        # Typical person in the band: feet at its lower third.
        small = max(self.size_map.height_at(top + 0.66 * (bottom - top)), 8.0)
        scale_needed = SMALL_ON_INPUT / small  # model px per frame px
        n = int(np.ceil(scale_needed * width / input_w))
        n = max(2, min(self.far_slices, n))  # one slice of the full width would enlarge nothing
        if n > self.far_slices:
            return []
        windows = tile_windows(width, bottom - top, (n, 1), self.tile_overlap)
        return [(x0, y0 + top, x1, y1 + top) for x0, y0, x1, y1 in windows]

    def _far_band(self, image: NDArray[np.uint8]) -> list[Candidates]:
        height, width = image.shape[:2]
        windows = self.far_windows(width, height)
        if not windows:
            return []
        self.passes_run += 1
        self.far_frames += 1
        return self._windows(image, windows, tight=True)

    def _far_band_budgeted(
        self, image: NDArray[np.uint8], ran: Sequence[PassKind]
    ) -> list[Candidates]:
        """The slices of the far band this camera's budget lets it look at now (one
        ``Candidates`` per slice, in the order run; ``_slices_run`` says which they were)."""
        assert self.budget is not None
        height, width = image.shape[:2]
        windows = self.far_windows(width, height)
        base = sum(self._pass_cost(kind, width, height) for kind in ran)
        costs = [
            self._canvas_pixels(x1 - x0, y1 - y0, "letterbox", True) for x0, y0, x1, y1 in windows
        ]
        chosen = self.budget.choose(base, costs)
        self._slices_run = chosen
        if not chosen:
            return []
        self.passes_run += 1
        self.far_frames += 1
        return self._windows(image, [windows[i] for i in chosen], tight=True)

    def _report_slices(
        self,
        slices: list[Candidates],
        kept: NDArray[np.intp],
        xyxy: NDArray[np.float32],
        start: int,
    ) -> None:
        """Tell the budget which slices found someone the base passes missed (a kept box), and
        whether anyone of them is new there (no box of that slice's last find near them)."""
        assert self.budget is not None
        for index, (_, scores) in zip(self._slices_run, slices, strict=True):
            end = start + len(scores)
            mine = xyxy[(kept >= start) & (kept < end)]
            before = self._far_found.get(index, np.zeros((0, 4), np.float32))
            new = bool(len(mine)) and not bool(_near(mine, before).any(axis=1).all())
            self.budget.found(index, bool(len(mine)), new)
            self._far_found[index] = mine
            start = end

    def _pass_cost(self, kind: PassKind, width: int, height: int) -> float:
        """Model-input pixels one pass over a ``width`` × ``height`` frame runs the model on."""
        if kind == "tiles":
            windows = tile_windows(width, height, self.tile_grid, self.tile_overlap)
            return sum(
                self._canvas_pixels(x1 - x0, y1 - y0, "letterbox", False)
                for x0, y0, x1, y1 in windows
            )
        return self._canvas_pixels(width, height, kind, tight=True)

    def _canvas_pixels(self, width: int, height: int, fit: PassKind, tight: bool) -> float:
        canvas = getattr(self.model, "canvas_size", None)
        if canvas is None:  # a model that does not say: every inference costs the same
            return 1.0
        w, h = canvas(width, height, fit, tight)
        return float(w * h)

    def _lost_someone(self, found: list[Candidates], image: NDArray[np.uint8]) -> bool:
        """Whether a person the last detection reported has no first-pass candidate near them
        now: they left, or the first pass lost them and an extra pass may still see them."""
        assert self._stats is not None
        last = self._stats.last
        if not len(last):
            return False
        height, width = image.shape[:2]
        xyxy = clip_boxes(np.concatenate([f[0] for f in found]), width, height)
        if not len(xyxy):
            return True
        return not bool(_near(last, xyxy).any(axis=1).all())

    def _merge(
        self, image: NDArray[np.uint8], found: list[Candidates], first: int
    ) -> tuple[Detections, NDArray[np.intp]]:
        """The first pass's people, plus the people only the other passes found; and for each
        box kept, which candidate of ``found`` (counted across its parts) it was.

        ``found``'s first ``first`` candidates come from the first pass. They go through NMS
        first; a candidate of another pass is kept only where no first-pass candidate overlaps it
        by ``SAME_PERSON_IOU`` or more and no kept box above ``nms_iou``: the extra passes add
        people, they never replace (or double) the first pass's box of a person it found. So a
        frame on which they add no one gives exactly what the first pass alone gives, which is
        what lets ``AdaptivePasses`` skip them without moving any box.
        """
        height, width = image.shape[:2]
        xyxy = clip_boxes(np.concatenate([f[0] for f in found]), width, height)
        scores = np.concatenate([f[1] for f in found])
        from_first = np.arange(len(scores)) < first
        sizable = ((xyxy[:, 2] - xyxy[:, 0]) >= MIN_SIDE) & ((xyxy[:, 3] - xyxy[:, 1]) >= MIN_SIDE)
        source = np.flatnonzero(sizable)
        xyxy, scores, from_first = xyxy[sizable], scores[sizable], from_first[sizable]
        if not from_first.all() and from_first.any():
            # The same person seen by two passes: the boxes differ in shape (a stretched view
            # distorts it), so they can overlap less than nms_iou and both survive NMS.
            extra = np.flatnonzero(~from_first)
            same = box_iou(xyxy[extra], xyxy[from_first]).max(axis=1) >= SAME_PERSON_IOU
            drop = np.zeros(len(scores), bool)
            drop[extra[same]] = True
            xyxy, scores, from_first = xyxy[~drop], scores[~drop], from_first[~drop]
            source = source[~drop]
        # Ranking every first-pass candidate above every other makes greedy NMS settle the first
        # pass among itself before any extra candidate is looked at.
        keep = nms(xyxy, scores + from_first, self.nms_iou)
        keep = keep[np.argsort(-scores[keep], kind="stable")]  # best first
        return Detections(xyxy[keep], scores[keep]), source[keep]

    def _tiles(self, image: NDArray[np.uint8]) -> list[Candidates]:
        height, width = image.shape[:2]
        return self._windows(image, tile_windows(width, height, self.tile_grid, self.tile_overlap))

    def _windows(
        self,
        image: NDArray[np.uint8],
        windows: Sequence[tuple[int, int, int, int]],
        tight: bool = False,
    ) -> list[Candidates]:
        """Each window of ``image`` run on its own; boxes cut by a window's inner edge dropped
        (a neighbouring window or a whole-frame pass sees that person whole). ``tight``: on a
        canvas cut to the window's shape (the far band's wide slices: less grey to run)."""
        height, width = image.shape[:2]
        fit: Fit = "letterbox"
        crops = [(image[y0:y1, x0:x1], fit, tight) for x0, y0, x1, y1 in windows]
        found = self._candidates_all(crops)
        out = []
        for (x0, y0, x1, y1), (xyxy, scores) in zip(windows, found, strict=True):
            # A box touching an inner edge of the tile is a person cut by the seam.
            cut = np.zeros(len(xyxy), bool)
            if x0 > 0:
                cut |= xyxy[:, 0] <= SEAM_MARGIN
            if y0 > 0:
                cut |= xyxy[:, 1] <= SEAM_MARGIN
            if x1 < width:
                cut |= xyxy[:, 2] >= (x1 - x0) - SEAM_MARGIN
            if y1 < height:
                cut |= xyxy[:, 3] >= (y1 - y0) - SEAM_MARGIN
            xyxy = xyxy[~cut] + np.array([x0, y0, x0, y0], np.float32)
            out.append((xyxy, scores[~cut]))
        return out


def _near(a: NDArray[np.float32], b: NDArray[np.float32]) -> NDArray[np.bool_]:
    """(len(a), len(b)): whether each box of ``b`` could be the person of each box of ``a`` a
    moment later (centre within ``KEPT_SHIFT`` heights, height within ``KEPT_SCALE``×)."""
    ha = np.maximum(a[:, 3] - a[:, 1], 1.0)[:, None]
    hb = np.maximum(b[:, 3] - b[:, 1], 1.0)[None, :]
    dx = (a[:, None, 0] + a[:, None, 2] - b[None, :, 0] - b[None, :, 2]) / 2
    dy = (a[:, None, 1] + a[:, None, 3] - b[None, :, 1] - b[None, :, 3]) / 2
    close = np.hypot(dx, dy) <= KEPT_SHIFT * ha
    return close & (hb <= KEPT_SCALE * ha) & (ha <= KEPT_SCALE * hb)
