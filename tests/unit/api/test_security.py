"""Regression tests of the security review (issue 16): each reproduces the original request and
asserts the safe outcome. The memory findings (login hashing, body size) are measured by
``bench/security_memory.py`` against a real server; here only their mechanism is checked."""

from __future__ import annotations

import asyncio
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import av
import cv2
import httpx
import numpy as np
import pytest
from argon2 import PasswordHasher, extract_parameters
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from storepixel.api import login_guard
from storepixel.api.app import create_app
from storepixel.api.routers import live
from storepixel.api.source_policy import SourcePolicy
from storepixel.config.site import load_site
from storepixel.store import Store, accounts
from tests.unit.api.conftest import PASSWORD, key_for, login

Admin = tuple[TestClient, dict[str, str]]


# --- 8. extreme dates and cursors: 4xx, and no store path in any message ------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/sites/lisbon/analytics/kpis?date=9999-12-31",
        "/api/sites/lisbon/analytics/kpis?date=0001-01-01",
        "/api/sites/lisbon/analytics/footfall?from=9999-12-31T23:00:00",
        "/api/sites/lisbon/analytics/occupancy?to=0001-01-01T00:30:00",
        "/api/sites/lisbon/analytics/heatmap.png?from=9999-12-31T23:00:00",
        "/api/sites/lisbon/events?from=9999-12-31T23:59:59",
        "/api/sites/lisbon/events?cursor=1e999/x",
        "/api/sites/lisbon/events?cursor=nan/x",
        "/api/sites/lisbon/events?cursor=-1e999/x",
        "/api/sites/lisbon/events/export?from=0001-01-01T00:00:00%2B14:00",
    ],
)
def test_extreme_dates_and_cursors_are_refused_at_the_boundary(
    admin: Admin, path: str, tmp_path: Path
) -> None:
    client, _ = admin
    r = client.get(path)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    detail = r.json()["detail"]
    assert "sqlite" not in detail.lower() and str(tmp_path) not in detail, detail


def test_a_store_failure_answers_503_without_naming_the_store(admin: Admin, store: Store) -> None:
    client, _ = admin
    with store.transaction() as conn:
        conn.exec_driver_sql("DROP TABLE events")  # a real database error on the next read
    r = client.get("/api/sites/lisbon/events")
    assert r.status_code == 503
    assert "store.db" not in r.text and "sqlite" not in r.text.lower(), r.text


# --- 3. body-size limit on everything but uploads ----------------------------------------------


