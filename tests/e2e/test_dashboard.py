"""The dashboard in a real browser against a real server: log in, draw a line, upload a clip,
watch the progress bar finish and see the counts on the analytics page.

Each step saves a screenshot to out/e2e-screenshots/. The tests of this module share one server
and run in file order; each logs in on its own, and the upload does not depend on the drawn line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, PASSWORD, Server, Shot, unnamed_controls, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SITE, CAM = "demo", "cam1"
CAM_API = f"/api/sites/{SITE}/cameras/{CAM}"


def test_login_redirects_and_rejects_a_wrong_password(
    page: Page, server: Server, shot: Shot
) -> None:
    page.goto(server.api("/analytics"))
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fanalytics$"))
    page.fill("#username", ADMIN)
    page.fill("#password", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator("#login-msg")).to_have_text("Wrong username or password.")
    assert unnamed_controls(page) == []
    shot(page, "login-wrong-password")

    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    # Back where the redirect started (the page then writes its range into the address).
    expect(page).to_have_url(re.compile(re.escape(server.api("/analytics")) + r"(\?|$)"))
    expect(page.locator("#user-name")).to_have_text(f"{ADMIN} (admin)")
    shot(page, "logged-in-analytics")


def test_every_page_loads_without_errors(admin_page: Page, server: Server, shot: Shot) -> None:
    """Each page renders its data with no script error, and every control and image has an
    accessible name."""
    for path, heading, loaded in [
        ("/", "Overview", "#kpis .kpi"),
        ("/live", "Live", "[data-camera=cam1]"),
        (f"/cameras/{CAM}", "Camera cam1", "#shape-list tr"),
        ("/analytics", "Analytics", "#totals .kpi"),
        ("/events", "Events", "#events tr"),
        ("/uploads", "Uploads", "#jobs tr"),
        ("/settings", "Settings", "#users tr"),
    ]:
        admin_page.goto(server.api(path))
        expect(admin_page.locator("h1")).to_have_text(heading)
        expect(admin_page.locator("#site-name")).to_have_text("Demo Store")
        expect(admin_page.locator(loaded).first).to_be_visible()
        expect(admin_page.locator("#page-msg")).to_be_empty()
        assert unnamed_controls(admin_page) == [], path
        shot(admin_page, f"page-{path.strip('/').replace('/', '-') or 'overview'}")
    # Without --run the live wall says why there is no picture instead of spinning.
    admin_page.goto(server.api("/live"))
    expect(admin_page.locator(f"[data-camera={CAM}] .when")).to_contain_text("not running")


def _canvas_xy(page: Page, fx: float, fy: float) -> tuple[float, float]:
    box = page.locator("#editor-canvas").bounding_box()
    assert box is not None
    return box["x"] + box["width"] * fx, box["y"] + box["height"] * fy


def _canvas_click(page: Page, fx: float, fy: float) -> None:
    page.mouse.click(*_canvas_xy(page, fx, fy))


def _canvas_drag(page: Page, start: tuple[float, float], end: tuple[float, float]) -> None:
    page.mouse.move(*_canvas_xy(page, *start))
    page.mouse.down()
    page.mouse.move(*_canvas_xy(page, *end), steps=5)
    page.mouse.up()


def test_line_drawn_on_the_camera_page_is_saved(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    page = admin_page
    page.goto(server.api(f"/cameras/{CAM}"))
    wait_until(page, "document.getElementById('snapshot').naturalWidth > 0")
    expect(page.locator("#shape-list tr[data-shape='line:walkway']")).to_be_visible()
    expect(page.locator("#save-shape")).to_be_disabled()  # no points yet

    page.fill("#shape-id", "e2e-door")
    page.fill("#shape-name", "Door drawn in the browser")
    _canvas_click(page, 0.2, 0.7)
    _canvas_click(page, 0.8, 0.7)
    points = re.compile(r"^0\.2\d*, 0\.7\d*\n0\.8\d*, 0\.7")
    expect(page.locator("#shape-points")).to_have_value(points)
    # Dragging the second point moves it (a press on a point never adds one).
    _canvas_drag(page, (0.8, 0.7), (0.85, 0.72))
    points = re.compile(r"^0\.2\d*, 0\.7\d*\n0\.85\d*, 0\.72\d*$")
    expect(page.locator("#shape-points")).to_have_value(points)
    shot(page, "camera-line-drawn")
    page.click("#save-shape")
    expect(page.locator("#shape-msg")).to_contain_text('Saved line "e2e-door"')
    expect(page.locator("#shape-list tr[data-shape='line:e2e-door']")).to_be_visible()
    shot(page, "camera-line-saved")

    # Persisted: the API returns it with the clicked coordinates, and the site file has it.
    r = page.context.request.get(server.api(f"{CAM_API}/lines"))
    assert r.ok, r.text()
    line = next(ln for ln in r.json() if ln["id"] == "e2e-door")
    assert line["name"] == "Door drawn in the browser" and line["footfall"] is True
    (x1, y1), (x2, y2) = line["points"]
    assert (x1, y1, x2, y2) == pytest.approx((0.2, 0.7, 0.85, 0.72), abs=0.01)
    site = yaml.safe_load(server.site_file.read_text(encoding="utf-8"))
    assert "e2e-door" in [ln["id"] for ln in site["cameras"][0]["lines"]]

    # After a reload it is listed again; Edit loads it, typed points replace it (PUT).
    page.reload()
    row = page.locator("#shape-list tr[data-shape='line:e2e-door']")
    row.get_by_role("button", name="Edit line e2e-door").click()
    expect(page.locator("#shape-id")).to_have_value("e2e-door")
    expect(page.locator("#shape-id")).to_have_attribute("readonly", "")
    page.fill("#shape-points", "0.85, 0.65\n0.2, 0.65")
    page.click("#reverse-points")  # walking the other way now counts as in
    expect(page.locator("#shape-points")).to_have_value("0.2, 0.65\n0.85, 0.65")
    expect(page.locator("#save-shape")).to_have_text("Update line")
    expect(page.locator("#line-footfall")).to_be_checked()
    page.uncheck("#line-footfall")  # an inner line: not counted as people entering the store
    with page.expect_request(lambda r: r.method == "PUT") as sent:
        page.click("#save-shape")
    assert sent.value.url.endswith(f"{CAM_API}/lines/e2e-door")
    expect(page.locator("#shape-msg")).to_contain_text('Saved line "e2e-door"')
    lines = page.context.request.get(server.api(f"{CAM_API}/lines")).json()
    line = next(ln for ln in lines if ln["id"] == "e2e-door")
    assert line["points"] == [[0.2, 0.65], [0.85, 0.65]] and line["footfall"] is False
    assert line["name"] == "Door drawn in the browser"  # other fields kept
    expect(row).to_contain_text("line · inner")


def test_invalid_zone_shows_the_api_message(admin_page: Page, server: Server, shot: Shot) -> None:
    page = admin_page
    page.goto(server.api(f"/cameras/{CAM}"))
    wait_until(page, "document.getElementById('snapshot').naturalWidth > 0")
    page.check("input[name=type][value=zone]")
    page.select_option("#zone-kind", "queue")
    page.fill("#shape-id", "bow-tie")
    # A bow tie: its edges cross, so the API refuses it with a 4xx and a one-line reason.
    for fx, fy in [(0.3, 0.3), (0.6, 0.6), (0.6, 0.3), (0.3, 0.6)]:
        _canvas_click(page, fx, fy)
    expect(page.locator("#save-shape")).to_have_text("Save zone")
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"{CAM_API}/zones")
    ) as answer:
        page.click("#save-shape")
    assert 400 <= answer.value.status < 500
    detail = answer.value.json()["detail"]
    expect(page.locator("#shape-msg")).to_have_text(detail)
    assert "polygon" in detail
    shot(page, "camera-invalid-zone")
    r = page.context.request.get(server.api(f"{CAM_API}/zones"))
    assert "bow-tie" not in [z["id"] for z in r.json()]


def _canvas_pixel(page: Page, fx: float, fy: float) -> list[int]:
    """RGBA of the editor's overlay canvas (shapes only, the snapshot is underneath)."""
    return page.evaluate(
        """([fx, fy]) => {
          const c = document.getElementById("editor-canvas");
          const x = Math.round(c.width * fx), y = Math.round(c.height * fy);
          return Array.from(c.getContext("2d").getImageData(x, y, 1, 1).data);
        }""",
        [fx, fy],
    )


