"""Decoded frames to BGR: the fast path agrees with FFmpeg's own conversion."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from storepixel.sources.pixels import to_bgr


def first_frame(path: Path) -> av.VideoFrame:
    with av.open(str(path)) as container:
        return next(container.decode(video=0))


def test_limited_range_420_matches_swscale_on_real_footage(vtest_path: Path) -> None:
    frame = first_frame(vtest_path)
    assert frame.format.name == "yuv420p"
    fast, reference = to_bgr(frame), frame.to_ndarray(format="bgr24")
    assert fast.shape == reference.shape == (576, 768, 3) and fast.dtype == np.uint8
    diff = np.abs(fast.astype(np.int16) - reference)
    assert diff.mean() < 1.5  # chroma interpolation differs at edges; colours do not
    assert np.percentile(diff, 99) <= 3


@pytest.mark.parametrize(
    ("fmt", "width", "height", "full_range"),
    [("yuvj420p", 64, 48, False), ("yuv420p", 63, 47, False), ("yuv420p", 64, 48, True)],
)
def test_other_formats_full_range_and_odd_sizes_go_through_swscale(
    fmt: str, width: int, height: int, full_range: bool
) -> None:
    rng = np.random.default_rng(1)
    bgr = rng.integers(0, 256, (height, width, 3), np.uint8)
    frame = av.VideoFrame.from_ndarray(bgr, format="bgr24").reformat(format=fmt)
    if full_range:
        frame.color_range = 2  # a camera's H.264 with the full-range flag set
    np.testing.assert_array_equal(to_bgr(frame), frame.to_ndarray(format="bgr24"))


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (640, 270)])
def test_padded_rows_and_odd_chroma_heights_convert_alike(width: int, height: int) -> None:
    # 1366 px rows are stored padded to 1376; 270 rows give 135 chroma rows. A smooth picture,
    # so the two chroma upsamplings agree closely.
    rng = np.random.default_rng(2)
    coarse = rng.integers(0, 256, (height // 8, width // 8, 3), np.uint8)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
    frame = av.VideoFrame.from_ndarray(smooth, format="bgr24").reformat(format="yuv420p")
    diff = np.abs(to_bgr(frame).astype(np.int16) - frame.to_ndarray(format="bgr24"))
    assert diff.mean() < 1.5 and diff.max() <= 4
