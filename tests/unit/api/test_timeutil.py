"""Query times and local buckets, across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from storepixel.timeutil import BadQuery, bucket_starts, iso, parse_when, time_range

LISBON = ZoneInfo("Europe/Lisbon")


def utc(*args: int) -> float:
    return datetime(*args, tzinfo=UTC).timestamp()


def test_naive_times_are_local_and_offsets_are_kept() -> None:
    assert parse_when("2024-05-01T10:00", LISBON, "from") == utc(2024, 5, 1, 9)
    assert parse_when("2024-05-01T10:00Z", LISBON, "from") == utc(2024, 5, 1, 10)
    assert parse_when("2024-05-01", LISBON, "from") == utc(2024, 4, 30, 23)
    assert iso(utc(2024, 5, 1, 9), LISBON) == "2024-05-01T10:00:00+01:00"


def test_spring_forward_day_has_23_hours() -> None:
    lo, hi = time_range("2024-03-31", "2024-04-01", LISBON)
    assert hi - lo == 23 * 3600
    hours = bucket_starts(lo, hi, "hour", LISBON)
    assert len(hours) == 23
    assert [iso(h, LISBON)[11:] for h in hours[:3]] == [
        "00:00:00+00:00",
        "02:00:00+01:00",
        "03:00:00+01:00",
    ]
    assert len(bucket_starts(lo, hi + 3 * 86400, "day", LISBON)) == 4


def test_autumn_back_day_has_25_hours() -> None:
    lo, hi = time_range("2024-10-27", "2024-10-28", LISBON)
    assert len(bucket_starts(lo, hi, "hour", LISBON)) == 25


@pytest.mark.parametrize(
    ("frm", "to", "message"),
    [
        ("2024-05-02", "2024-05-01", "backwards or empty"),
        ("2024-05-01", "2024-05-01", "backwards or empty"),
        ("soon", None, "from: not an ISO 8601 time"),
        (None, "9999-99-99", "to: not an ISO 8601 time"),
        ("2020-01-01", "2024-01-01", "too long"),
    ],
)
def test_bad_ranges(frm: str | None, to: str | None, message: str) -> None:
    with pytest.raises(BadQuery, match=message):
        time_range(frm, to, LISBON)
