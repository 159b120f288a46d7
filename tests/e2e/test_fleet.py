"""The fleet page in a real browser: a central ``storepixel serve`` with three stores, two of
which sent rows and one its health through the real ingest API with their own ingest keys; the
page shows every store's KPIs against the fleet median and each edge's health."""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    Server,
    Shot,
    log_in,
    start_server,
    stop_server,
    storepixel_cli,
    unnamed_controls,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINE = {"id": "door", "points": [[0.1, 0.5], [0.9, 0.5]]}
STORES = {"lisbon": ("Lisbon", "Europe/Lisbon", 10, 5), "porto": ("Porto", "UTC", 6, 3)}


def _site(tmp: Path, site_id: str, name: str, tz: str) -> Path:
    path = tmp / f"{site_id}.yaml"
    cameras = [{"id": "door", "lines": [LINE]}, {"id": "till"}]
    body = {"site": {"id": site_id, "name": name, "timezone": tz}, "cameras": cameras}
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


def _ingest(server: Server, site: str, key: str, body: dict[str, object]) -> None:
    req = urllib.request.Request(
        server.api(f"/api/sites/{site}/ingest"),
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200


def _events(site: str, ins: int, visits: int, t0: float) -> list[dict[str, object]]:
    def ev(i: int, kind: str, scope: str | None, props: dict[str, object]) -> dict[str, object]:
        eid = hashlib.sha256(f"{site}/{kind}/{i}".encode()).hexdigest()[:32]
        return {"id": eid, "kind": kind, "site_id": site, "camera_id": "door", "time": t0 + i,
                "track_id": f"t{i}", "scope_id": scope, "properties": props}  # fmt: skip

    way = {"direction": "in", "line_id": "door"}
    out = [ev(i, "line_crossing", "door", way) for i in range(ins)]
    return out + [ev(i, "visit_start", None, {}) for i in range(visits)]


@pytest.fixture(scope="module")
def central(
    tmp_path_factory: pytest.TempPathFactory, vtest_path: Path, chromium: str
) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("central")
    sites = [_site(tmp, s, name, tz) for s, (name, tz, _, _) in STORES.items()]
    srv = start_server(tmp, vtest_path.resolve(), extra_sites=sites)
    try:
        t0 = time.time() - 7200  # two hours ago: inside the page's default period
        for (site, (_, _, ins, visits)), path in zip(STORES.items(), sites, strict=True):
            key = subprocess.run(
                [*storepixel_cli(), "keys", "create", "--site", str(path), "--scope", "ingest",
                 "--db", srv.db_url, "--expires-in", "1"],
                capture_output=True, text=True, check=True, timeout=60,
            ).stdout.strip()  # fmt: skip
            _ingest(srv, site, key, {"events": _events(site, ins, visits, t0)})
            if site == "lisbon":  # only lisbon's edge has reported its health
                down = {"camera": "till", "state": "reconnecting", "failure": "unreachable"}
                cams = [{"camera": "door", "state": "streaming"}, down]
                now = time.time()
                health = {"edge_time": now, "last_sync_at": now - 30, "pending": 0,
                          "newest_capture": t0 + ins - 1, "cameras": cams}  # fmt: skip
                _ingest(srv, site, key, {"health": health})
        yield srv
    finally:
        stop_server(srv)


def test_fleet_page_compares_stores_and_shows_edge_health(
    page: Page, central: Server, shot: Shot
) -> None:
    log_in(page, central)
    page.goto(central.api("/fleet"))
    expect(page.locator("h1")).to_have_text("Fleet")
    kpis = page.locator("#kpis")
    expect(kpis.locator("tr")).to_have_count(3)  # demo, lisbon, porto
    lisbon = kpis.locator("tr[data-site=lisbon]")
    # footfall 10 against the median of lisbon 10 and porto 6 → +25 %; demo sent nothing: no
    # data, and not part of the median
    expect(lisbon.locator("[data-kpi=footfall]")).to_have_text("10 +25 %")
    expect(kpis.locator("tr[data-site=porto] [data-kpi=footfall]")).to_have_text("6 −25 %")
    expect(kpis.locator("tr[data-site=demo] [data-kpi=footfall]")).to_have_text("—")
    expect(lisbon.locator("[data-kpi=conversion]")).to_have_text("—")  # no receipts: not known
    expect(page.locator("#median [data-kpi=footfall]")).to_have_text("8")
    expect(page.locator("#median [data-kpi=visits]")).to_have_text("4")

    health = page.locator("#health")
    edge = health.locator("tr[data-site=lisbon]")
    expect(edge.locator(".status")).to_have_text("ok")
    expect(edge.locator("[data-lag]")).to_have_text("0 s")  # the central has all it was sent
    expect(edge.locator("[data-up]")).to_have_text("1")
    expect(edge.locator("[data-down]")).to_have_text("1")
    expect(edge.locator("[data-down]")).to_have_attribute("title", "till")
    expect(health.locator("tr[data-site=porto] .status")).to_have_text("never")
    assert unnamed_controls(page) == []
    shot(page, "fleet")

    # A period with nothing in it: every store says so instead of showing zeros as facts.
    page.fill("#from", "2020-01-01")
    page.fill("#to", "2020-01-02")
    page.click("#fleet-form button[type=submit]")
    expect(lisbon.locator("[data-kpi=footfall]")).to_have_text("—")
    expect(page.locator("#median [data-kpi=visits]")).to_have_text("—")
    expect(page.locator("#fleet-msg")).to_be_empty()
