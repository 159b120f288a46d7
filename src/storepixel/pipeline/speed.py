"""Speed side by side, in one process: the decode floor, the naive pipeline and storepixel's.

- **decode only**: every frame of the video decoded (PyAV, frame threads), nothing else: the
  physical floor of any analysis;
- **naive**: mask → detector on every analysed frame, every configured pass → tracker → analytics;
- **storepixel**: the same camera built by ``build_camera_pipeline`` with its performance
  settings (change gate, slow rate for people standing, detection region if set) and the
  detector's adaptive passes when its config has them;
- **storepixel end to end**: that pipeline alone, opening and decoding the video itself as
  ``storepixel analyze`` does: the run whose speed is held against the floor.

Both pipelines share one detector model (deterministic; each gets its own view of it, so the
naive one never skips a pass) and the same decoded frames, in lockstep, so
any difference in what they count comes from the work storepixel skipped. ``storepixel bench``
prints these; docs/dev/performance.md holds measured numbers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import CameraConfig
from storepixel.pipeline.factory import build_camera_pipeline
from storepixel.sources import open_source
from storepixel.sources.file import VideoFileSource
from storepixel.tracking.mot_io import tracks_to_mot_rows

MotRow = tuple[float, ...]
HEADROOM = 0.8  # of the cores: the web server, the database and the OS need some too


def cameras_per_box(cpu_ms_per_frame: float, analysis_fps: float, cores: int) -> int:
    """How many cameras like the one measured a box keeps up with (docs/sizing.md's rule).

    >>> cameras_per_box(20.0, 5.0, 2)  # a typical shop camera at 720p on a 2-core box
    16
    """
    return int(HEADROOM * cores * 1000.0 / (cpu_ms_per_frame * analysis_fps))


@dataclass(slots=True)
class TimedRun:
    """A timed pass over a video: ``frames`` (decoded, or analysed) in ``seconds`` (wall)."""

    frames: int
    seconds: float
    cpu_seconds: float


@dataclass(slots=True)
class PipelineRun:
    """One pipeline over the video: what it cost and what it counted."""

    name: str
    frames: int  # analysed frames
    detected: int  # analysed frames the detector looked at
    seconds: float  # wall time, decoding included
    cpu_seconds: float  # CPU time of the process (all its threads), decoding included
    footage_s: float  # capture time covered
    summary: dict[str, Any] = field(default_factory=dict)  # CameraAnalytics.summary()
    dwell_total_s: dict[str, float] = field(default_factory=dict)  # per zone, all visits
    # per zone, time-weighted, unrounded: the summary's 3 decimals make 0.072 vs 0.073 "1.4 %"
    occupancy_avg: dict[str, float | None] = field(default_factory=dict)
    visits: dict[str, int] = field(default_factory=dict)
    rows: list[MotRow] = field(default_factory=list)  # confirmed tracks, MOTChallenge rows
    passes: int = 0  # detector passes run (adaptive passes skip some); 0 when not counted
    pose_people: int = 0  # person crops the pose stage looked at (cameras with shelves)
    pose_cpu_s: float = 0.0  # process CPU seconds in the pose model
    pose_burst_people: int = 0  # of ``pose_people``: on frames between analysed ones (bursts)


def decode_floor(video: str | Path) -> TimedRun:
    """Decode every frame of ``video`` and nothing else (an image folder: read every image)."""
    path = Path(video)
    started, cpu = time.perf_counter(), time.process_time()
    if path.is_dir():
        frames = sum(1 for _ in open_source(path))
    else:
        frames = 0
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            for _ in container.decode(stream):
                frames += 1
    return TimedRun(frames, time.perf_counter() - started, time.process_time() - cpu)


def run_alone(
    video: str | Path,
    site_id: str,
    camera: CameraConfig,
    detector: Any,
    *,
    fps: float | None = None,
) -> TimedRun:
    """storepixel's pipeline alone, end to end, as ``storepixel analyze`` runs it: opening the
    video, decoding and converting every sampled frame, analysing it, and closing the visits.
    Only its cost is kept (the counts are ``run_side_by_side``'s): this is the time to compare
    with decoding alone. In lockstep, the decoder's frame threads go on decoding while the
    naive pipeline works, so the decoding time that run measures can be less than a run on its
    own pays."""
    started, cpu = time.perf_counter(), time.process_time()
    pipeline = build_camera_pipeline(camera, site_id, detector, run_anchor=0.0)
    source = open_source(video, camera.id, fps=fps, analysis_fps=camera.analysis_fps, anchor=0.0)
    if pipeline.pose is not None and isinstance(source, VideoFileSource):
        source.wants = pipeline.wants  # pose bursts, as ``analyze`` runs them
    frames = 0
    for frame in source:
        frames += not frame.between
        pipeline.process(frame)
    pipeline.finish()
    return TimedRun(frames, time.perf_counter() - started, time.process_time() - cpu)


def run_side_by_side(
    video: str | Path,
    site_id: str,
    camera: CameraConfig,
    detector: Any,
    *,
    fps: float | None = None,
) -> tuple[PipelineRun, PipelineRun]:
    """Analyse ``video`` as ``camera`` with the naive pipeline and with storepixel's, frame by
    frame in lockstep: each decoded frame goes to one, then the other, and each pipeline's own
    time is clocked around its ``process`` calls. Decoding is shared and its time added to both.
    Interleaving makes the comparison fair on a busy machine, where load changes from minute to
    minute would favour whichever pipeline ran in the quieter one. ``fps`` is only for image
    folders (a video keeps its own clock)."""
    source = open_source(video, camera.id, fps=fps, analysis_fps=camera.analysis_fps, anchor=0.0)
    pipelines = [
        build_camera_pipeline(camera, site_id, detector, run_anchor=0.0, naive=naive)
        for naive in (True, False)
    ]
    if isinstance(source, VideoFileSource) and any(p.pose is not None for p in pipelines):
        # Pose bursts, as ``analyze`` runs them: a between frame goes to both pipelines, and
        # each takes it only if it asked for it.
        source.wants = lambda t: any(p.wants(t) for p in pipelines)
    rows: list[list[MotRow]] = [[], []]
    spent, spent_cpu = [0.0, 0.0], [0.0, 0.0]
    first = last = None
    started, started_cpu = time.perf_counter(), time.process_time()
    for frame in source:
        for i, pipeline in enumerate(pipelines):
            clock, cpu = time.perf_counter(), time.process_time()
            results = pipeline.process(frame)
            spent[i] += time.perf_counter() - clock
            spent_cpu[i] += time.process_time() - cpu
            for result in results:
                rows[i].extend(tracks_to_mot_rows(result.frame.index + 1, result.tracks))
        if not frame.between:
            first = frame.offset_s if first is None else first
            last = frame.offset_s
    for i, pipeline in enumerate(pipelines):
        clock, cpu = time.perf_counter(), time.process_time()
        for result in pipeline.drain():
            rows[i].extend(tracks_to_mot_rows(result.frame.index + 1, result.tracks))
        pipeline.finish()
        spent[i] += time.perf_counter() - clock
        spent_cpu[i] += time.process_time() - cpu
    decoding = time.perf_counter() - started - sum(spent)
    decoding_cpu = time.process_time() - started_cpu - sum(spent_cpu)
    footage = 0.0 if first is None or last is None else last - first + 1.0 / camera.analysis_fps
    runs = []
    for i, pipeline in enumerate(pipelines):
        analytics = pipeline.analytics
        assert isinstance(analytics, CameraAnalytics)
        runs.append(
            PipelineRun(
                name="naive" if i == 0 else "storepixel",
                frames=pipeline.frames,
                detected=pipeline.detections_run,
                seconds=decoding + spent[i],
                cpu_seconds=decoding_cpu + spent_cpu[i],
                footage_s=footage,
                summary=analytics.summary(),
                dwell_total_s={z: round(sum(c.dwells), 3) for z, c in analytics.zones.items()},
                visits={z: c.visits for z, c in analytics.zones.items()},
                occupancy_avg={z: s.average for z, s in analytics.zone_series.items()},
                rows=rows[i],
                passes=int(getattr(pipeline.detector, "passes_run", 0)),
                pose_people=int(getattr(pipeline.pose, "people", 0)),
                pose_cpu_s=float(getattr(pipeline.pose, "cpu_s", 0.0)),
                pose_burst_people=int(getattr(pipeline.pose, "burst_people", 0)),
            )
        )
    return runs[0], runs[1]


def count_rows(naive: PipelineRun, fast: PipelineRun) -> list[tuple[str, float, float]]:
    """(what, naive value, storepixel value) for every line count and zone number."""
    out: list[tuple[str, float, float]] = []
    for line_id, counts in naive.summary.get("lines", {}).items():
        other = fast.summary["lines"][line_id]
        for direction in ("in", "out"):
            out.append((f"line {line_id} {direction}", counts[direction], other[direction]))
    for zone_id, stats in naive.summary.get("zones", {}).items():
        other = fast.summary["zones"][zone_id]
        out.append((f"zone {zone_id} visits", naive.visits[zone_id], fast.visits[zone_id]))
        out.append(
            (
                f"zone {zone_id} dwell total s",
                naive.dwell_total_s[zone_id],
                fast.dwell_total_s[zone_id],
            )
        )
        if stats["dwell_p50_s"] is not None and other["dwell_p50_s"] is not None:
            out.append((f"zone {zone_id} dwell_p50_s", stats["dwell_p50_s"], other["dwell_p50_s"]))
        a, b = naive.occupancy_avg.get(zone_id), fast.occupancy_avg.get(zone_id)
        if a is not None and b is not None:
            out.append((f"zone {zone_id} occupancy_avg", round(a, 4), round(b, 4)))
    return out


def relative_difference(a: float, b: float) -> float:
    """|b − a| / |a| (0 when both are 0)."""
    if a == b:
        return 0.0
    return abs(b - a) / abs(a) if a else float("inf")
