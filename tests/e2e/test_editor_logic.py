"""The editor's pure functions, run in the browser and checked against the Python side.

The arrow the editor draws on a line must point to the side the analytics count as "in"
(``storepixel.analytics.geometry.DirectedLine.side`` > 0), whatever the frame's aspect ratio.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import numpy as np
import pytest
from playwright.sync_api import Page, Route

from storepixel.analytics.geometry import DirectedLine
from storepixel.api.routers.pages import STATIC_DIR

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


ORIGIN = "http://dashboard.test"  # served by Playwright from the package files: no server needed


def _serve_static(route: Route) -> None:
    path = urlsplit(route.request.url).path
    if path.startswith("/static/"):
        route.fulfill(
            path=STATIC_DIR / path.removeprefix("/static/"), content_type="text/javascript"
        )
    else:
        route.fulfill(body="<!doctype html><title>editor</title>", content_type="text/html")


def _module(page: Page, call: str) -> object:
    page.route(f"{ORIGIN}/**", _serve_static)
    page.goto(f"{ORIGIN}/")
    return page.evaluate(f"import('/static/js/editor.js').then((m) => {call})")


def test_arrow_points_to_the_in_side(page: Page) -> None:
    rng = np.random.default_rng(7)
    lines = [
        [[0.1, 0.6], [0.9, 0.6]],  # the documented case: left to right, "in" = moving down
        [[0.5, 0.25], [0.5, 0.85]],  # the vtest walkway: top to bottom, "in" = moving left
        *rng.uniform(0.05, 0.95, size=(30, 2, 2)).round(4).tolist(),
    ]
    sizes = [[768, 576], [1920, 1080], [480, 640]]
    tips = _module(
        page,
        # The arrow's tip, 5 px from the middle in the frame's pixels, back in normalised units.
        f"""{json.dumps(lines)}.flatMap((line) => {json.dumps(sizes)}.map(([w, h]) => {{
            const [ux, uy] = m.inDirection(line, w, h);
            const mx = (line[0][0] + line[1][0]) / 2, my = (line[0][1] + line[1][1]) / 2;
            return [mx + (ux * 5) / w, my + (uy * 5) / h];
        }}))""",
    )
    assert isinstance(tips, list)
    for i, tip in enumerate(tips):
        line = lines[i // len(sizes)]
        assert DirectedLine(*line).side([tip])[0] > 0, (line, sizes[i % len(sizes)])
    assert tips[0][1] > 0.6  # below the left-to-right line
    assert tips[len(sizes)][0] < 0.5  # left of the top-to-bottom walkway


def test_points_text_round_trips_and_explains_mistakes(page: Page) -> None:
    got = _module(
        page,
        """(() => {
            const pts = m.parsePoints("0.1, 0.2\\n 0.3 0.4 ;0.5,0.6\\n\\n");
            let error = null;
            try { m.parsePoints("0.1, 0.2\\n0.3"); } catch (e) { error = e.message; }
            return {pts, text: m.formatPoints(pts), error,
                    clamped: m.normalise(-5, 1000, 200, 100), rounded: m.normalise(1, 1, 3, 3)};
        })()""",
    )
    assert got == {
        "pts": [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]],
        "text": "0.1, 0.2\n0.3, 0.4\n0.5, 0.6",
        "error": 'point 2: expected "x, y" with two numbers, got "0.3"',
        "clamped": [0, 1],
        "rounded": [0.3333, 0.3333],
    }
