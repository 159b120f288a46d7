"""DVR playback backlogs: a camera's recordings analysed window by window, as units of work.

A backlog job covers ``[from, to)`` for some cameras. The range is rounded out to whole windows on
a fixed grid (multiples of the window length since the epoch), so two jobs over overlapping
ranges share their windows instead of analysing the same footage under two anchors. Each window is
one :class:`~storepixel.engine.Unit` whose callable, :func:`run_window`, is a module-level function
of picklable arguments: it plays the window from the recorder, runs the file pipeline on it with
capture time = window start + the stream's own clock, publishes everything to the store through
the site's bus, and records the window's outcome in ``backlog_windows``. It is safe to run twice
(event ids are content hashes; the outcome row is keyed by the window).

Outcomes: ``done``; ``no_recording`` (the recorder answered "not found" or sent no frame: final,
not retried on resume); ``failed`` (unreachable, refused, dropped mid-window: retried with
back-off ``tries`` times, then recorded with the reason; a later ``backlog run`` tries again).
A window whose stream drops part-way publishes nothing: it is replayed whole, so no track is cut
short into events a full replay would not produce.

>>> grid(0.0, 2000.0, 900.0)
[(0.0, 900.0), (900.0, 1800.0), (1800.0, 2700.0)]
>>> parse_window("15m"), parse_window("90s"), parse_window("1h"), parse_window("45")
(900.0, 90.0, 3600.0, 45.0)
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial

from storepixel.config.site import CameraConfig, SiteConfig
from storepixel.engine import Unit, UnitOutcome
from storepixel.errors import ConfigError
from storepixel.sources.live import Failure, LiveSourceError
from storepixel.sources.playback import PlaybackSource, render_template

_WINDOW = re.compile(r"^(\d+(?:\.\d+)?)\s*([smh]?)$")
_UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
NOT_RETRIED = frozenset({Failure.NOT_FOUND, Failure.AUTH_FAILED, Failure.NOT_A_VIDEO})


def parse_window(text: str) -> float:
    """``15m``, ``90s``, ``1h`` or plain seconds → seconds; ``ConfigError`` otherwise."""
    m = _WINDOW.match(text.strip().lower())
    if m is None or float(m.group(1)) <= 0:
        raise ConfigError(f"--window: expected a length like 15m, 90s or 1h, not {text!r}")
    return float(m.group(1)) * _UNITS[m.group(2)]


def grid(start: float, end: float, window_s: float) -> list[tuple[float, float]]:
    """The windows of length ``window_s`` on the epoch grid that cover ``[start, end)``."""
    if end <= start:
        raise ConfigError("--to must be after --from")
    first = math.floor(start / window_s)
    last = math.ceil(end / window_s)
    return [(k * window_s, (k + 1) * window_s) for k in range(first, last)]


def playback_cameras(site: SiteConfig, camera_id: str | None) -> list[CameraConfig]:
    """The cameras a backlog covers: the one named, else every camera with a ``playback_url``."""
    if camera_id is not None:
        camera = site.camera(camera_id)
        if camera.playback_url is None:
            raise ConfigError(f"camera {camera.id!r} has no playback_url in the site config")
        return [camera]
    cameras = [c for c in site.cameras if c.playback_url is not None]
    if not cameras:
        raise ConfigError("no camera of this site has a playback_url (see docs/fleet.md)")
    return cameras


def window_key(camera_id: str, start: float) -> str:
    """The unit key of a window, as people read it: ``door@2026-12-07T10:00:00Z``."""
    return f"{camera_id}@{datetime.fromtimestamp(start, UTC):%Y-%m-%dT%H:%M:%SZ}"


def window_units(
    site: SiteConfig,
    windows: Sequence[tuple[str, float, float]],
    store_url: str | None,
    *,
    tries: int = 3,
    retry_wait_s: float = 5.0,
    open_timeout_s: float = 10.0,
) -> list[Unit]:
    """One unit per ``(camera, start, end)`` window (see :func:`run_window`)."""
    return [
        Unit(
            window_key(camera_id, start),
            partial(
                run_window,
                site,
                camera_id,
                start,
                end,
                store_url,
                tries=tries,
                retry_wait_s=retry_wait_s,
                open_timeout_s=open_timeout_s,
            ),
        )
        for camera_id, start, end in windows
    ]


def run_window(
    site: SiteConfig,
    camera_id: str,
    start: float,
    end: float,
    store_url: str | None,
    *,
    tries: int = 3,
    retry_wait_s: float = 5.0,
    open_timeout_s: float = 10.0,
) -> UnitOutcome:
    """Analyse one recorded window and record its outcome; see the module docstring."""
    from storepixel.events.bus import build_bus
    from storepixel.pipeline.file_job import analyze_source
    from storepixel.store import open_store
    from storepixel.store.backlog import begin_window, count_attempt, finish_window, window_id

    camera = site.camera(camera_id)
    if camera.playback_url is None:
        raise ConfigError(f"camera {camera_id!r} has no playback_url in the site config")
    url = render_template(camera.playback_url, start, end, site.site.tz)
    key = window_key(camera_id, start)
    row = window_id(site.site.id, camera_id, start, end)
    clock = time.perf_counter()
    with open_store(store_url) as store:
        begin_window(store, site.site.id, camera_id, start, end)
        error: LiveSourceError | None = None
        for attempt in range(max(tries, 1)):
            if attempt:
                time.sleep(retry_wait_s * 2 ** (attempt - 1))
            count_attempt(store, row)
            source = PlaybackSource(
                url, camera_id, start, end, camera.analysis_fps, open_timeout_s, open_timeout_s
            )
            try:
                with build_bus(site, store) as bus:
                    result = analyze_source(source, source.name, site, camera, bus)
            except LiveSourceError as exc:
                error = exc
                if exc.failure in NOT_RETRIED:
                    break
                continue
            elapsed = time.perf_counter() - clock
            if result.frames == 0:
                reason = "the recorder sent no frame for this window"
                finish_window(store, row, "no_recording", reason=reason, elapsed_s=elapsed)
                return UnitOutcome(key, True, f"no recording: {reason}", {"no_recording": 1})
            counts = {"events": len(result.events), "events_new": result.events_new}
            finish_window(
                store,
                row,
                "done",
                reason=None,
                events=len(result.events),
                events_new=result.events_new,
                frames=result.frames,
                footage_s=result.seconds,
                elapsed_s=elapsed,
            )
            detail = f"{counts['events']} events ({result.events_new} new), {result.frames} frames"
            return UnitOutcome(key, True, detail, {**counts, "done": 1})
        assert error is not None
        elapsed = time.perf_counter() - clock
        if error.failure == Failure.NOT_FOUND:
            finish_window(store, row, "no_recording", reason=str(error), elapsed_s=elapsed)
            return UnitOutcome(key, True, f"no recording: {error}", {"no_recording": 1})
        finish_window(store, row, "failed", reason=str(error), elapsed_s=elapsed)
        return UnitOutcome(key, False, str(error), {"failed": 1})