def test_an_oversize_login_body_is_refused_before_parsing(client: TestClient) -> None:
    # 2 MiB of valid JSON: unread it would reach the model and answer 422 (password too long).
    body = '{"username": "x", "password": "' + "a" * (2 * 1024 * 1024) + '"}'
    r = client.post("/api/auth/login", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["detail"]


def test_an_oversize_body_without_a_length_is_refused_while_streaming(client: TestClient) -> None:
    sent = []

    def chunks() -> Iterator[bytes]:
        yield b'{"username": "x", "password": "'
        for _ in range(64):
            sent.append(1)
            yield b"a" * 65536
        yield b'"}'

    r = client.post(
        "/api/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413


def test_uploads_keep_their_own_larger_limit(admin: Admin, clip: Path) -> None:
    client, csrf = admin
    data = clip.read_bytes() + b"\0" * (1100 * 1024)  # over the 1 MiB JSON limit, under 2 MiB
    r = client.post(
        "/api/sites/lisbon/jobs",
        files={"file": ("walk.mp4", data, "video/mp4")},
        data={"camera": "door"},
        headers=csrf,
    )
    assert r.status_code != 413, r.text


# --- 9. security headers on every response; Host allow-list ------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/sites", "/docs", "/login", "/api/nope", "/static/css/app.css", "/healthz"]
)
def test_every_response_carries_the_security_headers(admin: Admin, path: str) -> None:
    client, _ = admin
    r = client.get(path, follow_redirects=False)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


def test_docs_page_runs_no_inline_script(admin: Admin) -> None:
    client, _ = admin
    html = client.get("/docs").text
    assert "SwaggerUIBundle" not in html  # started from /static/js/docs.js, allowed by the CSP
    assert client.get("/static/js/docs.js").status_code == 200


def test_host_allow_list(site_files: list[Path], store: Store, tmp_path: Path) -> None:
    sites = [load_site(p) for p in site_files]
    app = create_app(
        sites, store, data_dir=tmp_path / "d", secret_key="s" * 40, allowed_hosts=["shop.example"]
    )
    with TestClient(app, base_url="http://shop.example") as ok:
        assert ok.get("/healthz").status_code == 200
    with TestClient(app, base_url="http://evil.example") as bad:
        r = bad.get("/healthz")
        assert r.status_code == 400 and r.headers["x-content-type-options"] == "nosniff"


# --- 7 (and issue 15, defect 7). uploads are analysed as the uploaded bytes only ---------------


def _write_ts(path: Path) -> Path:
    """A real 1 s MPEG-TS clip (what an HLS playlist lists)."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("mpeg2video", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for i in range(10):
            image = np.full((64, 64, 3), i * 20, np.uint8)
            out.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")))
        out.mux(stream.encode())
    return path


def _upload(admin: Admin, name: str, data: bytes) -> Any:
    client, csrf = admin
    files = {"file": (name, data, "application/octet-stream")}
    return client.post("/api/sites/lisbon/jobs", files=files, data={"camera": "door"}, headers=csrf)


def test_a_jpeg_uploaded_as_a_video_is_refused(admin: Admin) -> None:
    _, jpeg = cv2.imencode(".jpg", np.full((120, 160, 3), 90, np.uint8))
    for name in ("photo.jpg", "photo.mp4"):
        r = _upload(admin, name, jpeg.tobytes())
        assert r.status_code == 415, r.text
        assert r.json()["detail"] == f"{name}: not a video file (expected e.g. MP4, AVI, MKV)"
    client, _ = admin
    assert client.get("/api/sites/lisbon/jobs").json() == []


def test_a_playlist_naming_local_files_is_refused_the_same_way(
    admin: Admin, tmp_path: Path
) -> None:
    segment = _write_ts(tmp_path / "elsewhere.ts")
    answers = set()
    for target in (segment, tmp_path / "missing.ts"):
        playlist = f"#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:1.0,\n{target}\n#EXT-X-ENDLIST\n"
        r = _upload(admin, "list.m3u8", playlist.encode())
        assert r.status_code == 415, r.text
        answers.add(r.text)
    assert len(answers) == 1  # an existing and a missing file look the same
    concat = f"ffconcat version 1.0\nfile '{segment}'\n".encode()
    assert _upload(admin, "list.ffconcat", concat).status_code == 415


def test_a_self_contained_video_is_still_accepted(admin: Admin, tmp_path: Path) -> None:
    r = _upload(admin, "clip.ts", _write_ts(tmp_path / "clip.ts").read_bytes())
    assert r.status_code == 202, r.text


# --- 2. logins cannot exhaust memory: a fixed hashing pool, a throttle per address -------------


class RecordingHasher(PasswordHasher):
    """argon2id at test cost that notes each check and how many run at once. The short sleep
    stands in for the real cost (64 MiB, tens of ms), so that unbounded checks would overlap."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024)
        self.running = self.peak = 0
        self.verified: list[Any] = []
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.verified.append(extract_parameters(str(hash)))
        try:
            time.sleep(0.05)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch, users: None) -> RecordingHasher:
    h = RecordingHasher()
    monkeypatch.setattr(accounts, "_hasher", h)
    return h


def _parallel_logins(app: Any, bodies: list[dict[str, str]]) -> list[httpx.Response]:
    async def fire() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            return list(await asyncio.gather(*(c.post("/api/auth/login", json=b) for b in bodies)))

    return asyncio.run(fire())


