"""A cheap clothing-colour cue: colour histograms of a person's upper and lower body.

Shoppers differ most by the colour of their clothes, and most clothes are black, grey, white or
denim, where hue is noise. So each pixel goes either to a hue bin (when it has colour) or to a
brightness bin (when it does not): black, grey and white stay apart, and a red top is told from
a green one. Two regions are described, the torso (15–50 % of the box height) and the legs
(50–85 %), each only over the middle half of the box width, where the box is mostly the person
rather than floor or shelf. Pixels inside the box of someone nearer the camera (their box
reaches lower in the picture) are ignored: in a crossing, the nearer person's clothes must not
be taken for the hidden one's.

Privacy: a descriptor is a few dozen numbers per person, lives in memory for the track's life
and is never stored or logged.
"""

from __future__ import annotations

import math

import cv2
import numpy as np
from numpy.typing import NDArray

# Hue bins of 30° (OpenCV hue is 0–179): coarse enough that lighting along an aisle does not
# move a colour into the next bin most of the time.
HUE_BINS = 12
# Brightness bins for pixels without colour: black, dark grey, light grey, white.
GREY_EDGES = (60, 120, 190)
BINS = HUE_BINS + len(GREY_EDGES) + 1
# A pixel has colour when saturation and brightness are both clear of the noise floor of a
# CCTV sensor (JPEG/H.264 chroma noise on dark or washed-out pixels is ~20–40 of 255).
MIN_SAT, MIN_VAL = 60, 50
# Regions (fractions of the box height, from the top) and the middle part of the width.
REGIONS = ((0.15, 0.5), (0.5, 0.85))
WIDTH_KEEP = (0.25, 0.75)
# A region is described only when this much of it is visible: fewer pixels are mostly the
# occluder's edge or background.
MIN_VISIBLE = 0.3
# A nearer person hides the middle of their box; the sides of a box are mostly background
# between a walking person's arms and legs, so only the box's middle covers anyone behind.
OCCLUDER_KEEP = (0.2, 0.8)
# About this many sampled rows/columns per region: a histogram of 16 bins needs a few hundred
# pixels, and subsampling keeps the cost flat however large the person is in the picture.
MAX_SAMPLES = 24

Descriptor = NDArray[np.float32]  # (len(REGIONS), BINS); a region's row is all zero if unknown


