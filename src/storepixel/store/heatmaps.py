"""Heatmap grids in the store, and the PNG the API draws from them.

The store keeps no frames, and events carry no positions, so where people stood is kept as
person-seconds on a coarse normalised grid (48 × 64 cells, the analytics default): one row per
camera and capture-time hour for live cameras (added to every ``flush``), one row per analysed
upload (its whole span). A query sums the rows that overlap the requested range, so its time
resolution is an hour for live cameras and a whole file for uploads.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Table, delete, insert, select, update

from storepixel.analytics.heatmap import Heatmap
from storepixel.store import Store
from storepixel.store.locks import take_write_lock
from storepixel.store.web_models import HeatmapRecord

GRID = (48, 64)
HEATMAPS: Table = HeatmapRecord.__table__  # type: ignore[assignment]


def _cells(grid: NDArray[np.float64]) -> list[float]:
    return [round(float(v), 3) for v in grid.ravel()]


def _key(site_id: str, camera_id: str, start: float, origin: str) -> Any:
    c = HEATMAPS.c
    return (
        c.site_id == site_id,
        c.camera_id == camera_id,
        c.start_time == start,
        c.origin == origin,
    )


def add_grid(
    store: Store,
    site_id: str,
    camera_id: str,
    start: float,
    end: float,
    origin: str,
    grid: NDArray[np.float64],
) -> None:
    """Add ``grid`` to the row (site, camera, start, origin), creating it if needed."""
    with store.transaction() as conn:
        take_write_lock(conn, HEATMAPS)
        row = conn.execute(select(HEATMAPS).where(*_key(site_id, camera_id, start, origin))).first()
        if row is None:
            conn.execute(_insert(site_id, camera_id, start, end, origin, grid))
            return
        total = _as_grid(row.cells, row.rows, row.cols, grid.shape) + grid
        conn.execute(
            update(HEATMAPS)
            .where(*_key(site_id, camera_id, start, origin))
            .values(end_time=max(end, row.end_time), cells=_cells(total))
        )


def set_grid(
    store: Store,
    site_id: str,
    camera_id: str,
    start: float,
    end: float,
    origin: str,
    grid: NDArray[np.float64],
) -> None:
    """Replace the row (a re-analysed upload replaces its earlier grid)."""
    with store.transaction() as conn:
        conn.execute(delete(HEATMAPS).where(*_key(site_id, camera_id, start, origin)))
        conn.execute(_insert(site_id, camera_id, start, end, origin, grid))


def _insert(
    site_id: str, camera_id: str, start: float, end: float, origin: str, grid: NDArray[np.float64]
) -> Any:
    return insert(HEATMAPS).values(
        site_id=site_id,
        camera_id=camera_id,
        start_time=start,
        origin=origin,
        end_time=end,
        rows=grid.shape[0],
        cols=grid.shape[1],
        cells=_cells(grid),
    )


def _as_grid(
    cells: list[float], rows: int, cols: int, shape: tuple[int, ...]
) -> NDArray[np.float64]:
    grid: NDArray[np.float64] = np.asarray(cells, np.float64).reshape(rows, cols)
    if grid.shape != shape:
        # Person-seconds are conserved when a grid of another size is resampled.
        scale = (rows * cols) / (shape[0] * shape[1])
        resized = cv2.resize(grid, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
        grid = np.asarray(resized, np.float64) * scale
    return grid


def load_grid(
    store: Store, site_id: str, camera_id: str, lo: float, hi: float
) -> NDArray[np.float64]:
    """Person-seconds per cell summed over the rows overlapping ``[lo, hi)``."""
    c = HEATMAPS.c
    stmt = select(HEATMAPS).where(
        c.site_id == site_id, c.camera_id == camera_id, c.start_time < hi, c.end_time > lo
    )
    total = np.zeros(GRID, np.float64)
    with store.connect() as conn:
        for row in conn.execute(stmt):
            total += _as_grid(row.cells, row.rows, row.cols, GRID)
    return total


def render_png(grid: NDArray[np.float64], backdrop: NDArray[np.uint8] | None) -> bytes:
    heat = Heatmap(grid.shape)  # type: ignore[arg-type]
    heat.grid = grid
    return heat.render_png(backdrop)


def save_file_heatmap(store: Store, site_id: str, video_name: str, analysis: Any) -> bool:
    """Store the heatmap of one analysed file (a ``FileAnalysis``) as one row spanning it,
    keyed by the analysis run: analysing the same file again replaces it."""
    from storepixel.store import run_id

    if analysis.analytics is None or not analysis.frames:
        return False
    begin = analysis.anchor + analysis.first_offset
    origin = run_id(site_id, analysis.camera_id, video_name, analysis.anchor)
    end = begin + max(analysis.seconds, 1e-3)
    grid = analysis.analytics.heatmap.grid
    set_grid(store, site_id, analysis.camera_id, begin, end, origin, grid)
    return True
