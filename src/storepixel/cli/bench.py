"""The ``bench`` command: decode floor, naive and storepixel pipelines side by side."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from storepixel.cli.support import one_line_errors
from storepixel.errors import StorepixelError


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root ``app``."""
    app.command("bench")(bench)


def _motlib() -> Any | None:
    """MOT scoring (:mod:`storepixel.evaluation.mot`); ``None`` without the ``eval`` extra."""
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("motmetrics", "trackeval")):
        return None
    from storepixel.evaluation import mot

    return mot


def _camera(site_path: Path | None, camera_id: str | None, analysis_fps: float | None):  # type: ignore[no-untyped-def]
    from storepixel.config.site import CameraConfig, load_site

    if site_path is None:
        if camera_id is not None:
            raise StorepixelError("--camera needs --site")
        site_id, camera = "bench", CameraConfig.model_validate({"id": "cam"})
    else:
        site = load_site(site_path)
        camera = site.camera(camera_id) if camera_id else site.cameras[0]
        site_id = site.site.id
    if analysis_fps is not None:
        camera = camera.model_copy(update={"analysis_fps": analysis_fps})
    return site_id, camera


def _scores(motlib: Any, seq: Any, rows: list[tuple[float, ...]]) -> dict[str, float]:
    result = motlib.evaluate(seq, rows)
    return {"mota": result["mota"], "idf1": result["idf1"], "idsw": result["idsw"]}


def _reference_sequence(motlib: Any, rows: list[tuple[float, ...]], n_frames: int) -> Any:
    import numpy as np

    gt = np.array([r[:6] for r in rows], np.float64).reshape(-1, 6)
    return motlib.Sequence("naive", Path("."), Path("."), 1.0, n_frames, gt, None)


