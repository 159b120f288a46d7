"""The outward side in long-running commands: the supervisor feeds camera_down rules and the
capture-time watermarks; the service runs the retention job."""

from __future__ import annotations

import time
from pathlib import Path

from storepixel.alerts.store import list_alerts
from storepixel.config.site import parse_site
from storepixel.outputs.service import OutwardService
from storepixel.pipeline.supervisor import Supervisor
from storepixel.store import open_store
from storepixel.store.queries import iter_events
from storepixel.types import Event
from tests.fixtures.helpers import wait_for


def test_a_camera_that_never_streams_raises_camera_down(tmp_path: Path) -> None:
    site = parse_site(
        {
            "site": {"id": "demo"},
            "cameras": [{"id": "cam1", "source": str(tmp_path / "missing.mp4")}],
            "alerts": [{"id": "down", "rule": "camera_down", "seconds": 0.5, "cooldown_s": 0}],
        }
    )
    store = open_store("sqlite://")
    sup = Supervisor(site, store, flush_interval_s=0.2, detector_factory=lambda _c: None)
    sup.start()
    try:
        assert wait_for(lambda: len(list_alerts(store, "demo")) == 1, 20)
    finally:
        sup.stop()
    (alert,) = list_alerts(store, "demo")
    assert (alert["rule"], alert["camera_id"], alert["status"]) == ("camera_down", "cam1", "open")


def test_the_service_applies_retention_when_it_starts(tmp_path: Path) -> None:
    site = parse_site(
        {"site": {"id": "demo"}, "cameras": [{"id": "cam1"}], "retention": {"events": "1d"}}
    )
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    now = time.time()
    store.write_events(
        [
            Event("old", "zone_enter", "demo", "cam1", now - 3 * 86400, "t1", "z"),
            Event("new", "zone_enter", "demo", "cam1", now - 3600, "t2", "z"),
        ]
    )
    service = OutwardService(store, site)
    service.start()
    try:
        assert wait_for(lambda: [e.id for e in iter_events(store, site_id="demo")] == ["new"], 10)
    finally:
        assert service.stop() == 0
    store.close()
