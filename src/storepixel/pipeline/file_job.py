"""Analysing one video file for one camera of a site: the engine behind ``storepixel analyze``.

Order matters for "bad input loses nothing": the site config and the store are checked before any
frame is decoded, and everything one analysis produces (events, minute metrics, coverage, the run
record) is published to the site's event bus (:mod:`storepixel.events.bus`) as one batch at the
end: the bus stores it in a single transaction before any consumer sees it, so a failure leaves
the store as it was.
Re-running on the same file with the same start time rewrites identical rows (ids are hashes).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.events.bus import EventBus
from storepixel.outputs.sink import outward_of
from storepixel.pipeline.annotate import VideoWriter, draw_overlay
from storepixel.pipeline.camera import FrameResult
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.sources import VideoFileSource
from storepixel.store import AnalysisRun, CoverageInterval, run_id
from storepixel.types import Event, Frame, MetricRow
from storepixel.vision.detector import load_detector

ANCHOR_KINDS = {
    "given start time": "start",
    "window start": "window",
    "container creation time": "container",
    "file modification time": "mtime",
}


class RecordedSource(Protocol):
    """What the file pipeline needs of a source: frames in capture order and their timeline."""

    camera_id: str
    anchor: float
    anchor_origin: str
    fps: float | None
    frame_count: int | None
    truncated: bool

    def __iter__(self) -> Iterator[Frame]: ...


@dataclass(slots=True)
class FileAnalysis:
    """What one analysis produced, for printing, reports and tests."""

    camera_id: str
    anchor: float
    anchor_origin: str
    frames: int
    seconds: float
    truncated: bool
    first_offset: float = 0.0  # offset of the first analysed frame in the file
    events: list[Event] = field(default_factory=list)
    metrics: list[MetricRow] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    analytics: CameraAnalytics | None = None
    events_new: int = 0
    elapsed_s: float = 0.0
    backdrop: NDArray[np.uint8] | None = None  # a masked frame to draw the heatmap on
    faces: Any = None  # the opt-in face stage (pipeline.face_stage), None when faces are off
    faces_recorded: dict[str, Any] = field(default_factory=dict)

    def heatmap_png(self) -> bytes | None:
        return None if self.analytics is None else self.analytics.heatmap.render_png(self.backdrop)

    def transitions(self) -> dict[str, int]:
        if self.analytics is None:
            return {}
        counts = self.analytics.transition_counts()
        return {f"{a} → {b}": n for (a, b), n in sorted(counts.items())}

    def as_json(self) -> dict[str, Any]:
        return {
            "camera": self.camera_id,
            "frames": self.frames,
            "seconds": round(self.seconds, 3),
            **self.summary,
        }


def _geometry(camera: CameraConfig) -> tuple[dict[str, Any], dict[str, Any]]:
    lines = {line.id: [tuple(p) for p in line.points] for line in camera.lines}
    zones = {zone.id: [tuple(p) for p in zone.polygon] for zone in camera.zones}
    return lines, zones


def analyze_file(
    video: str | Path,
    site: SiteConfig,
    camera: CameraConfig,
    bus: EventBus | None,
    *,
    start: float | None = None,
    annotate: str | Path | None = None,
    progress: Callable[[Iterable[Frame], int | None], Iterator[Frame]] | None = None,
    observe: Callable[[list[FrameResult]], None] | None = None,
) -> FileAnalysis:
    """Run detection, tracking and analytics over ``video`` as ``camera`` of ``site``; publish
    the outcome to ``bus`` (from :func:`~storepixel.events.bus.build_bus`), if given.

    ``observe`` sees every settled frame's result in capture order (e.g. the describe feed)."""
    source = VideoFileSource(video, camera.id, camera.analysis_fps, start)
    return analyze_source(
        source,
        Path(video).name,
        site,
        camera,
        bus,
        annotate=annotate,
        progress=progress,
        observe=observe,
    )


