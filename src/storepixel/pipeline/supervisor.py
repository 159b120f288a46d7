"""The live daemon's core: every camera of a site, analysed continuously, written as it happens.

Threads, not processes (measured in docs/dev/performance.md, "Live"): decoding (FFmpeg) and
inference (onnxruntime) release the GIL, so threads use both cores while sharing one detector
session, one store and the consumers of the event bus without any copying between processes.

- one **reader** thread per camera captures into a one-frame slot (a slow stage drops frames, it
  never queues them);
- a pool of ``analysis_workers`` threads takes whichever camera has a frame waiting (round robin,
  never two workers on one camera) and runs mask → detector → tracker → analytics;
- one **writer** thread publishes each second's events, finalised minute metrics, coverage and
  the run record to the site's event bus (:mod:`storepixel.events.bus`), which stores them in one
  idempotent transaction before its consumers see them, and closes hourly sessions as capture
  time passes each hour boundary. A failed write is kept and retried.

Analysed frames (privacy-masked) go to the bus's frame consumers (the live feed, live heatmaps)
from the workers; the bus queues them, so a slow consumer never holds a worker up.

>>> from storepixel.config.site import parse_site
>>> from storepixel.store import open_store
>>> site = parse_site({"site": {"id": "demo"}, "cameras": [{"id": "door",
...                    "source": "rtsp://admin:pw@cam.invalid/1"}]})
>>> sup = Supervisor(site, open_store("sqlite://"))
>>> sup.camera_ids(), sup.health()["door"].source
(['door'], 'rtsp://admin:***@cam.invalid/1')
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from storepixel.config.detector import DetectorConfig
from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.errors import StorepixelError
from storepixel.events.bus import EventBus, build_bus
from storepixel.outputs.sink import outward_of
from storepixel.pipeline.live_camera import LiveCamera, Outputs
from storepixel.pipeline.sessions import next_hour, summarise_hour
from storepixel.sources.health import CameraHealth, CameraState
from storepixel.store import Store
from storepixel.store.runs import CameraSession
from storepixel.types import Frame

log = logging.getLogger(__name__)

DetectorFactory = Callable[[DetectorConfig | None], Any]
MAX_BACKLOG_EVENTS = 200_000  # held while the store is unreachable; beyond that, oldest dropped


class _Scheduler:
    """Which camera a free worker should analyse next: FIFO of cameras with a frame waiting."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._ready: deque[str] = deque()
        self._queued: set[str] = set()
        self._busy: set[str] = set()
        self._closed = False

    def offer(self, camera_id: str) -> None:
        with self._cond:
            if camera_id not in self._queued and camera_id not in self._busy:
                self._ready.append(camera_id)
                self._queued.add(camera_id)
                self._cond.notify()

    def take(self, timeout: float) -> str | None:
        with self._cond:
            if not self._cond.wait_for(lambda: self._ready or self._closed, timeout):
                return None
            if self._closed:
                return None
            cam = self._ready.popleft()
            self._queued.discard(cam)
            self._busy.add(cam)
            return cam

    def done(self, camera_id: str, again: bool) -> None:
        with self._cond:
            self._busy.discard(camera_id)
            self._cond.notify_all()
        if again:
            self.offer(camera_id)

    def wait_idle(self, camera_id: str, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: camera_id not in self._busy, timeout)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