def test_parallel_logins_with_random_users_are_hashed_a_few_at_a_time(
    app: Any, hasher: RecordingHasher
) -> None:
    bodies = [{"username": f"u{secrets.token_hex(4)}", "password": "x" * 12} for _ in range(40)]
    codes = [r.status_code for r in _parallel_logins(app, bodies)]
    assert hasher.peak <= login_guard.HASH_WORKERS, hasher.peak
    assert len(hasher.verified) <= login_guard.HASH_WORKERS + login_guard.MAX_WAITING
    assert codes.count(429) == 40 - len(hasher.verified) and set(codes) <= {401, 429}


def test_unknown_users_are_throttled_by_address(
    client: TestClient, hasher: RecordingHasher
) -> None:
    codes = []
    for _ in range(login_guard.MAX_ADDRESS_FAILURES + 2):
        body = {"username": f"u{secrets.token_hex(4)}", "password": "x" * 12}
        codes.append(client.post("/api/auth/login", json=body).status_code)
    assert codes[: login_guard.MAX_ADDRESS_FAILURES] == [401] * login_guard.MAX_ADDRESS_FAILURES
    assert codes[login_guard.MAX_ADDRESS_FAILURES :] == [429, 429]
    assert len(hasher.verified) == login_guard.MAX_ADDRESS_FAILURES  # refused without hashing


def test_known_and_unknown_users_cost_one_check_of_the_same_hash(
    client: TestClient, hasher: RecordingHasher
) -> None:
    client.post("/api/auth/login", json={"username": "victor", "password": "wrong-wrong"})
    client.post("/api/auth/login", json={"username": "nobody", "password": "wrong-wrong"})
    known, unknown = hasher.verified
    assert known == unknown  # one argon2id verify each, with the same parameters


# --- 4. revocation and logout reach open WebSockets --------------------------------------------


@pytest.fixture
def live_app(site_files: list[Path], store: Store, users: None, tmp_path: Path) -> Any:
    """Live endpoints on (a supervisor per site, not started: the sockets open and wait)."""
    from storepixel.pipeline.supervisor import Supervisor

    sites = [load_site(p) for p in site_files[:1]]
    sups = {s.site.id: Supervisor(s, store) for s in sites}
    return create_app(
        sites,
        store,
        supervisors=sups,
        data_dir=tmp_path / "d",
        secret_key="s" * 40,
        start_supervisors=False,
    )


def _closed_within(ws: Any, seconds: float) -> int:
    """The close code the server sends within ``seconds`` (the socket is otherwise silent)."""
    result: list[int] = []

    def read() -> None:
        try:
            while True:
                ws.receive_json()
        except WebSocketDisconnect as exc:
            result.append(exc.code)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    assert result, f"the socket stayed open for {seconds} s"
    return result[0]


@pytest.mark.parametrize("path", ["events/live", "cameras/door/live"])
def test_a_revoked_key_closes_its_open_socket(live_app: Any, store: Store, path: str) -> None:
    with TestClient(live_app) as client:
        key, secret = accounts.create_key(store, "wall", "lisbon", ["read"], "test")
        with client.websocket_connect(f"/api/sites/lisbon/{path}?key={secret}") as ws:
            time.sleep(1.5)  # still open while the key is valid
            assert client.get("/api/sites/lisbon", headers={"Authorization": f"Bearer {secret}"})
            accounts.revoke_key(store, key.id)
            assert _closed_within(ws, 3.0) == 4401  # "within a couple of seconds"


def test_logout_closes_the_cookie_socket(live_app: Any) -> None:
    with TestClient(live_app) as client:
        csrf = login(client, "alice")
        with client.websocket_connect("/api/sites/lisbon/events/live") as ws:
            time.sleep(1.5)
            assert client.post("/api/auth/logout", headers=csrf).status_code == 204
            assert _closed_within(ws, 3.0) == 4401  # "within a couple of seconds"


