"""Memory of a real ``storepixel serve`` under the two memory attacks of issue 16.

1. **Login flood**: ``--clients`` parallel clients (default 40) log in with random usernames for
   ``--seconds`` (default 20). Every unthrottled attempt costs one argon2id check (64 MiB).
2. **Oversize body**: one ``POST /api/auth/login`` of ``--body-mib`` (default 180) MiB, once
   with a ``Content-Length`` and once chunked (no length).

The server runs on loopback (a free port) from ``--src`` (default: this checkout's ``src``), so
the same script measures an older tree too, e.g. a ``git worktree`` of the commit before the fix.
Peak RSS is the kernel's high-water mark (``VmHWM`` in ``/proc/PID/status``), read after
start-up (the baseline), after the bodies, then after the flood; Linux only.

    python bench/security_memory.py                                  # this tree
    python bench/security_memory.py --src /tmp/old/src --label before --out bench/results/x.json
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "bench-correct-horse"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mib(pid: int) -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of ``pid``, MiB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out["rss" if key == "VmRSS" else "peak"] = round(int(value.split()[0]) / 1024, 1)
    return out


def start_server(src: Path, tmp: Path) -> tuple[subprocess.Popen[bytes], int]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    cli = [sys.executable, "-m", "storepixel.cli"]
    db = f"sqlite:///{tmp / 'store.db'}"
    site = tmp / "site.yaml"
    site.write_text("site: {id: demo}\ncameras:\n- {id: cam1}\n")
    subprocess.run(
        [*cli, "users", "create", "alice", "--role", "admin", "--password-stdin", "--db", db],
        input=(PASSWORD + "\n").encode(),
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    port = free_port()
    cmd = [*cli, "serve", "--site", str(site), "--db", db, "--port", str(port)]
    cmd += ["--data-dir", str(tmp / "data")]
    log = (tmp / "serve.log").open("wb")
    process = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            break
    process.kill()
    raise SystemExit(f"server did not start: {(tmp / 'serve.log').read_text()[-2000:]}")


def login_flood(port: int, clients: int, seconds: float) -> dict[str, Any]:
    codes: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        while time.monotonic() < stop:
            body = json.dumps({"username": f"u{secrets.token_hex(6)}", "password": "x" * 16})
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request("POST", "/api/auth/login", body, {"Content-Type": "application/json"})
                status = str(conn.getresponse().status)
                conn.close()
            except OSError as err:
                status = type(err).__name__
            with lock:
                codes[status] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return dict(sorted(codes.items()))


def oversize_body(port: int, mib: int, chunked: bool) -> str:
    chunk = b"a" * (1024 * 1024)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.putrequest("POST", "/api/auth/login")
        conn.putheader("Content-Type", "application/json")
        if chunked:
            conn.putheader("Transfer-Encoding", "chunked")
        else:
            conn.putheader("Content-Length", str(mib * len(chunk) + 32))
        conn.endheaders()
        body = [b'{"username": "x", "password": "'] + [chunk] * mib + [b'"}']
        for part in body:
            conn.send(b"%x\r\n%s\r\n" % (len(part), part) if chunked else part)
        if chunked:
            conn.send(b"0\r\n\r\n")
        return str(conn.getresponse().status)
    except OSError as err:  # the server answered early and closed: what it said is below
        try:
            return f"{conn.getresponse().status} (closed early: {type(err).__name__})"
        except (OSError, http.client.HTTPException):
            return f"closed early ({type(err).__name__})"
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=REPO / "src")
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--body-mib", type=int, default=180)
    parser.add_argument("--out", type=Path, help="append the result to this JSON list")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        process, port = start_server(args.src.resolve(), Path(tmp))
        try:
            time.sleep(1.0)
            result: dict[str, Any] = {"label": args.label, "src": str(args.src)}
            result["start"] = memory_mib(process.pid)
            cpu0 = time.process_time()
            # Bodies first: the flood's peak would hide theirs (the high-water mark only grows).
            result["body_with_length"] = oversize_body(port, args.body_mib, chunked=False)
            result["body_chunked"] = oversize_body(port, args.body_mib, chunked=True)
            result["after_bodies"] = memory_mib(process.pid)
            result["flood_codes"] = login_flood(port, args.clients, args.seconds)
            result["after_flood"] = memory_mib(process.pid)
            result["client_cpu_s"] = round(time.process_time() - cpu0, 2)
            result["settings"] = {
                "clients": args.clients,
                "seconds": args.seconds,
                "body_mib": args.body_mib,
            }
            result["load"] = os.getloadavg()
        finally:
            process.terminate()
            process.wait(timeout=30)
    print(json.dumps(result, indent=2))
    if args.out:
        data = json.loads(args.out.read_text()) if args.out.exists() else []
        args.out.write_text(json.dumps([*data, result], indent=2) + "\n")


if __name__ == "__main__":
    main()
