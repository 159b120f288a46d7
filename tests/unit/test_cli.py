"""The CLI as a user meets it: real subprocesses, real footage, one-line errors."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.fixtures.helpers import storepixel


def assert_one_line_error(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0]


def test_missing_video(tmp_path: Path) -> None:
    result = storepixel("track", tmp_path / "nope.mp4", "--mot", tmp_path / "o.txt")
    assert_one_line_error(result, "video not found", "nope.mp4")
    assert not (tmp_path / "o.txt").exists()


def test_text_file_named_mp4(tmp_path: Path) -> None:
    fake = tmp_path / "clip.mp4"
    fake.write_text("hello\n")
    result = storepixel("track", fake, "--mot", tmp_path / "o.txt")
    assert_one_line_error(result, "not a readable video", "clip.mp4")


def test_unknown_detector_format(tmp_path: Path, vtest_path: Path) -> None:
    config = tmp_path / "det.yaml"
    config.write_text("format: darknet\npath: model.onnx\n")
    result = storepixel("track", vtest_path, "--mot", tmp_path / "o.txt", "--detector", config)
    assert_one_line_error(result, "format", "darknet")


def test_site_without_camera(tmp_path: Path, vtest_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text("site: {id: s}\ncameras: [{id: cam}]\n")
    result = storepixel("track", vtest_path, "--mot", tmp_path / "o.txt", "--camera", "cam")
    assert_one_line_error(result, "--camera needs --site")
    result = storepixel(
        "track", vtest_path, "--mot", tmp_path / "o.txt", "--site", site, "--camera", "door"
    )
    assert_one_line_error(result, "no camera 'door'", "known cameras: cam")


@pytest.mark.slow
def test_track_applies_the_cameras_ignore_areas(vtest_path: Path, tmp_path: Path) -> None:
    # vtest.avi's people walk all over the floor; nobody standing in the lower half is tracked.
    site = tmp_path / "site.yaml"
    site.write_text(
        "site: {id: s}\ncameras:\n  - id: cam\n    ignore_areas:\n"
        "      - polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]]\n"
    )
    cut = tmp_path / "cut.avi"
    cut.write_bytes(vtest_path.read_bytes()[:1_500_000])
    out = tmp_path / "cut.txt"
    args = ("track", cut, "--mot", out, "--analysis-fps", "5", "--site", site, "--camera", "cam")
    result = storepixel(*args)
    assert result.returncode == 0, result.stderr
    rows = [[float(v) for v in line.split(",")] for line in out.read_text().splitlines()]
    feet_y = [y + h for _, _, _, y, _, h, *_ in rows]
    assert len(rows) > 10
    assert max(feet_y) < 0.5 * 576


@pytest.mark.slow
def test_truncated_video_keeps_tracks_of_decoded_frames(vtest_path: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.avi"
    cut.write_bytes(vtest_path.read_bytes()[:1_500_000])
    out = tmp_path / "cut.txt"
    result = storepixel("track", cut, "--mot", out, "--analysis-fps", "5")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "damaged" in result.stderr
    rows = [line.split(",") for line in out.read_text().splitlines()]
    assert len(rows) > 20
    frames = sorted({int(r[0]) for r in rows})
    assert frames[0] >= 1
    assert all(len(r) == 10 and r[7:] == ["-1", "-1", "-1"] for r in rows)
    # Sampling at 5 fps from a 10 fps file keeps every other frame: 1, 3, 5, …
    assert all(f % 2 == 1 for f in frames)


def test_calibrate_prints_the_cameras_person_size_map(vtest_path: Path) -> None:
    result = storepixel("calibrate", vtest_path, "--seconds", "4")
    assert result.returncode == 0, result.stderr
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith("size_map: ["))
    slope, horizon, y_lo, y_hi = (float(v) for v in line[len("size_map: [") : -1].split(","))
    # vtest: people ~50 px tall at the top of the lawn, ~110 px near the bottom of 576 rows.
    assert 0.05 < slope < 0.5 and horizon < y_lo < y_hi <= 576
