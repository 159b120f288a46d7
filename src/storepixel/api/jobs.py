"""Background analysis of uploaded videos, one at a time, with progress and cancel.

A job is a row in ``video_jobs`` (so the list survives restarts) plus, while it runs, a cancel
flag here. It runs ``storepixel.pipeline.file_job.analyze_file`` on a worker thread; the progress
callback wraps the frame iterator, so progress is the share of the file decoded, and a cancel is
noticed between frames. ``analyze_file`` publishes everything to the site's event bus as one
batch at the end (stored in one transaction, then handed to the live feed and other consumers),
so a cancelled or failed job leaves the store as it was. The uploaded file is deleted when the job
ends, whatever the outcome: the store keeps events and metrics, never video.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import av

from storepixel.api.errors import Conflict, NotFound, UnsupportedMedia
from storepixel.config.registry import SiteRegistry
from storepixel.errors import StorepixelError
from storepixel.sources.file import NOT_A_VIDEO, open_video
from storepixel.store import Store
from storepixel.store.heatmaps import save_file_heatmap
from storepixel.store.jobs import (
    ACTIVE,
    fail_unfinished,
    get_job,
    insert_job,
    list_jobs,
    update_job,
)
from storepixel.timeutil import iso
from storepixel.types import Frame

if TYPE_CHECKING:
    from storepixel.config.site import CameraConfig, SiteConfig
    from storepixel.describe.feed import DescribeFeed
    from storepixel.events.bus import EventBus

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised inside the frame loop when a job is cancelled."""


def probe_video(path: Path, label: str) -> None:
    """Refuse a file that is not a decodable video (:class:`UnsupportedMedia`, one line)."""
    try:
        with open_video(path) as container:
            if container.streams.video:
                for _ in container.decode(video=0):
                    return
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError):
        pass
    # One answer for every refusal: it must not tell what a playlist's entries pointed at.
    raise UnsupportedMedia(f"{label}: {NOT_A_VIDEO}")


def job_json(row: Any, tz: Any = None) -> dict[str, Any]:
    return {
        "id": row.id,
        "site": row.site_id,
        "camera": row.camera_id,
        "filename": row.filename,
        "size_bytes": row.size_bytes,
        "status": row.status,
        "progress": round(float(row.progress), 4),
        "error": row.error,
        "result": row.result,
        "start": iso(row.start_time) if row.start_time is not None else None,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
        "finished_at": iso(row.finished_at) if row.finished_at is not None else None,
    }


