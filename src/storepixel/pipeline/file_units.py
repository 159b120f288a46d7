"""Many video files as units of work: ``storepixel analyze`` over several files or a folder.

Each file is one :class:`~storepixel.engine.Unit` whose callable, :func:`run_file`, is a
module-level function of picklable arguments (the site config, camera id, the file's path, an
optional start time, the store URL). It analyses the file with the file engine
(:func:`~storepixel.pipeline.file_job.analyze_file`), anchored at ``start`` if given, else the
container's creation time (else, as for one file, its modification time: the outcome says which),
and publishes everything to the store through the site's bus. Re-running a file changes nothing
(event and run ids are content hashes). On Ray every node must see the same path (shared storage).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path

from storepixel.config.site import SiteConfig
from storepixel.engine import Unit, UnitOutcome
from storepixel.errors import SourceError

# File name endings taken from a folder (the formats storepixel.sources.file opens).
VIDEO_SUFFIXES = frozenset(
    {".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".ts", ".mts", ".mpg", ".mpeg", ".flv"}
    | {".asf", ".wmv", ".h264", ".264", ".hevc", ".265"}
)


def expand_videos(paths: Sequence[Path]) -> list[Path]:
    """Files as given, and every video file under each folder (recursively, sorted by path).

    ``SourceError`` for a path that does not exist or a folder with no video in it."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            videos = sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
            )
            if not videos:
                raise SourceError(f"no video files in {path}")
            found.extend(videos)
        elif path.exists():
            found.append(path)
        else:
            raise SourceError(f"video not found: {path}")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique


def file_units(
    site: SiteConfig,
    camera_id: str,
    videos: Sequence[Path],
    store_url: str | None,
    start: float | None = None,
) -> list[Unit]:
    """One unit per video (``start`` only makes sense for a single one)."""
    if start is not None and len(videos) > 1:
        raise SourceError("--start anchors one file; several files are anchored by their own clock")
    return [
        Unit(str(video), partial(run_file, site, camera_id, str(video), store_url, start))
        for video in videos
    ]


def run_file(
    site: SiteConfig,
    camera_id: str,
    video: str,
    store_url: str | None,
    start: float | None = None,
) -> UnitOutcome:
    """Analyse one file as ``camera_id`` of ``site`` into the store; a bad file is a failed
    outcome with its one-line reason (the engine does not retry what cannot change)."""
    from storepixel.events.bus import build_bus
    from storepixel.pipeline.file_job import analyze_file
    from storepixel.store import open_store
    from storepixel.timeutil import iso

    camera = site.camera(camera_id)
    with open_store(store_url) as store, build_bus(site, store) as bus:
        try:
            result = analyze_file(video, site, camera, bus, start=start)
        except SourceError as exc:
            return UnitOutcome(video, False, str(exc), {"failed": 1})
    counts = {"events": len(result.events), "events_new": result.events_new, "done": 1}
    detail = (
        f"{len(result.events)} events ({result.events_new} new), {result.frames} frames from "
        f"{iso(result.anchor, site.site.tz)} ({result.anchor_origin})"
    )
    if result.truncated:
        detail += "; damaged: kept the frames that decoded"
    return UnitOutcome(video, True, detail, counts)
