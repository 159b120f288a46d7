"""Dashboard page routes: who sees a page, the security headers, and that every asset is local."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from storepixel.api.routers.pages import STATIC_DIR, TEMPLATES_DIR
from tests.unit.api.conftest import key_for, login

PAGES = ["/", "/live", "/cameras/door", "/analytics", "/events", "/search", "/uploads", "/settings"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_redirect_to_login_when_logged_out(client: TestClient, path: str) -> None:
    r = client.get(path + "?site=lisbon", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=" + quote(path + "?site=lisbon", safe="")


def test_an_api_key_does_not_open_pages(client: TestClient, store: Any) -> None:
    r = client.get("/", headers=key_for(store, "lisbon", "admin"), follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_a_user_with_a_strict_policy(client: TestClient, path: str) -> None:
    login(client, "victor")  # a viewer sees every page; the API decides what they may change
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-eval" not in csp
    script = re.search(r'<script type="module" src="(/static/js/pages/\w+\.js)">', r.text)
    assert script is not None and client.get(script.group(1)).status_code == 200
    assert "<script>" not in r.text  # no inline scripts


def test_login_page_and_logged_in_redirect(client: TestClient) -> None:
    r = client.get("/login")
    assert r.status_code == 200 and 'id="login-form"' in r.text
    login(client, "alice")
    r = client.get("/login", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_current_page_is_marked_in_the_navigation(client: TestClient) -> None:
    login(client, "alice")
    html = client.get("/analytics").text
    assert '<a href="/analytics" aria-current="page">Analytics</a>' in html
    assert html.count('aria-current="page"') == 1


def test_camera_id_is_escaped(client: TestClient) -> None:
    login(client, "alice")
    r = client.get("/cameras/%3Cimg%20src=x%20onerror=alert(1)%3E")
    assert r.status_code == 200
    assert "<img src=x" not in r.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in r.text


def _local_refs() -> list[str]:
    """Every /static/... URL named by a template, and every module a script imports."""
    refs = []
    for tpl in TEMPLATES_DIR.glob("*.html"):
        refs += re.findall(r'(?:src|href)="(/static/[^"{]+)"', tpl.read_text(encoding="utf-8"))
    for js in (STATIC_DIR / "js").rglob("*.js"):
        for rel in re.findall(r'from "(\.{1,2}/[^"]+)"', js.read_text(encoding="utf-8")):
            target = (js.parent / rel).resolve().relative_to(STATIC_DIR.resolve())
            refs.append(f"/static/{target.as_posix()}")
    return sorted(set(refs))


def test_every_asset_is_served_locally(client: TestClient) -> None:
    refs = _local_refs()
    assert "/static/vendor/uplot/uPlot.iife.min.js" in refs
    assert "/static/js/editor.js" in refs
    for ref in refs:
        assert client.get(ref).status_code == 200, ref


def test_no_asset_comes_from_elsewhere() -> None:
    ours = [*TEMPLATES_DIR.glob("*.html"), *STATIC_DIR.glob("css/*.css")]
    ours += (STATIC_DIR / "js").rglob("*.js")
    for path in ours:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(?:src|href|url\()\s*=?\s*["']?(?:https?:)?//""", text), path
        assert not re.search(r"""import\s*\(?\s*["'](?:https?:)?//""", text), path


def test_chart_library_is_vendored_with_its_licence() -> None:
    vendor = STATIC_DIR / "vendor"
    assert "MIT License" in (vendor / "uplot" / "LICENSE").read_text(encoding="utf-8")
    readme = (vendor / "README.md").read_text(encoding="utf-8")
    script = (Path(__file__).resolve().parents[3] / "tools" / "vendor_uplot.sh").read_text()
    version = re.search(r"^version=(\S+)$", script, re.M)
    integrity = re.search(r'^integrity="(\S+)"$', script, re.M)
    assert version and integrity
    assert f"| {version.group(1)} |" in readme and integrity.group(1) in readme
