"""Shelves in a real browser against a real server: a shelf drawn in the camera editor is saved
with its planogram, and the Shelves page shows its funnel, the hours and the planogram view
coloured by attention, from shelf events in the store (written as the pipeline writes them)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from storepixel.store import CoverageInterval, open_store
from storepixel.types import Event
from tests.e2e.conftest import Server, Shot, unnamed_controls, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SITE, CAM = "demo", "cam1"
CAM_API = f"/api/sites/{SITE}/cameras/{CAM}"
DAY = "2024-05-01"


def at(hh: int, mm: int = 0) -> float:
    return datetime(2024, 5, 1, hh, mm, tzinfo=ZoneInfo("Europe/Lisbon")).timestamp()


def _canvas_click(page: Page, fx: float, fy: float) -> None:
    box = page.locator("#editor-canvas").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def test_a_shelf_drawn_in_the_editor_shows_on_the_shelves_page(
    admin_page: Page, server: Server, shot: Shot
) -> None:
    page = admin_page
    page.goto(server.api(f"/cameras/{CAM}"))
    wait_until(page, "document.getElementById('snapshot').naturalWidth > 0")
    page.check("input[name=type][value=shelf]")
    expect(page.locator("#shelf-fields")).to_be_visible()
    page.fill("#shape-id", "cola")
    page.fill("#shelf-brand", "Fizz")
    page.fill("#shelf-product", "Cola 1 l")
    for fx, fy in [(0.6, 0.3), (0.9, 0.3), (0.9, 0.6), (0.6, 0.6)]:
        _canvas_click(page, fx, fy)
    expect(page.locator("#save-shape")).to_have_text("Save shelf")
    page.click("#save-shape")
    expect(page.locator("#shape-msg")).to_contain_text('Saved shelf "cola"')
    expect(page.locator("#shape-list tr[data-shape='shelf:cola']")).to_contain_text("Fizz")
    shot(page, "camera-shelf-saved")
    (shelf,) = page.context.request.get(server.api(f"{CAM_API}/shelves")).json()
    assert shelf["brand"] == "Fizz" and shelf["product"] == "Cola 1 l"
    assert shelf["polygon"][0] == pytest.approx([0.6, 0.3], abs=0.01)

    # Two people passed at 10:xx, one stopped 6.5 s and reached twice; a clerk's pass is left
    # out; the camera was analysed 10:00-11:00 only, so 11:00 and later read "no data".
    base = {"shelf_id": "cola", "product": "Cola 1 l", "brand": "Fizz", "category": None}

    def ev(i: int, kind: str, when: float, track: str, **props: object) -> Event:
        return Event(f"e2e-s{i}", kind, SITE, CAM, when, track, "cola", {**base, **props}, 2)

    with open_store(server.db_url) as store:
        store.write_coverage([CoverageInterval(SITE, CAM, at(10), at(11))])
        store.write_events(
            [
                ev(1, "shelf_pass", at(10, 5), "a", duration_s=2.0),
                ev(2, "shelf_pass", at(10, 6), "b", duration_s=9.0),
                ev(3, "shelf_attention", at(10, 6), "b", attention_s=6.5),
                ev(4, "shelf_reach", at(10, 7), "b", count=2, duration_s=1.5),
                ev(5, "shelf_pass", at(10, 8), "clerk", duration_s=30.0),
                Event("e2e-v1", "visit_end", SITE, CAM, at(10, 30), "clerk", None,
                      {"duration_s": 3000.0, "role": "staff"}),
            ]
        )  # fmt: skip

    page.goto(server.api(f"/shelves?from={DAY}&to={DAY}&by=brand"))
    expect(page.locator("h1")).to_have_text("Shelves")
    row = page.locator("#funnel tr[data-group='Fizz']")
    expect(row).to_be_visible()
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    assert cells[:4] == ["2", "1", "1", "2"], cells  # passed, stopped, reached, touches
    assert cells[4] == "7 s", cells  # attention p50 6.5 s, shown to the second
    assert cells[6:] == ["50 %", "100 %"], cells
    expect(page.locator("#day-chart canvas").first).to_be_visible()
    polygon = page.locator("figure[data-camera=cam1] polygon[data-shelf=cola]")
    expect(polygon).to_have_class("shelf")  # has data: coloured, not the grey "no data"
    assert "rgba(123,63,181" in (polygon.get_attribute("style") or "")
    expect(page.locator("figure[data-camera=cam1] li[data-shelf=cola]")).to_contain_text(
        "1 stopped of 2 passed"
    )
    expect(page.locator("#page-msg")).to_be_empty()
    assert unnamed_controls(page) == []
    shot(page, "shelves-page")

    # A day the camera was not analysed: "no data", not zeros, and the shelf greyed out.
    page.goto(server.api("/shelves?from=2024-05-02&to=2024-05-02&by=shelf"))
    expect(page.locator("#funnel tr[data-group='cola']")).to_contain_text("no data")
    nodata = page.locator("figure[data-camera=cam1] polygon[data-shelf=cola]")
    expect(nodata).to_have_class("shelf no-data")
    shot(page, "shelves-page-no-data")