def test_ignore_areas_set_through_the_api_are_drawn(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    page = admin_page
    request = page.context.request
    csrf = {"X-CSRF-Token": request.get(server.api("/api/auth/me")).json()["csrf_token"]}
    camera = request.get(server.api(CAM_API)).json()
    body = {k: v for k, v in camera.items() if k != "live"}  # source comes back masked: kept
    area = {"id": "mannequins", "polygon": [[0.05, 0.6], [0.3, 0.6], [0.3, 0.95], [0.05, 0.95]]}
    answer = request.put(server.api(CAM_API), data={**body, "ignore_areas": [area]}, headers=csrf)
    assert answer.ok, answer.text()
    try:
        page.goto(server.api(f"/cameras/{CAM}"))
        wait_until(page, "document.getElementById('snapshot').naturalWidth > 0")
        wait_until(page, "document.getElementById('shape-list').rows.length > 1")
        red, green, blue, alpha = _canvas_pixel(page, 0.175, 0.775)
        assert alpha > 0 and red > green and red > blue, (red, green, blue, alpha)
        assert _canvas_pixel(page, 0.45, 0.9)[3] == 0  # nothing drawn outside any shape
        expect(page.locator(".legend")).to_contain_text("ignore area")
        shot(page, "camera-ignore-area")
    finally:
        answer = request.put(server.api(CAM_API), data={**body, "ignore_areas": []}, headers=csrf)
        assert answer.ok, answer.text()


def test_static_object_decisions_are_listed_drawn_and_forgotten_in_the_editor(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    """A decision on a static object (here made through the API: a file camera has no live
    candidates) is listed and drawn on the camera page; "Forget" removes it from the YAML."""
    page = admin_page
    request = page.context.request
    csrf = {"X-CSRF-Token": request.get(server.api("/api/auth/me")).json()["csrf_token"]}
    url = server.api(f"{CAM_API}/static-objects")
    decision = {"box": [0.7, 0.1, 0.8, 0.4], "decision": "confirmed"}
    answer = request.put(url, data=[decision], headers=csrf)
    assert answer.ok, answer.text()
    page.goto(server.api(f"/cameras/{CAM}"))
    wait_until(page, "document.getElementById('snapshot').naturalWidth > 0")
    row = page.locator("#static-list tr[data-static=D1]")
    expect(row).to_contain_text("confirmed: not a person")
    red, green, blue, alpha = _canvas_pixel(page, 0.75, 0.25)  # orange fill over the box
    assert alpha > 0 and red > blue, (red, green, blue, alpha)
    shot(page, "camera-static-objects")
    row.get_by_role("button", name="Forget decision D1").click()
    expect(page.locator("#static-msg")).to_contain_text("D1 forgotten")
    expect(page.locator("#static-list")).to_contain_text("None")
    assert request.get(url).json()["decisions"] == []
    saved = yaml.safe_load(server.site_file.read_text(encoding="utf-8"))
    assert not saved["cameras"][0].get("static_objects")


def test_upload_progress_then_counts_on_analytics(
    admin_page: Page, server: Server, clip: Path, shot: Shot
) -> None:
    page = admin_page
    page.goto(server.api("/uploads"))
    page.set_input_files("#file", str(clip))
    page.select_option("#camera", CAM)
    page.fill("#start", "2026-01-05T10:00:00")  # site time (Europe/Lisbon)
    page.click("#upload-button")
    expect(page.locator("#upload-status")).to_be_visible()
    progress = page.locator("#upload-progress")
    # The bar moves through the analysis (the job is polled every second; on a fast machine the
    # analysis may end before a poll sees it running)...
    phase = "document.getElementById('upload-phase').textContent"
    wait_until(page, f"/^(Analysing|Done)/.test({phase})", 60)
    shot(page, "upload-analysing")
    # ...and finishes.
    expect(page.locator("#upload-phase")).to_have_text(
        f"Done: {clip.name} analysed.", timeout=90_000
    )
    assert progress.evaluate("el => el.value") == 1
    expect(page.locator("#upload-pct")).to_have_text("100%")
    shot(page, "upload-done")

    jobs = page.context.request.get(server.api(f"/api/sites/{SITE}/jobs")).json()
    job = jobs[0]
    assert job["status"] == "done" and job["filename"] == clip.name
    result = job["result"]
    total_in = sum(c["in"] for c in result["lines"].values())
    total_out = sum(c["out"] for c in result["lines"].values())
    assert total_in + total_out > 0, "10 s of vtest.avi has people crossing the walkway line"
    row = page.locator("#result-lines tbody tr", has_text="walkway")
    expect(row).to_contain_text(str(result["lines"]["walkway"]["in"]))

    page.click("#to-analytics")
    expect(page).to_have_url(re.compile(r"/analytics\?from=2026-01-05&to=2026-01-05&camera=cam1"))
    expect(page.locator("[data-kpi=in]")).to_have_text(str(total_in))
    expect(page.locator("[data-kpi=out]")).to_have_text(str(total_out))
    expect(page.locator("#footfall-chart .uplot")).to_be_visible()
    # The 10:00 cell of the day × hour table holds the people counted in.
    cell = page.locator("#matrix tbody tr").first.locator("td").nth(10)
    expect(cell).to_have_text(str(total_in) if total_in else "")
    expect(page.locator("#dwell-stats")).to_contain_text("Visits")
    expect(page.locator("#range-msg")).to_be_empty()
    wait_until(page, "document.getElementById('heatmap-img').naturalWidth > 0")
    assert unnamed_controls(page) == []  # charts, legends and the heatmap included
    shot(page, "analytics-counts")
    page.emulate_media(media="print")
    expect(page.locator("#range-form")).to_be_hidden()
    expect(page.locator("#print-head")).to_contain_text("Demo Store — 2026-01-05")
    shot(page, "analytics-print")


def test_events_explorer_filters_pages_and_exports(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    """Runs after the upload above: explores the events that clip produced."""
    page = admin_page
    total = page.context.request.get(server.api(f"/api/sites/{SITE}/jobs")).json()[0]["result"]
    n_events = total["events"]
    assert n_events > 25, "the 10 s clip gives more than one page of 25 events"
    page.goto(server.api("/events?from=2026-01-05T00:00:00&to=2026-01-06T00:00:00&limit=25"))
    rows = page.locator("#events tr")
    expect(rows).to_have_count(25)
    # Newest first (issue 15, defect 11): today's events are on the first page.
    times = [rows.nth(i).locator("td").first.inner_text() for i in range(25)]
    assert times == sorted(times, reverse=True), times
    expect(page.locator("#page-label")).to_have_text("page 1 · 25 event(s)")
    expect(page.locator("#prev")).to_be_disabled()
    shot(page, "events-page-1")
    page.click("#next")
    expect(page.locator("#page-label")).to_have_text(re.compile(r"^page 2 · "))
    expect(rows).to_have_count(min(25, n_events - 25))
    page.click("#prev")
    expect(page.locator("#page-label")).to_have_text("page 1 · 25 event(s)")

    page.select_option("#kind", "line_crossing")
    page.click("#filter-form button[type=submit]")
    crossings = sum(c["in"] + c["out"] for c in total["lines"].values())
    expect(rows).to_have_count(crossings)
    for i in range(crossings):
        expect(rows.nth(i).locator("td").nth(2)).to_have_text("Line crossing")
        assert "_" not in rows.nth(i).locator("td").nth(5).inner_text()  # no raw property keys
    shot(page, "events-line-crossings")

    href = page.locator("#export-csv").get_attribute("href")
    assert href is not None and "format=csv" in href and "kind=line_crossing" in href
    export = page.context.request.get(server.api(href))
    assert export.ok and export.headers["content-type"].startswith("text/csv")
    lines = export.text().strip().splitlines()
    assert len(lines) == crossings + 1  # header + one row per crossing


def test_search_box_finds_a_moment_and_opens_its_events(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    """Runs after the upload: search the clip's events by meaning and open one at its time."""
    page = admin_page
    page.goto(server.api("/search"))
    page.fill("#q", "someone walking across the walkway line")
    page.click("#search-form button[type=submit]")
    hits = page.locator("#hits li a")
    expect(hits.first).to_be_visible(timeout=60_000)  # the first search indexes the upload
    expect(page.locator("#range-label")).to_contain_text("any time")
    first = hits.first.inner_text()
    assert "walkway line" in first, first
    shot(page, "search-hits")
    hits.first.click()
    page.wait_for_url(re.compile(r"/events\?"))
    rows = page.locator("#events tr")
    expect(rows.first).to_be_visible()
    kinds = [rows.nth(i).locator("td").nth(2).inner_text() for i in range(rows.count())]
    assert "Line crossing" in kinds, kinds  # the moment the hit was: its crossing, at that time
    shot(page, "search-opened-events")


def test_settings_key_shown_once_works_and_revokes(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    page = admin_page
    page.goto(server.api("/settings"))
    page.fill("#key-name", "e2e-integration")
    page.click("#key-form button[type=submit]")
    secret = page.locator("#new-key-value")
    expect(secret).not_to_be_empty()
    key = secret.text_content()
    assert key
    row = page.locator("#keys tr", has_text="e2e-integration")
    expect(row).to_contain_text("active")
    shot(page, "settings-key-created")

    bearer = {"Authorization": f"Bearer {key}"}
    api = page.context.browser.new_context()  # no session cookie: only the key
    try:
        assert api.request.get(server.api(f"/api/sites/{SITE}"), headers=bearer).ok
        page.once("dialog", lambda d: d.accept())
        row.get_by_role("button", name="Revoke key e2e-integration").click()
        expect(row).to_contain_text("revoked")
        expect(page.locator("#new-key")).to_be_hidden()
        answer = api.request.get(server.api(f"/api/sites/{SITE}"), headers=bearer)
        assert answer.status == 401
    finally:
        api.close()
    expect(page.locator("#audit")).to_contain_text("key.revoke")
    shot(page, "settings-key-revoked")


def test_viewer_added_in_settings_sees_shapes_read_only(
    admin_page: Page, browser: Browser, server: Server, shot: Shot
) -> None:
    page = admin_page
    page.goto(server.api("/settings"))
    page.fill("#new-username", "vera")
    page.fill("#new-password", "viewer-password-1")
    page.select_option("#new-role", "viewer")
    page.click("#user-form button[type=submit]")
    expect(page.locator("#users tr[data-user=vera]")).to_contain_text("viewer")

    viewer = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        vp = viewer.new_page()
        errors: list[str] = []
        vp.on("pageerror", lambda exc: errors.append(str(exc)))
        vp.goto(server.api(f"/cameras/{CAM}"))
        vp.fill("#username", "vera")
        vp.fill("#password", "viewer-password-1")
        vp.click("button[type=submit]")
        expect(vp.locator("#user-name")).to_have_text("vera (viewer)")
        expect(vp.locator("#shape-msg")).to_have_text("Only an admin can change lines and zones.")
        expect(vp.locator("#save-shape")).to_be_disabled()
        expect(vp.get_by_role("button", name="Delete line walkway")).to_be_disabled()
        shot(vp, "viewer-camera-read-only")
        vp.goto(server.api("/settings"))
        expect(vp.locator("#admin-only")).to_be_visible()
        expect(vp.locator("#admin-panels")).to_be_hidden()
        assert not errors, errors
    finally:
        viewer.close()


def test_backwards_date_range_is_explained(admin_page: Page, server: Server, shot: Shot) -> None:
    page = admin_page
    page.goto(server.api("/analytics?from=2026-01-06&to=2026-01-05"))
    expect(page.locator("#range-msg")).to_have_text(
        "The end date 2026-01-05 is before the start date 2026-01-06."
    )
    shot(page, "analytics-backwards-range")


def test_a_file_that_is_not_a_video_is_refused_with_a_reason(
    admin_page: Page, server: Server, tmp_path: Path, shot: Shot
) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are meeting notes, not a video\n" * 50)
    page = admin_page
    page.goto(server.api("/uploads"))
    page.set_input_files("#file", str(fake))
    posted = f"/api/sites/{SITE}/jobs"
    with page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(posted)
    ) as answer:
        page.click("#upload-button")
    assert 400 <= answer.value.status < 500
    expect(page.locator("#upload-msg")).to_have_text(answer.value.json()["detail"])
    expect(page.locator("#upload-phase")).to_have_text("Upload failed.")
    shot(page, "upload-not-a-video")


def test_login_never_redirects_to_another_site(page: Page, server: Server, shot: Shot) -> None:
    """Issue 16, finding 5: a tab (or newline) in ``next`` is dropped by the browser, which
    turned ``/<tab>/evil.example/`` into ``//evil.example/``; now the login lands on ``/``."""
    for raw in ("%2F%09%2Fevil.example%2F", "%2F%0A%2Fevil.example%2F", "%2F%5Cevil.example"):
        # Leave the dashboard first: once its cookie is gone it sends itself to the login page,
        # which would race (and abort) the navigation below.
        page.goto("about:blank")
        page.context.clear_cookies()
        page.goto(server.api(f"/login?next={raw}"))
        page.fill("#username", ADMIN)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.locator("#user-name")).to_have_text(f"{ADMIN} (admin)")
        assert page.url.startswith(server.url + "/"), page.url
    shot(page, "login-next-stays-on-site")


def test_api_docs_render_under_the_content_security_policy(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    blocked: list[str] = []
    admin_page.on(
        "console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None
    )
    admin_page.goto(server.api("/docs"))
    expect(admin_page.locator(".opblock").first).to_be_visible()
    assert blocked == []
    shot(admin_page, "api-docs")
