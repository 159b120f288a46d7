"""``storepixel serve`` as a real server on loopback: what only a listening socket shows.

- a forged ``X-Forwarded-For`` from a client that is not a configured proxy changes nothing
  (issue 16, finding 6: it used to reset the login throttle on every attempt);
- a connection that trickles its headers (slowloris) or sends nothing is closed.
"""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
import yaml

from tests.e2e.conftest import storepixel_cli
from tests.fixtures.rtsp_server import free_port

pytestmark = pytest.mark.slow
PASSWORD = "serve-correct-horse"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("serve-security")
    site = tmp / "site.yaml"
    site.write_text(yaml.safe_dump({"site": {"id": "demo"}, "cameras": [{"id": "cam1"}]}))
    db = f"sqlite:///{tmp / 'store.db'}"
    cli = storepixel_cli()
    subprocess.run(
        [*cli, "users", "create", "alice", "--role", "admin", "--password-stdin", "--db", db],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    cmd = [*cli, "serve", "--site", str(site), "--db", db, "--port", str(port)]
    cmd += ["--data-dir", str(tmp / "data"), "--header-timeout-s", "2"]
    log = (tmp / "serve.log").open("w")
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp / "serve.log").read_text()) from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()


def _login(url: str, forwarded_for: str) -> int:
    body = json.dumps({"username": "alice", "password": "not-the-password"}).encode()
    request = urllib.request.Request(
        url + "/api/auth/login",
        data=body,
        headers={"Content-Type": "application/json", "X-Forwarded-For": forwarded_for},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return int(r.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_a_forged_forwarded_for_does_not_reset_the_login_throttle(server: str) -> None:
    codes = [_login(server, f"203.0.113.{i}") for i in range(7)]
    assert codes == [401] * 5 + [429] * 2


def test_a_connection_that_trickles_its_headers_is_closed(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        for _ in range(8):  # one more header line a second would keep it open forever
            time.sleep(1)
            try:
                slow.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break
        slow.settimeout(10)
        try:
            data = slow.recv(1024)
        except OSError:
            data = b""
        assert data == b"" and time.monotonic() - started < 6  # closed after ~2 s, no answer
    with socket.create_connection(("127.0.0.1", port), timeout=10) as idle:
        idle.settimeout(10)
        started = time.monotonic()
        assert idle.recv(1024) == b"" and time.monotonic() - started < 6