def analyze_source(
    source: RecordedSource,
    source_name: str,
    site: SiteConfig,
    camera: CameraConfig,
    bus: EventBus | None,
    *,
    annotate: str | Path | None = None,
    progress: Callable[[Iterable[Frame], int | None], Iterator[Frame]] | None = None,
    observe: Callable[[list[FrameResult]], None] | None = None,
) -> FileAnalysis:
    """:func:`analyze_file` for any recorded source (a file, a DVR window): ``source_name``
    (redacted when stored) names it in the run record, whose id it shares with every re-run."""
    # Opt-in returning visitors need the site key: checked before any frame is decoded.
    key = None
    if site.faces.visitors:
        from storepixel.faces.keys import site_key

        key = site_key(site.faces, site.site.id, site.path)
    detector = load_detector(camera.detector)
    # The factory applies the camera's performance settings (change gate, detection region).
    pipeline = build_camera_pipeline(
        camera, site.site.id, detector, source.anchor, faces=site.faces
    )
    if pipeline.pose is not None and isinstance(source, VideoFileSource):
        source.wants = pipeline.wants  # pose bursts (``performance.pose_burst_fps``)
    mask, analytics = pipeline.mask, pipeline.analytics
    assert isinstance(analytics, CameraAnalytics)
    lines, zones = _geometry(camera)
    shelves = {s.id: s.polygon for s in camera.shelves}
    writer = VideoWriter(annotate, camera.analysis_fps or source.fps or 10) if annotate else None

    events: list[Event] = []
    frames = 0
    first: float | None = None
    backdrop: NDArray[np.uint8] | None = None
    started = time.time()
    clock = time.perf_counter()
    frame_iter: Iterable[Frame] = source
    if progress is not None:
        frame_iter = progress(source, source.frame_count)

    def take(results: list[FrameResult]) -> None:
        nonlocal frames
        if observe is not None and results:
            observe(results)
        for result in results:
            events.extend(result.events)
            frames += 1
            if writer is not None:
                picture = result.frame.image
                writer.write(draw_overlay(picture, result.tracks, lines, zones, shelves=shelves))

    try:
        for frame in frame_iter:
            if first is None:
                first = frame.offset_s
                backdrop = mask.apply(frame.image) if mask else frame.image
            # A frame may wait for the next detection (walkers): results come in capture order.
            take(pipeline.process(frame))
        take(pipeline.drain())
        events.extend(pipeline.finish())
    finally:
        if writer is not None:
            writer.close()
    last = pipeline.last_timestamp
    seconds = 0.0 if last is None or first is None else last - (source.anchor + first)
    if frames and source.fps:
        seconds += 1.0 / min(source.fps, camera.analysis_fps or source.fps)
    metrics = analytics.metric_rows()
    analysis = FileAnalysis(
        camera_id=camera.id,
        anchor=source.anchor,
        anchor_origin=source.anchor_origin,
        frames=frames,
        seconds=seconds,
        truncated=source.truncated,
        first_offset=first or 0.0,
        events=events,
        metrics=metrics,
        summary=analytics.summary(),
        analytics=analytics,
        elapsed_s=time.perf_counter() - clock,
        backdrop=backdrop,
        faces=pipeline.faces,
    )
    if bus is not None:
        analysis.events_new = _record(bus, site, camera, source_name, analysis, started)
        if pipeline.faces is not None and bus.store is not None:
            from storepixel.store.faces import record_run

            rid = run_id(site.site.id, camera.id, source_name, analysis.anchor)
            analysis.faces_recorded = record_run(
                bus.store, site, camera.id, rid, pipeline.faces, key, actor="analyze"
            )
    return analysis


def _record(
    bus: EventBus,
    site: SiteConfig,
    camera: CameraConfig,
    source_name: str,
    analysis: FileAnalysis,
    started: float,
) -> int:
    rid = run_id(site.site.id, camera.id, source_name, analysis.anchor)
    coverage = []
    if analysis.frames:
        begin = analysis.anchor + analysis.first_offset
        coverage.append(
            CoverageInterval(site.site.id, camera.id, begin, begin + analysis.seconds, rid)
        )
    run = AnalysisRun(
        id=rid,
        site_id=site.site.id,
        camera_id=camera.id,
        source_name=source_name,
        anchor_time=analysis.anchor,
        anchor_kind=ANCHOR_KINDS.get(analysis.anchor_origin),
        started_at=started,
        finished_at=time.time(),
        frames=analysis.frames,
        seconds=analysis.seconds,
        status="ok",
        message="truncated: kept the frames that decoded" if analysis.truncated else None,
    )
    result = bus.publish(analysis.events, analysis.metrics, coverage=coverage, run=run)
    outward = outward_of(bus)
    if outward is not None:  # the footage ended: alert rules evaluated to its last frame
        outward.finish(camera.id, analysis.anchor + analysis.first_offset + analysis.seconds)
    return 0 if result is None else result.events_new


def per_minute_series(
    metrics: Iterable[MetricRow], metric: str
) -> dict[str, list[tuple[float, float]]]:
    """``{scope: [(minute, value), …]}`` for one metric, sorted by time."""
    series: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for row in metrics:
        if row.metric == metric:
            series[row.scope_id].append((row.bucket_start, row.value))
    return {k: sorted(v) for k, v in series.items()}
