"""The HTML report of ``analyze --report`` (issue 15, defect 5: times were UTC whatever the
site's time zone, and the "UTC" label overprinted the last tick label)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from storepixel.pipeline.report import render_report

START = datetime(2024, 5, 1, 9, 58, tzinfo=UTC).timestamp()  # 10:58 in Lisbon (WEST, UTC+1)
SUMMARY = {"camera": "door", "frames": 600, "seconds": 600.0, "lines": {}, "zones": {}}
SERIES = {"entrance": [(START + 60 * i, float(i % 3)) for i in range(10)]}


def _report(tz: str) -> str:
    return render_report(
        SUMMARY, title="t", start=START, tz=ZoneInfo(tz), occupancy=SERIES, crossings=SERIES
    )


def test_times_are_in_the_sites_time_zone() -> None:
    document = _report("Europe/Lisbon")
    assert "footage from 2024-05-01T10:58:00+01:00" in document
    ticks = re.findall(r'text-anchor="(?:start|middle|end)">(\d\d:\d\d)<', document)
    assert ticks[:2] == ["10:58", "11:07"], ticks
    assert "Europe/Lisbon" in document
    assert "UTC" not in document
    tokyo = _report("Asia/Tokyo")
    assert "footage from 2024-05-01T18:58:00+09:00" in tokyo and ">18:58<" in tokyo


def test_no_two_chart_labels_are_drawn_on_top_of_each_other() -> None:
    for svg in re.findall(r"<svg.*?</svg>", _report("Europe/Lisbon")):
        places = [
            (float(x), float(y)) for x, y in re.findall(r'<text x="([\d.]+)" y="([\d.]+)"', svg)
        ]
        for i, (x, y) in enumerate(places):
            for x2, y2 in places[i + 1 :]:
                assert y != y2 or abs(x - x2) > 60, places  # a label is up to ~60 px wide
