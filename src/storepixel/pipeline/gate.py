"""Deciding, frame by frame, whether the detector needs to look: a cheap change gate.

Stores are empty much of the day and shoppers stand still in front of shelves, so most analysed
frames show nothing the tracker does not already know. The gate compares a small grey copy of each
frame (``width`` pixels wide, 192 by default, whatever the camera's resolution; each value the
average of the 2×2 pixels at the centre of its block, so sensor noise is damped) with the copy
taken when the detector last ran, and lets the detector skip a frame only when the tracker can be
trusted to hold every person where they are:

- the tracker is unsure (a tentative track, or a lost one while anything changes) or someone
  is moving (a confirmed person whose feet left a circle of ``still_radius`` heights within the
  last ``still_s``): run the detector on every frame, as without the gate;
- someone lost (hidden, or just gone out of view) while nothing changed: nobody can have come
  back into view, so the lost track is held like the people standing (it expires on its usual
  clock), and re-detected at least every ``track_interval_s``;
- change outside the boxes of the people standing (someone new, someone setting off): run it;
- otherwise (an empty shop, a still scene, people standing and fidgeting inside their own box):
  skip, and the tracker holds every track; people standing are re-detected at least every
  ``track_interval_s``, and an unchanged scene every ``idle_interval_s`` (a safety net for change
  too faint for the gate).

Comparing with the frame the detector last saw, not the previous frame, means slow change
accumulates until it counts. A uniform brightness shift (auto exposure, clouds) is removed before
thresholding. Because the copy has the same size at any resolution, the thresholds mean the same
on a 720p main stream, a 640×360 substream or a 4K camera: a person covers the same number of
blocks, and noise is damped alike.

>>> import numpy as np
>>> gate = ChangeGate()
>>> still = np.full((96, 128, 3), 90, np.uint8)
>>> gate.decide(still, 0.0, Tracks.empty()).detect   # nothing seen yet: look
True
>>> gate.rebase(0.0, Tracks.empty())                 # the detector ran on that frame
>>> gate.decide(still, 0.2, Tracks.empty()).detect   # nothing changed: skip
False
>>> walker = still.copy(); walker[40:80, 60:75] = 200
>>> gate.decide(walker, 0.4, Tracks.empty()).reason  # something new: look
'change'
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import NDArray

from storepixel.pipeline.roi import NormalisedRegion, to_pixels
from storepixel.types import Tracks, TrackState


@dataclass(frozen=True, slots=True)
class GateSettings:
    """How the gate reads change. Levels are grey levels (0–255) of the small copy.

    - ``width`` 192 pixels: the copy is this wide (its height follows the frame's aspect ratio,
      108 for 16:9), so 1280×720 is read in blocks of 6.7×6.7 pixels and 768×432 in 4×4.
      Frames narrower than this are compared at their own size.
    - ``threshold`` 16: vtest/PETS and H.264 store clips show smoothed noise of 1–3 levels;
      a person against floor or wall differs by tens.
    - ``min_cells`` 3: after a 2×2 opening (which removes isolated noisy blocks), fewer changed
      blocks than this are not a person (someone a tenth of the frame's height tall covers about
      11 × 4 blocks of a 192×108 copy).
    - ``margin`` 0 box heights: how far outside their box a tracked person's change may reach
      before they are looked at again. At 0, someone walking is detected on every frame (their
      leading edge leaves the box) and only people standing, fidgeting inside their own box, are
      detected at the slower rate. A margin of 0.1–0.25 lets walkers be detected every second
      or third frame, but the held box then lags them and visits near a zone's edge start or end
      a frame late: on the store-day clip it moved zone dwell by 2–13 %, so it is off.
    - ``still_radius`` 0.15 heights, ``still_s`` 1.0: a person counts as standing once their feet
      stayed within 0.15 of their height of one spot for a second (detector jitter is ~0.05;
      even a slow walk leaves the circle in half a second).
    - ``track_interval_s`` 1.0: people standing still are re-detected at least once a second.
    - ``idle_interval_s`` 30: the detector looks at an unchanged scene at least this often.
    """

    width: int = 192
    threshold: int = 16
    min_cells: int = 3
    margin: float = 0.0
    still_radius: float = 0.15
    still_s: float = 1.0
    track_interval_s: float = 1.0
    idle_interval_s: float = 30.0

    def __post_init__(self) -> None:
        if self.width < 1 or self.threshold < 1 or self.min_cells < 1:
            raise ValueError("width, threshold and min_cells must be at least 1")
        times = (self.still_s, self.track_interval_s, self.idle_interval_s)
        if self.margin < 0 or self.still_radius < 0 or min(times) < 0:
            raise ValueError("margin and intervals must be non-negative")


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether to run the detector on this frame, and why (for stats and debugging)."""

    detect: bool
    reason: str  # first | idle | unsure | moving | change | tracks-due | tracks | still


