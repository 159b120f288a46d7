"""An app over two real sites (YAML files in a temp folder) and a real SQLite store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
import yaml
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from storepixel.api.app import create_app
from storepixel.api.source_policy import SourcePolicy
from storepixel.config.site import load_site
from storepixel.pipeline.annotate import VideoWriter
from storepixel.store import Store, accounts, open_store
from tests.fixtures.footage import SAMPLES

PASSWORD = "correct horse battery"
SITE_A = {
    "site": {"id": "lisbon", "name": "Lisbon Store", "timezone": "Europe/Lisbon"},
    "cameras": [
        {
            "id": "door",
            "source": "rtsp://admin:hunter2@10.0.0.5/stream",
            "lines": [{"id": "entrance", "points": [[0.1, 0.6], [0.9, 0.6]]}],
            "zones": [
                {"id": "till", "kind": "queue", "polygon": [[0.2, 0.3], [0.8, 0.3], [0.8, 0.9]]}
            ],
        },
        {"id": "aisle", "source": "aisle.mp4"},
    ],
}
SITE_B = {
    "site": {"id": "porto", "timezone": "UTC"},
    "cameras": [{"id": "cam1", "zones": [{"id": "z", "polygon": [[0, 0], [1, 0], [1, 1]]}]}],
}


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Same algorithm (argon2id), test-sized cost: the real cost is a deployment setting.
    monkeypatch.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def site_files(tmp_path: Path) -> list[Path]:
    paths = []
    for data in (SITE_A, SITE_B):
        path = tmp_path / f"{data['site']['id']}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    yield s
    s.close()


@pytest.fixture
def app(site_files: list[Path], store: Store, tmp_path: Path) -> Any:
    sites = [load_site(p) for p in site_files]
    return create_app(
        sites,
        store,
        data_dir=tmp_path / "data",
        secret_key="s" * 40,
        max_upload_bytes=2 * 1024 * 1024,
        source_policy=SourcePolicy.of(media_roots=[tmp_path, SAMPLES]),
    )


@pytest.fixture
def users(store: Store) -> None:
    accounts.create_user(store, "alice", PASSWORD, "admin")
    accounts.create_user(store, "victor", PASSWORD, "viewer")


def login(client: TestClient, username: str) -> dict[str, str]:
    """Log in; returns the headers a browser script would send (the CSRF token)."""
    r = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"X-CSRF-Token": r.json()["csrf_token"]}


@pytest.fixture
def client(app: Any, users: None) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def admin(app: Any, users: None) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with TestClient(app) as c:
        yield c, login(c, "alice")


def key_for(store: Store, site: str, *scopes: str) -> dict[str, str]:
    _, secret = accounts.create_key(store, "test", site, list(scopes), "test")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture(scope="session")
def clip(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 3 s of vtest.avi (PETS2009, people walking) as an MP4."""
    out = tmp_path_factory.mktemp("clip") / "walk.mp4"
    writer = VideoWriter(out, 10)
    with av.open(str(vtest_path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i >= 30:
                break
            writer.write(frame.to_ndarray(format="bgr24"))
    writer.close()
    return out