class Supervisor:
    """Runs every camera of ``site`` until :meth:`stop`, writing into ``store``.

    ``detector_factory(config)`` builds a detector (default: ``load_detector``); cameras with the
    same detector settings share one instance (onnxruntime sessions are thread-safe). Unless a
    camera's detector sets ``threads``, each inference gets ``cores // analysis_workers``.
    ``analysis_workers`` defaults to two per CPU core, at most one per camera: a worker spends
    part of each frame in Python (gate, tracker, analytics) and waiting for its turn, and a
    second one per core fills those gaps (16 store-day cameras on 2 cores: 4.47 fps at the
    slowest camera with 2 workers, 4.72 with 3, 4.77 with 4; docs/dev/performance.md). The store
    stays open after ``stop`` (it belongs to the caller). Everything goes through ``bus``
    (default: ``build_bus(site, store)``, closed on ``stop``; a bus passed in is the caller's).

    The ``counts`` handed with each frame to the bus's frame consumers are since the start of
    the current capture-time hour in the site's time zone (``hour_start`` says which):
    ``{"people": confirmed people in view, "hour_start": t, "lines": {id: {"in": n, "out": n}},
    "zones": {id: {"occupancy": n}}}``.
    """

    def __init__(
        self,
        site: SiteConfig,
        store: Store,
        *,
        detector_factory: DetectorFactory | None = None,
        site_path: Path | None = None,
        analysis_workers: int | None = None,
        flush_interval_s: float = 1.0,
        open_timeout_s: float = 10.0,
        stall_timeout_s: float = 10.0,
        on_state: Callable[[CameraHealth], None] | None = None,
        bus: EventBus | None = None,
    ) -> None:
        # Opt-in returning visitors: the site key, checked before anything starts.
        self._face_key: bytes | None = None
        if site.faces.visitors:
            from storepixel.faces.keys import site_key

            self._face_key = site_key(site.faces, site.site.id, site_path or site.path)
        if detector_factory is None:
            from storepixel.vision.detector import load_detector

            detector_factory = load_detector
        self.site = site
        self.site_id = site.site.id
        self.tz = site.site.tz
        self.store = store
        self._owns_bus = bus is None
        self.bus = build_bus(site, store) if bus is None else bus
        self.site_path = site_path or site.path
        self.flush_interval_s = flush_interval_s
        self.run_anchor = time.time()
        self.describer = None  # describing people-chunks, when the site's describe: asks for it
        if self._owns_bus:
            from storepixel.describe.live import LiveDescriber

            try:
                self.describer = LiveDescriber.attach(site, store, self.bus, self.run_anchor)
            except Exception:
                self.bus.close()
                raise
        for sub in self.bus.subscriptions:  # consumers that report camera states (forward:)
            watch = getattr(sub.consumer, "watch_cameras", None)
            if callable(watch):
                watch(self.health)
        self._detector_factory = detector_factory
        self._detectors: dict[str, Any] = {}
        self._timeouts = (open_timeout_s, stall_timeout_s)
        self._on_state = on_state
        self._lock = threading.RLock()
        self._write_lock = threading.Lock()
        self._scheduler = _Scheduler()
        self._cameras: dict[str, LiveCamera] = {}
        self._retired: list[LiveCamera] = []  # removed cameras whose last outputs await the writer
        self._backlog = Outputs()
        self._stop = threading.Event()
        self._started = False
        self._stopped = False
        self._workers: list[threading.Thread] = []
        self._writer: threading.Thread | None = None
        self.last_write_error: str | None = None
        cores = os.cpu_count() or 1
        self.analysis_workers = analysis_workers or max(1, min(len(site.cameras), 2 * cores))
        for camera in site.cameras:
            self._cameras[camera.id] = self._build(camera)

    # -- public API (what the CLI and the web app call) --------------------------------------------

    def start(self) -> None:
        """Start every camera and the workers; returns at once."""
        with self._lock:
            if self._started:
                return
            self._started = True
            for i in range(self.analysis_workers):
                t = threading.Thread(target=self._work, name=f"analysis-{i}", daemon=True)
                t.start()
                self._workers.append(t)
            self._writer = threading.Thread(target=self._write_loop, name="writer", daemon=True)
            self._writer.start()
            for cam in self._cameras.values():
                cam.start()
        log.info(
            "supervisor started",
            extra={"site": self.site_id, "cameras": len(self._cameras)},
        )
        self._audit_faces()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop capturing, close open visits, write everything (partial hours included)."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            cameras = list(self._cameras.values())
        deadline = time.monotonic() + timeout
        for cam in cameras:  # all at once: a blocked read costs its stall timeout only once
            cam.reader.source.stop()
        for cam in cameras:
            if not cam.reader.stop(max(0.1, deadline - time.monotonic())):
                log.warning("camera %s: capture still blocked; closing anyway", cam.camera_id)
        self._stop.set()
        self._scheduler.close()
        for t in self._workers:
            t.join(max(0.1, deadline - time.monotonic()))
        if self._writer is not None:
            self._writer.join(max(0.1, deadline - time.monotonic()))
        for cam in cameras:
            self._finish(cam)
        self._flush(final=True)
        if self._owns_bus:
            self.bus.close()
        log.info("supervisor stopped", extra={"site": self.site_id})

    def health(self) -> dict[str, CameraHealth]:
        with self._lock:
            cameras = list(self._cameras.values())
        return {cam.camera_id: cam.reader.health() for cam in cameras}

    def camera_ids(self) -> list[str]:
        with self._lock:
            return list(self._cameras)

    def snapshot(self, camera_id: str) -> Frame | None:
        """The camera's latest analysed frame with its privacy masks applied (None before any)."""
        with self._lock:
            cam = self._cameras.get(camera_id)
        if cam is None:
            raise StorepixelError(f"no camera {camera_id!r} is running")
        frame = cam.last_frame
        return None if frame is None else cam.masked(frame)

    def counts(self, camera_id: str) -> Mapping[str, Any]:
        """The camera's latest live counts (see the class docstring)."""
        with self._lock:
            return self._cameras[camera_id].counts

    def update_camera(self, camera: CameraConfig) -> None:
        """Apply an edited camera. Lines, zones, masks, detector and analysis fps change from the
        next analysed frame without reconnecting; a new source restarts that camera's capture; an
        unknown id adds the camera."""
        with self._lock:
            current = self._cameras.get(camera.id)
            same_source = current is not None and (
                (current.camera.source, current.camera.transport, current.camera.loop)
                == (camera.source, camera.transport, camera.loop)
            )
            if current is not None and same_source:
                current.reconfigure(camera)
                return
            new = self._build(camera)  # validates the source before the old one is stopped
        if current is not None:
            self.remove_camera(camera.id)
        with self._lock:
            self._cameras[camera.id] = new
            if self._started and not self._stopped:
                new.start()

    def remove_camera(self, camera_id: str) -> None:
        """Stop one camera, flush what it produced; the others keep running."""
        with self._lock:
            cam = self._cameras.pop(camera_id, None)
        if cam is None:
            raise StorepixelError(f"no camera {camera_id!r} is running")
        cam.reader.stop(timeout=10)
        self._scheduler.wait_idle(camera_id, timeout=30)
        self._finish(cam)
        with self._lock:
            self._retired.append(cam)

    # -- building --------------------------------------------------------------------------------

    def _detector_for(self, camera: CameraConfig) -> Any:
        config = camera.detector or DetectorConfig()
        if "threads" not in config.model_fields_set:
            # Workers share the cores: one inference per worker at a time, each with its share of
            # the cores, rather than every inference asking for all of them.
            share = max(1, (os.cpu_count() or 1) // self.analysis_workers)
            config = config.model_copy(update={"threads": share})
        key = config.model_dump_json()
        with self._lock:
            if key not in self._detectors:
                self._detectors[key] = self._detector_factory(config)
            return self._detectors[key]

    def _build(self, camera: CameraConfig) -> LiveCamera:
        open_s, stall_s = self._timeouts
        return LiveCamera(
            self.site_id,
            camera,
            tz=self.tz,
            detector_for=self._detector_for,
            run_anchor=self.run_anchor,
            on_frame_ready=functools.partial(self._scheduler.offer, camera.id),
            on_state=self._state_changed,
            site_path=self.site_path,
            open_timeout_s=open_s,
            stall_timeout_s=stall_s,
            faces=self.site.faces,
        )

    def _audit_faces(self) -> None:
        """Each live run that uses an opt-in face feature goes to the audit log."""
        from storepixel.store.accounts import audit

        with self._lock:
            cameras = list(self._cameras.values())
        for feature in ("attributes", "visitors"):
            if getattr(self.site.faces, feature):
                for cam in cameras:
                    target = f"{self.site_id}/{cam.camera_id}"
                    audit(self.store, "run", f"faces.{feature}", target, {"run": cam.run.id})

    def _write_faces(self, cameras: list[LiveCamera]) -> None:
        """The face stage's counts (replaced under each run) and new visits, after the batch."""
        from storepixel.faces.descriptor import SAME_PERSON
        from storepixel.store.faces import record_visits, write_counts

        for cam in cameras:
            counts, visits = cam.take_faces()
            try:
                if counts is not None and self.site.faces.attributes:
                    write_counts(self.store, self.site_id, cam.camera_id, cam.run.id, counts)
                if visits and self._face_key is not None:
                    record_visits(
                        self.store,
                        self.site_id,
                        cam.camera_id,
                        cam.run.id,
                        [(v.first_t, v.last_t, v.descriptor) for v in visits],
                        self._face_key,
                        same_person=SAME_PERSON,
                        replace=False,
                        first_index=cam.face_visits_recorded,
                    )
                    cam.face_visits_recorded += len(visits)
            except StorepixelError as err:
                log.warning("face counts or visits not stored yet: %s", err)
                cam.give_back_faces(visits)

    def _state_changed(self, health: CameraHealth) -> None:
        level = logging.INFO if health.failure is None else logging.WARNING
        log.log(
            level,
            "camera %s %s%s",
            health.camera_id,
            health.state,
            f": {health.message}" if health.message else "",
            extra={
                "camera": health.camera_id,
                "state": health.state,
                "failure": health.failure,
                "reconnects": health.reconnect_count,
            },
        )
        if self._on_state is not None:
            self._on_state(health)
        down = (CameraState.RECONNECTING, CameraState.ERROR)
        outward = outward_of(self.bus)
        if outward is not None and health.state in (CameraState.STREAMING, *down):
            try:  # camera_down alert rules
                outward.camera_state(health.camera_id, health.state == CameraState.STREAMING)
            except Exception:
                log.exception("camera_down alert failed")

    # -- analysis workers ------------------------------------------------------------------------

    def _work(self) -> None:
        while not self._stop.is_set():
            camera_id = self._scheduler.take(timeout=0.5)
            if camera_id is None:
                continue
            with self._lock:
                cam = self._cameras.get(camera_id)
            if cam is None or cam.finished:
                self._scheduler.done(camera_id, again=False)
                continue
            try:
                frame = cam.reader.slot.get(timeout=0)
                if frame is not None:
                    results, _ = cam.analyse(frame)  # its events reach the bus via the writer
                    if self.bus.wants_frames:  # results carry the masked frame (CameraPipeline)
                        for result in results:
                            self.bus.publish_frame(camera_id, result, cam.counts)
            except Exception:  # a bug on one camera's frame must not stop the others
                log.exception("camera %s: analysis failed", camera_id, extra={"camera": camera_id})
            finally:
                self._scheduler.done(camera_id, again=cam.reader.slot.ready)

    def _finish(self, cam: LiveCamera) -> None:
        if cam.finished:
            return
        try:
            cam.finish()  # its last events and rows go out with the next flush
        except Exception:
            log.exception("camera %s: flush failed", cam.camera_id)

    # -- the store writer ------------------------------------------------------------------------

    def _write_loop(self) -> None:
        while not self._stop.wait(self.flush_interval_s):
            try:
                self._flush()
            except Exception:
                log.exception("store writer failed")

    def _flush(self, final: bool = False) -> None:
        """One transaction with everything new; then close the hours that are complete."""
        with self._write_lock:
            with self._lock:
                cameras = list(self._cameras.values()) + self._retired
                retired, self._retired = self._retired, []
            marks = {cam.camera_id: cam.watermark() for cam in cameras}
            batch = self._backlog
            for cam in cameras:
                out = cam.take_outputs()
                batch.events += out.events
                batch.metrics += out.metrics
                batch.coverage += out.coverage
                batch.runs += out.runs
            try:
                # Runs first (coverage rows point at them); each is a small idempotent upsert.
                for run in batch.runs[:-1]:
                    self.store.write(run=run)
                self.bus.publish(
                    batch.events,
                    batch.metrics,
                    coverage=batch.coverage,
                    run=batch.runs[-1] if batch.runs else None,
                )
            except StorepixelError as err:
                batch.runs = batch.runs[-len(cameras) :]  # only the latest record of each matters
                self._keep(batch, str(err))
                with self._lock:
                    self._retired = retired + self._retired
                return
            self._backlog = Outputs()
            if self.site.faces.any:
                self._write_faces(cameras)
            if self.last_write_error is not None:
                log.info("store writes resumed")
                self.last_write_error = None
            self._advance_alerts(marks)
            self._close_hours(cameras, marks, final)

    def _advance_alerts(self, marks: dict[str, float | None]) -> None:
        """Alert rules are evaluated up to each camera's watermark (capture time) once the
        batch is out; a failure here never holds up the store."""
        outward = outward_of(self.bus)
        if outward is not None:
            try:
                outward.advance(marks)
            except Exception:
                log.exception("alert rules failed")

    def _keep(self, batch: Outputs, reason: str) -> None:
        if reason != self.last_write_error:
            log.error("cannot write to the store (will retry): %s", reason)
        self.last_write_error = reason
        if len(batch.events) > MAX_BACKLOG_EVENTS:
            lost = len(batch.events) - MAX_BACKLOG_EVENTS
            log.error("store unreachable too long: dropping the %d oldest events", lost)
            batch.events = batch.events[lost:]
        self._backlog = batch

    def _close_hours(
        self, cameras: list[LiveCamera], marks: dict[str, float | None], final: bool
    ) -> None:
        sessions: list[CameraSession] = []
        for cam in cameras:
            mark = marks.get(cam.camera_id)
            if mark is None:
                continue
            for start, end in cam.closer.ready(mark):
                sessions.append(self._session(cam, start, end, partial=False))
            if final or cam.finished:
                current = cam.closer.current()
                if current is not None and cam.frames:
                    end = next_hour(current, self.tz)
                    sessions.append(self._session(cam, current, end, partial=True))
        if sessions:
            self.store.write(sessions=sessions)
            for s in sessions:
                log.info(
                    "session closed",
                    extra={
                        "camera": s.camera_id,
                        "hour_start": s.start,
                        "coverage_s": s.coverage_s,
                        "visits": s.visits,
                        "partial": s.summary.get("partial", False),
                    },
                )

    def _session(self, cam: LiveCamera, start: float, end: float, partial: bool) -> CameraSession:
        return summarise_hour(
            self.store, self.site_id, cam.camera_id, start, end, run_id=cam.run.id, partial=partial
        )