# Lookup tables from OpenCV's HSV (H 0–179, S and V 0–255) to bins.
_HUE_BIN = (np.arange(180) * HUE_BINS // 180).astype(np.intp)
_GREY_BIN = (HUE_BINS + np.searchsorted(np.array(GREY_EDGES), np.arange(256), side="right")).astype(
    np.intp
)


def describe(
    image_bgr: NDArray[np.uint8], boxes: NDArray[np.floating]
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Descriptors of every box in one frame, and how much of each box is visible.

    Returns ``(desc, visible)``: ``desc`` (N, regions, BINS), each known region L1-normalised,
    unknown regions zero; ``visible`` (N,) the fraction of the described area not covered by a
    nearer person's box (1.0: nobody in front).
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    n = len(boxes)
    desc = np.zeros((n, len(REGIONS), BINS), np.float32)
    visible = np.ones(n, np.float32)
    height, width = image_bgr.shape[:2]
    # Occluders: the middle of each box's width (see OCCLUDER_KEEP).
    occ = boxes.copy()
    bw = boxes[:, 2] - boxes[:, 0]
    occ[:, 0] = boxes[:, 0] + OCCLUDER_KEEP[0] * bw
    occ[:, 2] = boxes[:, 0] + OCCLUDER_KEEP[1] * bw
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        w, h = x2 - x1, y2 - y1
        cx1 = int(max(0.0, x1 + WIDTH_KEEP[0] * w))
        cx2 = int(min(width, x1 + WIDTH_KEEP[1] * w))
        ry1 = int(max(0.0, y1 + REGIONS[0][0] * h))
        ry2 = int(min(height, y1 + REGIONS[-1][1] * h))
        if cx2 - cx1 < 2 or ry2 - ry1 < 4:
            visible[i] = 0.0
            continue
        step = max(1, int(max(cx2 - cx1, (ry2 - ry1) / len(REGIONS)) // MAX_SAMPLES))
        crop = np.ascontiguousarray(image_bgr[ry1:ry2:step, cx1:cx2:step])
        hsv = cv2.cvtColor(crop, cv2.COLOR_BGR2HSV)
        coloured = (hsv[..., 1] >= MIN_SAT) & (hsv[..., 2] >= MIN_VAL)
        bins = np.where(coloured, _HUE_BIN[hsv[..., 0]], _GREY_BIN[hsv[..., 2]])
        keep = np.ones(bins.shape, bool)
        # Nearer people: their box reaches lower in the picture (camera above head height).
        for ox1, oy1, ox2, oy2 in occ[boxes[:, 3] > y2]:
            r0, r1 = _span(oy1, oy2, ry1, step, bins.shape[0])
            c0, c1 = _span(ox1, ox2, cx1, step, bins.shape[1])
            keep[r0:r1, c0:c1] = False
        visible[i] = np.count_nonzero(keep) / keep.size
        for r, (top, bottom) in enumerate(REGIONS):
            r0, r1 = _span(y1 + top * h, y1 + bottom * h, ry1, step, bins.shape[0])
            sel = keep[r0:r1]
            if sel.size == 0 or np.count_nonzero(sel) < MIN_VISIBLE * sel.size:
                continue
            hist = np.bincount(bins[r0:r1][sel], minlength=BINS).astype(np.float32)
            desc[i, r] = hist / hist.sum()
    return desc, visible


def _span(lo: float, hi: float, origin: int, step: int, size: int) -> tuple[int, int]:
    """Sample indices ``k`` (pixel ``origin + k * step``) with ``lo <= pixel < hi``."""
    k0 = max(0, math.ceil((lo - origin) / step))
    k1 = min(size, max(0, math.ceil((hi - origin) / step)))
    return k0, k1


def distance_matrix(tracks: NDArray[np.float32], dets: NDArray[np.float32]) -> NDArray[np.float64]:
    """Hellinger distance in [0, 1] between every track descriptor (T, regions, BINS) and every
    detection descriptor (N, regions, BINS), averaged over the regions known on both sides;
    NaN where no region is known on both (nothing to compare)."""
    a = np.sqrt(np.asarray(tracks, np.float64))
    b = np.sqrt(np.asarray(dets, np.float64))
    known = (a.sum(axis=-1) > 0)[:, None, :] & (b.sum(axis=-1) > 0)[None, :, :]
    bc = np.einsum("trk,nrk->tnr", a, b)
    d = np.sqrt(np.clip(1.0 - bc, 0.0, 1.0))
    count = known.sum(axis=-1)
    total = np.where(known, d, 0.0).sum(axis=-1)
    out = np.full(count.shape, np.nan)
    np.divide(total, count, out=out, where=count > 0)
    return out


def descriptor_distance(a: Descriptor, others: NDArray[np.float32]) -> NDArray[np.float64]:
    """``distance_matrix`` from one descriptor to each of ``others``."""
    return distance_matrix(np.asarray(a)[None], np.asarray(others).reshape(-1, *np.shape(a)))[0]


def blend(old: Descriptor, new: Descriptor, weight: float) -> Descriptor:
    """Moving average per region; a region unknown on one side keeps the other side's value."""
    old_known = old.sum(axis=-1, keepdims=True) > 0
    new_known = new.sum(axis=-1, keepdims=True) > 0
    mixed = (1.0 - weight) * old + weight * new
    out = np.where(old_known & new_known, mixed, np.where(new_known, new, old))
    return out.astype(np.float32)
