"""The bundled detector on real footage: boxes line up with ground truth, people are found.

The alignment threshold is set between the correct decoder (mean IoU ≈ 0.72–0.74 on these
frames, letterboxed onto the tight 416x320 canvas or the square one) and one whose anchor centres
are off by half a stride (≈ 0.64–0.67); a test breaks the offset on purpose and checks that the
threshold catches it.
"""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from storepixel.vision.detector import Detector, load_detector
from storepixel.vision.nms import box_iou

pytestmark = pytest.mark.slow

MIN_MEAN_IOU = 0.70
MAX_VERTICAL_BIAS = 0.03  # mean (box centre − truth centre) / truth height
SEQUENCES = {
    "pets09-s3mf1": ("img/frame_{:04d}.jpg", range(1, 108, 10)),  # high wide view
    "tud-campus": ("img1/{:06d}.jpg", range(1, 72, 7)),  # street level, people close
}


@pytest.fixture(scope="module")
def detector() -> Detector:
    return load_detector()


def ground_truth(folder: Path) -> dict[int, NDArray[np.float64]]:
    rows = np.loadtxt(folder / "gt" / "gt.txt", delimiter=",", ndmin=2)
    out = {}
    for frame in np.unique(rows[:, 0]).astype(int):
        xywh = rows[rows[:, 0] == frame, 2:6]
        out[frame] = np.concatenate([xywh[:, :2], xywh[:, :2] + xywh[:, 2:]], axis=1)
    return out


def pair_greedily(overlap: NDArray[np.float64]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """One-to-one pairs, highest IoU first."""
    overlap = overlap.copy()
    rows, cols = [], []
    for _ in range(min(overlap.shape)):
        i, j = np.unravel_index(int(overlap.argmax()), overlap.shape)
        if overlap[i, j] <= 0:
            break
        rows.append(i)
        cols.append(j)
        overlap[i, :] = overlap[:, j] = -1
    return np.array(rows, np.intp), np.array(cols, np.intp)


def alignment(detector: Detector, folder: Path, pattern: str, frames: range) -> tuple[float, float]:
    """Mean IoU and mean vertical centre bias of detections paired one-to-one with the truth."""
    truth = ground_truth(folder)
    ious, bias = [], []
    for frame in frames:
        image = cv2.imread(str(folder / pattern.format(frame)))
        assert image is not None, folder / pattern.format(frame)
        found, gt = detector.detect(image).xyxy, truth[frame]
        overlap = box_iou(found, gt)
        rows, cols = pair_greedily(overlap)
        paired = overlap[rows, cols] >= 0.3  # loose: a shifted box must still count, and pull down
        ious += overlap[rows, cols][paired].tolist()
        box, ref = found[rows[paired]], gt[cols[paired]]
        bias += (
            ((box[:, 1] + box[:, 3]) - (ref[:, 1] + ref[:, 3])) / 2 / (ref[:, 3] - ref[:, 1])
        ).tolist()
    assert len(ious) >= 2 * len(frames), f"too few people paired: {len(ious)}"
    return float(np.mean(ious)), float(np.mean(bias))


@pytest.mark.parametrize("canvas", ["tight", "square"])
@pytest.mark.parametrize("name", SEQUENCES)
def test_boxes_line_up_with_ground_truth(shared_eval: Path, name: str, canvas: str) -> None:
    # Both sequences are 4:3: the letterbox pass runs on a 416x320 canvas, or (as with a
    # fixed-size model) on the 416x416 one.
    detector = load_detector()
    model = detector.model  # type: ignore[attr-defined]
    model.dynamic_input = canvas == "tight"
    pattern, frames = SEQUENCES[name]
    mean_iou, bias = alignment(detector, shared_eval / name, pattern, frames)
    assert next(iter(model._grids)) == ((416, 320) if canvas == "tight" else (416, 416))
    assert mean_iou > MIN_MEAN_IOU, f"{name}: mean IoU {mean_iou:.3f}"
    assert abs(bias) < MAX_VERTICAL_BIAS, f"{name}: boxes shifted by {bias:.3f} of a height"


@pytest.mark.parametrize("name", SEQUENCES)
def test_a_half_stride_slip_would_fail_the_alignment_test(shared_eval: Path, name: str) -> None:
    slipped = load_detector()
    model = slipped.model  # type: ignore[attr-defined]
    model.anchor_offset = 0.0  # anchors at the cells' corners
    pattern, frames = SEQUENCES[name]
    mean_iou, bias = alignment(slipped, shared_eval / name, pattern, frames)
    assert mean_iou < MIN_MEAN_IOU
    assert abs(bias) > MAX_VERTICAL_BIAS


def test_finds_the_walkers_in_vtest(detector: Detector, vtest_path: Path) -> None:
    counts = []
    with av.open(str(vtest_path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index % 100 == 0:
                image = frame.to_ndarray(format="bgr24")
                found = detector.detect(image)
                heights = found.xyxy[:, 3] - found.xyxy[:, 1]
                assert ((heights > 20) & (heights < 300)).all(), (
                    heights
                )  # person-sized, near or far
                counts.append(len(found))
            if len(counts) == 5:
                break
    # PETS S2.L1: 2–8 people walk the square in every frame.
    assert min(counts) >= 2, counts
    assert sum(counts) >= 15, counts


def test_finds_people_close_up_and_cut_by_the_frame(detector: Detector, shared_eval: Path) -> None:
    # bus.jpg: four people at head height, two cut by the left and right edges (hand-boxed).
    image = cv2.imread(str(shared_eval / "stills" / "bus.jpg"))
    people = np.array(
        [[50, 400, 245, 900], [222, 405, 345, 860], [668, 395, 810, 880], [0, 555, 78, 870]]
    )
    found = detector.detect(image)
    best = box_iou(people, found.xyxy).max(axis=1)
    assert (best >= 0.5).all(), best.round(2)