@one_line_errors
def bench(
    video: Annotated[Path, typer.Argument(help="Video file (or image folder) to analyse.")],
    site: Annotated[
        Path | None, typer.Option("--site", help="Site YAML: the camera's lines and zones.")
    ] = None,
    camera: Annotated[
        str | None, typer.Option("--camera", help="Camera id in --site (default: the first).")
    ] = None,
    gt: Annotated[
        Path | None,
        typer.Option("--gt", help="MOTChallenge folder with gt/gt.txt: score MOTA/IDF1 of both."),
    ] = None,
    analysis_fps: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            help="Frames analysed per second of footage (default: the camera's; with --gt, "
            "the sequence's frame rate).",
        ),
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="Frame rate of an image folder (default 25).")
    ] = None,
    json_out: Annotated[
        Path | None, typer.Option("--json", help="Also write every number to this JSON file.")
    ] = None,
) -> None:
    """Decode-only throughput (the floor), the naive pipeline (detector on every analysed frame)
    and storepixel's side by side, and storepixel alone end to end (the run to hold against the
    floor); then what each counted, side by side."""
    from storepixel.pipeline.speed import (
        cameras_per_box,
        count_rows,
        decode_floor,
        relative_difference,
        run_alone,
        run_side_by_side,
    )
    from storepixel.sources import open_source
    from storepixel.vision.detector import describe_runtime, load_detector

    motlib = _motlib()
    seq = None
    if gt is not None:
        if motlib is None:
            raise StorepixelError(
                "--gt needs the scoring libraries: pip install 'storepixel[eval]'"
            )
        if not (gt / "gt" / "gt.txt").is_file():
            raise StorepixelError(f"no ground truth at {gt / 'gt' / 'gt.txt'}")
        seq = motlib.load_sequence(gt, fps)
        fps = fps or seq.fps
        analysis_fps = analysis_fps or seq.fps
    site_id, cam = _camera(site, camera, analysis_fps)
    probe = open_source(video, cam.id, fps=fps)
    source_fps = getattr(probe, "fps", None) or fps or 25.0
    if hasattr(probe, "close"):
        probe.close()
    detector = load_detector(cam.detector)

    # Decoding alone and storepixel alone are each timed before and after the side-by-side run
    # and the faster kept: that is what the machine can do, and load from other work only ever
    # slows it. Both get the same treatment, so their ratio stays fair.
    floor = decode_floor(video)
    alone = run_alone(video, site_id, cam, detector, fps=fps)
    naive, fast = run_side_by_side(video, site_id, cam, detector, fps=fps)
    floor = min(floor, decode_floor(video), key=lambda run: run.seconds)
    alone = min(alone, run_alone(video, site_id, cam, detector, fps=fps), key=lambda r: r.seconds)
    footage_s = floor.frames / source_fps

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    typer.echo(
        f"video: {video} ({footage_s:.1f} s of footage, "
        f"{floor.frames} frames at {source_fps:g} fps)"
    )
    typer.echo(
        f"camera: {cam.id}, analysed at {cam.analysis_fps:g} fps ({naive.frames} frames); "
        f"{os.cpu_count()} cores, load {load:.1f} (1-min average after the runs); "
        f"model on {describe_runtime(detector)}"
    )
    header = (
        f"{'':<22}{'video fps':>10}{'analysed fps':>14}{'× real time':>13}{'CPU s':>9}"
        f"{'detector runs':>16}"
    )
    typer.echo(header)
    typer.echo(
        f"{'decode only (floor)':<22}{floor.frames / floor.seconds:>10.1f}{'—':>14}"
        f"{footage_s / floor.seconds:>12.1f}×{floor.cpu_seconds:>9.1f}{'—':>16}"
    )
    for run in (naive, fast):
        share = f"{run.detected} ({100 * run.detected / max(run.frames, 1):.0f} %)"
        typer.echo(
            f"{run.name:<22}{floor.frames / run.seconds:>10.1f}{run.frames / run.seconds:>14.1f}"
            f"{footage_s / run.seconds:>12.2f}×{run.cpu_seconds:>9.1f}{share:>16}"
        )
    if fast.passes:
        typer.echo(
            f"model passes: naive {naive.passes}, storepixel {fast.passes} "
            f"({fast.passes / max(fast.detected, 1):.2f} per detector run)"
        )
    if fast.pose_people:
        typer.echo(
            f"pose (shelves): {fast.pose_people} people looked at in {fast.frames} frames, "
            f"{1000 * fast.pose_cpu_s / fast.pose_people:.1f} ms CPU a person, "
            f"{1000 * fast.pose_cpu_s / max(fast.frames, 1):.1f} ms an analysed frame"
            + (
                f" ({fast.pose_burst_people} of the people on burst frames between them)"
                if fast.pose_burst_people
                else ""
            )
        )
    typer.echo(
        f"{'storepixel end to end':<22}{floor.frames / alone.seconds:>10.1f}"
        f"{alone.frames / alone.seconds:>14.1f}{footage_s / alone.seconds:>12.2f}×"
        f"{alone.cpu_seconds:>9.1f}{'':>16}"
    )
    speedup = naive.seconds / fast.seconds
    cpu_speedup = naive.cpu_seconds / fast.cpu_seconds
    of_floor = floor.seconds / alone.seconds
    cpu_of_floor = floor.cpu_seconds / alone.cpu_seconds
    typer.echo(
        f"storepixel: {speedup:.2f}× the naive pipeline's speed side by side (by CPU time: "
        f"{cpu_speedup:.2f}×); end to end, {of_floor:.3f}× the speed "
        f"of decoding alone (by CPU time: {cpu_of_floor:.3f}×)"
    )

    cores = os.cpu_count() or 1
    cpu_ms = 1000.0 * alone.cpu_seconds / max(alone.frames, 1)
    cameras = cameras_per_box(cpu_ms, cam.analysis_fps, cores)
    typer.echo(
        f"sizing: {cpu_ms:.1f} ms of CPU per analysed frame, so about {cameras} cameras like "
        f"this one at {cam.analysis_fps:g} fps on this box's {cores} cores (docs/sizing.md; a "
        "live stream also decodes the frames it does not analyse)"
    )

    counts = count_rows(naive, fast)
    worst = 0.0
    if counts:
        typer.echo(f"\n{'counted':<34}{'naive':>10}{'storepixel':>12}{'difference':>12}")
        for what, a, b in counts:
            diff = relative_difference(float(a), float(b))
            worst = max(worst, diff)
            typer.echo(f"{what:<34}{a:>10g}{b:>12g}{100 * diff:>11.1f}%")

    tracking: dict[str, dict[str, float]] = {}
    if seq is not None:
        tracking["naive vs ground truth"] = _scores(motlib, seq, naive.rows)
        tracking["storepixel vs ground truth"] = _scores(motlib, seq, fast.rows)
    if motlib is not None and naive.rows:
        n_frames = int(max(r[0] for r in naive.rows + fast.rows))
        reference = _reference_sequence(motlib, naive.rows, n_frames)
        tracking["storepixel vs naive tracks"] = _scores(motlib, reference, fast.rows)
    if tracking:
        typer.echo(f"\n{'tracks':<34}{'MOTA':>10}{'IDF1':>12}{'ID sw':>12}")
        for what, s in tracking.items():
            typer.echo(f"{what:<34}{s['mota']:>10.3f}{s['idf1']:>12.3f}{s['idsw']:>12d}")

    if json_out is not None:
        data = {
            "video": str(video),
            "footage_s": footage_s,
            "frames": floor.frames,
            "analysis_fps": cam.analysis_fps,
            "cores": os.cpu_count(),
            "load_1min": load,
            "decode": {
                "seconds": floor.seconds,
                "cpu_seconds": floor.cpu_seconds,
                "x_real_time": footage_s / floor.seconds,
            },
            **{
                run.name: {
                    "seconds": run.seconds,
                    "cpu_seconds": run.cpu_seconds,
                    "frames": run.frames,
                    "detected": run.detected,
                    "passes": run.passes,
                    "pose_people": run.pose_people,
                    "pose_cpu_seconds": run.pose_cpu_s,
                    "pose_burst_people": run.pose_burst_people,
                    "x_real_time": footage_s / run.seconds,
                    "summary": run.summary,
                    "dwell_total_s": run.dwell_total_s,
                }
                for run in (naive, fast)
            },
            "storepixel_end_to_end": {
                "seconds": alone.seconds,
                "cpu_seconds": alone.cpu_seconds,
                "frames": alone.frames,
                "x_real_time": footage_s / alone.seconds,
                "cpu_ms_per_analysed_frame": cpu_ms,
                "cameras_per_box": cameras,
            },
            "speedup_vs_naive": speedup,
            "fraction_of_decode_speed": of_floor,
            "cpu_speedup_vs_naive": cpu_speedup,
            "cpu_fraction_of_decode": cpu_of_floor,
            "max_count_difference": worst,
            "tracking": tracking,
        }
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(data, indent=1, default=float), encoding="utf-8")
