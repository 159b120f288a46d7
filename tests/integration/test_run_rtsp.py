"""`storepixel run` against a real RTSP server (GStreamer, loopback) serving real footage.

- an outage: the server is killed for 10 s and restarted; the camera reconnects within 10 s of
  its return, the gap is recorded as coverage, and the stored events are exactly those a fresh
  pipeline produces from the frames analysed before and after (nothing lost, nothing doubled);
- faults: wrong password, wrong path, unreachable port, a web page instead of video, each in its
  own clear state and retrying, while a good camera keeps being analysed;
- the real daemon process stops cleanly on SIGTERM and SIGINT.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from storepixel.config.site import SiteConfig, parse_site
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.pipeline.supervisor import Supervisor
from storepixel.store import open_store
from storepixel.store.queries import coverage, iter_events, query_metrics, runs
from storepixel.types import Event, Frame
from tests.fixtures.helpers import wait_for
from tests.fixtures.rtsp_server import RtspCamera, free_port

pytestmark = pytest.mark.slow

GEOMETRY = {
    "lines": [{"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}],
    "zones": [
        {"id": "west", "polygon": [[0.0, 0.26], [0.45, 0.3], [0.45, 0.56], [0.0, 0.46]]},
        {"id": "east", "polygon": [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]},
    ],
}


def site_with(*cameras: dict[str, Any]) -> SiteConfig:
    return parse_site({"site": {"id": "shop", "timezone": "UTC"}, "cameras": list(cameras)})


class Recorder:
    """Keeps every analysed frame (to replay it) and every event the event bus hands out."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []
        self.events: list[Event] = []
        self.lock = threading.Lock()

    def write_frame(self, camera_id: str, result: FrameResult, counts: Mapping[str, Any]) -> None:
        with self.lock:
            self.frames.append(result.frame)

    def write_events(self, events: Sequence[Event]) -> None:
        with self.lock:
            self.events.extend(events)


def test_outage_reconnects_records_the_gap_and_loses_nothing(rtsp_camera: RtspCamera) -> None:
    camera = {"id": "door", "source": rtsp_camera.url(), "analysis_fps": 5, **GEOMETRY}
    site = site_with(camera)
    store = open_store("sqlite://")
    sup = Supervisor(site, store, stall_timeout_s=3, open_timeout_s=3, flush_interval_s=0.5)
    rec = Recorder()
    sup.bus.subscribe(rec, frame_queue_size=100_000)  # every frame
    sup.start()
    try:
        assert wait_for(lambda: len(rec.frames) >= 40, 30), sup.health()
        # events reach the store while the camera runs
        assert wait_for(lambda: next(iter_events(store, site_id="shop"), None) is not None, 5)
        rtsp_camera.kill()
        killed_at = time.time()
        assert wait_for(lambda: sup.health()["door"].state == "reconnecting", 5), sup.health()
        time.sleep(max(0.0, 10.0 - (time.time() - killed_at)))
        frames_before = len(rec.frames)
        rtsp_camera.start()
        back_at = time.time()
        assert wait_for(lambda: len(rec.frames) > frames_before, 10), sup.health()
        reconnect_s = time.time() - back_at
        assert wait_for(lambda: len(rec.frames) >= frames_before + 40, 20), sup.health()
    finally:
        sup.stop()
    print(f"reconnected {reconnect_s:.2f} s after the server returned")
    assert reconnect_s < 10
    health = sup.health()["door"]
    assert health.reconnect_count >= 1

    # coverage: two intervals, the outage between them reads "no data"
    intervals = coverage(store, camera_id="door")
    assert len(intervals) == 2, intervals
    before, after = intervals
    assert before.end <= killed_at + 0.5 and after.start >= back_at - 0.01
    assert after.start - before.end >= 9.5
    gap_minutes = {int(t // 60) * 60.0 for t in (before.end + 1, after.start - 1)}
    for r in query_metrics(store, camera_id="door", metrics="people_avg"):
        if r.bucket_start in gap_minutes:
            assert r.coverage < 1.0  # the minute says how much of it was seen

    # nothing lost or doubled: the store holds exactly what the analysed frames produce
    stored = list(iter_events(store, site_id="shop", camera_id="door"))
    handed = [e.id for e in rec.events]
    assert len(handed) == len(set(handed))
    assert sorted(e.id for e in stored) == sorted(handed)
    times = [f.timestamp for f in rec.frames]
    assert times == sorted(times)
    assert any(t < killed_at for t in times) and any(t > back_at for t in times)
    # the very detector the camera used (same settings and threads: bit-identical boxes)
    detector = sup._detector_for(site.cameras[0])
    replay = build_camera_pipeline(site.cameras[0], "shop", detector, sup.run_anchor)
    expected: list[Event] = []
    for frame in rec.frames:
        expected += [e for r in replay.process(frame) for e in r.events]
    expected += replay.finish()
    assert sorted(e.id for e in stored) == sorted(e.id for e in expected)
    assert any(e.time < killed_at for e in stored) and any(e.time > back_at for e in stored)
    kinds = [e.kind for e in stored]
    assert kinds.count("visit_start") == kinds.count("visit_end")
    (run,) = runs(store)
    assert run.status == "ok" and run.frames == len(rec.frames)
    store.close()


class NotACamera(BaseHTTPRequestHandler):
    """A router's login page where a camera was expected."""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        body = b"<html><body>router login</body></html>" * 50
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture()
def web_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), NotACamera)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/video"
    finally:
        server.shutdown()
        server.server_close()


