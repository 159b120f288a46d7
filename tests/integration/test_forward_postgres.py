"""``forward:``: a real ``storepixel run`` on a real RTSP camera forwards to a real central
``storepixel serve`` on PostgreSQL while it counts; the central goes down, the edge keeps counting
and queues, the central comes back and the edge catches up; after the run stops the central holds
exactly the edge's events, and the edge's health (cameras, last sync) is on the central. The
ingest key never reaches the log.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import yaml

from storepixel.store import open_store
from storepixel.store.queries import iter_events
from storepixel.store.sync import edge_health
from tests.fixtures.central import Central, cli
from tests.fixtures.helpers import wait_for
from tests.fixtures.rtsp_server import RtspCamera

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

GEOMETRY = {
    "lines": [{"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]], "footfall": True}],
    "zones": [{"id": "east", "polygon": [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]}],
}


def _ids(url: str) -> set[str]:
    with open_store(url, create=False) as store:
        return {e.id for e in iter_events(store, site_id="lisbon")}


def test_run_forwards_through_a_central_outage(
    tmp_path: Path,
    central: tuple[Central, dict[str, str]],
    pg_url: str,
    rtsp_camera: RtspCamera,
) -> None:
    server, keys = central
    site = {
        "site": {"id": "lisbon", "timezone": "UTC"},
        "cameras": [{"id": "cam1", "source": rtsp_camera.url(), "analysis_fps": 5, **GEOMETRY}],
        "forward": {"url": server.url, "key_env": "LISBON_INGEST_KEY", "interval_s": 1},
    }
    path = tmp_path / "edge.yaml"
    path.write_text(yaml.safe_dump(site))
    edge = f"sqlite:///{tmp_path / 'edge.db'}"
    log = tmp_path / "run.log"
    env = {**os.environ, "LISBON_INGEST_KEY": keys["lisbon"], "PYTHONUNBUFFERED": "1"}
    cmd = [*cli(), "run", "--site", str(path), "--db", edge, "--health-every", "2"]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        # Counting and forwarding: the central receives the edge's events as they happen.
        assert wait_for(lambda: len(_ids(pg_url)) >= 3, 90, every=0.5), log.read_text()[-3000:]

        server.stop()  # the central goes away; the edge keeps counting and queues
        before = _ids(pg_url)
        assert wait_for(lambda: len(_ids(edge) - before) >= 3, 60, every=0.5)
        assert proc.poll() is None, log.read_text()[-3000:]

        server.start()  # back: the edge catches up by itself
        assert wait_for(lambda: _ids(edge) <= _ids(pg_url), 60, every=0.5)

        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = log.read_text()
    assert proc.returncode == 0, text[-3000:]
    # The run's last round sends what the final flush wrote: central == edge, event for event.
    assert _ids(pg_url) == _ids(edge), text[-3000:]
    assert "cannot reach the central server" in text and "rows stay queued" in text
    assert "forward to" in text and "resumed" in text
    assert keys["lisbon"] not in text and keys["lisbon"][len("spk_") :] not in text

    with open_store(pg_url, create=False) as store:
        health = edge_health(store, ["lisbon", "porto"])
    assert set(health) == {"lisbon"}  # porto never reported
    report = health["lisbon"]
    assert report["last_sync_at"] is not None and report["pending"] == 0
    assert [c["camera"] for c in report["cameras"]] == ["cam1"]
