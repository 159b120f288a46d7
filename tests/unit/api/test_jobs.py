"""Video jobs: a real clip analysed in the background with progress, cancel, and every bad
upload refused with a clear 4xx and nothing left on disk."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storepixel.store import Store
from tests.unit.api.conftest import key_for

Admin = tuple[TestClient, dict[str, str]]
URL = "/api/sites/lisbon/jobs"


def uploads_left(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "data" / "uploads").glob("**/*") if p.is_file()]


def wait(client: TestClient, job_id: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"{URL}/{job_id}", headers=headers or {}).json()
        if job["status"] not in ("queued", "running"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish: {job}")


@pytest.mark.slow
def test_upload_is_analysed_in_the_background(
    client: TestClient, store: Store, clip: Path, tmp_path: Path
) -> None:
    ingest = key_for(store, "lisbon", "ingest")
    with clip.open("rb") as f:
        r = client.post(
            URL,
            files={"file": ("walk.mp4", f, "video/mp4")},
            data={"camera": "aisle", "start": "2024-05-01T09:00:00"},
            headers=ingest,
        )
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] in ("queued", "running") and job["filename"] == "walk.mp4"
    assert job["start"] == "2024-05-01T08:00:00+00:00"  # naive start read in Lisbon time
    done = wait(client, job["id"], ingest)
    assert done["status"] == "done" and done["progress"] == 1.0 and done["error"] is None
    assert done["result"]["frames"] == 15 and done["result"]["camera"] == "aisle"
    assert done["result"]["timeline_start"] == "2024-05-01T08:00:00+00:00"
    assert uploads_left(tmp_path) == []  # the video is deleted once analysed
    events = client.get("/api/sites/lisbon/events", headers=ingest).json()["items"]
    assert len(events) == done["result"]["events"] > 0  # people walk through vtest
    from storepixel.store.heatmaps import load_grid

    assert load_grid(store, "lisbon", "aisle", 0, 2e9).sum() > 0
    listed = client.get(URL, headers=ingest).json()
    assert [j["id"] for j in listed] == [job["id"]]


@pytest.mark.slow
def test_cancel_a_queued_job(admin: Admin, clip: Path, tmp_path: Path) -> None:
    client, csrf = admin
    ids = []
    for _ in range(2):
        with clip.open("rb") as f:
            r = client.post(
                URL, files={"file": ("walk.mp4", f)}, data={"camera": "aisle"}, headers=csrf
            )
        ids.append(r.json()["id"])
    r = client.delete(f"{URL}/{ids[1]}", headers=csrf)
    assert r.status_code == 200 and r.json()["status"] in ("cancelled", "running")
    assert wait(client, ids[1])["status"] == "cancelled"
    assert wait(client, ids[0])["status"] == "done"
    assert client.delete(f"{URL}/{ids[1]}", headers=csrf).status_code == 409
    assert uploads_left(tmp_path) == []
    assert client.get("/api/audit").json()[0]["action"] == "job.cancel"


def test_not_a_video(admin: Admin, tmp_path: Path) -> None:
    client, csrf = admin
    r = client.post(
        URL,
        files={"file": ("notes.mp4", b"hello, not a video" * 100)},
        data={"camera": "aisle"},
        headers=csrf,
    )
    assert r.status_code == 415
    assert r.json()["detail"] == "notes.mp4: not a video file (expected e.g. MP4, AVI, MKV)"
    assert uploads_left(tmp_path) == [] and client.get(URL).json() == []


def test_over_the_size_limit_is_refused_while_streaming(admin: Admin, tmp_path: Path) -> None:
    client, csrf = admin
    big = b"\0" * (3 * 1024 * 1024)  # the test app's limit is 2 MiB

    def chunks():  # no Content-Length: the limit must hold while streaming
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    boundary = "xyzBOUNDARY"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="camera"\r\n\r\naisle\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.mp4"\r\n'
        "Content-Type: video/mp4\r\n\r\n"
    ).encode()

    def body():
        yield head
        yield from chunks()
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        URL,
        content=body(),
        headers={**csrf, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413 and "limit of 2 MiB" in r.json()["detail"]
    assert uploads_left(tmp_path) == []
    r = client.post(URL, files={"file": ("big.mp4", big)}, data={"camera": "aisle"}, headers=csrf)
    assert r.status_code == 413  # with a Content-Length it is refused before reading


@pytest.mark.parametrize("name", ["../evil.mp4", "..", "a/b.mp4", "..\\x.mp4"])
def test_filenames_with_folders_are_refused(admin: Admin, tmp_path: Path, name: str) -> None:
    client, csrf = admin
    r = client.post(URL, files={"file": (name, b"x")}, data={"camera": "aisle"}, headers=csrf)
    assert r.status_code == 422 and "invalid filename" in r.json()["detail"]
    assert uploads_left(tmp_path) == []
    assert not (tmp_path / "data" / "evil.mp4").exists()


def test_bad_form_fields(admin: Admin, tmp_path: Path) -> None:
    client, csrf = admin
    r = client.post(URL, files={"file": ("a.mp4", b"x")}, headers=csrf)
    assert r.status_code == 422 and "camera" in r.json()["detail"]
    r = client.post(URL, files={"file": ("a.mp4", b"x")}, data={"camera": "nope"}, headers=csrf)
    assert r.status_code == 404
    r = client.post(
        URL,
        files={"file": ("a.mp4", b"x")},
        data={"camera": "aisle", "start": "soon"},
        headers=csrf,
    )
    assert r.status_code == 422 and "start: not an ISO 8601 time" in r.json()["detail"]
    r = client.post(URL, json={"camera": "aisle"}, headers=csrf)
    assert r.status_code == 422 and "multipart/form-data" in r.json()["detail"]
    r = client.post(URL, data={"camera": "aisle"}, files={"other": ("a", b"")}, headers=csrf)
    assert r.status_code == 422
    assert uploads_left(tmp_path) == []


def test_read_key_cannot_upload_and_other_sites_jobs_are_hidden(
    client: TestClient, store: Store
) -> None:
    r = client.post(
        URL,
        files={"file": ("a.mp4", b"x")},
        data={"camera": "aisle"},
        headers=key_for(store, "lisbon", "read"),
    )
    assert r.status_code == 403
    r = client.get(URL, headers=key_for(store, "porto", "admin"))
    assert r.status_code == 404
    assert client.get(f"{URL}/nope", headers=key_for(store, "lisbon", "ingest")).status_code == 404