_KERNEL = np.ones((2, 2), np.uint8)
# (frame height, width, copy width), the two remap maps, block width and height in pixels
_Grid = tuple[tuple[int, int, int], NDArray[np.int16], NDArray[np.uint16], tuple[float, float]]


def _centres(size: int, blocks: int) -> NDArray[np.float32]:
    """For ``blocks`` equal blocks along an axis of ``size`` pixels, the point halfway between
    the two pixels nearest each block's centre (``size`` 8, 2 blocks: 1.5 and 5.5)."""
    centre = (np.arange(blocks) + 0.5) * size / blocks - 0.5
    first = np.clip(np.floor(centre), 0, max(size - 2, 0))
    return (first + 0.5).astype(np.float32)


def _median(diff: NDArray[np.int16]) -> np.int16:
    """``np.int16(np.median(diff))`` for differences of grey levels (−255…255), from their
    histogram: about half the CPU of numpy's partial sort on the 192×108 copy, the same value
    (the mean of the two middle values when there are two, cut towards zero)."""
    counts = np.cumsum(np.bincount((diff + 255).ravel(), minlength=511))
    n = diff.size
    low, high = np.searchsorted(counts, [(n - 1) // 2, n // 2], side="right") - 255
    return np.int16((float(low) + float(high)) / 2)


class ChangeGate:
    """Per-camera change gate; ``decide`` each analysed frame, then ``rebase`` after detecting.

    ``region`` limits the gate to the part of the frame that matters (``None``: all of it);
    change elsewhere (a street outside the window) never wakes the detector.
    """

    def __init__(
        self, settings: GateSettings | None = None, region: NormalisedRegion | None = None
    ) -> None:
        self.settings = settings or GateSettings()
        self.region = region
        self._reference: NDArray[np.int16] | None = None
        self._pending: NDArray[np.int16] | None = None
        self._grid: _Grid | None = None  # where to sample frames of the last size seen
        self._last_detect: float | None = None
        # track id -> (foot x, foot y, time): where each person has stood since when
        self._anchors: dict[int, tuple[float, float, float]] = {}

    def preview(self, image: NDArray[np.uint8]) -> NDArray[np.int16]:
        """The small grey copy the gate compares: per block, the mean of the 2×2 pixels nearest
        its centre (bilinear sampling halfway between them), so noise is damped alike at any
        resolution; averaging whole blocks (INTER_AREA) costs 30× more at 720p. At a whole
        scale (768×432 → 192×108) this is bilinear resizing, value for value."""
        height, width = image.shape[:2]
        if self._grid is None or self._grid[0] != (height, width, self.settings.width):
            self._grid = self._sampling(height, width)
        _, map1, map2, _ = self._grid
        small = cv2.remap(image, map1, map2, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        return grey.astype(np.int16)

    def _sampling(self, height: int, width: int) -> _Grid:
        """Where to sample a frame of this size, and its block size in pixels."""
        cols = min(self.settings.width, width)
        rows = max(1, min(height, round(height * cols / width)))
        x, y = np.meshgrid(_centres(width, cols), _centres(height, rows))
        map1, map2 = cv2.convertMaps(x, y, cv2.CV_16SC2)  # fixed point: faster, same values
        maps = np.asarray(map1, np.int16), np.asarray(map2, np.uint16)  # no copy: typing only
        return (height, width, self.settings.width), *maps, (width / cols, height / rows)

    def changed(self, small: NDArray[np.int16]) -> NDArray[np.bool_]:
        """Blocks that differ from the reference by more than the threshold, noise removed."""
        assert self._reference is not None
        diff = small - self._reference
        diff -= _median(diff)  # a uniform brightness shift is not change
        mask = (np.abs(diff) > self.settings.threshold).astype(np.uint8)
        if self.region is not None:
            x0, y0, x1, y1 = to_pixels(self.region, mask.shape[1], mask.shape[0])
            outside = np.ones_like(mask, bool)
            outside[y0:y1, x0:x1] = False
            mask[outside] = 0
        return cv2.morphologyEx(mask, cv2.MORPH_OPEN, _KERNEL).astype(bool)

    def decide(self, image: NDArray[np.uint8], timestamp: float, tracks: Tracks) -> Decision:
        """Should the detector run on ``image`` (masked, full frame), given the current tracks?"""
        cfg = self.settings
        small = self.preview(image)
        self._pending = small
        if self._reference is None or self._reference.shape != small.shape:
            return Decision(True, "first")
        assert self._last_detect is not None
        since = timestamp - self._last_detect
        if since >= cfg.idle_interval_s or since < 0:
            return Decision(True, "idle")
        if np.any(tracks.state == TrackState.TENTATIVE):
            return Decision(True, "unsure")
        mask = self.changed(small)
        if np.any(tracks.state == TrackState.LOST) and int(mask.sum()) >= cfg.min_cells:
            return Decision(True, "unsure")  # someone hidden may be coming back into view
        if not self._all_standing(tracks.confirmed(), timestamp):
            return Decision(True, "moving")
        assert self._grid is not None
        bw, bh = self._grid[3]  # block size in frame pixels
        for x0, y0, x1, y1 in tracks.xyxy:
            grow = cfg.margin * (y1 - y0)
            c0, r0 = int((x0 - grow) // bw), int((y0 - grow) // bh)
            c1, r1 = int(np.ceil((x1 + grow) / bw)), int(np.ceil((y1 + grow) / bh))
            mask[max(r0, 0) : max(r1, 0) + 1, max(c0, 0) : max(c1, 0) + 1] = False
        if int(mask.sum()) >= cfg.min_cells:
            return Decision(True, "change")
        if not len(tracks):
            return Decision(False, "still")
        if since >= cfg.track_interval_s:
            return Decision(True, "tracks-due")
        return Decision(False, "tracks")

    def _all_standing(self, tracks: Tracks, timestamp: float) -> bool:
        for tid in tracks.ids.tolist():
            anchor = self._anchors.get(tid)
            if anchor is None or timestamp - anchor[2] < self.settings.still_s:
                return False
        return True

    def rebase(self, timestamp: float, tracks: Tracks) -> None:
        """The detector ran on the frame last passed to ``decide`` and the tracker gave
        ``tracks``: compare with that frame from now on, and note who has stood still."""
        if self._pending is not None:
            self._reference = self._pending
        self._last_detect = timestamp
        anchors: dict[int, tuple[float, float, float]] = {}
        for tid, box in zip(tracks.ids.tolist(), tracks.xyxy.tolist(), strict=True):
            x, y, height = (box[0] + box[2]) / 2, box[3], max(box[3] - box[1], 1.0)
            anchor = self._anchors.get(tid)
            radius = self.settings.still_radius * height
            if anchor is None or np.hypot(x - anchor[0], y - anchor[1]) > radius:
                anchor = (x, y, timestamp)
            anchors[tid] = anchor
        self._anchors = anchors

    def reset(self) -> None:
        self._reference = self._pending = None
        self._last_detect = None
        self._anchors = {}
