"""``analyze --annotate`` draws shelf polygons and the body keypoints of the pose stage."""

from __future__ import annotations

import numpy as np

from storepixel.pipeline.annotate import _POSE, _SHELF, draw_overlay
from storepixel.types import Tracks, TrackState


def colour_pixels(image: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int((image == np.array(colour, np.uint8)).all(axis=2).sum())


def test_shelves_and_confident_keypoints_are_drawn() -> None:
    image = np.zeros((240, 320, 3), np.uint8)
    kp = np.zeros((2, 17, 3), np.float32)
    kp[0, :, 0], kp[0, :, 1], kp[0, :, 2] = 100, np.linspace(40, 200, 17), 0.9
    kp[1] = np.nan  # a person the pose stage did not look at this frame
    tracks = Tracks([1, 2], [[80, 30, 120, 210], [200, 30, 240, 210]], [0.9, 0.9],
                    [TrackState.CONFIRMED] * 2, np.zeros(2, np.int32), kp)  # fmt: skip
    shelf = {"cola": [(0.6, 0.2), (0.9, 0.2), (0.9, 0.8), (0.6, 0.8)]}
    out = draw_overlay(image, tracks, shelves=shelf)
    assert colour_pixels(out[:, 180:], _SHELF) > 100  # the outline on the right
    assert colour_pixels(out[:, :160], _POSE) > 50  # the first person's limbs
    unsure = tracks.keypoints.copy()
    unsure[0, :, 2] = 0.1
    hidden = Tracks(tracks.ids, tracks.xyxy, tracks.confidence, tracks.state, tracks.hits, unsure)
    assert colour_pixels(draw_overlay(image, hidden), _POSE) == 0  # unsure: nothing drawn
