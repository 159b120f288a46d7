"""``calibrate``: measure a camera's person sizes from a sample of its footage."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any

import typer

from storepixel.cli.support import err_console, one_line_errors, with_progress


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.command()(calibrate)


@one_line_errors
def calibrate(
    video: Annotated[Path, typer.Argument(help="A sample of the camera's footage (a file).")],
    detector: Annotated[
        Path | None, typer.Option("--detector", help="Detector YAML; default: the bundled one.")
    ] = None,
    analysis_fps: Annotated[
        float, typer.Option(help="Frames looked at per second of footage.", min=0.1)
    ] = 5.0,
    seconds: Annotated[
        float, typer.Option(help="Look at most this much of the sample.", min=1.0)
    ] = 600.0,
) -> None:
    """Learn how tall people are across the camera's view (the person-size map) and where the
    detector will look again for small far people; print the map as a `size_map:` line for the
    camera's `detector` section, so a new install starts from it."""
    from storepixel.config.detector import DetectorConfig, load_detector_config
    from storepixel.errors import ConfigError
    from storepixel.sources import open_source
    from storepixel.vision.detector import load_detector

    config = load_detector_config(detector) if detector else DetectorConfig()
    # The map is measured whatever far_slices the camera uses (0 only stops the far pass).
    det: Any = load_detector(config.model_copy(update={"far_slices": max(config.far_slices, 3)}))
    if getattr(det, "size_map", None) is None:
        raise ConfigError("this detector keeps no person-size map")
    source = open_source(video, analysis_fps=analysis_fps, anchor=0.0)
    frames, size = 0, (0, 0)
    started = time.perf_counter()
    for frame in with_progress(source, source.frame_count, "calibrating", lambda f: f.index + 1):
        if frame.offset_s > seconds:
            break
        det.detect(frame.image)
        frames, size = frames + 1, (frame.width, frame.height)
    elapsed = time.perf_counter() - started
    found = det.size_map.describe()
    if found is None:
        raise ConfigError(
            f"{video}: {det.size_map.samples} people seen in {frames} frames, at too few rows to "
            "measure their sizes; give a longer sample with people walking towards or away"
        )
    slope, horizon, y_lo, y_hi = found
    width, height = size
    windows = det.far_windows(width, height)
    print(f"size_map: [{slope:.4f}, {horizon:.1f}, {y_lo:.0f}, {y_hi:.0f}]")
    err_console.print(
        f"{frames} frames, {det.size_map.samples} people boxes, {elapsed:.1f} s. A person is "
        f"{slope * (height * 0.25 - horizon):.0f} px tall with feet a quarter down the frame, "
        f"{slope * (height - 1 - horizon):.0f} px at the bottom edge.",
        highlight=False,
    )
    if windows:
        top, bottom = windows[0][1], windows[0][3]
        err_console.print(
            f"Far band: rows {top}-{bottom} looked at again in {len(windows)} enlarged slices "
            "(one extra pass, skipped while it finds no one the first pass missed).",
            highlight=False,
        )
    else:
        err_console.print("No far band: people are big enough for the model everywhere.")
