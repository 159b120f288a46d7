"""Backlog bookkeeping and a real playback window on PostgreSQL (the central store's database)."""

from __future__ import annotations

import time

import pytest

from storepixel.config.site import parse_site
from storepixel.pipeline.backlog import run_window
from storepixel.store import open_store
from storepixel.store.backlog import (
    add_windows,
    backlog_status,
    begin_window,
    finish_window,
    window_id,
    windows,
)
from tests.fixtures.rtsp_server import DVR_START, RECORDING_S, RtspRecorder

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_window_rows_and_rate(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert add_windows(store, "shop", [("door", 0.0, 60.0), ("door", 60.0, 120.0)]) == 2
        assert add_windows(store, "shop", [("door", 0.0, 60.0)]) == 0  # known: left as it is
        begin_window(store, "shop", "door", 0.0, 60.0)
        time.sleep(0.05)
        finish_window(store, window_id("shop", "door", 0.0, 60.0), "done", footage_s=60.0)
        summary = backlog_status(store, "shop")
        assert (summary["done"], summary["pending"], summary["total"]) == (1, 1, 2)
        assert summary["span_s"] > 0 and summary["footage_per_wall_s"] > 0
        assert [r["status"] for r in windows(store, "shop", "door")] == ["done", "pending"]


def test_a_window_on_postgres_is_recorded_once(pg_url: str, dvr: RtspRecorder) -> None:
    site = parse_site(
        {
            "site": {"id": "shop", "name": "Shop", "timezone": "UTC"},
            "cameras": [
                {
                    "id": "door",
                    "playback_url": dvr.template(),
                    "lines": [{"id": "mid", "points": [[0.0, 0.5], [1.0, 0.5]]}],
                }
            ],
        }
    )
    end = DVR_START + RECORDING_S
    first = run_window(site, "door", DVR_START, end, pg_url)
    again = run_window(site, "door", DVR_START, end, pg_url)
    assert first.ok and again.ok
    assert first.counts["events_new"] == first.counts["events"] > 0
    assert again.counts["events_new"] == 0
    with open_store(pg_url) as store:
        (row,) = windows(store, "shop")
    assert (row["status"], row["attempts"], row["events"]) == ("done", 2, first.counts["events"])
    assert row["footage_s"] == pytest.approx(RECORDING_S, abs=0.3)
