"""One live camera inside the supervisor: its capture thread, its pipeline and what it produced.

The reader thread captures; one analysis worker at a time calls :meth:`LiveCamera.analyse`; the
store writer takes the outputs with :meth:`LiveCamera.take_outputs`. Configuration edits (lines,
zones, privacy masks, detector) wait in :meth:`LiveCamera.reconfigure` and are applied by the
worker before the next analysed frame, so the analytics are never touched by two threads.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storepixel.analytics.engine import CameraAnalytics
from storepixel.analytics.occupancy import bucket_start
from storepixel.config.faces import FacesConfig
from storepixel.config.site import CameraConfig
from storepixel.errors import ConfigError
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.factory import (
    apply_performance,
    build_camera_pipeline,
    camera_ignore_areas,
    camera_mask,
    camera_static_objects,
    pose_stage,
)
from storepixel.pipeline.sessions import HourCloser, hour_start
from storepixel.sources.backoff import Backoff
from storepixel.sources.health import CameraHealth
from storepixel.sources.live import open_live_source
from storepixel.sources.reader import CameraReader
from storepixel.sources.slot import LatestFrameSlot
from storepixel.store.runs import AnalysisRun, CoverageInterval, run_id
from storepixel.types import Event, Frame, MetricRow, TrackState
from storepixel.vision.detector import for_camera

log = logging.getLogger(__name__)

# Step-series averages combine by covered time, event means by how many events they hold.
_EVENT_MEANS = frozenset({"dwell_avg", "queue_wait_avg"})


def merge_rows(a: MetricRow, b: MetricRow) -> MetricRow:
    """One minute's row from two analytics that each saw a disjoint part of it (an edit mid-minute).

    Counts add, peaks take the maximum, averages are weighted (by coverage for occupancy-like
    series, by sample count for per-event means); coverage adds up to 1.
    """
    if a.metric.endswith("_peak"):
        value = max(a.value, b.value)
    elif a.metric.endswith("_avg"):
        by_events = a.metric in _EVENT_MEANS
        wa, wb = (a.sample_count, b.sample_count) if by_events else (a.coverage, b.coverage)
        value = (a.value * wa + b.value * wb) / (wa + wb) if wa + wb > 0 else b.value
    else:
        value = a.value + b.value
    return MetricRow(
        a.site_id,
        a.camera_id,
        a.scope_id,
        a.metric,
        a.bucket_start,
        value,
        a.sample_count + b.sample_count,
        min(1.0, a.coverage + b.coverage),
    )


def _key(row: MetricRow) -> tuple[str, str, float]:
    return (row.scope_id, row.metric, row.bucket_start)


def _source_path(source: str, site_path: Path | None) -> str:
    """A relative file source is looked up in the working directory, then next to the site file."""
    if "://" in source or source.startswith("/dev/") or Path(source).is_absolute():
        return source
    if not Path(source).exists() and site_path is not None:
        beside = site_path.parent / source
        if beside.exists():
            return str(beside)
    return source


@dataclass(slots=True)
class Outputs:
    """What the store writer takes from one camera in one go."""

    events: list[Event] = field(default_factory=list)
    metrics: list[MetricRow] = field(default_factory=list)
    coverage: list[CoverageInterval] = field(default_factory=list)
    runs: list[AnalysisRun] = field(default_factory=list)


class LiveCamera:
    """A camera's reader, pipeline, live counts and pending outputs.

    ``counts`` (what the live feed shows) are since the start of the current capture-time hour
    (site time zone):
    ``{"people": in view now, "lines": {id: {"in", "out"}}, "zones": {id: {"occupancy"}}}``.
    """

    def __init__(
        self,
        site_id: str,
        camera: CameraConfig,
        *,
        tz: ZoneInfo,
        detector_for: Callable[[CameraConfig], Any],
        run_anchor: float,
        on_frame_ready: Callable[[], None] | None = None,
        on_state: Callable[[CameraHealth], None] | None = None,
        site_path: Path | None = None,
        backoff: Backoff | None = None,
        open_timeout_s: float = 10.0,
        stall_timeout_s: float = 10.0,
        faces: FacesConfig | None = None,
    ) -> None:
        if not camera.source:
            raise ConfigError(f"camera {camera.id!r} has no source: set cameras[].source")
        self.site_id = site_id
        self.camera = camera
        self.camera_id = camera.id
        self.tz = tz
        self.run_anchor = run_anchor
        self._detector_for = detector_for
        source = open_live_source(
            _source_path(camera.source, site_path),
            camera_id=camera.id,
            analysis_fps=camera.analysis_fps,
            transport=camera.transport or "tcp",
            loop=bool(camera.loop),
            open_timeout_s=open_timeout_s,
            stall_timeout_s=stall_timeout_s,
        )
        self.reader = CameraReader(
            source, LatestFrameSlot(on_put=on_frame_ready), backoff, on_state=on_state
        )
        self.pipeline = build_camera_pipeline(
            camera, site_id, detector_for(camera), run_anchor, faces=faces
        )
        self.closer = HourCloser(tz)
        self.run = AnalysisRun(
            id=run_id(site_id, camera.id, source.name, run_anchor),
            site_id=site_id,
            camera_id=camera.id,
            source_name=source.name,
            anchor_time=run_anchor,
            anchor_kind="live",
            started_at=time.time(),
        )
        self.frames = 0
        self.finished = False
        self._pending: CameraConfig | None = None
        self._lock = threading.Lock()
        self._out = Outputs()
        self._carry: dict[tuple[str, str, float], MetricRow] = {}
        self._last_time: float | None = None
        self._backdate_s = self._margin(self.analytics)
        self._hour: float | None = None
        self._lines: dict[str, dict[str, int]] = {}
        self.counts: dict[str, Any] = self._empty_counts()
        self.last_frame: Frame | None = None  # raw: mask it before showing it (``masked``)
        # The opt-in face stage's output for the writer: its counts so far (a snapshot, replaced
        # in the store under this run) and the visits' descriptors not yet matched.
        self._face_counts: dict[tuple[float, str, str, str], int] | None = None
        self._face_visits: list[Any] = []
        self.face_visits_recorded = 0

    @property
    def analytics(self) -> CameraAnalytics:
        analytics = self.pipeline.analytics
        assert isinstance(analytics, CameraAnalytics)
        return analytics

    @staticmethod
    def _margin(analytics: CameraAnalytics) -> float:
        # How far before its frame an event can be dated (presence, grace, gaps): an hour is final
        # once analysed capture time is this far past its end.
        return float(getattr(analytics, "_backdate_s", 60.0))

    # -- control (any thread) ------------------------------------------------------------------

    def start(self) -> None:
        self.reader.start()

    def reconfigure(self, camera: CameraConfig) -> None:
        """Queue new lines/zones/masks/detector; applied before the next analysed frame."""
        with self._lock:
            self._pending = camera

    def watermark(self) -> float | None:
        """Capture time up to which every event of this camera has been handed over."""
        with self._lock:
            if self._last_time is None:
                return None
            # After the final flush every event up to the last frame has been handed over.
            return self._last_time - (0.0 if self.finished else self._backdate_s)

    def take_outputs(self) -> Outputs:
        """Everything produced since the last call, plus coverage so far and the run record."""
        with self._lock:
            out, self._out = self._out, Outputs()
            run = self.run = self._updated_run()
        cov = self.reader.coverage
        closed = cov.pop_closed()
        # The open interval is written too (upsert on its start), so a crash loses at most ~1 s.
        spans = [*closed, *cov.intervals()]
        out.coverage = [
            CoverageInterval(self.site_id, self.camera_id, s, e, run.id) for s, e in spans
        ]
        out.runs = [run]
        return out

    def _updated_run(self) -> AnalysisRun:
        covered = sum(e - s for s, e in self.reader.coverage.intervals())
        status = "ok" if self.finished else "running"
        return AnalysisRun(
            id=self.run.id,
            site_id=self.run.site_id,
            camera_id=self.run.camera_id,
            source_name=self.run.source_name,
            anchor_time=self.run.anchor_time,
            anchor_kind=self.run.anchor_kind,
            started_at=self.run.started_at,
            finished_at=time.time() if self.finished else None,
            frames=self.frames,
            seconds=max(self.run.seconds, covered),
            status=status,
        )

    # -- analysis (one worker at a time) -------------------------------------------------------

    def analyse(self, frame: Frame) -> tuple[list[FrameResult], list[Event]]:
        """Run one frame through the pipeline; returns the frames it settled (none while this
        one waits for the next detection: people walking) and the events it revealed."""
        with self._lock:
            pending, self._pending = self._pending, None
        events: list[Event] = []
        if pending is not None:
            events += self._apply(pending, frame.timestamp)
        results = self.pipeline.process(frame)
        events += [e for r in results for e in r.events]
        self.closer.seen(frame.timestamp)
        rows = self._merge_carry(self.analytics.drain_metric_rows())
        self._count(results[-1] if results else None, events, frame.timestamp)
        self.last_frame = frame
        with self._lock:
            self._take_faces()
            self.frames += 1
            self._last_time = frame.timestamp
            self._out.events.extend(events)
            self._out.metrics.extend(rows)
        self.reader.report_analysed()
        return results, events

    def _take_faces(self) -> None:
        """(Under ``_lock``, on the analysis thread.) Hand the face stage's news to the writer."""
        stage = self.pipeline.faces
        if stage is None:
            return
        counts = getattr(stage, "counts", None)
        if counts:
            self._face_counts = dict(counts)
        visits = getattr(stage, "visits", None)
        if visits:
            self._face_visits.extend(visits)
            visits.clear()

    def take_faces(self) -> tuple[dict[tuple[float, str, str, str], int] | None, list[Any]]:
        """(Writer thread.) The face counts so far, if changed, and the visits not yet stored."""
        with self._lock:
            counts, self._face_counts = self._face_counts, None
            visits, self._face_visits = self._face_visits, []
        return counts, visits

    def give_back_faces(self, visits: list[Any]) -> None:
        """A write failed: keep these visits for the next flush."""
        with self._lock:
            self._face_visits = visits + self._face_visits

    def masked(self, frame: Frame) -> Frame:
        """``frame`` with the camera's privacy masks blanked: what may be shown to people."""
        mask = self.pipeline.mask
        return replace(frame, image=mask.apply(frame.image)) if mask else frame

    def finish(self) -> list[Event]:
        """Shutdown: close open visits at the last analysed time and hand over every row."""
        events = self.pipeline.finish()
        rows = self.analytics.drain_metric_rows()
        rows = self._merge_carry(rows) + list(self._carry.values())
        self._carry.clear()
        self.reader.coverage.gap()
        with self._lock:
            self._take_faces()
            self.finished = True
            self._out.events.extend(events)
            self._out.metrics.extend(rows)
        return events

    def _apply(self, camera: CameraConfig, t: float) -> list[Event]:
        """Swap in new configuration at capture time ``t``, keeping the tracker (same people)."""
        # Frames waiting for a detection belong to the old configuration: settle them first.
        settled = [e for r in self.pipeline.drain() for e in r.events]
        old = self.camera
        self.camera = camera
        self.pipeline.mask = camera_mask(camera)
        self.pipeline.ignore = camera_ignore_areas(camera)
        if camera.static_after_s != old.static_after_s:
            self.pipeline.static = camera_static_objects(camera)
        elif camera.static_objects != old.static_objects and self.pipeline.static is not None:
            # The installer decided on candidates: keep what was learnt, apply their word.
            self.pipeline.static.decide([(o.box, o.decision) for o in camera.static_objects])
        if camera.detector != old.detector:
            # Its own view of the (shared) detector: adaptive-pass state is per camera.
            self.pipeline.detector = for_camera(self._detector_for(camera))
        self.reader.source.analysis_fps = camera.analysis_fps  # from the next connection
        if camera.shelves != old.shelves:
            self.pipeline.pose = pose_stage(camera)  # none (and no model) without shelves
        geometry = ("lines", "zones", "shelves", "analysis_fps")
        unchanged = all(getattr(camera, k) == getattr(old, k) for k in geometry)
        if not (unchanged and camera.performance == old.performance):
            apply_performance(self.pipeline, camera)  # the gate and region follow the geometry
        if unchanged:
            return settled
        # New counters: the old ones end at t (visits in progress close and start again), and the
        # minute they share is merged, so no count is lost or doubled in the store.
        analytics = self.analytics
        events = settled + (analytics.flush(t) if analytics.last_time is not None else [])
        minute = bucket_start(t, analytics.bucket_s)
        rows = []
        for row in analytics.drain_metric_rows():
            if row.bucket_start >= minute:
                self._carry[_key(row)] = row
            else:
                rows.append(row)
        with self._lock:
            self._out.metrics.extend(rows)
        self.pipeline.analytics = CameraAnalytics(self.site_id, camera, self.run_anchor)
        self._backdate_s = self._margin(self.pipeline.analytics)
        self.counts = self._empty_counts()
        self._hour = None
        log.info("camera %s: configuration applied", self.camera_id)
        return events

    def _merge_carry(self, rows: list[MetricRow]) -> list[MetricRow]:
        if not self._carry:
            return rows
        out = []
        for row in rows:
            held = self._carry.pop(_key(row), None)
            out.append(row if held is None else merge_rows(held, row))
        if rows:  # minutes the new counters have finalised: carried rows there are final too
            done = max(r.bucket_start for r in rows)
            for k in [k for k in self._carry if k[2] <= done]:
                out.append(self._carry.pop(k))
        return out

    # -- live counts ---------------------------------------------------------------------------

    def _empty_counts(self) -> dict[str, Any]:
        return {
            "people": 0,
            "hour_start": None,
            "lines": {ln.id: {"in": 0, "out": 0} for ln in self.camera.lines},
            "zones": {z.id: {"occupancy": 0} for z in self.camera.zones},
        }

    def _count(self, result: FrameResult | None, events: list[Event], t: float) -> None:
        hour = hour_start(t, self.tz)
        if hour != self._hour:
            self._hour = hour
            self._lines = {ln.id: {"in": 0, "out": 0} for ln in self.camera.lines}
        for ev in events:
            if ev.kind == "line_crossing" and ev.time >= hour and ev.scope_id in self._lines:
                way = str(ev.properties.get("direction", "in"))
                self._lines[ev.scope_id][way] = self._lines[ev.scope_id].get(way, 0) + 1
        zones = {zid: {"occupancy": int(z.occupancy)} for zid, z in self.analytics.zones.items()}
        people = self.counts.get("people", 0)
        if result is not None:
            people = int((result.tracks.state == TrackState.CONFIRMED).sum())
        self.counts = {
            "people": people,
            "hour_start": hour,
            "lines": {k: dict(v) for k, v in self._lines.items()},
            "zones": zones,
        }
