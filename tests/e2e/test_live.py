"""The live wall and overview with cameras running in the server (``storepixel serve --run``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Server, Shot, log_in, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_live_wall_shows_annotated_frames_and_counts(
    page: Page, live_server: Server, shot: Shot
) -> None:
    log_in(page, live_server)
    page.goto(live_server.api("/live"))
    tile = page.locator("[data-camera=cam1]")
    # Frames arrive over the WebSocket as base64 JPEGs (boxes, ids, lines and zones drawn on).
    wait_until(page, "document.querySelector('[data-camera=cam1] img')?.naturalWidth > 0", 60)
    assert tile.locator("img").get_attribute("src").startswith("data:image/jpeg;base64,")
    expect(tile.locator(".counts")).to_contain_text("People in view")
    expect(tile.locator(".counts")).to_contain_text("Line walkway")
    expect(tile.locator(".counts")).to_contain_text("Zone east-path")
    # Events stream in as people move (the footage is busy within seconds).
    expect(page.locator("#live-events tr").first).to_be_visible(timeout=60_000)
    shot(page, "live-wall")

    page.goto(live_server.api("/"))
    expect(page.locator("#cameras .badge")).to_have_text("streaming")
    shot(page, "overview-live")

    page.goto(live_server.api("/cameras/cam1"))
    expect(page.locator("#cam-state")).to_have_text("streaming")
    expect(page.locator("#health")).to_contain_text("Frames/s analysed")
    # The snapshot is the latest live frame, privacy-masked.
    wait_until(page, "document.getElementById('snapshot').naturalWidth > 0")
    shot(page, "camera-live")
