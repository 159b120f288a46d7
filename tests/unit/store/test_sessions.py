"""Hourly camera sessions in the store: upsert on (site, camera, hour), read back by time."""

from __future__ import annotations

from storepixel.store import open_store
from storepixel.store.queries import sessions
from storepixel.store.runs import CameraSession

HOUR = 1714557600.0


def _session(start: float, visits: int, closed_at: float = 1.0) -> CameraSession:
    summary = {"lines": {"door": {"in": visits, "out": 0}}, "zones": {}, "people_peak": 2}
    return CameraSession("demo", "cam1", start, start + 3600, 3500.0, visits, 9, summary, closed_at)


def test_sessions_round_trip_and_replace_on_rewrite() -> None:
    with open_store("sqlite://") as store:
        assert store.write(sessions=[_session(HOUR, 3), _session(HOUR + 3600, 5)]).sessions == 2
        store.write(sessions=[_session(HOUR, 4, closed_at=2.0)])  # the same hour closed again
        got = sessions(store, site_id="demo", camera_id="cam1")
        assert [(s.start, s.visits, s.closed_at) for s in got] == [
            (HOUR, 4, 2.0),
            (HOUR + 3600, 5, 1.0),
        ]
        assert got[0].summary["lines"] == {"door": {"in": 4, "out": 0}}
        assert [s.start for s in sessions(store, start=HOUR + 1)] == [HOUR + 3600]
        assert sessions(store, camera_id="other") == []
