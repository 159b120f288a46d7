"""Where people stood, from live cameras: an hourly grid per camera, stored as it fills.

A bus consumer (:mod:`storepixel.events.bus`) attached to every site's bus, so ``run`` and
``serve --run`` both keep heatmaps. It runs on its own thread: it adds each frame's confirmed
foot points to the grid of the frame's capture hour, and adds what it gathered to the store
(``origin="live"``) every ``flush_every_s`` and on close. Files analysed with ``analyze`` or
uploaded keep one grid per file instead (``storepixel.store.heatmaps.save_file_heatmap``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from storepixel.analytics.geometry import to_normalised
from storepixel.analytics.heatmap import Heatmap
from storepixel.types import TrackState

if TYPE_CHECKING:
    from storepixel.config.site import SiteConfig
    from storepixel.events.bus import EventBus
    from storepixel.store import Store

log = logging.getLogger(__name__)
HOUR = 3600.0


@dataclass
class _HourHeat:
    start: float
    heatmap: Heatmap
    last: float = 0.0


class LiveHeatmaps:
    """Hourly heatmap grids of one site's live cameras, added to ``store`` as they fill."""

    def __init__(self, store: Store, site_id: str, flush_every_s: float = 30.0) -> None:
        from storepixel.store.heatmaps import GRID

        self.store = store
        self.site_id = site_id
        self.flush_every_s = flush_every_s
        self._grid = GRID
        self._heat: dict[str, _HourHeat] = {}
        self._closed: list[tuple[str, _HourHeat]] = []
        self._flushed_at = time.monotonic()
        self._lock = threading.Lock()  # flush() may also be called from another thread

    def write_frame(self, camera_id: str, result: Any, counts: Mapping[str, Any]) -> None:
        frame, tracks = result.frame, result.tracks
        t = float(frame.timestamp)
        hour = t - t % HOUR
        seen = tracks.select(tracks.state == TrackState.CONFIRMED)
        points = to_normalised(seen.foot_points, (frame.width, frame.height))
        with self._lock:
            heat = self._heat.get(camera_id)
            if heat is not None and t < heat.last:
                return  # time went backwards (a restarted source): skip rather than mis-weight
            if heat is None or heat.start != hour:
                if heat is not None:
                    heat.heatmap.close(t)
                    self._closed.append((camera_id, heat))
                heat = self._heat[camera_id] = _HourHeat(hour, Heatmap(self._grid))
            heat.heatmap.update(points, t)
            heat.last = t
        if time.monotonic() - self._flushed_at >= self.flush_every_s:
            self.flush()

    def flush(self, final: bool = False) -> int:
        """Add the person-seconds gathered since the last flush to the store; grids written."""
        from storepixel.store.heatmaps import add_grid

        with self._lock:
            self._flushed_at = time.monotonic()
            pending: list[tuple[str, float, NDArray[np.float64]]] = [
                (camera_id, heat.start, heat.heatmap.grid) for camera_id, heat in self._closed
            ]
            self._closed.clear()
            for camera_id, heat in self._heat.items():
                if final:
                    heat.heatmap.close()
                pending.append((camera_id, heat.start, heat.heatmap.grid.copy()))
                heat.heatmap.grid[:] = 0.0
        written = 0
        for camera_id, start, grid in pending:
            if grid.sum() > 0:
                add_grid(self.store, self.site_id, camera_id, start, start + HOUR, "live", grid)
                written += 1
        return written

    def close(self) -> None:
        try:
            self.flush(final=True)
        except Exception:  # the store is gone at shutdown: say so, do not hang the exit
            log.exception("writing the last live heatmaps failed")


def attach(bus: EventBus, site: SiteConfig, store: Store | None) -> None:
    """Every site with a store keeps live heatmaps (frames come only from live cameras)."""
    if store is not None:
        bus.subscribe(LiveHeatmaps(store, site.site.id))
