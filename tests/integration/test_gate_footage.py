"""The change gate on real footage: far fewer detector runs, the same counts.

A one-minute "store day" clip (bench/store_day.py: PETS2009 S2.L1 busy stretches between empty
stretches of the same camera) is analysed by the naive pipeline and by storepixel's, in lockstep
on the same frames with the bundled detector; time-weighted numbers (dwell, occupancy) agree within
the issue's 1 %, since walkers' boxes between detections are interpolated.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from storepixel.config.site import load_site
from storepixel.pipeline.speed import run_side_by_side
from storepixel.vision.detector import load_detector

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_store_day_minute_same_counts_fewer_detections(vtest_path: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import store_day  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(REPO / "bench"))
    clip = store_day.build(tmp_path / "day.mp4", minutes=0.5, busy=0.4, source=vtest_path)
    site = load_site(REPO / "bench" / "sites" / "store-day.yaml")
    camera = site.cameras[0]
    naive, fast = run_side_by_side(clip, site.site.id, camera, load_detector())

    assert naive.frames == fast.frames == 150
    assert naive.detected == 150
    # the empty stretches are short here (3–5 s, and a lost track keeps the detector on for
    # up to 3 s after people vanish at a cut), so only a few frames are skipped; the bench
    # measures the real ratio on the 10-minute clip
    assert fast.detected < 0.9 * naive.detected
    # counts exactly; time-weighted numbers within the issue's 1 % (walkers' boxes on the frames
    # between detections are interpolated, not detected)
    assert fast.summary["lines"] == naive.summary["lines"]
    for zone, want in naive.summary["zones"].items():
        got = fast.summary["zones"][zone]
        assert got["visits"] == want["visits"]
        assert got["occupancy_avg"] == pytest.approx(want["occupancy_avg"], rel=0.01, abs=1e-3)
    for zone, total in naive.dwell_total_s.items():
        assert fast.dwell_total_s[zone] == pytest.approx(total, rel=0.01)
    assert sum(c["in"] + c["out"] for c in naive.summary["lines"].values()) > 0
