"""The far band's time budget: a camera spends at most its share on it, follows far people first,
and spends nothing where its size map expects no one too small for the model."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.vision.adapters.base import Candidates
from storepixel.vision.far_budget import FarBandBudget
from storepixel.vision.onnx_detector import AdaptivePasses, OnnxDetector

IMAGE = np.zeros((288, 384, 3), np.uint8)  # a CAVIAR-sized corridor frame
NEAR = (150, 150, 200, 280, 0.9)  # a big person the first pass finds
# Size maps as `storepixel calibrate` prints them (slope, horizon row, foot rows seen):
DEEP = (0.5, 40.0, 80.0, 280.0)  # people ~20-45 px at the top of the frame: a far band
SHALLOW = (1.0, -100.0, 80.0, 280.0)  # everyone over 100 px tall: no far band


def test_spending_stays_within_the_share_on_a_synthetic_cost_model() -> None:
    rng = np.random.default_rng(3)
    for share in (0.1, 0.25, 0.6):
        budget, banded = FarBandBudget(share), 0.0
        for _ in range(2000):
            base = float(rng.uniform(50, 150))  # first pass alone, or with the stretch pass
            slices = [float(c) for c in rng.uniform(80, 120, int(rng.integers(0, 4)))]
            chosen = budget.choose(base, slices)
            for i in chosen:
                added = bool(rng.random() < 0.3)
                budget.found(i, added, added and bool(rng.random() < 0.5))
            banded += base if slices else 0.0
            assert budget.spent <= share * budget.base + 1e-6
        # ... and uses it where there is a band (less what the band re-cuts and the credit's
        # cap leave unspent: a few slices' worth per re-cut at most).
        assert budget.spent >= 0.8 * share * banded


def test_a_budget_that_covers_the_band_runs_every_slice_on_every_frame() -> None:
    budget = FarBandBudget(3.0)
    runs = [budget.choose(100.0, [100.0] * 3) for _ in range(5)]
    assert runs[2:] == [[0, 1, 2]] * 3  # once the reserve for a burst is saved


def test_a_new_find_is_looked_at_in_a_burst_then_the_scan_goes_on() -> None:
    budget = FarBandBudget(1.0)  # a slice's cost per frame; a burst of 3 reserves two more
    runs: list[list[int]] = []
    for _ in range(9):
        chosen = budget.choose(100.0, [100.0] * 3)
        for i in chosen:  # a far person appears in the middle slice and stays
            budget.found(i, added=i == 1, new=i == 1 and not any(1 in r for r in runs))
        runs.append(chosen)
    # Saving the reserve, a scan of slices 0 and 1, the find in 1 looked at twice more at once
    # (the tracker confirms them on the 3rd), then the scan in turn, 1 included.
    assert runs == [[], [], [0], [1], [1], [1], [2], [0], [1]]
    assert budget.spent <= budget.base


class Scene:
    """A model that finds NEAR on whole-frame passes and, in a slice, anyone painted white on
    the frame (a 10 × 20 px far person), recording every inference as (fit, tight, w, h)."""

    input_size = (416, 416)

    def __init__(self) -> None:
        self.calls: list[tuple[str, bool, int, int]] = []

    def canvas_size(self, width: int, height: int, fit: str, tight: bool) -> tuple[int, int]:
        return (416, 320) if tight and fit == "letterbox" and width > height else self.input_size

    def candidates(
        self, image: np.ndarray, fit: str, confidence: float, *, tight: bool = False
    ) -> Candidates:
        height, width = image.shape[:2]
        self.calls.append((fit, tight, width, height))
        rows: list[tuple[float, ...]] = [NEAR] if (width, height) == (384, 288) else []
        ys, xs = np.nonzero(image[:, :, 0] == 255)
        if (width, height) != (384, 288) and len(xs):  # a slice: the far person, if in it
            rows = [(xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, 0.8)]
        boxes = np.array(rows, np.float32).reshape(-1, 5)
        return boxes[:, :4].copy(), boxes[:, 4].copy()

    def pixels(self, slices: bool) -> int:
        return sum(
            self.canvas_size(w, h, fit, tight)[0] * self.canvas_size(w, h, fit, tight)[1]
            for fit, tight, w, h in self.calls
            if ((w, h) != (384, 288)) == slices
        )


def detector(scene: Scene, size_map: tuple[float, float, float, float], share: float | None):
    return OnnxDetector(
        scene,  # type: ignore[arg-type]
        passes=("letterbox", "stretch"),
        adaptive=AdaptivePasses(25, 10),
        far_slices=3,
        size_map=size_map,
        far_budget=share,
    )


def test_no_far_pass_where_the_size_map_expects_no_small_people() -> None:
    scene = Scene()
    det = detector(scene, SHALLOW, share=8.0)  # even an unlimited budget spends nothing
    for _ in range(40):
        det.detect(IMAGE)
    assert det.far_windows(384, 288) == []
    assert det.far_frames == 0 and scene.pixels(slices=True) == 0


def test_a_deep_view_spends_its_share_on_the_far_band_and_no_more() -> None:
    scene = Scene()
    det = detector(scene, DEEP, share=0.25)
    assert len(det.far_windows(384, 288)) == 2  # people ~30 px: two enlarged slices
    for _ in range(100):
        det.detect(IMAGE)
    far, base = scene.pixels(slices=True), scene.pixels(slices=False)
    assert 0 < far <= 0.25 * base
    # All of it, less the reserve for a burst and the look it is saving for (three slices).
    assert far == pytest.approx(0.25 * base, abs=3 * 416 * 416)
    # Without a budget the whole band runs whenever the extra passes do: every frame here
    # until they are skipped, then on every re-check.
    unbudgeted = Scene()
    det = detector(unbudgeted, DEEP, share=None)
    for _ in range(100):
        det.detect(IMAGE)
    assert unbudgeted.pixels(slices=True) > 1.5 * far


def test_a_far_person_found_in_a_slice_is_followed_and_does_not_wake_the_extra_passes() -> None:
    scene = Scene()
    image = IMAGE.copy()
    image[60:80, 30:40] = 255  # someone far away at the left: in the first slice only
    det = detector(scene, DEEP, share=0.5)
    seen = [len(det.detect(image)) for _ in range(60)]
    assert max(seen) == 2  # the far person is added on the frames the slice runs
    # Found by the scan and at once three times in a row (so a tracker confirms them), then
    # on the slice's turns of the scan: about one frame in three at this budget.
    assert "222" in "".join(map(str, seen[:8]))
    assert seen.count(2) >= 20
    # The far person, seen only by the far band, is not "lost by the first pass": the stretch
    # pass is still skipped after its window, as on a camera without them.
    assert det.skipping_extra_passes
