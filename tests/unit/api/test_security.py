"""Regression tests of the security review (issue 16): each reproduces the original request and
asserts the safe outcome. The memory findings (login hashing, body size) are measured by
``bench/security_memory.py`` against a real server; here only their mechanism is checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from storepixel.api.app import create_app
from storepixel.config.site import load_site
from storepixel.store import Store

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
