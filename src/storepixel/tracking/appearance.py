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
# Each region is sampled on a fixed grid of rows × columns: a histogram of 16 bins needs a few
# hundred pixels, and a fixed grid keeps the cost flat however large the person is in the
# picture (and lets all people of a frame be converted and counted in one go).
GRID_ROWS, GRID_COLS = 16, 16

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
    unknown regions zero; ``visible`` (N,) the fraction of the sampled area not covered by a
    nearer person's box (1.0: nobody in front).
    """
    boxes = np.asarray(boxes, np.float64).reshape(-1, 4)
    n, n_regions = len(boxes), len(REGIONS)
    if n == 0:
        return np.zeros((0, n_regions, BINS), np.float32), np.zeros(0, np.float32)
    height, width = image_bgr.shape[:2]
    x1, y1, x2, y2 = boxes.T
    w, h = x2 - x1, y2 - y1
    # Sample points (pixel centres of a grid) per box: columns over the middle of the width,
    # rows over each region in turn.
    fx = WIDTH_KEEP[0] + (WIDTH_KEEP[1] - WIDTH_KEEP[0]) * (np.arange(GRID_COLS) + 0.5) / GRID_COLS
    fy = np.concatenate(
        [top + (bottom - top) * (np.arange(GRID_ROWS) + 0.5) / GRID_ROWS for top, bottom in REGIONS]
    )
    xs = x1[:, None] + w[:, None] * fx[None]  # (N, C)
    ys = y1[:, None] + h[:, None] * fy[None]  # (N, R)
    xi = np.clip(xs.astype(np.intp), 0, width - 1)
    yi = np.clip(ys.astype(np.intp), 0, height - 1)
    pixels = image_bgr[yi[:, :, None], xi[:, None, :]]  # (N, R, C, 3)
    hsv = cv2.cvtColor(pixels.reshape(-1, GRID_COLS, 3), cv2.COLOR_BGR2HSV).reshape(pixels.shape)
    coloured = (hsv[..., 1] >= MIN_SAT) & (hsv[..., 2] >= MIN_VAL)
    bins = np.where(coloured, _HUE_BIN[hsv[..., 0]], _GREY_BIN[hsv[..., 2]])
    # Off the picture, or behind a nearer person (their box reaches lower in the picture: the
    # camera is above head height), a sample says nothing about this person.
    keep = ((xs >= 0) & (xs < width))[:, None, :] & ((ys >= 0) & (ys < height))[:, :, None]
    ox1 = x1 + OCCLUDER_KEEP[0] * w
    ox2 = x1 + OCCLUDER_KEEP[1] * w
    nearer = y2[None, :] > y2[:, None]  # (N, M): M is in front of N
    in_x = (xs[:, None, :] >= ox1[None, :, None]) & (xs[:, None, :] < ox2[None, :, None])
    in_y = (ys[:, None, :] >= y1[None, :, None]) & (ys[:, None, :] < y2[None, :, None])
    hidden = (nearer[:, :, None, None] & in_y[:, :, :, None] & in_x[:, :, None, :]).any(axis=1)
    keep &= ~hidden
    visible = keep.mean(axis=(1, 2)).astype(np.float32)
    # One histogram per (box, region): offset each sample's bin by its box and region.
    region = np.repeat(np.arange(n_regions), GRID_ROWS)
    slot = (np.arange(n)[:, None, None] * n_regions + region[None, :, None]) * BINS + bins
    hist = np.bincount(slot[keep], minlength=n * n_regions * BINS).astype(np.float32)
    hist = hist.reshape(n, n_regions, BINS)
    kept = keep.reshape(n, n_regions, GRID_ROWS * GRID_COLS).mean(axis=2)
    totals = hist.sum(axis=2, keepdims=True)
    known = (kept >= MIN_VISIBLE)[:, :, None] & (totals > 0)
    desc = np.where(known, hist / np.maximum(totals, 1.0), 0.0).astype(np.float32)
    return desc, visible


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
