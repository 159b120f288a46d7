"""MOTChallenge rows in and out."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from storepixel.tracking.mot_io import read_mot_file, tracks_to_mot_rows, write_mot_rows
from storepixel.types import Tracks, TrackState


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    n = write_mot_rows(path, [(1, 2, 10.0, 20.5, 30.0, 60.0, 0.91), (2, 2, 11, 21, 30, 60, 0.8)])
    assert n == 2
    assert path.read_text().splitlines()[0] == "1,2,10.00,20.50,30.00,60.00,0.9100,-1,-1,-1"
    rows = read_mot_file(path)
    assert rows.shape == (2, 10)
    np.testing.assert_allclose(rows[1, :7], [2, 2, 11, 21, 30, 60, 0.8])


def test_reads_short_rows_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "gt.txt"
    path.write_text("1,1,399,182,121,229,-1\n\n2, 1, 400, 183, 121, 229, -1\n")
    rows = read_mot_file(path)
    assert rows.shape == (2, 10)
    assert rows[1, 2] == 400 and rows[1, 9] == -1
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    assert read_mot_file(empty).shape == (0, 10)


def test_rows_from_tracks_skip_unconfirmed() -> None:
    tracks = Tracks(
        ids=np.array([1, 2, -1]),
        xyxy=np.array([[0, 0, 10, 20], [5, 5, 15, 25], [0, 0, 1, 1]], np.float32),
        confidence=np.array([0.9, 0.8, 0.7], np.float32),
        state=np.array([TrackState.CONFIRMED, TrackState.LOST, TrackState.TENTATIVE]),
    )
    assert tracks_to_mot_rows(7, tracks) == [(7, 1, 0.0, 0.0, 10.0, 20.0, np.float32(0.9))]
    assert [r[1] for r in tracks_to_mot_rows(7, tracks, include_lost=True)] == [1, 2]