class JobRunner:
    def __init__(
        self,
        store: Store,
        sites: SiteRegistry,
        bus_for: Callable[[str], EventBus],
        workers: int = 1,
    ) -> None:
        self.store = store
        self.sites = sites
        self.bus_for = bus_for  # site id → the site's event bus
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="video-job")
        self._cancel: dict[str, threading.Event] = {}
        self._folders: dict[str, Path] = {}

    # --- lifecycle ----------------------------------------------------------------------------

    def recover(self) -> int:
        """Jobs left queued or running by a stopped server are marked failed (files are gone)."""
        return fail_unfinished(
            self.store, "interrupted: the server stopped before the job finished"
        )

    def shutdown(self) -> None:
        for flag in self._cancel.values():
            flag.set()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # --- jobs ---------------------------------------------------------------------------------

    def submit(
        self,
        site_id: str,
        camera_id: str,
        video: Path,
        folder: Path,
        filename: str,
        size: int,
        start: float | None,
        created_by: str,
    ) -> dict[str, Any]:
        job_id = secrets.token_hex(8)
        now = time.time()
        insert_job(
            self.store,
            id=job_id,
            site_id=site_id,
            camera_id=camera_id,
            filename=filename,
            size_bytes=size,
            start_time=start,
            status="queued",
            progress=0.0,
            created_by=created_by,
            created_at=now,
        )
        self._cancel[job_id] = threading.Event()
        self._folders[job_id] = folder
        self._pool.submit(self._run, job_id, site_id, camera_id, video, start)
        return self.get(site_id, job_id)

    def pending(self) -> int:
        """Jobs of this process that are queued or running."""
        return len(self._cancel)

    def get(self, site_id: str, job_id: str) -> dict[str, Any]:
        row = get_job(self.store, site_id, job_id)
        if row is None:
            raise NotFound(f"no job {job_id!r}")
        return job_json(row)

    def list(self, site_id: str, limit: int = 100) -> list[dict[str, Any]]:
        return [job_json(r) for r in list_jobs(self.store, site_id, limit)]

    def cancel(self, site_id: str, job_id: str) -> dict[str, Any]:
        job = self.get(site_id, job_id)
        if job["status"] not in ACTIVE:
            raise Conflict(f"job {job_id} is already {job['status']}")
        flag = self._cancel.get(job_id)
        if flag is not None:
            flag.set()
        # A queued job is marked at once; a running one when its frame loop notices.
        self._set(job_id, only_if=("queued",), status="cancelled", finished_at=time.time())
        return self.get(site_id, job_id)

    def _set(self, job_id: str, only_if: tuple[str, ...] = ACTIVE, **values: Any) -> None:
        update_job(self.store, job_id, only_if, **values)

    def _run(
        self, job_id: str, site_id: str, camera_id: str, video: Path, start: float | None
    ) -> None:
        flag = self._cancel[job_id]
        try:
            if flag.is_set():
                return
            self._set(job_id, only_if=("queued",), status="running")
            result = self._analyse(job_id, site_id, camera_id, video, start, flag)
            self._set(job_id, status="done", progress=1.0, result=result, finished_at=time.time())
        except Cancelled:
            self._set(job_id, status="cancelled", finished_at=time.time())
        except StorepixelError as err:
            self._set(
                job_id,
                status="failed",
                # The message may name the upload's path on the server: show the file name only.
                error=str(err).replace(str(video), video.name),
                finished_at=time.time(),
            )
        except Exception as err:  # a bug: keep the server up, report one line
            log.exception("video job %s failed", job_id)
            self._set(
                job_id,
                status="failed",
                error=f"internal error: {type(err).__name__}",
                finished_at=time.time(),
            )
        finally:
            self._cancel.pop(job_id, None)
            folder = self._folders.pop(job_id, video.parent)
            shutil.rmtree(folder, ignore_errors=True)

    def _analyse(
        self,
        job_id: str,
        site_id: str,
        camera_id: str,
        video: Path,
        start: float | None,
        flag: threading.Event,
    ) -> dict[str, Any]:
        from storepixel.pipeline.file_job import analyze_file

        site = self.sites.get(site_id)
        camera = self.sites.camera(site_id, camera_id)
        last = [0.0]

        def progress(frames: Iterable[Frame], total: int | None) -> Iterator[Frame]:
            for frame in frames:
                if flag.is_set():
                    raise Cancelled
                yield frame
                now = time.monotonic()
                if total and now - last[0] >= 0.5:
                    last[0] = now
                    self._set(job_id, progress=min(0.99, (frame.index + 1) / total))

        bus = self.bus_for(site_id)
        feed, describe = self._describe_feed(site, camera, bus, video.name)
        analysis = analyze_file(
            video,
            site,
            camera,
            bus,
            start=start,
            progress=progress,
            observe=None if feed is None else feed.observe,
        )
        if feed is not None:
            from storepixel.describe.setup import finish_file_feed

            describe = finish_file_feed(feed)
        if flag.is_set():
            raise Cancelled
        save_file_heatmap(self.store, site_id, video.name, analysis)
        return {
            **analysis.as_json(),
            "events": len(analysis.events),
            "events_new": analysis.events_new,
            "timeline_start": iso(analysis.anchor),
            "timeline_origin": analysis.anchor_origin,
            "truncated": analysis.truncated,
            "elapsed_s": round(analysis.elapsed_s, 3),
            "describe": describe,
        }

    @staticmethod
    def _describe_feed(
        site: SiteConfig, camera: CameraConfig, bus: EventBus, source: str
    ) -> tuple[DescribeFeed | None, dict[str, Any] | str]:
        """A describe feed when the site's ``describe:`` is on for this camera. A provider that
        cannot be used (no key, unreachable) does not stop the counting: the job says why."""
        if not site.describe_for(camera.id).enabled:
            return None, "off"
        from storepixel.describe.setup import file_feed

        try:
            return file_feed(site, camera, bus, source), {}
        except StorepixelError as err:
            log.warning("video job: describing %s is off: %s", camera.id, err)
            return None, f"off: {err}"
