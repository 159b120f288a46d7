"""The live feed: the bridge from a site's event bus to the web app's WebSockets and snapshots.

``LiveHub.consumer(site_id)`` subscribes to the site's :class:`~storepixel.events.bus.EventBus`
(its own thread, so nothing here slows the cameras). It keeps a reference to the newest frame
result per camera and puts events (already stored) on each WebSocket subscriber's bounded queue,
dropping them for a subscriber that is too slow. JPEG encoding happens on demand in the web
server's threads, once per new frame however many clients watch. Live heatmaps are another
consumer of the same bus (:mod:`storepixel.pipeline.live_heatmaps`).
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

from storepixel.api.snapshots import jpeg, masked
from storepixel.config.registry import SiteRegistry
from storepixel.pipeline.annotate import draw_overlay
from storepixel.types import Event

log = logging.getLogger(__name__)


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
class _Subscriber:
    site_id: str
    queue: asyncio.Queue[Event]
    loop: asyncio.AbstractEventLoop
    dropped: int = 0


@dataclass
class _SiteConsumer:
    """What the hub subscribes to one site's event bus."""

    hub: LiveHub
    site_id: str

    def write_frame(self, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        self.hub.frame(self.site_id, camera_id, result, counts)

    def write_events(self, events: Sequence[Event]) -> None:
        self.hub.events(self.site_id, events)


@dataclass
class LiveHub:
    sites: SiteRegistry
    _latest: dict[tuple[str, str], _Latest] = field(default_factory=dict)
    _encoded: dict[tuple[str, str], _Encoded] = field(default_factory=dict)
    _subscribers: list[_Subscriber] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _encode_lock: threading.Lock = field(default_factory=threading.Lock)
    _seq: int = 0

    def consumer(self, site_id: str) -> _SiteConsumer:
        return _SiteConsumer(self, site_id)

    # --- called from the bus's consumer thread ----------------------------------------------------

    def frame(self, site_id: str, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        frame = result.frame
        key = (site_id, camera_id)
        with self._lock:
            self._seq += 1
            self._latest[key] = _Latest(self._seq, frame.timestamp, result, dict(counts))

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

    def static_candidates(
        self, site_id: str, camera_id: str
    ) -> list[tuple[float, float, float, float]]:
        """The newest frame's static-object candidates, normalised [x1, y1, x2, y2]."""
        latest = self._latest.get((site_id, camera_id))
        if latest is None:
            return []
        frame = latest.result.frame
        boxes = getattr(latest.result, "static_candidates", np.zeros((0, 4)))
        scale = np.array([frame.width, frame.height, frame.width, frame.height], np.float64)
        return [
            tuple(round(float(v), 4) for v in np.clip(b / scale, 0.0, 1.0))  # type: ignore[misc]
            for b in np.asarray(boxes, np.float64).reshape(-1, 4)
        ]

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
