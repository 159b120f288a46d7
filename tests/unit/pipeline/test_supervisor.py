"""The live supervisor on real footage (vtest.avi played at its own rate) and the real detector."""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from storepixel.config.detector import DetectorConfig
from storepixel.config.site import CameraConfig, SiteConfig, parse_site
from storepixel.errors import StoreError
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.live_camera import merge_rows
from storepixel.pipeline.supervisor import Supervisor
from storepixel.store import Store, open_store
from storepixel.store.queries import coverage, iter_events, query_metrics, runs, sessions
from storepixel.types import Event, MetricRow
from tests.fixtures.helpers import wait_for

pytestmark = pytest.mark.slow

LINE = {"id": "walkway", "points": [[0.5, 0.25], [0.5, 0.85]]}
ZONE = {"id": "east", "polygon": [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]}


def site_for(*cameras: dict[str, Any]) -> SiteConfig:
    return parse_site({"site": {"id": "demo", "timezone": "UTC"}, "cameras": list(cameras)})


def vtest_camera(vtest: Path, cam_id: str = "cam1", **extra: Any) -> dict[str, Any]:
    return {"id": cam_id, "source": str(vtest), "loop": True, "analysis_fps": 5, **extra}


class Recorder:
    def __init__(self) -> None:
        self.frames: list[tuple[str, float]] = []
        self.counts: list[Mapping[str, Any]] = []
        self.events: list[Event] = []
        self.lock = threading.Lock()

    def write_frame(self, camera_id: str, result: FrameResult, counts: Mapping[str, Any]) -> None:
        with self.lock:
            self.frames.append((camera_id, result.frame.timestamp))
            self.counts.append(counts)

    def write_events(self, events: Sequence[Event]) -> None:
        with self.lock:
            self.events.extend(events)


def test_runs_writes_as_it_goes_and_flushes_on_stop(vtest_path: Path) -> None:
    site = site_for(vtest_camera(vtest_path, lines=[LINE], zones=[ZONE]))
    store = open_store("sqlite://")
    sup = Supervisor(site, store, flush_interval_s=0.5)
    rec = Recorder()
    sup.bus.subscribe(rec)
    sup.start()
    try:
        # written while running, not only at the end
        assert wait_for(lambda: len(list(iter_events(store, site_id="demo"))) > 0, 30)
        assert wait_for(lambda: any(e.kind == "line_crossing" for e in list(rec.events)), 40)
        health = sup.health()["cam1"]
        assert health.state == "streaming" and health.analysed_fps > 0  # speed: bench/, not here
    finally:
        sup.stop()
    stored = list(iter_events(store, site_id="demo"))
    assert sorted(e.id for e in stored) == sorted(e.id for e in rec.events)  # nothing lost
    kinds = [e.kind for e in stored]
    assert kinds.count("visit_start") == kinds.count("visit_end") > 0  # visits closed on stop
    assert "line_crossing" in kinds and "zone_enter" in kinds
    last = rec.counts[-1]
    assert set(last) == {"people", "hour_start", "lines", "zones"}
    assert set(last["lines"]["walkway"]) == {"in", "out"} and "east" in last["zones"]
    (cov,) = coverage(store, camera_id="cam1")
    frames = [t for _, t in rec.frames]
    assert cov.start <= min(frames) + 1e-3 and cov.end >= max(frames)  # stored to the µs
    (run,) = runs(store)
    assert run.status == "ok" and run.anchor_kind == "live" and run.frames == len(rec.frames)
    (session,) = sessions(store, camera_id="cam1")
    assert session.summary["partial"] is True and session.events == len(stored)
    assert session.coverage_s == pytest.approx(cov.end - cov.start, abs=0.01)
    assert query_metrics(store, camera_id="cam1", metrics="people_avg")
    store.close()


def test_a_bad_camera_retries_while_the_good_one_runs(vtest_path: Path) -> None:
    bad = {"id": "bad", "source": "rtsp://admin:hunter2@127.0.0.1:9/cam", "analysis_fps": 5}
    site = site_for(vtest_camera(vtest_path), bad)
    store = open_store("sqlite://")
    sup = Supervisor(site, store, open_timeout_s=2, stall_timeout_s=2)
    rec = Recorder()
    sup.bus.subscribe(rec)
    sup.start()
    try:
        assert wait_for(lambda: sup.health()["bad"].reconnect_count >= 2, 20)
        assert wait_for(lambda: sum(c == "cam1" for c, _ in rec.frames) >= 20, 30)
        h = sup.health()["bad"]
        assert (h.state, h.failure) == ("reconnecting", "unreachable")
        assert "hunter2" not in (h.message or "") and "hunter2" not in h.source
        assert sup.health()["cam1"].state == "streaming"
    finally:
        sup.stop()
    assert not any(c == "bad" for c, _ in rec.frames)
    assert coverage(store, camera_id="bad") == []  # down all along: no data, never zeros
    store.close()