def test_sockets_per_caller_are_capped(live_app: Any, store: Store, monkeypatch: Any) -> None:
    monkeypatch.setattr(live, "MAX_SOCKETS_PER_CALLER", 2)  # the real cap is 32
    _, secret = accounts.create_key(store, "wall", "lisbon", ["read"], "test")
    url = f"/api/sites/lisbon/events/live?key={secret}"
    with (
        TestClient(live_app) as client,
        client.websocket_connect(url),
        client.websocket_connect(url),
        client.websocket_connect(url) as third,
    ):
        assert _closed_within(third, 2) == 4429


# --- 1. camera sources set through the API stay inside the site ---------------------------------


@pytest.fixture
def media_app(site_files: list[Path], store: Store, users: None, tmp_path: Path) -> Any:
    """Each site has its own media folder (``--media-root DIR/{site}``) with one clip."""
    for site in ("lisbon", "porto"):
        folder = tmp_path / "media" / site
        folder.mkdir(parents=True)
        _write_ts(folder / f"{site}.ts")
    sites = [load_site(p) for p in site_files]
    policy = SourcePolicy.of(media_roots=[f"{tmp_path}/media/{{site}}"])
    return create_app(
        sites, store, data_dir=tmp_path / "d", secret_key="s" * 40, source_policy=policy
    )


def _set_source(client: TestClient, headers: dict[str, str], source: str) -> Any:
    body = {"id": "aisle", "source": source}
    return client.put("/api/sites/lisbon/cameras/aisle", json=body, headers=headers)


def test_an_admin_key_cannot_point_a_camera_outside_its_site(
    media_app: Any, store: Store, tmp_path: Path
) -> None:
    admin_key = key_for(store, "lisbon", "admin")
    porto_clip = tmp_path / "media" / "porto" / "porto.ts"
    outside = tmp_path / "secret.jpg"
    cv2.imwrite(str(outside), np.full((32, 32, 3), 200, np.uint8))
    with TestClient(media_app) as client:
        answers = set()
        for source in (
            str(porto_clip),  # another site's video
            f"{tmp_path}/media/lisbon/../porto/porto.ts",  # the same, by '..'
            str(outside),  # any local image
            str(tmp_path / "missing.jpg"),  # ... and one that does not exist: same answer
            "/etc/passwd",
        ):
            r = _set_source(client, admin_key, source)
            assert r.status_code == 422, (source, r.text)
            answers.add(r.json()["detail"])
        assert len(answers) == 1, answers
        link = tmp_path / "media" / "lisbon" / "link.ts"
        link.symlink_to(porto_clip)  # a symlink out of the site's folder counts as outside
        assert _set_source(client, admin_key, str(link)).status_code == 422
        own = _set_source(client, admin_key, str(tmp_path / "media" / "lisbon" / "lisbon.ts"))
        assert own.status_code == 200, own.text
        snap = client.get("/api/sites/lisbon/cameras/aisle/snapshot.jpg", headers=admin_key)
        assert snap.status_code == 200


@pytest.mark.parametrize(
    "source",
    [
        "http://127.0.0.1:8000/healthz",
        "http://localhost:5432/",
        "rtsp://[::1]:554/stream",
        "http://0.0.0.0:8000/",
        "http://169.254.169.254/latest/meta-data/",
        "rtsp://[::ffff:127.0.0.1]/x",
        "http://2130706433/",  # 127.0.0.1 as a number
        "file:///etc/passwd",
        "ftp://10.0.0.7/video.mp4",
        "/dev/video0",
    ],
)
def test_network_sources_cannot_reach_the_server_itself(
    media_app: Any, store: Store, source: str
) -> None:
    with TestClient(media_app) as client:
        r = _set_source(client, key_for(store, "lisbon", "admin"), source)
        assert r.status_code == 422, r.text


