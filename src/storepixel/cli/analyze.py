"""``track`` and ``analyze``: people tracks and counts from a video file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from storepixel.cli.support import err_console, one_line_errors, with_progress
from storepixel.errors import ConfigError


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.command()(track)
    app.command()(analyze)


def _load_detector(config_path: Path | None):
    from storepixel.config.detector import load_detector_config
    from storepixel.vision.detector import load_detector

    config = load_detector_config(config_path) if config_path else None
    return load_detector(config)


@one_line_errors
def track(
    video: Annotated[Path, typer.Argument(help="Video file or folder of images.")],
    mot: Annotated[Path, typer.Option("--mot", help="Write MOTChallenge rows here.")],
    analysis_fps: Annotated[
        float | None,
        typer.Option(help="Frames analysed per second of footage; default: every frame.", min=0.1),
    ] = None,
    detector: Annotated[
        Path | None, typer.Option("--detector", help="Detector YAML; default: the bundled one.")
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="Frame rate of an image folder (default 25).")
    ] = None,
    online: Annotated[
        bool,
        typer.Option(
            "--online",
            help="Write tracks as reported live (from confirmation, no gap filling) instead of "
            "backfilled and interpolated over the whole file.",
        ),
    ] = False,
    site: Annotated[
        Path | None,
        typer.Option("--site", help="Site YAML: apply a camera's privacy masks and ignore areas."),
    ] = None,
    camera: Annotated[
        str | None,
        typer.Option("--camera", help="Which camera of --site this is (if it has several)."),
    ] = None,
) -> None:
    """Detect and track people; write `frame,id,x,y,w,h,conf,-1,-1,-1` rows (frame is 1-based).

    By default each person's rows start at their first sighting and short gaps (people hidden
    for up to the tracker's lost-track memory) are filled by linear interpolation."""
    from storepixel.config.site import CameraConfig, load_site
    from storepixel.pipeline.camera import CameraPipeline
    from storepixel.pipeline.factory import camera_ignore_areas, camera_mask, camera_static_objects
    from storepixel.pipeline.static import static_tracks
    from storepixel.sources import open_source
    from storepixel.tracking.mot_io import tracks_to_mot_rows, write_mot_rows
    from storepixel.tracking.offline import TrackLog
    from storepixel.tracking.tracker import Tracker

    if site is None and camera is not None:
        raise ConfigError("--camera needs --site (the site YAML that has the camera)")
    mask, ignore = None, None
    camera_config = CameraConfig.model_validate({"id": "video"})  # no site: the defaults
    if site is not None:
        camera_config = load_site(site).camera(camera)
        mask, ignore = camera_mask(camera_config), camera_ignore_areas(camera_config)
    source = open_source(video, fps=fps, analysis_fps=analysis_fps, anchor=0.0)
    tracker = Tracker()
    static = camera_static_objects(camera_config)
    pipeline = CameraPipeline(_load_detector(detector), tracker, mask, ignore=ignore, static=static)
    log = TrackLog(tracker.config.max_lost_s)
    rows: list[tuple[int, int, float, float, float, float, float]] = []
    frames = 0
    started = time.perf_counter()
    for frame in with_progress(source, source.frame_count, "tracking", lambda f: f.index + 1):
        for result in pipeline.process(frame):  # no gate here: each frame settles at once
            index = result.frame.index + 1
            rows.extend(tracks_to_mot_rows(index, result.tracks))
            size = (result.frame.width, result.frame.height)
            log.add(index, result.frame.timestamp, result.tracks, frame_size=size)
            frames += 1
    if not online:  # a thing found static drops out of the whole file, not only from then on
        rows = log.rows(drop=static_tracks(log.boxes(), static.found) if static else None)
    elapsed = time.perf_counter() - started
    mot.parent.mkdir(parents=True, exist_ok=True)
    write_mot_rows(mot, rows)
    if getattr(source, "truncated", False):
        err_console.print(f"warning: {video} is damaged; kept the {frames} frames that decoded")
    people = len({r[1] for r in rows})
    err_console.print(
        f"{frames} frames analysed in {elapsed:.1f} s ({frames / max(elapsed, 1e-9):.1f} fps): "
        f"{people} people, {len(rows)} rows → {mot}",
        highlight=False,
    )