def test_edits_apply_without_reconnecting_and_counts_merge(vtest_path: Path) -> None:
    site = site_for(vtest_camera(vtest_path, zones=[ZONE]))
    store = open_store("sqlite://")
    sup = Supervisor(site, store, flush_interval_s=0.5)
    rec = Recorder()
    sup.bus.subscribe(rec)
    sup.start()
    try:
        assert wait_for(lambda: len(rec.frames) >= 10, 30)
        reader = sup._cameras["cam1"].reader
        edited = CameraConfig.model_validate(vtest_camera(vtest_path, lines=[LINE], zones=[ZONE]))
        sup.update_camera(edited)
        assert wait_for(lambda: "walkway" in rec.counts[-1]["lines"], 10)
        assert wait_for(lambda: any(e.kind == "line_crossing" for e in list(rec.events)), 60), (
            "no crossing of the new line"
        )
        assert sup._cameras["cam1"].reader is reader and reader.health().reconnect_count == 0
    finally:
        sup.stop()
    rows = query_metrics(store, camera_id="cam1", metrics="people_peak")
    minutes = [r.bucket_start for r in rows]
    assert len(minutes) == len(set(minutes))  # one row per minute, the edit's minute merged
    store.close()


def test_a_store_outage_loses_and_duplicates_nothing(vtest_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"

    class FlakyStore(Store):
        down = True

        def write(self, **kwargs: Any) -> Any:
            if self.down:
                raise StoreError("cannot write to store: database is locked")
            return super().write(**kwargs)

    open_store(url).close()
    store = FlakyStore(open_store(url).engine)
    sup = Supervisor(site_for(vtest_camera(vtest_path, lines=[LINE])), store, flush_interval_s=0.3)
    rec = Recorder()
    sup.bus.subscribe(rec)
    sup.start()
    try:
        # Events pile up while the store is down; no consumer hears of them before it has them.
        assert wait_for(lambda: len(sup._backlog.events) >= 3, 60)
        assert sup.last_write_error is not None
        assert sup.bus.drain() and rec.events == []
        store.down = False
        assert wait_for(lambda: sup.last_write_error is None, 10)
    finally:
        sup.stop()
    stored = [e.id for e in iter_events(store, site_id="demo")]
    assert sorted(stored) == sorted(e.id for e in rec.events)
    store.close()


def test_remove_and_add_cameras_while_running(vtest_path: Path) -> None:
    store = open_store("sqlite://")
    sup = Supervisor(site_for(vtest_camera(vtest_path)), store)
    rec = Recorder()
    sup.bus.subscribe(rec)
    sup.start()
    try:
        assert wait_for(lambda: len(rec.frames) >= 5, 30)
        sup.update_camera(CameraConfig.model_validate(vtest_camera(vtest_path, "cam2")))
        assert wait_for(lambda: any(c == "cam2" for c, _ in rec.frames), 30)
        sup.remove_camera("cam1")
        assert sup.camera_ids() == ["cam2"]
        # Frames cam1 published before it stopped may still sit in the consumer's queue.
        assert sup.bus.drain()
        n = sum(c == "cam1" for c, _ in rec.frames)
        time.sleep(1)
        assert sum(c == "cam1" for c, _ in rec.frames) == n
        sup.bus.unsubscribe(rec)
    finally:
        sup.stop()
    (run1,) = runs(store, camera_id="cam1")
    assert run1.status == "ok"
    store.close()


def row(metric: str, value: float, samples: int, cov: float) -> MetricRow:
    return MetricRow("demo", "cam1", "east", metric, 0.0, value, samples, cov)


@pytest.mark.parametrize(
    ("metric", "a", "b", "expected"),
    [
        ("zone_enters", (2, 0, 0.5), (3, 0, 0.5), 5),
        ("occupancy_peak", (2, 10, 0.5), (4, 10, 0.5), 4),
        ("occupancy_avg", (1.0, 10, 0.25), (3.0, 30, 0.75), 2.5),  # by covered time
        ("dwell_avg", (10.0, 1, 0.25), (20.0, 3, 0.75), 17.5),  # by number of exits
    ],
)
def test_merge_rows_of_one_minute(
    metric: str, a: tuple[float, int, float], b: tuple[float, int, float], expected: float
) -> None:
    merged = merge_rows(row(metric, *a), row(metric, *b))
    assert merged.value == pytest.approx(expected)
    assert merged.sample_count == a[1] + b[1] and merged.coverage == 1.0


def test_consumers_and_snapshots_only_see_masked_frames(vtest_path: Path) -> None:
    left_half = {"polygon": [[0, 0], [0.5, 0], [0.5, 1], [0, 1]]}
    site = site_for(vtest_camera(vtest_path, privacy_masks=[left_half]))
    store = open_store("sqlite://")
    sup = Supervisor(site, store)
    images = []
    rec = Recorder()
    rec.write_frame = lambda cid, result, counts: images.append(result.frame.image)  # type: ignore[method-assign]
    sup.bus.subscribe(rec)
    sup.start()
    try:
        assert wait_for(lambda: len(images) >= 3, 30)
        snap = sup.snapshot("cam1")
    finally:
        sup.stop()
    assert snap is not None
    for image in [*images, snap.image]:
        assert image[:, :380].max() == 0 and image[:, 400:].max() > 0
    store.close()


def test_an_hour_closes_once_capture_time_passes_its_end() -> None:
    """Frames fed straight to the camera (no reader) across 11:00: 10:00-11:00 closes, whole."""
    import numpy as np

    from storepixel.types import Detections, Frame

    class NobodyThere:
        def detect(self, image: object) -> Detections:
            return Detections.empty()

    t0 = 1714561200.0  # 2024-05-01 11:00 UTC
    site = site_for({"id": "cam1", "source": "rtsp://cam.invalid/1", **{"lines": [LINE]}})
    store = open_store("sqlite://")
    sup = Supervisor(site, store, detector_factory=lambda config: NobodyThere())
    cam = sup._cameras["cam1"]
    image = np.zeros((48, 64, 3), np.uint8)
    for i in range(250):  # 10:59:40 → 11:00:30 at 5 fps
        t = t0 - 20 + i * 0.2
        cam.reader.coverage.frame(t)
        cam.analyse(Frame("cam1", i, t - (t0 - 20), t, image))
        if t < t0:
            sup._flush()
            assert sessions(store) == []  # the hour is still open
    sup._flush()
    (closed,) = sessions(store)
    assert (closed.start, closed.end, closed.summary["partial"]) == (t0 - 3600, t0, False)
    assert closed.coverage_s == pytest.approx(20.0, abs=0.01)
    assert closed.summary["lines"] == {} and closed.visits == 0
    sup.stop()
    first, second = sessions(store)
    assert first == closed
    assert (second.start, second.summary["partial"]) == (t0, True)
    assert second.coverage_s == pytest.approx(30.0, abs=0.3)
    store.close()


def test_a_detector_edit_gives_the_camera_its_own_view_of_the_shared_detector() -> None:
    """Adaptive passes keep per-camera state: after a live detector edit the camera must get
    its own view (``for_camera``) again, not the instance that other cameras share."""
    import numpy as np

    from storepixel.types import Detections, Frame

    class Shared:
        def __init__(self) -> None:
            self.views: list[View] = []

        def detect(self, image: object) -> Detections:
            return Detections.empty()

        def for_camera(self, *, adaptive: bool = True) -> View:
            self.views.append(View())
            return self.views[-1]

    class View:
        def detect(self, image: object) -> Detections:
            return Detections.empty()

    shared: list[Shared] = []

    def factory(config: object) -> Shared:
        shared.append(Shared())
        return shared[-1]

    site = site_for({"id": "cam1", "source": "rtsp://cam.invalid/1", "lines": [LINE]})
    sup = Supervisor(site, open_store("sqlite://"), detector_factory=factory)
    cam = sup._cameras["cam1"]
    assert cam.pipeline.detector is shared[0].views[0]
    edited = site.cameras[0].model_copy(update={"detector": DetectorConfig(confidence=0.6)})
    sup.update_camera(edited)
    cam.analyse(Frame("cam1", 0, 0.0, 1714561200.0, np.zeros((48, 64, 3), np.uint8)))
    assert len(shared) == 2  # a new detector config: a new shared detector
    assert cam.pipeline.detector is shared[1].views[0]
    sup.stop()
