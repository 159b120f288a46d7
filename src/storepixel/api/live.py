"""The bridge from running cameras (a Supervisor's worker threads) to the web app.

``LiveHub.listener(site_id)`` is what a Supervisor calls for each analysed frame and each batch
of events. The calls must stay cheap and never block, so the hub only keeps a reference to the
newest frame result per camera, adds the frame's foot points to an hourly heatmap grid, and puts
events on each WebSocket subscriber's bounded queue (dropping them for a subscriber that is too
slow). JPEG encoding happens on demand in the web server's threads, once per new frame however
many clients watch, and heatmap grids are written to the store by a background thread.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from storepixel.analytics.geometry import to_normalised
from storepixel.analytics.heatmap import Heatmap
from storepixel.api.heatmaps import GRID, add_grid
from storepixel.api.sites import SiteRegistry
from storepixel.api.snapshots import jpeg, masked
from storepixel.pipeline.annotate import draw_overlay
from storepixel.store import Store
from storepixel.types import Event, TrackState

log = logging.getLogger(__name__)
HOUR = 3600.0


@dataclass
class _Latest:
    seq: int
    time: float
    result: Any  # FrameResult
    counts: Mapping[str, Any]


@dataclass
class _Encoded:
    seq: int
    time: float
    jpeg: bytes
    counts: dict[str, Any]


@dataclass
class _HourHeat:
    start: float
    heatmap: Heatmap
    last: float = 0.0


@dataclass
class _Subscriber:
    site_id: str
    queue: asyncio.Queue[Event]
    loop: asyncio.AbstractEventLoop
    dropped: int = 0


@dataclass
class _SiteListener:
    """The LiveListener handed to one site's Supervisor (contract A)."""

    hub: LiveHub
    site_id: str

    def on_frame(self, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        self.hub.frame(self.site_id, camera_id, result, counts)

    def on_events(self, camera_id: str, events: Sequence[Event]) -> None:
        self.hub.events(self.site_id, events)


@dataclass
class LiveHub:
    sites: SiteRegistry
    store: Store
    flush_every_s: float = 30.0
    _latest: dict[tuple[str, str], _Latest] = field(default_factory=dict)
    _encoded: dict[tuple[str, str], _Encoded] = field(default_factory=dict)
    _heat: dict[tuple[str, str], _HourHeat] = field(default_factory=dict)
    _closed_heat: list[tuple[str, str, _HourHeat]] = field(default_factory=list)
    _subscribers: list[_Subscriber] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _encode_lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _seq: int = 0

    def listener(self, site_id: str) -> _SiteListener:
        return _SiteListener(self, site_id)

    # --- called from camera worker threads ------------------------------------------------------

    def frame(self, site_id: str, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        frame = result.frame
        key = (site_id, camera_id)
        with self._lock:
            self._seq += 1
            self._latest[key] = _Latest(self._seq, frame.timestamp, result, dict(counts))
            self._add_heat(key, result)

    def _add_heat(self, key: tuple[str, str], result: Any) -> None:
        frame, tracks = result.frame, result.tracks
        t = float(frame.timestamp)
        hour = t - t % HOUR
        heat = self._heat.get(key)
        if heat is not None and t < heat.last:
            return  # time went backwards (a restarted source): skip rather than mis-weight
        if heat is None or heat.start != hour:
            if heat is not None:
                heat.heatmap.close(t)
                self._closed_heat.append((*key, heat))
            heat = self._heat[key] = _HourHeat(hour, Heatmap(GRID))
        seen = tracks.select(tracks.state == TrackState.CONFIRMED)
        points = to_normalised(seen.foot_points, (frame.width, frame.height))
        heat.heatmap.update(points, t)
        heat.last = t

    def events(self, site_id: str, events: Sequence[Event]) -> None:
        if not events:
            return
        for sub in list(self._subscribers):
            if sub.site_id != site_id:
                continue
            try:
                for ev in events:
                    sub.loop.call_soon_threadsafe(_offer, sub, ev)
            except RuntimeError:  # the subscriber's event loop has closed (server stopping)
                self.unsubscribe(sub)

    # --- read by the web app --------------------------------------------------------------------

    def running(self, site_id: str, camera_id: str) -> bool:
        return (site_id, camera_id) in self._latest

    def latest_image(self, site_id: str, camera_id: str) -> NDArray[np.uint8] | None:
        """The newest analysed frame, privacy-masked (BGR), or ``None``."""
        latest = self._latest.get((site_id, camera_id))
        if latest is None:
            return None
        camera = self.sites.camera(site_id, camera_id)
        return masked(latest.result.frame.image, camera)

    def frame_message(self, site_id: str, camera_id: str) -> _Encoded | None:
        """The newest frame with boxes, ids, lines and zones drawn, as JPEG (cached per frame)."""
        key = (site_id, camera_id)
        latest = self._latest.get(key)
        if latest is None:
            return None
        with self._encode_lock:
            done = self._encoded.get(key)
            if done is not None and done.seq == latest.seq:
                return done
            camera = self.sites.camera(site_id, camera_id)
            image = masked(latest.result.frame.image, camera)
            lines: dict[str, Sequence[Sequence[float]]] = {ln.id: ln.points for ln in camera.lines}
            zones: dict[str, Sequence[Sequence[float]]] = {z.id: z.polygon for z in camera.zones}
            captions = _captions(latest.counts)
            drawn = draw_overlay(image, latest.result.tracks, lines, zones, captions)
            height, width = drawn.shape[:2]
            if width > 960:  # keep a 2 fps feed light on the network
                import cv2

                drawn = np.asarray(cv2.resize(drawn, (960, round(height * 960 / width))), np.uint8)
            done = _Encoded(latest.seq, latest.time, jpeg(drawn, 75), dict(latest.counts))
            self._encoded[key] = done
            return done

    def subscribe(self, site_id: str, maxsize: int = 1000) -> _Subscriber:
        sub = _Subscriber(site_id, asyncio.Queue(maxsize), asyncio.get_running_loop())
        self._subscribers.append(sub)
        return sub

    def unsubscribe(self, sub: _Subscriber) -> None:
        if sub in self._subscribers:
            self._subscribers.remove(sub)

    def forget_camera(self, site_id: str, camera_id: str) -> None:
        """A camera was removed: stop showing its last frame."""
        with self._lock:
            self._latest.pop((site_id, camera_id), None)
        self._encoded.pop((site_id, camera_id), None)

    # --- heatmap persistence --------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="live-heatmaps", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        try:
            self.flush(final=True)
        except Exception:  # the store is gone at shutdown: say so, do not hang the exit
            log.exception("writing the last live heatmaps failed")

    def _run(self) -> None:
        while not self._stop.wait(self.flush_every_s):
            try:
                self.flush()
            except Exception:  # never let the flusher die: the next round retries
                log.exception("writing live heatmaps failed")

    def flush(self, final: bool = False) -> int:
        """Add the person-seconds gathered since the last flush to the store; rows written."""
        with self._lock:
            pending: list[tuple[str, str, float, float, NDArray[np.float64]]] = []
            for site_id, camera_id, heat in self._closed_heat:
                pending.append(
                    (site_id, camera_id, heat.start, heat.start + HOUR, heat.heatmap.grid)
                )
            self._closed_heat.clear()
            for (site_id, camera_id), heat in self._heat.items():
                if final:
                    heat.heatmap.close()
                grid = heat.heatmap.grid.copy()
                heat.heatmap.grid[:] = 0.0
                pending.append((site_id, camera_id, heat.start, heat.start + HOUR, grid))
        written = 0
        for site_id, camera_id, start, end, grid in pending:
            if grid.sum() > 0:
                add_grid(self.store, site_id, camera_id, start, end, "live", grid)
                written += 1
        return written


def _offer(sub: _Subscriber, event: Event) -> None:
    try:
        sub.queue.put_nowait(event)
    except asyncio.QueueFull:
        sub.dropped += 1  # a slow client misses events rather than slowing the cameras


def _captions(counts: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for line_id, c in (counts.get("lines") or {}).items():
        if isinstance(c, Mapping):
            out[line_id] = f"in {c.get('in', 0)} out {c.get('out', 0)}"
    for zone_id, c in (counts.get("zones") or {}).items():
        if isinstance(c, Mapping) and "occupancy" in c:
            out[zone_id] = f"({c['occupancy']})"
    return out
