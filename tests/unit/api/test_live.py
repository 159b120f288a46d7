"""Live WebSockets, health, snapshot and live edits: store-only mode answers 409, and with a
real Supervisor playing vtest.avi in a loop (real detector) the feeds carry annotated frames,
counts and events, and a line added over the API reaches the running camera."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from storepixel.api.app import create_app
from storepixel.api.source_policy import SourcePolicy
from storepixel.config.site import parse_site
from storepixel.pipeline.supervisor import Supervisor
from storepixel.store import Store
from tests.fixtures.helpers import wait_for
from tests.unit.api.conftest import key_for, login

LINE = {"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}


def closed_code(client: TestClient, url: str, **kw: Any) -> tuple[int, Any]:
    with client.websocket_connect(url, **kw) as ws:
        first = None
        try:
            first = ws.receive_json()
            ws.receive_json()
        except WebSocketDisconnect as exc:
            return exc.code, first
    raise AssertionError("the socket stayed open")


def test_store_only_mode_answers_409(client: TestClient, store: Store) -> None:
    key = key_for(store, "lisbon", "read")["Authorization"].split()[1]
    code, first = closed_code(client, f"/api/sites/lisbon/cameras/door/live?key={key}")
    assert code == 4409 and first["type"] == "error" and "not running" in first["detail"]
    code, _ = closed_code(client, f"/api/sites/lisbon/events/live?key={key}")
    assert code == 4409


def refused(client: TestClient, url: str, **kw: Any) -> int:
    """The close code of a WebSocket the server refuses."""
    try:
        with client.websocket_connect(url, **kw) as ws:
            ws.receive_json()
    except WebSocketDisconnect as exc:
        return exc.code
    raise AssertionError("the socket was not refused")


def test_websocket_auth_and_isolation(client: TestClient, store: Store) -> None:
    assert refused(client, "/api/sites/lisbon/events/live") == 4401
    porto = key_for(store, "porto", "read")["Authorization"].split()[1]
    assert refused(client, f"/api/sites/lisbon/events/live?key={porto}") == 4404
    assert refused(client, "/api/sites/lisbon/events/live?key=spk_forged") == 4401
    login(client, "alice")  # cookie auth from another origin is refused
    evil = {"Origin": "https://evil.example"}
    assert refused(client, "/api/sites/lisbon/events/live", headers=evil) == 4403


@pytest.fixture
def live(vtest_path: Path, store: Store, users: None, tmp_path: Path) -> Iterator[TestClient]:
    site = parse_site(
        {
            "site": {"id": "demo", "timezone": "UTC"},
            "cameras": [
                {
                    "id": "cam1",
                    "source": str(vtest_path),
                    "loop": True,
                    "analysis_fps": 5,
                    "privacy_masks": [{"polygon": [[0, 0], [0.2, 0], [0.2, 0.2], [0, 0.2]]}],
                }
            ],
        }
    )
    sup = Supervisor(site, store, flush_interval_s=0.5)
    app = create_app(
        [site], store, supervisors={"demo": sup}, data_dir=tmp_path / "d", secret_key="k" * 40
    )
    with TestClient(app) as client:
        yield client


@pytest.mark.slow
def test_live_feeds_health_snapshot_and_edits(live: TestClient) -> None:
    client = live
    csrf = login(client, "alice")
    assert wait_for(
        lambda: client.get("/api/sites/demo/cameras/cam1/health").status_code == 200, 30
    )
    health = client.get("/api/sites/demo/cameras/cam1/health").json()
    assert health["state"] in ("streaming", "connecting") and "reconnects" in health

    # A line added over the API reaches the running camera: its crossings start to arrive.
    r = client.post("/api/sites/demo/cameras/cam1/lines", json=LINE, headers=csrf)
    assert r.status_code == 201
    with client.websocket_connect("/api/sites/demo/cameras/cam1/live") as ws:
        frames = [ws.receive_json() for _ in range(3)]
    assert all(f["type"] == "frame" and f["time"].endswith("+00:00") for f in frames)
    assert len({f["time"] for f in frames}) == 3  # each message is a newer frame
    image = cv2.imdecode(np.frombuffer(base64.b64decode(frames[-1]["jpeg"]), np.uint8), 1)
    assert image is not None and image.shape[1] > 300
    assert image[: image.shape[0] // 5 - 4, : image.shape[1] // 5 - 4].max() < 40  # masked corner
    assert "people" in frames[-1]["counts"]

    with client.websocket_connect("/api/sites/demo/events/live") as ws:
        kinds = set()
        deadline = time.monotonic() + 60
        while "line_crossing" not in kinds and time.monotonic() < deadline:
            message = ws.receive_json()
            assert message["type"] == "event" and message["event"]["site_id"] == "demo"
            kinds.add(message["event"]["kind"])
    assert "line_crossing" in kinds  # counted on the line created a moment ago

    snap = client.get("/api/sites/demo/cameras/cam1/snapshot.jpg")
    assert snap.status_code == 200 and snap.headers["content-type"] == "image/jpeg"
    # Static objects: the running camera's candidates are listed; a decision reaches it.
    url = "/api/sites/demo/cameras/cam1/static-objects"
    assert isinstance(client.get(url).json()["candidates"], list)
    decision = {"box": [0.1, 0.1, 0.2, 0.4], "decision": "confirmed"}
    assert client.put(url, json=[decision], headers=csrf).status_code == 200
    running = client.app.state.storepixel.supervisor("demo")._cameras["cam1"]  # type: ignore[attr-defined]
    assert wait_for(
        lambda: running.pipeline.static.decisions == [((0.1, 0.1, 0.2, 0.4), "confirmed")], 30
    )
    metrics = client.get("/metrics").text
    assert 'storepixel_camera_up{camera="cam1",site="demo"}' in metrics
    assert client.get("/api/sites/demo/cameras/cam1").json()["live"] is True

    # Where people stood is kept as an hourly grid by a consumer of the site's event bus.
    from storepixel.pipeline.live_heatmaps import LiveHeatmaps

    sup = client.app.state.storepixel.supervisor("demo")  # type: ignore[attr-defined]
    (heat,) = [s.consumer for s in sup.bus.subscriptions if isinstance(s.consumer, LiveHeatmaps)]
    assert heat.flush() >= 1
    png = client.get(
        "/api/sites/demo/analytics/heatmap.png",
        params={"from": "2000-01-01T00:00Z", "to": "2100-01-01T00:00Z"},
    )
    assert png.status_code == 422  # more than 400 days
    from storepixel.store.heatmaps import load_grid

    now = time.time()
    assert load_grid(heat.store, "demo", "cam1", now - 7200, now + 7200).sum() > 0


def test_edit_refused_by_the_running_cameras_is_not_saved(
    store: Store, users: None, tmp_path: Path, vtest_path: Path
) -> None:
    path = tmp_path / "site.yaml"
    path.write_text(
        f"site: {{id: demo}}\ncameras:\n- {{id: cam1, source: '{vtest_path}', loop: true}}\n"
    )
    from storepixel.config.site import load_site

    site = load_site(path)
    sup = Supervisor(site, store)  # not started: only its validation of edits matters here
    app = create_app(
        [site],
        store,
        supervisors={"demo": sup},
        data_dir=tmp_path / "d",
        secret_key="k" * 40,
        start_supervisors=False,
        source_policy=SourcePolicy.of(media_roots=[vtest_path.parent]),
    )
    before = path.read_text()
    with TestClient(app) as client:
        csrf = login(client, "alice")
        bad = {"id": "cam2", "source": "rtsp://192.0.2.1/1", "loop": True}
        r = client.post("/api/sites/demo/cameras", json=bad, headers=csrf)
        assert r.status_code == 422 and "loop" in r.json()["detail"]
        assert path.read_text() == before
        assert [c["id"] for c in client.get("/api/sites/demo/cameras").json()] == ["cam1"]
        assert sup.camera_ids() == ["cam1"]
        good = {"id": "cam2", "source": str(vtest_path)}
        assert client.post("/api/sites/demo/cameras", json=good, headers=csrf).status_code == 201
        assert sup.camera_ids() == ["cam1", "cam2"]  # the running supervisor got it too
        assert "cam2" in path.read_text()