def test_bad_cameras_report_clear_states_while_the_good_one_runs(
    rtsp_camera_with_auth: RtspCamera, web_page: str
) -> None:
    cam = rtsp_camera_with_auth
    sources = {
        "good": cam.url(user="viewer", password="s3cret"),
        "wrong-password": cam.url(user="viewer", password="hunter2"),
        "wrong-path": cam.url("/nope", user="viewer", password="s3cret"),
        "unreachable": f"rtsp://viewer:s3cret@127.0.0.1:{free_port()}/cam",
        "web-page": web_page,
    }
    expected = {
        "wrong-password": "auth_failed",
        "wrong-path": "not_found",
        "unreachable": "unreachable",
        "web-page": "not_a_video",
    }
    site = site_with(*({"id": k, "source": v, "analysis_fps": 5} for k, v in sources.items()))
    store = open_store("sqlite://")
    sup = Supervisor(site, store, open_timeout_s=3, stall_timeout_s=3)
    rec = Recorder()
    sup.bus.subscribe(rec, frame_queue_size=100_000)  # every frame
    sup.start()
    try:
        retried = lambda: all(sup.health()[c].reconnect_count >= 2 for c in expected)  # noqa: E731
        assert wait_for(retried, 30), sup.health()
        assert wait_for(lambda: len(rec.frames) >= 25, 30), sup.health()
        health = sup.health()
    finally:
        sup.stop()
    assert health["good"].state == "streaming" and health["good"].analysed_fps > 2
    for camera_id, failure in expected.items():
        h = health[camera_id]
        assert (h.state, h.failure) == ("reconnecting", failure), h
        for secret in ("s3cret", "hunter2"):
            assert secret not in (h.message or "") and secret not in h.source
    assert {f.camera_id for f in rec.frames} == {"good"}
    assert [c.camera_id for c in coverage(store)] == ["good"]
    store.close()


def _start_daemon(tmp_path: Path, source: str) -> tuple[subprocess.Popen[str], str]:
    site = {
        "site": {"id": "shop", "timezone": "UTC"},
        "cameras": [{"id": "door", "source": source, "analysis_fps": 5, **GEOMETRY}],
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(site))
    db = f"sqlite:///{tmp_path / 'live.db'}"
    cmd = [
        sys.executable,
        "-m",
        "storepixel.cli",
        "run",
        "--site",
        str(path),
        "--db",
        db,
        "--log-format",
        "json",
        "--health-every",
        "1",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    return proc, db


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_daemon_stops_cleanly_on_signal(
    rtsp_camera_with_auth: RtspCamera, tmp_path: Path, signum: int
) -> None:
    url = rtsp_camera_with_auth.url(user="viewer", password="s3cret")
    proc, db = _start_daemon(tmp_path, url)
    try:
        with open_store(db) as store:
            seen = lambda: next(iter_events(store, site_id="shop"), None) is not None  # noqa: E731
            assert wait_for(seen, 40), proc.stderr.read() if proc.poll() is not None else ""
        # The first event can be stored before the first health line (one a second): let two
        # health periods pass so the log shows the camera streaming before it is stopped.
        time.sleep(2.5)
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-2000:]
    records = [json.loads(line) for line in err.splitlines() if line.strip()]  # all JSON lines
    messages = [r["msg"] for r in records]
    assert "stopped cleanly" in messages and "session closed" in messages
    assert any(r["msg"] == "health" and r["state"] == "streaming" for r in records)
    assert "s3cret" not in err and "s3cret" not in out
    with open_store(db) as store:
        kinds = [e.kind for e in iter_events(store, site_id="shop")]
        assert kinds.count("visit_start") == kinds.count("visit_end") > 0  # open visits closed
        (run,) = runs(store)
        assert run.status == "ok"
        assert coverage(store, camera_id="door")
