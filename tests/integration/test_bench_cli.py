"""``storepixel bench`` on real footage: one run prints the floor, both pipelines and the counts."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest

from tests.fixtures.footage import SHARED_EVAL
from tests.fixtures.helpers import storepixel

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def short_clip(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 4 s of vtest.avi as H.264 (40 frames)."""
    out = tmp_path_factory.mktemp("bench") / "short.mp4"
    with av.open(str(vtest_path)) as src, av.open(str(out), "w") as dst:
        stream = dst.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 768, 576, "yuv420p"
        for i, frame in enumerate(src.decode(video=0)):
            if i == 40:
                break
            image = frame.to_ndarray(format="bgr24")
            dst.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        dst.mux(stream.encode(None))
    return out


@pytest.mark.slow
def test_bench_prints_floor_naive_and_storepixel_side_by_side(
    short_clip: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(
        "site: {id: s}\ncameras:\n  - id: c\n    lines:\n"
        "      - {id: mid, points: [[0.5, 0.2], [0.5, 0.9]]}\n"
        "    zones:\n      - {id: road, polygon: [[0.3, 0.3], [0.9, 0.3], [0.9, 0.8]]}\n"
    )
    out = tmp_path / "bench.json"
    result = storepixel("bench", short_clip, "--site", site, "--json", out)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    rows = (
        "decode only (floor)",
        "naive",
        "storepixel end to end",
        "line mid in",
        "zone road visits",
    )
    for row in rows:
        assert row in text
    data = json.loads(out.read_text())
    assert data["storepixel_end_to_end"]["frames"] == 20
    end_to_end = data["storepixel_end_to_end"]
    cpu_ms = 1000 * end_to_end["cpu_seconds"] / 20
    assert end_to_end["cpu_ms_per_analysed_frame"] == cpu_ms
    assert end_to_end["cameras_per_box"] == int(0.8 * data["cores"] * 1000 / (cpu_ms * 5))
    assert f"sizing: {cpu_ms:.1f} ms of CPU per analysed frame" in text
    assert data["naive"]["frames"] == data["storepixel"]["frames"] == 20  # 4 s at 5 fps
    assert data["naive"]["detected"] == 20
    assert 0 < data["storepixel"]["detected"] <= 20
    assert data["decode"]["seconds"] > 0 and data["speedup_vs_naive"] > 0
    if "storepixel vs naive tracks" in data["tracking"]:
        assert data["tracking"]["storepixel vs naive tracks"]["mota"] > 0.9


@pytest.mark.slow
def test_bench_scores_both_pipelines_against_ground_truth() -> None:
    seq = SHARED_EVAL / "tud-campus"
    if not seq.is_dir():
        pytest.skip(f"shared eval footage not found at {SHARED_EVAL}")
    result = storepixel("bench", seq / "img1", "--gt", seq)
    assert result.returncode == 0, result.stderr
    assert "naive vs ground truth" in result.stdout
    assert "storepixel vs ground truth" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--camera", "x"], "--camera needs --site"),
        (["--gt", "/nonexistent"], "no ground truth"),
        (["--site", "/nonexistent.yaml"], "site config not found"),
    ],
)
def test_bench_bad_input_is_one_line(short_clip: Path, args: list[str], message: str) -> None:
    result = storepixel("bench", short_clip, *args)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
