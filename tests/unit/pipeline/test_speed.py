"""What ``storepixel bench`` compares between the naive and the storepixel pipelines."""

from __future__ import annotations

import math

from storepixel.pipeline.speed import PipelineRun, count_rows, relative_difference


def _run(
    name: str, line_in: int, visits: int, dwell: float, occupancy: float | None = None
) -> PipelineRun:
    return PipelineRun(
        name=name,
        frames=10,
        detected=10,
        seconds=1.0,
        cpu_seconds=1.0,
        footage_s=2.0,
        summary={
            "lines": {"door": {"in": line_in, "out": 0}},
            "zones": {"till": {"dwell_p50_s": dwell, "occupancy_avg": None}},
        },
        dwell_total_s={"till": dwell * visits},
        visits={"till": visits},
        occupancy_avg={"till": occupancy},
    )


def test_count_rows_pair_every_line_and_zone_number() -> None:
    rows = count_rows(_run("naive", 5, 2, 3.0), _run("storepixel", 5, 3, 2.0))
    assert rows == [
        ("line door in", 5, 5),
        ("line door out", 0, 0),
        ("zone till visits", 2, 3),
        ("zone till dwell total s", 6.0, 6.0),
        ("zone till dwell_p50_s", 3.0, 2.0),
    ]


def test_occupancy_is_compared_unrounded() -> None:
    # Rounded to the summary's 3 decimals these would be 0.072 and 0.073, "1.4 %" apart.
    rows = count_rows(_run("naive", 1, 1, 1.0, 0.07249), _run("storepixel", 1, 1, 1.0, 0.0725))
    assert rows[-1] == ("zone till occupancy_avg", 0.0725, 0.0725)


def test_relative_difference() -> None:
    assert relative_difference(0, 0) == 0.0
    assert relative_difference(200, 198) == 0.01
    assert math.isinf(relative_difference(0, 1))
