"""`storepixel users`, `keys` and `serve` as a user meets them: real subprocesses, one-line
errors, and a real server answering over HTTP."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.fixtures.helpers import storepixel
from tests.unit.test_cli import assert_one_line_error


def cli(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """In-process run (fast); same output streams and exit codes as the subprocess."""
    from typer.testing import CliRunner

    from storepixel.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], input=stdin)
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_users_and_keys(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    made = cli(
        "users",
        "create",
        "alice",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        db,
        stdin="correct horse battery\n",
    )
    assert made.returncode == 0, made.stderr
    assert "alice (admin) created" in made.stderr
    assert cli("users", "list", "--db", db).stdout == "alice\tadmin\n"
    again = cli(
        "users", "create", "alice", "--password-stdin", "--db", db, stdin="correct horse battery\n"
    )
    assert_one_line_error(again, "user 'alice' already exists")
    short = cli("users", "create", "bob", "--password-stdin", "--db", db, stdin="abc\n")
    assert_one_line_error(short, "password too short")
    bad = cli("users", "create", "../x", "--password-stdin", "--db", db, stdin="x" * 9)
    assert_one_line_error(bad, "invalid username")

    site = tmp_path / "lisbon.yaml"
    site.write_text("site: {id: lisbon}\ncameras: [{id: door}]\n")
    key = cli("keys", "create", "--site", site, "--scope", "read", "--name", "pos", "--db", db)
    assert key.returncode == 0 and key.stdout.startswith("spk_")
    key_id = key.stdout.split("_")[1]
    listed = cli("keys", "list", "--db", db).stdout
    assert listed.startswith(f"{key_id}\tlisbon\tread\tactive\tpos") and "spk_" not in listed
    assert cli("keys", "revoke", key_id, "--db", db).returncode == 0
    assert "\trevoked\t" in cli("keys", "list", "--db", db).stdout
    assert_one_line_error(cli("keys", "revoke", "nope", "--db", db), "no API key 'nope'")
    bad_scope = cli("keys", "create", "--site", site, "--scope", "root", "--db", db)
    assert_one_line_error(bad_scope, "unknown scope root")


def test_serve_with_a_missing_site_file(tmp_path: Path) -> None:
    result = storepixel("serve", "--site", tmp_path / "nope.yaml")
    assert_one_line_error(result, "site config not found")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_serve(
    site: Path, db: str, data_dir: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], int]:
    """``storepixel serve`` as a real subprocess on a free port."""
    port = _free_port()
    command = [sys.executable, "-m", "storepixel.cli", "serve", "--site", str(site), "--db", db]
    command += ["--port", str(port), "--data-dir", str(data_dir), *extra]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    return proc, port


@pytest.mark.slow
def test_serve_answers_over_http(tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump({"site": {"id": "demo"}, "cameras": [{"id": "cam1"}]}))
    db = f"sqlite:///{tmp_path / 's.db'}"
    storepixel(
        "users",
        "create",
        "alice",
        "--role",
        "admin",
        "--password-stdin",
        "--db",
        db,
        stdin="correct horse battery\n",
    )
    proc, port = _start_serve(
        site, db, tmp_path / "data", env={**os.environ, "STOREPIXEL_SECRET_KEY": ""}
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read()  # it exited: say why
            assert time.monotonic() < deadline, "server not up after 60 s"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as http:
            assert http.get("/api/sites").status_code == 401
            r = http.post(
                "/api/auth/login", json={"username": "alice", "password": "correct horse battery"}
            )
            assert r.status_code == 200
            assert http.get("/api/sites").json() == [
                {"id": "demo", "name": "demo", "timezone": "UTC"}
            ]
            assert http.get("/docs").status_code == 200
        secret = tmp_path / "data" / "secret_key"
        assert secret.exists() and (secret.stat().st_mode & 0o777) == 0o600
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.slow
def test_serve_run_streams_live_and_stops_cleanly(tmp_path: Path, vtest_path: Path) -> None:
    site = tmp_path / "site.yaml"
    camera = {
        "id": "cam1",
        "source": str(vtest_path),
        "loop": True,
        "analysis_fps": 5,
        "lines": [{"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}],
    }
    site.write_text(yaml.safe_dump({"site": {"id": "demo"}, "cameras": [camera]}))
    db = f"sqlite:///{tmp_path / 's.db'}"
    created = cli("keys", "create", "--site", site, "--scope", "read", "--db", db)
    assert created.returncode == 0, created.stderr
    key = created.stdout.strip()
    proc, port = _start_serve(site, db, tmp_path / "data", "--run")
    headers = {"Authorization": f"Bearer {key}"}
    url = f"http://127.0.0.1:{port}/api/sites/demo/cameras/cam1/health"
    try:
        deadline = time.monotonic() + 90
        state = None
        while state != "streaming":
            assert proc.poll() is None, proc.stderr.read()  # it exited: say why
            assert time.monotonic() < deadline, f"camera not streaming after 90 s: {state}"
            try:
                r = httpx.get(url, headers=headers, timeout=2)
                state = r.json().get("state") if r.status_code == 200 else None
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        time.sleep(3)  # let it analyse a few seconds of people walking
    finally:
        proc.terminate()
        rc = proc.wait(timeout=60)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so the exit status tells why it ended
    stderr = proc.stderr.read()
    assert rc in (0, -signal.SIGTERM) and "Traceback" not in stderr, stderr
    from storepixel.store import open_store
    from storepixel.store.queries import event_stats

    with open_store(db) as store:  # written as it ran, flushed on stop
        assert event_stats(store, site_id="demo").total > 0
