"""Must-show: a store with 400 days of generated data → after the retention job nothing older than
each retention remains, the aggregates asked to be kept remain, another site is untouched; on
SQLite (through ``storepixel retention run``) and PostgreSQL."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from storepixel.cli import app
from storepixel.config.site import load_site
from storepixel.store import Store, open_store
from storepixel.store.retention import enforce
from tests.fixtures.retention_data import DAY, DAYS, HOURS, fill, oldest

RETENTION = {
    "events": "90d",
    "alerts": "180d",
    "audit": "365d",
    "outbox": "7d",
    "receipts": "30d",
    "descriptions": "1d",
}
# metrics and sessions keep their 730-day defaults: every one of the 400 days stays.


def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.yaml"
    data = {"site": {"id": "demo"}, "cameras": [{"id": "cam1"}], "retention": RETENTION}
    path.write_text(yaml.safe_dump(data))
    return path


def check(store: Store, now: float) -> None:
    def kept(days: int) -> int:
        # Day d's samples sit at now - (d + 0.5) days (+ a few hours): those younger than the
        # retention are d < days - 1, plus day days - 1 whose samples are all inside too.
        return sum(1 for d in range(DAYS) if (d + 0.5) * DAY - 18 * 3600 < days * DAY)

    expected = {
        ("events", "time"): (90, len(HOURS)),
        ("minute_metrics", "bucket_start"): (730, len(HOURS)),
        ("camera_sessions", "start_time"): (730, 1),
        ("camera_coverage", "end_time"): (730, 1),
        ("alerts", "updated_at"): (180, 1),
        ("audit_log", "time"): (365, 2),  # one log for the whole store: both sites' records
        ("pos_receipts", "time"): (30, 2),
        ("describe_chunks", "end_time"): (1, 1),
    }
    for (table, column), (days, per_day) in expected.items():
        n, low = oldest(store, table, column, site_id="demo")
        assert low is not None and low >= now - days * DAY, table
        if days >= DAYS:
            assert n == DAYS * per_day, f"{table}: aggregates must all stay"
        else:
            assert abs(n - kept(days) * per_day) <= per_day, (table, n)
    n, _ = oldest(store, "outbox", "created_at")
    assert n == 7 + 1  # a week of sent messages, and the undelivered one however old
    # The other site's data is not this site's retention to apply.
    assert oldest(store, "events", "time", site_id="other")[0] == DAYS * len(HOURS)


def test_retention_run_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    now = time.time()
    with open_store(url) as store:
        fill(store, now)
        fill(store, now, site_id="other")
    result = CliRunner().invoke(
        app, ["retention", "run", "--site", str(site_file(tmp_path)), "--db", url]
    )
    assert result.exit_code == 0, result.output
    assert "events: " in result.output and "deleted" in result.output
    with open_store(url) as store:
        check(store, now)
        # Running it again deletes nothing more (idempotent).
        again = enforce(store, load_site(site_file(tmp_path)), now=now)
        assert again.deleted["events"] == 0


@pytest.mark.postgres
def test_retention_on_postgres(tmp_path: Path, pg_url: str) -> None:
    now = time.time()
    site = load_site(site_file(tmp_path))
    with open_store(pg_url) as store:
        fill(store, now)
        fill(store, now, site_id="other")
        report = enforce(store, site, now=now)
        assert report.deleted["events"] > 0 and report.deleted["minute_metrics"] == 0
        check(store, now)