def test_the_servers_own_address_is_refused_too(media_app: Any, store: Store) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.connect(("192.0.2.1", 9))  # no packet is sent: this picks the outgoing interface
        own = s.getsockname()[0]
    with TestClient(media_app) as client:
        r = _set_source(client, key_for(store, "lisbon", "admin"), f"rtsp://{own}:8554/x")
        assert r.status_code == 422, r.text
        r = _set_source(client, key_for(store, "lisbon", "admin"), "rtsp://cam:pw@192.0.2.7/x")
        assert r.status_code == 200, r.text  # a camera on the network is fine


def test_source_changes_are_audited_with_old_and_new(
    media_app: Any, store: Store, tmp_path: Path
) -> None:
    with TestClient(media_app) as client:
        key = key_for(store, "lisbon", "admin")
        assert _set_source(client, key, "rtsp://u:pw@192.0.2.8/x").status_code == 200
    entry = accounts.audit_entries(store)[0]
    assert entry["action"] == "camera.update"
    assert entry["detail"]["source"] == {"old": "aisle.mp4", "new": "rtsp://u:***@192.0.2.8/x"}


def test_read_keys_see_sources_without_paths_or_credentials(
    client: TestClient, store: Store
) -> None:
    cams = client.get("/api/sites/lisbon/cameras", headers=key_for(store, "lisbon", "read")).json()
    assert [c["source"] for c in cams] == ["rtsp://10.0.0.5/…", "aisle.mp4"]
    login(client, "alice")  # an admin user still sees the URL (password masked)
    assert client.get("/api/sites/lisbon/cameras").json()[0]["source"] == (
        "rtsp://admin:***@10.0.0.5/stream"
    )


def test_snapshot_errors_do_not_tell_which_files_exist(
    admin: Admin, site_files: list[Path], tmp_path: Path
) -> None:
    client, csrf = admin
    (tmp_path / "notes.mp4").write_text("not a video")
    answers = set()
    for source in (str(tmp_path / "notes.mp4"), str(tmp_path / "missing.mp4")):
        assert _set_source(client, csrf, source).status_code == 200
        r = client.get("/api/sites/lisbon/cameras/aisle/snapshot.jpg")
        answers.add((r.status_code, r.json()["detail"]))
    assert len(answers) == 1, answers


# --- 9. caps on queued uploads; the SQLite file is the owner's only -----------------------------


def test_uploads_beyond_the_queue_are_refused_before_reading(
    admin: Admin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storepixel.api.routers import jobs

    monkeypatch.setattr(jobs, "MAX_PENDING_JOBS", 0)  # the real cap is 16 waiting or running
    r = _upload(admin, "clip.ts", _write_ts(tmp_path / "clip.ts").read_bytes())
    assert r.status_code == 429 and "try again later" in r.json()["detail"]
    assert not any((tmp_path / "data" / "uploads").glob("*/*"))  # nothing kept on disk


def test_a_new_sqlite_store_is_created_owner_only(tmp_path: Path) -> None:
    from storepixel.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'new' / 'store.db'}")
    try:
        accounts.create_user(store, "root", PASSWORD, "admin")
        for f in (tmp_path / "new").iterdir():  # the database and its -wal/-shm files
            assert f.stat().st_mode & 0o077 == 0, (f.name, oct(f.stat().st_mode))
    finally:
        store.close()


# --- 5. no open redirect after login -------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("/%09/evil.example/", "/"),  # the reported one: a tab that browsers drop
        ("/%0A/evil.example/", "/"),
        ("/%0D/evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/%5Cevil.example", "/"),  # a backslash, read as /
        ("https://evil.example/", "/"),
        ("/%20/evil.example", "/"),
        ("/login?next=//evil", "/"),
        ("/analytics?from=2024-05-01", "/analytics?from=2024-05-01"),
        ("/cameras/door", "/cameras/door"),
    ],
)
def test_login_keeps_only_same_origin_paths(client: TestClient, raw: str, safe: str) -> None:
    html = client.get(f"/login?next={raw}").text
    assert f'data-next="{safe}"' in html
    login(client, "alice")  # already logged in: the page redirects there itself
    r = client.get(f"/login?next={raw}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == safe
