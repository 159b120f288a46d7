"""``storepixel analyze`` end to end on real footage: summary, store, idempotence, bad input."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from storepixel.sources import open_source
from tests.fixtures.helpers import cut_clip, storepixel

pytestmark = pytest.mark.slow

SITE = """
site: {id: demo, name: Demo, timezone: Europe/Lisbon}
cameras:
  - id: cam1
    analysis_fps: 4
    lines: [{id: walkway, points: [[0.5, 0.25], [0.5, 0.85]]}]
    zones:
      - {id: east-path, kind: area, polygon: [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]}
    privacy_masks: [{polygon: [[0.4, 0.05], [0.76, 0.05], [0.76, 0.17], [0.4, 0.17]]}]
"""


@pytest.fixture(scope="module")
def clip(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 20 s of vtest.avi as H.264 MP4."""
    return cut_clip(vtest_path, tmp_path_factory.mktemp("clip") / "clip.mp4", 200)


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(SITE)
    return path


def table_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as con:
        return {
            t: con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("events", "minute_metrics", "analysis_runs", "camera_coverage")
        }


def test_analyze_twice_is_idempotent(clip: Path, site: Path, tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    args = ("analyze", clip, "--site", site, "--camera", "cam1", "--db", f"sqlite:///{db}")
    first = storepixel(
        *args, "--start", "2026-01-05T10:00:00Z", "--json", "--report", tmp_path / "r.html"
    )
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["camera"] == "cam1"
    assert summary["frames"] == 80
    assert summary["seconds"] == pytest.approx(20.0, abs=0.3)
    assert set(summary["lines"]["walkway"]) == {"in", "out"}
    crossings = summary["lines"]["walkway"]["in"] + summary["lines"]["walkway"]["out"]
    assert crossings >= 2  # people do walk across the walkway in the first 20 s
    zone = summary["zones"]["east-path"]
    assert zone["visits"] >= 2 and zone["occupancy_peak"] >= 1
    assert "given start time" in first.stderr
    html = (tmp_path / "r.html").read_text()
    assert "walkway" in html and "data:image/png;base64," in html and "http" not in html
    before = table_counts(db)
    assert before["events"] > 0 and before["minute_metrics"] > 0

    again = storepixel(*args, "--start", "2026-01-05T10:00:00Z", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout) == summary
    assert table_counts(db) == before
    assert " 0 new of " in again.stderr

    with sqlite3.connect(db) as con:
        first_time = con.execute("select min(time) from events").fetchone()[0]
    assert first_time.startswith("2026-01-05")  # capture time, not processing time


@pytest.mark.parametrize(
    ("yaml_text", "camera", "needle"),
    [
        (SITE.replace("analysis_fps: 4", "analysis_fps: 4\n    colour: red"), "cam1", "colour"),
        (SITE.replace("[[0.5, 0.25], [0.5, 0.85]]", "[[0.5, 0.25]]"), "cam1", "lines[0]"),
        (
            SITE.replace(
                "[[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]",
                "[[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]]",
            ),
            "cam1",
            "zones[0].polygon",
        ),
        (SITE, "cam9", "cam9"),
    ],
)
def test_bad_site_or_camera(
    clip: Path, tmp_path: Path, yaml_text: str, camera: str, needle: str
) -> None:
    site = tmp_path / "bad.yaml"
    site.write_text(yaml_text)
    db = tmp_path / "s.db"
    result = storepixel(
        "analyze", clip, "--site", site, "--camera", camera, "--db", f"sqlite:///{db}"
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert not db.exists()  # nothing was touched


def test_unreachable_database(clip: Path, site: Path) -> None:
    url = "postgresql://shop:s3cret@127.0.0.1:1/nowhere"
    result = storepixel("analyze", clip, "--site", site, "--camera", "cam1", "--db", url)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "s3cret" not in result.stderr
    assert len([ln for ln in result.stderr.splitlines() if ln.strip()]) == 1


def test_annotated_video_keeps_the_privacy_mask(clip: Path, site: Path, tmp_path: Path) -> None:
    """Issue 15, defect 2: ``--annotate`` drew on the unmasked frame. The masked band (top
    centre, see SITE) stays black in every frame of the annotated video."""
    out = tmp_path / "annotated.mp4"
    result = storepixel(
        "analyze", clip, "--site", site, "--camera", "cam1", "--db",
        f"sqlite:///{tmp_path / 's.db'}", "--annotate", out,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    frames = list(open_source(out))
    assert frames
    for frame in frames:
        h, w = frame.image.shape[:2]
        inside = frame.image[int(0.07 * h) : int(0.15 * h), int(0.42 * w) : int(0.74 * w)]
        assert inside.mean() < 8, (frame.index, inside.mean())
