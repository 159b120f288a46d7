"""The ``storepixel`` command line: thin shells over the modules that do the work."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from storepixel.cli_support import configure_logging, err_console, one_line_errors, with_progress

app = typer.Typer(
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    help="storepixel: footfall, dwell, occupancy and queues from the CCTV a store already has.",
)
events_app = typer.Typer(no_args_is_help=True, help="Read the event store.")
app.add_typer(events_app, name="events")


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debugging detail.")] = False,
) -> None:
    configure_logging(verbose)


def _load_detector(config_path: Path | None):
    from storepixel.config.detector import load_detector_config
    from storepixel.vision.detector import load_detector

    config = load_detector_config(config_path) if config_path else None
    return load_detector(config)


@app.command()
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
) -> None:
    """Detect and track people; write `frame,id,x,y,w,h,conf,-1,-1,-1` rows (frame is 1-based)."""
    from storepixel.pipeline.camera import CameraPipeline
    from storepixel.sources import open_source
    from storepixel.tracking.mot_io import tracks_to_mot_rows, write_mot_rows
    from storepixel.tracking.tracker import Tracker

    source = open_source(video, fps=fps, analysis_fps=analysis_fps, anchor=0.0)
    pipeline = CameraPipeline(_load_detector(detector), Tracker())
    rows: list[tuple[int, int, float, float, float, float, float]] = []
    frames = 0
    started = time.perf_counter()
    for frame in with_progress(source, source.frame_count, "tracking", lambda f: f.index + 1):
        result = pipeline.process(frame)
        rows.extend(tracks_to_mot_rows(frame.index + 1, result.tracks))
        frames += 1
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


@events_app.command("export")
@one_line_errors
def events_export(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write; '-' for stdout.")] = Path(
        "-"
    ),
    format: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet.")] = "jsonl",
    db: Annotated[str | None, typer.Option(help="Store URL (default: $STOREPIXEL_DB_URL).")] = None,
    site: Annotated[str | None, typer.Option(help="Only this site.")] = None,
    camera: Annotated[str | None, typer.Option(help="Only this camera.")] = None,
    kind: Annotated[list[str] | None, typer.Option(help="Only these event kinds.")] = None,
    start: Annotated[str | None, typer.Option(help="From this ISO-8601 time (inclusive).")] = None,
    end: Annotated[str | None, typer.Option(help="Until this ISO-8601 time (exclusive).")] = None,
) -> None:
    """Export stored events as CSV, JSON lines or Parquet."""
    from storepixel.store import open_store
    from storepixel.store.export import export_events

    with open_store(db) as store:
        n = export_events(
            store,
            "-" if str(out) == "-" else out,
            format,  # type: ignore[arg-type]  # validated by export_events
            site_id=site,
            camera_id=camera,
            kinds=kind or None,
            start=start,
            end=end,
        )
    if str(out) != "-":
        err_console.print(f"{n} events → {out}", highlight=False)


if __name__ == "__main__":
    app()
