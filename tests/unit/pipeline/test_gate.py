"""The change gate: which frames the detector must see, and which it can skip."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from storepixel.pipeline.gate import ChangeGate, GateSettings, _median
from storepixel.types import Tracks, TrackState

H, W = 240, 320


def _scene(seed: int = 0, noise: float = 2.0) -> np.ndarray:
    """A textured empty floor with sensor noise (a fresh noise draw per seed)."""
    base = np.tile(np.linspace(60, 160, W, dtype=np.float32), (H, 1))
    base += 20 * (np.indices((H, W)).sum(0) % 16 < 8)
    rng = np.random.default_rng(seed)
    img = base[:, :, None] + rng.normal(0, noise, (H, W, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def _with_person(img: np.ndarray, x: int, y: int, w: int = 20, h: int = 50) -> np.ndarray:
    out = img.copy()
    out[y : y + h, x : x + w] = (25, 25, 25)
    return out


def _tracks(*boxes: tuple[float, float, float, float], state: int = TrackState.CONFIRMED) -> Tracks:
    n = len(boxes)
    return Tracks(np.arange(1, n + 1), np.array(boxes, np.float32), np.ones(n), np.full(n, state))


def _primed(
    settings: GateSettings | None = None,
    image: np.ndarray | None = None,
    tracks: Tracks | None = None,
) -> ChangeGate:
    """A gate whose detector ran at t=0 on ``image``; ``tracks`` have stood still since t=-10."""
    gate = ChangeGate(settings)
    tracks = Tracks.empty() if tracks is None else tracks
    gate.rebase(-10.0, tracks)
    first = gate.decide(_scene(0) if image is None else image, 0.0, tracks)
    assert (first.detect, first.reason) == (True, "first")
    gate.rebase(0.0, tracks)
    return gate


def test_an_empty_scene_with_noise_is_skipped() -> None:
    gate = _primed()
    decisions = [gate.decide(_scene(i), 0.2 * i, Tracks.empty()) for i in range(1, 20)]
    assert not any(d.detect for d in decisions)
    assert {d.reason for d in decisions} == {"still"}


def test_a_uniform_brightness_change_is_not_change() -> None:
    gate = _primed()
    brighter = np.clip(_scene(1).astype(np.int16) + 30, 0, 255).astype(np.uint8)
    assert not gate.decide(brighter, 0.2, Tracks.empty()).detect


def test_someone_new_wakes_the_detector() -> None:
    gate = _primed()
    decision = gate.decide(_with_person(_scene(1), 150, 100), 0.2, Tracks.empty())
    assert (decision.detect, decision.reason) == (True, "change")


def test_a_person_too_small_to_matter_is_noise() -> None:
    gate = _primed()
    speck = _with_person(_scene(1), 150, 100, w=2, h=2)  # about one block of the 192-wide copy
    assert not gate.decide(speck, 0.2, Tracks.empty()).detect


def test_change_inside_a_standing_person_is_re_detected_at_the_slow_rate() -> None:
    settings = GateSettings(track_interval_s=1.0, margin=0.25)
    standing = _with_person(_scene(0), 150, 100)
    tracks = _tracks((150, 100, 170, 150))
    gate = _primed(settings, standing, tracks)
    fidget = _with_person(_scene(1), 158, 102)  # a step, inside the 12.5 px margin
    assert gate.decide(fidget, 0.2, tracks).reason == "tracks"
    assert gate.decide(fidget, 0.8, tracks).reason == "tracks"
    due = gate.decide(fidget, 1.0, tracks)
    assert (due.detect, due.reason) == (True, "tracks-due")


def test_a_still_scene_with_people_is_re_detected_at_the_slow_rate() -> None:
    standing = _with_person(_scene(0), 150, 100)
    tracks = _tracks((150, 100, 170, 150))
    gate = _primed(GateSettings(track_interval_s=1.0), standing, tracks)
    assert gate.decide(standing, 0.4, tracks).reason == "tracks"
    assert gate.decide(standing, 1.2, tracks).reason == "tracks-due"


def test_a_tracked_person_walking_off_is_looked_at() -> None:
    standing = _with_person(_scene(0), 100, 100)
    tracks = _tracks((100, 100, 120, 150))
    gate = _primed(GateSettings(margin=0.25), standing, tracks)
    walked = _with_person(_scene(1), 160, 100)  # 60 px away: beyond the 0.25-height margin
    assert gate.decide(walked, 0.2, tracks).reason == "change"


def test_by_default_a_step_out_of_the_box_is_looked_at() -> None:
    standing = _with_person(_scene(0), 150, 100)
    tracks = _tracks((150, 100, 170, 150))
    gate = _primed(None, standing, tracks)
    assert gate.decide(_with_person(_scene(1), 158, 102), 0.2, tracks).reason == "change"
    inside = _scene(1)
    inside[100:150, 150:170] = 25
    inside[110:130, 155:165] = 200  # an arm moves, inside the box
    assert gate.decide(inside, 0.4, tracks).reason == "tracks"


def test_someone_walking_slowly_is_never_standing() -> None:
    """Feet move 0.2 heights a second, less than the gate sees between frames: still looked
    at on every frame, because their feet leave the 0.15-height circle within a second."""
    gate = ChangeGate()
    image = _scene(0)
    for i in range(30):
        t = 0.2 * i
        tracks = _tracks((100 + 10 * t, 100, 120 + 10 * t, 150))
        decision = gate.decide(image, t, tracks)
        assert decision.detect, (t, decision)
        gate.rebase(t, tracks)


def test_someone_who_stops_counts_as_standing_after_still_s() -> None:
    gate = ChangeGate(GateSettings(still_s=1.0))
    image = _with_person(_scene(0), 150, 100)
    tracks = _tracks((150, 100, 170, 150))
    reasons = []
    for i in range(10):
        t = 0.2 * i
        decision = gate.decide(image, t, tracks)
        reasons.append(decision.reason)
        if decision.detect:
            gate.rebase(t, tracks)
    assert reasons[:5] == ["first", "moving", "moving", "moving", "moving"]
    assert reasons[5:] == ["tracks"] * 4 + ["tracks-due"]  # standing from t = 1.0


def test_a_new_person_gets_every_frame_until_confirmed() -> None:
    gate = _primed()
    tentative = _tracks((10, 10, 30, 60), state=TrackState.TENTATIVE)
    decision = gate.decide(_scene(1), 0.2, tentative)
    assert (decision.detect, decision.reason) == (True, "unsure")


def test_someone_lost_gets_every_frame_while_anything_changes() -> None:
    lost = _tracks((10, 10, 30, 60), state=TrackState.LOST)
    gate = _primed(tracks=lost)
    # far from where they were lost: they may come out from behind anything
    decision = gate.decide(_with_person(_scene(1), 200, 100), 0.2, lost)
    assert (decision.detect, decision.reason) == (True, "unsure")


def test_someone_lost_in_a_still_scene_is_held_and_rechecked() -> None:
    lost = _tracks((10, 10, 30, 60), state=TrackState.LOST)
    gate = _primed(tracks=lost)
    reasons = [gate.decide(_scene(i), 0.2 * i, lost).reason for i in range(1, 6)]
    assert reasons == ["tracks"] * 4 + ["tracks-due"]  # nothing changed: nobody came back


def test_the_idle_interval_is_a_safety_net() -> None:
    gate = _primed(GateSettings(idle_interval_s=5.0))
    assert not gate.decide(_scene(1), 4.8, Tracks.empty()).detect
    assert gate.decide(_scene(2), 5.0, Tracks.empty()).reason == "idle"


def test_change_outside_the_region_is_ignored() -> None:
    gate = ChangeGate(region=(0.0, 0.0, 0.5, 1.0))
    gate.decide(_scene(0), 0.0, Tracks.empty())
    gate.rebase(0.0, Tracks.empty())
    assert not gate.decide(_with_person(_scene(1), 250, 100), 0.2, Tracks.empty()).detect
    assert gate.decide(_with_person(_scene(1), 50, 100), 0.4, Tracks.empty()).detect


def test_slow_change_accumulates_against_the_last_detected_frame() -> None:
    gate = _primed()
    img = _scene(0).astype(np.int16)
    decisions = []
    for step in range(1, 8):  # a patch darkening by 6 levels a frame: each step is noise-sized
        frame = img.copy()
        frame[100:160, 100:140] -= 6 * step
        decisions.append(
            gate.decide(frame.clip(0, 255).astype(np.uint8), 0.2 * step, Tracks.empty())
        )
    assert not decisions[0].detect
    assert decisions[-1].detect


def test_a_new_frame_size_starts_over() -> None:
    gate = _primed()
    assert gate.decide(np.zeros((120, 160, 3), np.uint8), 0.2, Tracks.empty()).reason == "first"


def _view(
    size: tuple[int, int], seed: int, *boxes: tuple[float, float, float, float], lift: int = 0
) -> np.ndarray:
    """One scene at any resolution: a tiled floor and dark people drawn in normalised
    coordinates, fresh sensor noise per pixel (the same noise level at every size)."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    x, y = (x + 0.5) / width, (y + 0.5) / height
    base = 60 + 100 * x + 20 * (((x * 16).astype(int) + (y * 9).astype(int)) % 2) + lift
    for x0, y0, x1, y1 in boxes:
        base[round(y0 * height) : round(y1 * height), round(x0 * width) : round(x1 * width)] = 25
    img = base[:, :, None] + np.random.default_rng(seed).normal(0, 2.0, (height, width, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def _decisions_at(size: tuple[int, int]) -> list[tuple[bool, str]]:
    """The gate's decisions on one sequence of views of the scene, drawn at ``size``."""
    person = (0.40, 0.30, 0.44, 0.62)
    speck = (0.70, 0.50, 0.705, 0.509)  # about one block of the copy
    blob = (0.70, 0.50, 0.712, 0.521)  # about 2×2 blocks
    arm = (0.41, 0.40, 0.43, 0.45)  # inside the person's box
    stepped = (0.43, 0.31, 0.47, 0.63)  # a step to the right, out of the box
    width, height = size
    px = (person[0] * width, person[1] * height, person[2] * width, person[3] * height)
    standing = _tracks(px)
    empty = Tracks.empty()
    steps: list[tuple[float, np.ndarray, Tracks]] = [
        (0.0, _view(size, 0), empty),
        (0.2, _view(size, 1), empty),
        (0.4, _view(size, 2, lift=30), empty),
        (0.6, _view(size, 3, speck), empty),
        (0.8, _view(size, 4, blob), empty),
        (1.0, _view(size, 5, person), empty),
        (1.2, _view(size, 6, person), standing),
        (1.4, _view(size, 7, person, arm), standing),
        (1.6, _view(size, 8, stepped), standing),
    ]
    gate = ChangeGate()
    gate.rebase(-10.0, standing)  # the person has stood at their spot since t = -10
    out = []
    for t, image, tracks in steps:
        decision = gate.decide(image, t, tracks)
        out.append((decision.detect, decision.reason))
        if decision.detect:
            gate.rebase(t, tracks if len(tracks) else standing)
    return out


def test_the_same_scene_is_read_alike_at_any_resolution() -> None:
    """The copy has a fixed width, so a person, a speck and noise cover the same blocks on a
    substream, the file's 768×432, a 720p and a 1080p main stream."""
    expected = [
        (True, "first"),
        (False, "still"),  # noise
        (False, "still"),  # a uniform brightness change
        (False, "still"),  # a speck of one block
        (True, "change"),  # 2×2 blocks
        (True, "change"),  # someone new
        (False, "tracks"),  # the same person, standing
        (False, "tracks"),  # an arm moves inside their box
        (True, "change"),  # a step out of it
    ]
    for size in [(640, 360), (768, 432), (1280, 720), (1920, 1080)]:
        assert _decisions_at(size) == expected, size


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [({"width": 0}, "at least 1"), ({"margin": -1.0}, "non-negative")],
)
def test_bad_settings_are_refused(kwargs: dict[str, float], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        GateSettings(**kwargs)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(
    arrays(
        np.int16, st.tuples(st.integers(1, 12), st.integers(1, 12)), elements=st.integers(-255, 255)
    )
)
def test_histogram_median_is_numpys(diff: np.ndarray) -> None:
    """The gate's histogram median equals ``np.int16(np.median(...))`` on any grey-level
    differences (odd and even counts; halves cut towards zero as numpy's cast does)."""
    assert _median(diff) == np.int16(np.median(diff))