@one_line_errors
def analyze(
    videos: Annotated[
        list[Path],
        typer.Argument(
            help="Video file(s) or folder(s) of videos. Several files run as a batch on "
            "--engine, each anchored by its container's creation time.",
            show_default=False,
        ),
    ],
    site: Annotated[Path, typer.Option("--site", help="Site YAML (cameras, lines, zones).")],
    camera: Annotated[
        str | None,
        typer.Option("--camera", help="Which camera of the site this is (if it has several)."),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(help="Capture time of the file's first frame, ISO-8601 (default: from file)."),
    ] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    report: Annotated[Path | None, typer.Option(help="Write a self-contained HTML report.")] = None,
    annotate: Annotated[
        Path | None, typer.Option(help="Write a video with boxes, ids, lines, zones.")
    ] = None,
    deliver_wait: Annotated[
        float,
        typer.Option(
            min=0,
            help="Seconds to wait for the site's outputs (webhooks, MQTT…) to take everything "
            "before exiting; what is left stays for `storepixel outputs flush`.",
        ),
    ] = 60.0,
    describe: Annotated[
        bool,
        typer.Option(
            "--describe", help="Describe people-chunks with the site's describe: provider."
        ),
    ] = False,
    engine: Annotated[
        str, typer.Option(help="Where a batch of files runs: local or ray (storepixel[ray]).")
    ] = "local",
    ray_address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: start or join a local one).")
    ] = None,
) -> None:
    """Count line crossings, zone visits, dwell, occupancy and queues; store events and metrics."""
    import json
    from zoneinfo import ZoneInfo

    if len(videos) > 1 or videos[0].is_dir() or engine != "local" or ray_address is not None:
        extras: dict[str, object] = {"--report": report, "--annotate": annotate}
        extras["--describe"] = describe or None
        extras["--json"] = json_out or None
        _analyze_batch(videos, site, camera, start, db, engine, ray_address, extras)
        return
    video = videos[0]

    from storepixel.config.site import load_site
    from storepixel.events.bus import build_bus
    from storepixel.pipeline.file_job import analyze_file, per_minute_series
    from storepixel.pipeline.report import render_report, write_report
    from storepixel.store import open_store
    from storepixel.timeutil import parse_when

    site_config = load_site(site)
    camera_config = site_config.camera(camera)
    camera = camera_config.id
    site_tz = ZoneInfo(site_config.site.timezone)
    anchor = None if start is None else parse_when(start, site_tz, "--start")
    with open_store(db) as store, build_bus(site_config, store) as bus:

        def progress(frames, total):  # type: ignore[no-untyped-def]
            return with_progress(frames, total, f"analysing {camera}", lambda f: f.index + 1)

        feed = None
        if describe:
            from storepixel.describe.setup import file_feed

            feed = file_feed(site_config, camera_config, bus, video.name)
        result = analyze_file(
            video,
            site_config,
            camera_config,
            bus,
            start=anchor,
            annotate=annotate,
            progress=progress,
            observe=None if feed is None else feed.observe,
        )
        if feed is not None:
            from storepixel.cli.describe import finish_describe

            finish_describe(feed)
        from storepixel.store.heatmaps import save_file_heatmap

        save_file_heatmap(store, site_config.site.id, video.name, result)  # for the dashboard
        from storepixel.cli.outward import publish_analysis

        publish_analysis(store, site_config, bus, deliver_wait)
        store_url = store.url
    from datetime import datetime

    started = datetime.fromtimestamp(result.anchor, site_tz).isoformat(timespec="seconds")
    err_console.print(
        f"timeline starts {started} ({result.anchor_origin}); {result.frames} frames in "
        f"{result.elapsed_s:.1f} s; {result.events_new} new of {len(result.events)} events "
        f"→ {store_url}",
        highlight=False,
    )
    if result.truncated:
        err_console.print(f"warning: {video} is damaged; kept the frames that decoded")
    if report is not None:
        document = render_report(
            result.as_json(),
            title=f"{site_config.site.name} · {camera}",
            start=result.anchor,
            tz=site_tz,
            occupancy=per_minute_series(result.metrics, "occupancy_avg"),
            crossings=per_minute_series(result.metrics, "line_in"),
            heatmap_png=result.heatmap_png(),
            transitions=result.transitions(),
        )
        write_report(report, document)
        err_console.print(f"report → {report}", highlight=False)
    if annotate is not None:
        err_console.print(f"annotated video → {annotate}", highlight=False)
    if json_out:
        typer.echo(json.dumps(result.as_json()))
    else:
        _print_summary(result.as_json())


def _analyze_batch(
    videos: list[Path],
    site: Path,
    camera: str | None,
    start: str | None,
    db: str | None,
    engine: str,
    ray_address: str | None,
    extras: dict[str, object],
) -> None:
    """Several files (or folders) as units on ``engine``; one line per file, exit 1 if any
    failed (the others are recorded either way)."""
    from storepixel.cli.backlog import check_engine, run_batch
    from storepixel.config.site import load_site
    from storepixel.pipeline.file_units import expand_videos, file_units
    from storepixel.store import open_store
    from storepixel.store.engine import worker_url
    from storepixel.timeutil import parse_when

    given = [name for name, value in extras.items() if value is not None]
    if given:
        raise ConfigError(f"{', '.join(given)} work on one file; analyse it on its own")
    check_engine(engine, ray_address)
    site_config = load_site(site)
    camera_id = site_config.camera(camera).id
    files = expand_videos(videos)
    anchor = None if start is None else parse_when(start, site_config.site.tz, "--start")
    url = worker_url(db)
    with open_store(url) as store:  # created and migrated once, before any worker opens it
        shown = store.url
    units = file_units(site_config, camera_id, files, url, anchor)
    err_console.print(f"{len(units)} file(s) on the {engine} engine → {shown}", soft_wrap=True)
    outcomes = run_batch(units, engine, ray_address)
    failed = sum(not o.ok for o in outcomes)
    new = sum(o.counts.get("events_new", 0) for o in outcomes)
    err_console.print(
        f"{len(outcomes) - failed} file(s) analysed ({new} new events), {failed} failed",
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


def _print_summary(summary: dict) -> None:  # type: ignore[type-arg]
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"camera {summary['camera']}: {summary['frames']} frames")
    for column in ("scope", "in", "out", "visits", "dwell p50 s", "dwell p90 s", "occ avg", "peak"):
        table.add_column(column)
    for line_id, c in summary.get("lines", {}).items():
        table.add_row(line_id, str(c["in"]), str(c["out"]), "", "", "", "", "")
    for zone_id, z in summary.get("zones", {}).items():
        fmt = lambda v: "–" if v is None else f"{v:.1f}"  # noqa: E731
        table.add_row(
            zone_id,
            "",
            "",
            str(z["visits"]),
            fmt(z["dwell_p50_s"]),
            fmt(z["dwell_p90_s"]),
            fmt(z["occupancy_avg"]),
            str(z["occupancy_peak"]),
        )
    Console().print(table)
    people = summary.get("people")
    if people:
        Console().print(
            f"people: {people['customers']} customers in {people['parties']} parties "
            f"({people['groups']} groups, {people['alone']} alone), {people['staff']} staff",
            highlight=False,
        )
