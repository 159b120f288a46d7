"""DVR backlogs against a real RTSP playback server (GStreamer serving one recording per window).

The must-shows of issue 20 on the local engine: a backlog gives exactly the events of ``analyze``
on the same recordings with the same anchors; interrupted and resumed it completes with nothing
lost or twice; run again it adds nothing; a window without recording is marked so; an unreachable
recorder fails its windows with a reason after retries while the others are done; the recorder's
password never reaches the output or the store.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from storepixel.cli import app
from storepixel.store.engine import sqlite_module
from storepixel.timeutil import iso
from tests.fixtures.helpers import wait_for
from tests.fixtures.rtsp_server import (
    DVR_RECORDINGS,
    DVR_START,
    RECORDING_S,
    RtspRecorder,
    free_port,
)

pytestmark = pytest.mark.slow

PASSWORD = "hunter2-secret"
runner = CliRunner()
WINDOW = f"{RECORDING_S:g}s"
# One window past the recordings: the recorder answers 404 for it.
FROM, TO = iso(DVR_START), iso(DVR_START + (DVR_RECORDINGS + 1) * RECORDING_S)


def storepixel(*args: object) -> tuple[int, str, str]:
    """The CLI in this process (saves a Python start-up per call): exit code, stdout, stderr."""
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def write_site(tmp_path: Path, cameras: dict[str, str]) -> Path:
    geometry = {
        "lines": [{"id": "mid", "points": [[0.0, 0.5], [1.0, 0.5]]}],
        "zones": [{"id": "left", "polygon": [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]}],
    }
    site = {
        "site": {"id": "shop", "name": "Shop", "timezone": "Europe/Lisbon"},
        "cameras": [{"id": c, "playback_url": url, **geometry} for c, url in cameras.items()],
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(site), encoding="utf-8")
    return path


def connect(db: Path) -> Any:
    """A closing connection through the product's own SQLite module: a second SQLite library in
    this process (the CLI runs in it) would break the product's file locks (disk I/O errors)."""
    return contextlib.closing(sqlite_module().connect(db))


def events(db: Path) -> list[tuple[str, str, str, str, str]]:
    with connect(db) as conn:
        rows = conn.execute("SELECT id, kind, time, track_id, scope_id FROM events").fetchall()
    return sorted(rows)


def windows(db: Path) -> dict[str, tuple[str, int, str | None]]:
    with connect(db) as conn:
        rows = conn.execute(
            "SELECT camera_id, start_time, status, attempts, reason FROM backlog_windows"
        ).fetchall()
    return {
        f"{cam} {start}": (status, attempts, reason)
        for cam, start, status, attempts, reason in rows
    }


def done_count(db: Path) -> int:
    try:
        with connect(db) as conn:
            return int(
                conn.execute("SELECT count(*) FROM backlog_windows WHERE status='done'").fetchone()[
                    0
                ]
            )
    except sqlite_module().Error:  # not created yet
        return 0


def test_backlog_equals_analyze_survives_interruption_and_adds_nothing_again(
    tmp_path: Path, dvr: RtspRecorder, dvr_recordings: Path
) -> None:
    site = write_site(tmp_path, {"door": dvr.template("admin", PASSWORD)})
    db = tmp_path / "backlog.db"
    run = ["backlog", "run", "--site", site, "--from", FROM, "--to", TO, "--window", WINDOW]
    run += ["--db", f"sqlite:///{db}", "--retry-wait", "0.2"]

    # Interrupted: killed (no clean-up) once the first window is recorded.
    job = subprocess.Popen(
        [sys.executable, "-m", "storepixel.cli", *map(str, run)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )
    try:
        assert wait_for(lambda: done_count(db) >= 1, 60, every=0.1)
    finally:
        job.send_signal(signal.SIGKILL)
        job.wait(timeout=10)
    assert done_count(db) < DVR_RECORDINGS, "the job finished before it could be interrupted"

    code, out, err = storepixel(*run)
    assert code == 0, err
    assert "1 done already" in err or "2 done already" in err
    assert PASSWORD not in out + err
    states = windows(db)
    assert sorted(s for s, _, _ in states.values()) == ["done"] * DVR_RECORDINGS + ["no_recording"]
    no_recording = next(r for s, _, r in states.values() if s == "no_recording")
    assert "404" in (no_recording or "") and "admin:***@" in (no_recording or "")

    # The same recordings as files, each anchored by its container's creation time.
    reference = tmp_path / "analyze.db"
    code, _, err = storepixel(
        "analyze", dvr_recordings, "--site", site, "--db", f"sqlite:///{reference}"
    )
    assert code == 0, err
    assert f"{DVR_RECORDINGS} file(s) analysed" in err
    backlog_events = events(db)
    assert backlog_events, "the footage has people crossing: the backlog found no event"
    assert backlog_events == events(reference)  # same events, none lost, none twice

    code, _, err = storepixel(*run)
    assert code == 0, err
    assert "0 to do" in err
    assert events(db) == backlog_events

    # A window re-run (what Ray does after losing a node) changes nothing either.
    from storepixel.config.site import load_site
    from storepixel.pipeline.backlog import run_window

    outcome = run_window(
        load_site(site), "door", DVR_START, DVR_START + RECORDING_S, f"sqlite:///{db}"
    )
    assert outcome.ok and outcome.counts["events_new"] == 0 and outcome.counts["events"] > 0
    assert events(db) == backlog_events
    assert PASSWORD.encode() not in db.read_bytes()


def test_unreachable_recorder_fails_with_reason_while_the_others_are_done(
    tmp_path: Path, dvr: RtspRecorder
) -> None:
    down = f"rtsp://admin:{PASSWORD}@127.0.0.1:{free_port()}/Streaming/tracks/201?starttime="
    down += "{start:%Y%m%dT%H%M%SZ}"
    site = write_site(tmp_path, {"door": dvr.template(), "back": down})
    db = tmp_path / "store.db"
    to = iso(DVR_START + RECORDING_S)
    code, out, err = storepixel(
        "backlog", "run", "--site", site, "--from", FROM, "--to", to, "--window", WINDOW,
        "--db", f"sqlite:///{db}", "--tries", "3", "--retry-wait", "0.1", "--open-timeout", "3",
    )  # fmt: skip
    assert code == 1, err
    assert "1 done" in err and "1 failed" in err
    assert PASSWORD not in out + err
    states = {key.split()[0]: value for key, value in windows(db).items()}
    assert states["door"][0] == "done"
    status, attempts, reason = states["back"]
    assert (status, attempts) == ("failed", 3)
    assert reason is not None and reason.startswith("unreachable:") and PASSWORD not in reason

    code, out, err = storepixel(
        "backlog", "status", "--site", site, "--db", f"sqlite:///{db}", "--json"
    )
    assert code == 0, err
    summary = json.loads(out)
    assert (summary["done"], summary["failed"], summary["pending"]) == (1, 1, 0)
    assert summary["windows_per_minute"] > 0 and summary["footage_per_wall_s"] > 0
    assert summary["failed_windows"][0]["camera"] == "back"
    _, text, _ = storepixel("backlog", "status", "--site", site, "--db", f"sqlite:///{db}")
    assert "1 done, 1 failed, 0 pending, 0 no recording" in text
    assert "windows per minute" in text and "failed back" in text
    assert PASSWORD not in text
