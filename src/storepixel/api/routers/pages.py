"""Dashboard pages: Jinja2 shells whose small ES modules (``web/static/js``) call the REST API.

Pages carry no data of their own, so a page route only decides who may see it: a logged-in user,
else a redirect to ``/login?next=<path>``. Every asset is served from ``/static`` (no CDN), and a
Content-Security-Policy keeps scripts, styles and connections on this server.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from storepixel.api.deps.auth import Principal, principal_from
from storepixel.api.state import state_of
from storepixel.errors import StorepixelError

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# The Content-Security-Policy and nosniff come with every response (api/middleware.py).
HEADERS = {"Cache-Control": "no-store"}

templates = Jinja2Templates(directory=TEMPLATES_DIR)
router = APIRouter(include_in_schema=False)


def _user(request: Request) -> Principal | None:
    """The logged-in *user* behind the session cookie; pages are not for API keys."""
    try:
        principal = principal_from(request, state_of(request))
    except StorepixelError:  # a malformed or revoked bearer header: treat as logged out
        return None
    return principal if principal is not None and principal.kind == "user" else None


def _to_login(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


def _page(request: Request, template: str, page: str, title: str, **context: object) -> Response:
    if _user(request) is None:
        return _to_login(request)
    return templates.TemplateResponse(
        request, template, {"page": page, "title": title, **context}, headers=HEADERS
    )


def safe_next(raw: str | None) -> str:
    """Where to go after logging in: a path on this server, else ``/``.

    Browsers drop tabs and newlines from URLs and read a backslash as ``/``, so ``/`` + tab +
    ``/evil.example`` would become ``//evil.example`` (another site): anything with control
    characters, spaces or backslashes is refused, as is anything that is not a plain ``/path``.
    The login page's script applies the same rule (``web/static/js/pages/login.js``).
    """
    if not raw or not raw.startswith("/") or raw.startswith("/login"):
        return "/"
    if any(ch <= " " or ch in "\\\x7f" for ch in raw) or raw.startswith("//"):
        return "/"
    parts = urlsplit(raw)
    return raw if not parts.scheme and not parts.netloc else "/"


@router.get("/login")
def login_page(request: Request) -> Response:
    target = safe_next(request.query_params.get("next"))
    if _user(request) is not None:
        return RedirectResponse(target, status_code=303)
    context = {"next": target}
    return templates.TemplateResponse(request, "login.html", context, headers=HEADERS)


@router.get("/")
def overview_page(request: Request) -> Response:
    return _page(request, "overview.html", "overview", "Overview")


@router.get("/live")
def live_page(request: Request) -> Response:
    return _page(request, "live.html", "live", "Live")


@router.get("/cameras/{cam}")
def camera_page(request: Request, cam: str) -> Response:
    return _page(request, "camera.html", "camera", f"Camera {cam}", camera_id=cam)


@router.get("/analytics")
def analytics_page(request: Request) -> Response:
    return _page(request, "analytics.html", "analytics", "Analytics")


@router.get("/shelves")
def shelves_page(request: Request) -> Response:
    return _page(request, "shelves.html", "shelves", "Shelves")


@router.get("/events")
def events_page(request: Request) -> Response:
    return _page(request, "events.html", "events", "Events")


@router.get("/search")
def search_page(request: Request) -> Response:
    return _page(request, "search.html", "search", "Search")


@router.get("/alerts")
def alerts_page(request: Request) -> Response:
    return _page(request, "alerts.html", "alerts", "Alerts")


@router.get("/fleet")
def fleet_page(request: Request) -> Response:
    return _page(request, "fleet.html", "fleet", "Fleet")


@router.get("/uploads")
def uploads_page(request: Request) -> Response:
    return _page(request, "uploads.html", "uploads", "Uploads")


@router.get("/settings")
def settings_page(request: Request) -> Response:
    return _page(request, "settings.html", "settings", "Settings")
