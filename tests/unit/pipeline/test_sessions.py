"""Hourly sessions: local-hour boundaries, which hours are ready, and the summary from the store."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from storepixel.pipeline.sessions import HourCloser, hour_start, next_hour, summarise_hour
from storepixel.store import CoverageInterval, open_store
from storepixel.types import Event, MetricRow

UTC = ZoneInfo("UTC")
T0 = 1714557600.0  # 2024-05-01 10:00 UTC


def test_hours_follow_the_site_time_zone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")  # UTC+5:30: local hours start at UTC :30
    assert hour_start(T0 + 10, kolkata) == T0 - 1800
    assert next_hour(T0 - 1800, kolkata) == T0 + 1800
    assert hour_start(T0 + 3599, UTC) == T0 and next_hour(T0, UTC) == T0 + 3600


def test_dst_change_hours_are_still_one_hour_apart() -> None:
    lisbon = ZoneInfo("Europe/Lisbon")
    start = 1711846800.0  # 2024-03-31 01:00 UTC: clocks jump from 01:00 to 02:00 local
    assert next_hour(hour_start(start - 1, lisbon), lisbon) - hour_start(start - 1, lisbon) == 3600


def test_closer_releases_only_finished_hours_from_the_first_frame_on() -> None:
    closer = HourCloser(UTC)
    assert closer.ready(T0 + 99999) == []  # nothing seen yet
    closer.seen(T0 + 1200)
    assert closer.ready(T0 + 3599) == []
    assert closer.ready(T0 + 3600) == [(T0, T0 + 3600)]
    # down for two hours: the missed hours close too (their coverage will read 0: no data)
    assert closer.ready(T0 + 3 * 3600 + 5) == [(T0 + 3600, T0 + 7200), (T0 + 7200, T0 + 10800)]
    assert closer.current() == T0 + 10800


def _ev(kind: str, t: float, scope: str | None, track: str, **props: object) -> Event:
    return Event(f"{kind}-{t}-{track}", kind, "demo", "cam1", t, track, scope, dict(props))


def test_summary_counts_the_hour_only() -> None:
    events = [
        _ev("visit_start", T0 + 10, None, "a"),
        _ev("line_crossing", T0 + 20, "door", "a", direction="in", line_id="door"),
        _ev("zone_enter", T0 + 30, "aisle", "a", zone_kind="area"),
        _ev("zone_exit", T0 + 40, "aisle", "a", zone_kind="area", dwell_s=10.0, ended_by="exit"),
        _ev("zone_enter", T0 + 50, "aisle", "b", zone_kind="area"),
        _ev("zone_exit", T0 + 80, "aisle", "b", zone_kind="area", dwell_s=30.0, ended_by="exit"),
        _ev("line_crossing", T0 + 3700, "door", "c", direction="out", line_id="door"),  # next hour
    ]
    peak = [MetricRow("demo", "cam1", "*", "people_peak", T0 + 60, 3, 10, 1.0)]
    cover = [
        CoverageInterval("demo", "cam1", T0 - 100, T0 + 600),
        CoverageInterval("demo", "cam1", T0 + 1000, T0 + 1200),
    ]
    with open_store("sqlite://") as store:
        store.write(events=events, metrics=peak, coverage=cover)
        s = summarise_hour(store, "demo", "cam1", T0, T0 + 3600)
    assert s.summary["lines"] == {"door": {"in": 1, "out": 0}}
    assert s.summary["zones"] == {"aisle": {"visits": 2, "dwell_p50_s": 20.0, "dwell_p90_s": 28.0}}
    assert s.summary["people_peak"] == 3 and s.summary["partial"] is False
    assert (s.visits, s.events, s.coverage_s) == (1, 6, 800.0)


def test_an_hour_without_coverage_reads_no_data() -> None:
    with open_store("sqlite://") as store:
        s = summarise_hour(store, "demo", "cam1", T0, T0 + 3600)
    assert s.coverage_s == 0 and s.summary["people_peak"] is None and s.events == 0
