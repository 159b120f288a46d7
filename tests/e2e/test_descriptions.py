"""The description timeline in a real browser: people-chunks described through the real
``google-genai`` SDK against the local wire-protocol server, stored in a running ``storepixel
serve``'s own store, then shown per visit (chunk) on the camera and events pages with their
capture times, items, alerts and per-person lines."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from storepixel.config.describe import DescribeConfig
from storepixel.describe.service import CameraContext, Describer
from storepixel.store import descriptions as db
from storepixel.store import open_store
from tests.e2e.conftest import Server, Shot
from tests.fixtures.vlm_server import VlmServer
from tests.unit.describe.test_service_wire import T0, chunk

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
pytest.importorskip("google.genai")


@pytest.fixture(scope="module")
def described(server: Server) -> Iterator[list[dict[str, Any]]]:
    """Two chunks of cam1 (2025-12-06 05:46:40 and 05:47:40, Lisbon = UTC in December), the
    first with an alert, described into the server's store."""
    vlm = VlmServer().start()
    vlm.script.extend(["alert", "good"])
    key = os.environ.get("GEMINI_API_KEY")
    os.environ["GEMINI_API_KEY"] = "e2e-key"
    cfg = DescribeConfig.model_validate(
        {"provider": "gemini", "base_url": vlm.gemini_url, "blur_faces": False}
    )
    try:
        with open_store(server.db_url) as store:
            tz = ZoneInfo("Europe/Lisbon")  # one worker: the first chunk gets the alert answer
            describer = Describer(store, "demo", tz, concurrency=1, retry_waiting_s=3600)
            describer.submit(chunk(T0, people=(3,)), CameraContext("cam1", cfg))
            describer.submit(chunk(T0 + 60, people=(5, 7)), CameraContext("cam1", cfg))
            assert describer.wait_idle(60)
            describer.close(timeout=0)
            rows = db.list_chunks(store)
    finally:
        vlm.stop()
        if key is None:
            os.environ.pop("GEMINI_API_KEY")
        else:
            os.environ["GEMINI_API_KEY"] = key
    assert [r["status"] for r in rows] == ["done", "done"]
    yield rows


def check_timeline(page: Page) -> None:
    chunks = page.locator("#descriptions article.chunk")
    expect(chunks).to_have_count(2)
    newest, oldest = chunks.nth(0), chunks.nth(1)  # newest first
    expect(oldest.locator("h3")).to_contain_text("2025-12-06 05:46:40 → 05:46:46 · cam1 · done")
    expect(newest.locator("h3")).to_contain_text("05:47:40 → 05:47:46")
    items = oldest.locator("ul.timeline li")
    expect(items).to_have_count(3)  # walks in, picks up, the alert
    expect(items.nth(0)).to_have_text("05:46:40 #3 walks in")
    expect(items.nth(2)).to_have_class("alert")
    expect(oldest.locator("p.msg.error")).to_contain_text("high theft at 05:46:46")
    expect(oldest.locator("ul.people li")).to_have_text(["#3 browses the display"])
    expect(oldest.locator("p.muted")).to_have_count(0)  # the summary is those lines: not twice
    expect(newest.locator("ul.people li")).to_have_text(
        ["#5 browses the display", "#7 browses the display"]
    )


def test_camera_page_shows_each_visit_as_a_timeline(
    admin_page: Page, server: Server, described: list[dict[str, Any]], shot: Shot
) -> None:
    admin_page.goto(server.api("/cameras/cam1"))
    check_timeline(admin_page)
    shot(admin_page, "camera-descriptions")


def test_events_page_shows_the_timelines_of_the_chosen_range(
    admin_page: Page, server: Server, described: list[dict[str, Any]], shot: Shot
) -> None:
    admin_page.goto(server.api("/events?from=2025-12-06T00:00:00&to=2025-12-07T00:00:00"))
    check_timeline(admin_page)
    shot(admin_page, "events-descriptions")
    admin_page.goto(server.api("/events?from=2025-12-07T00:00:00&to=2025-12-08T00:00:00"))
    expect(admin_page.locator("#descriptions")).to_contain_text("No described people-chunks")
