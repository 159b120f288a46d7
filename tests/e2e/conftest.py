"""End-to-end set-up: a real ``storepixel serve`` and Debian's chromium driven by Playwright.

The server runs as a subprocess on a free port with a temporary SQLite store, a temporary copy of
``examples/sites/vtest.yaml`` (its source pointed at the sample footage) and an admin created
with ``storepixel users create``. The browser is the system ``chromium`` — no ``playwright
install`` and nothing downloaded. Screenshots of every step go to ``out/e2e-screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.fixtures.rtsp_server import free_port

REPO = Path(__file__).resolve().parents[2]
SITE_EXAMPLE = REPO / "examples" / "sites" / "vtest.yaml"
SHOTS = REPO / "out" / "e2e-screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN, PASSWORD = "admin", "e2e-correct-horse"
CLIP_SECONDS = 10
Shot = Callable[[Page, str], Path]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: drives a real browser against a real server")


def chromium_path() -> str | None:
    """Debian's chromium (``scripts/system_deps.sh`` installs it), or $STOREPIXEL_CHROMIUM."""
    for candidate in (
        os.environ.get("STOREPIXEL_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
        shutil.which("chromium-browser"),
    ):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def storepixel_cli() -> list[str]:
    exe = Path(sys.executable).with_name("storepixel")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "storepixel.cli"]


@dataclass
class Server:
    """A running ``storepixel serve``."""

    url: str
    site_file: Path
    db_url: str
    process: subprocess.Popen[str]
    log: Path
    shots: list[Path] = field(default_factory=list)

    def api(self, path: str) -> str:
        return self.url + path


def _wait_healthy(server: Server, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"storepixel serve exited: {server.log.read_text()[-2000:]}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(server.api("/healthz"), timeout=2) as r,
        ):
            if r.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"storepixel serve did not answer /healthz: {server.log.read_text()}")


def start_server(
    tmp: Path, vtest: Path, *, run: bool = False, extra_sites: Sequence[Path] = ()
) -> Server:
    """Site copy (and ``extra_sites``) + store + admin, then ``storepixel serve`` on a free
    port."""
    site_text = SITE_EXAMPLE.read_text(encoding="utf-8")
    site_text = re.sub(r"source: \S+", f"source: {vtest}", site_text, count=1)
    site_file = tmp / "site.yaml"
    site_file.write_text(site_text, encoding="utf-8")
    db_url = f"sqlite:///{tmp / 'store.db'}"
    cli = storepixel_cli()
    subprocess.run(
        [*cli, "users", "create", ADMIN, "--role", "admin", "--password-stdin", "--db", db_url],
        input=PASSWORD + "\n",
        text=True,
        check=True,
        capture_output=True,
        timeout=60,
    )
    port = free_port()
    log = tmp / "serve.log"
    cmd = [*cli, "serve", "--site", str(site_file), "--db", db_url, "--port", str(port)]
    for extra in extra_sites:
        cmd += ["--site", str(extra)]
    cmd += ["--data-dir", str(tmp / "data"), *(["--run"] if run else [])]
    with log.open("w") as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=tmp)
    server = Server(f"http://127.0.0.1:{port}", site_file, db_url, process, log)
    try:
        _wait_healthy(server)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=5)


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium not found at /usr/bin/chromium (run scripts/system_deps.sh)")
    return path


@pytest.fixture(scope="module")
def server(
    tmp_path_factory: pytest.TempPathFactory, vtest_path: Path, chromium: str
) -> Iterator[Server]:
    srv = start_server(tmp_path_factory.mktemp("serve"), vtest_path.resolve())
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def live_server(
    tmp_path_factory: pytest.TempPathFactory, vtest_path: Path, chromium: str
) -> Iterator[Server]:
    """``storepixel serve --run``: the site's camera (the sample file) analysed live in-process."""
    srv = start_server(tmp_path_factory.mktemp("serve-live"), vtest_path.resolve(), run=True)
    try:
        yield srv
    finally:
        stop_server(srv)


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture()
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any uncaught script error."""
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    assert not errors, f"script errors on the page: {errors}"


def log_in(page: Page, server: Server) -> Page:
    """Give ``page`` an admin session through the API (the UI login has its own test)."""
    r = page.context.request.post(
        server.api("/api/auth/login"), data={"username": ADMIN, "password": PASSWORD}
    )
    assert r.ok, r.text()
    return page


@pytest.fixture()
def admin_page(page: Page, server: Server) -> Page:
    return log_in(page, server)


@pytest.fixture(scope="session")
def shot() -> Iterator[Shot]:
    """``shot(page, name)`` saves a full-page screenshot as out/e2e-screenshots/NN-name.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("*.png"):
        old.unlink()
    count = [0]

    def take(page: Page, name: str) -> Path:
        count[0] += 1
        path = SHOTS / f"{count[0]:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    yield take


@pytest.fixture(scope="session")
def clip(tmp_path_factory: pytest.TempPathFactory, vtest_path: Path) -> Path:
    """The first 10 s of vtest.avi as H.264 MP4, like a clip exported from a recorder."""
    import av

    dest = tmp_path_factory.mktemp("clip") / "entrance-clip.mp4"
    with av.open(str(vtest_path)) as src, av.open(str(dest), "w") as out:
        stream_in = src.streams.video[0]
        rate = stream_in.average_rate or 10
        stream = out.add_stream("libx264", rate=rate, options={"preset": "ultrafast"})
        stream.width, stream.height = stream_in.codec_context.width, stream_in.codec_context.height
        stream.pix_fmt = "yuv420p"
        for i, frame in enumerate(src.decode(stream_in)):
            if i >= CLIP_SECONDS * rate:
                break
            frame.pts = None
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return dest


def wait_until(page: Page, expression: str, timeout: float = 15.0) -> None:
    """Poll a JavaScript expression until it is truthy. (``page.wait_for_function`` evaluates
    strings with ``eval``, which the dashboard's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


# Roles a user operates or reads on their own: each needs an accessible name (a label, alt text,
# aria-label or its text), as computed by Chromium's accessibility tree.
NAMED_ROLES = {
    "button", "checkbox", "combobox", "img", "link", "listbox", "progressbar", "radio",
    "searchbox", "slider", "spinbutton", "switch", "tab", "textbox",
}  # fmt: skip


def unnamed_controls(page: Page) -> list[str]:
    """Controls and images on the page that a screen reader would announce without a name."""
    cdp = page.context.new_cdp_session(page)
    try:
        found = []
        for node in cdp.send("Accessibility.getFullAXTree")["nodes"]:
            role = node.get("role", {}).get("value")
            name = str((node.get("name") or {}).get("value", "")).strip()
            if node.get("ignored") or role not in NAMED_ROLES or name:
                continue
            dom = cdp.send("DOM.describeNode", {"backendNodeId": node["backendDOMNodeId"]})
            attrs = dom["node"].get("attributes", [])
            found.append(f"{role} <{dom['node'].get('localName')} {' '.join(attrs)}>")
        return found
    finally:
        cdp.detach()
