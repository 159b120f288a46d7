"""Canvas placement and its inverse, tiles, NMS: the arithmetic every adapter relies on."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.vision.geometry import clip_boxes, place, tight_size, tile_windows
from storepixel.vision.nms import box_iou, nms


@pytest.mark.parametrize(
    ("shape", "fit", "centre", "scale", "pad"),
    [
        ((720, 1280), "letterbox", True, (0.5, 0.5), (0, 140)),
        ((720, 1280), "letterbox", False, (0.5, 0.5), (0, 0)),
        ((1280, 720), "letterbox", True, (0.5, 0.5), (140, 0)),
        ((720, 1280), "stretch", True, (0.5, 640 / 720), (0, 0)),
    ],
)
def test_place_and_back(
    shape: tuple[int, int], fit: str, centre: bool, scale: tuple[float, float], pad: tuple[int, int]
) -> None:
    image = np.zeros((*shape, 3), np.uint8)
    canvas, placement = place(image, (640, 640), fit, centre=centre)  # type: ignore[arg-type]
    assert canvas.shape == (640, 640, 3)
    assert (placement.scale_x, placement.scale_y) == pytest.approx(scale)
    assert (placement.pad_x, placement.pad_y) == pad
    box = np.array([[10, 20, 110, 220]], np.float32)
    on_canvas = box.copy()
    on_canvas[:, 0::2] = box[:, 0::2] * scale[0] + pad[0]
    on_canvas[:, 1::2] = box[:, 1::2] * scale[1] + pad[1]
    np.testing.assert_allclose(placement.to_image(on_canvas), box, atol=1e-3)


def test_letterbox_pads_with_the_given_grey() -> None:
    canvas, _ = place(np.zeros((100, 200, 3), np.uint8), (64, 64), "letterbox", pad_value=114)
    assert canvas[0, 0].tolist() == [114, 114, 114]
    assert canvas[32, 32].tolist() == [0, 0, 0]


@pytest.mark.parametrize(
    ("image", "stride", "canvas"),
    [
        ((768, 432), 32, (416, 256)),  # 16:9 → 416x234, rounded up to 256
        ((432, 768), 32, (256, 416)),  # portrait: the width shrinks
        ((640, 480), 32, (416, 320)),  # 4:3 → 312 → 320
        ((768, 432), 64, (416, 256)),  # 234 → 256 either way
        ((768, 300), 64, (416, 192)),  # 162.5 → 192 (not 176)
        ((1000, 1000), 32, (416, 416)),  # square: nothing to cut
        ((416, 400), 32, (416, 416)),  # 400 → 416: never beyond the input
        ((4000, 10), 32, (416, 32)),  # a sliver still gets one stride
    ],
)
def test_tight_canvas_is_the_scaled_image_rounded_up_to_the_stride(
    image: tuple[int, int], stride: int, canvas: tuple[int, int]
) -> None:
    assert tight_size(*image, (416, 416), stride) == canvas


def test_tight_canvas_places_the_image_as_the_square_one_does() -> None:
    image = np.zeros((432, 768, 3), np.uint8)
    canvas, tight = place(image, tight_size(768, 432, (416, 416), 32), "letterbox")
    _, square = place(image, (416, 416), "letterbox")
    assert canvas.shape == (256, 416, 3)
    assert (tight.scale_x, tight.scale_y) == (square.scale_x, square.scale_y)
    assert (tight.pad_x, tight.pad_y) == (0, 11)  # (256 - 234) / 2 grey rows above and below


@pytest.mark.parametrize(("grid", "overlap"), [((2, 2), 0.25), ((3, 2), 0.2), ((1, 1), 0.0)])
def test_tiles_cover_the_image_with_the_overlap_asked(
    grid: tuple[int, int], overlap: float
) -> None:
    windows = tile_windows(768, 576, grid, overlap)
    assert len(windows) == grid[0] * grid[1]
    covered = np.zeros((576, 768), bool)
    for x0, y0, x1, y1 in windows:
        covered[y0:y1, x0:x1] = True
    assert covered.all()
    first, second = windows[0], windows[1] if grid[0] > 1 else windows[0]
    if grid[0] > 1:
        shared = first[2] - second[0]
        assert shared == pytest.approx(overlap * (first[2] - first[0]), abs=1)


def test_clip_boxes() -> None:
    boxes = np.array([[-5, -5, 50, 900]], np.float32)
    assert clip_boxes(boxes, 100, 200).tolist() == [[0, 0, 50, 200]]


def test_nms_keeps_best_of_overlapping_and_all_of_separate() -> None:
    boxes = np.array([[0, 0, 10, 20], [1, 0, 11, 20], [30, 0, 40, 20], [0, 0, 10, 20]], float)
    scores = np.array([0.5, 0.9, 0.7, 0.1])
    assert nms(boxes, scores, 0.6).tolist() == [1, 2]
    assert nms(boxes, scores, 1.0).tolist() == [1, 2, 0, 3]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []


def test_box_iou() -> None:
    iou = box_iou(
        np.array([[0, 0, 10, 10]]), np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 21, 21]])
    )
    np.testing.assert_allclose(iou, [[1.0, 1 / 3, 0.0]])
