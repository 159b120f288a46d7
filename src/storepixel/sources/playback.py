"""DVR/NVR recordings over RTSP playback: a camera's footage for one time window.

A recorder serves a past window at a URL built from a per-camera template with the window's start
and end, e.g. Hikvision's
``rtsp://HOST/Streaming/tracks/101?starttime={start:%Y%m%dT%H%M%SZ}&endtime={end:%Y%m%dT%H%M%SZ}``
or Dahua's ``rtsp://HOST/cam/playback?channel=1&starttime={start_local:%Y_%m_%d_%H_%M_%S}&…``.
Fields: ``start``/``end`` (UTC datetimes) and ``start_local``/``end_local`` (the site's time
zone), formatted with Python's ``format`` spec (``strftime`` codes after the colon).

Capture time is the window's start plus the stream's own clock (its pts, counted from the
window's first frame), never the wall clock: a recorder replays a window at its own pace.

>>> url = render_template("rtsp://u:p@dvr/tracks/101?starttime={start:%Y%m%dT%H%M%SZ}", 0.0, 60.0)
>>> url
'rtsp://u:p@dvr/tracks/101?starttime=19700101T000000Z'
>>> template_problem("rtsp://dvr/tracks/101?starttime={begin}")
'unknown field {begin}; expected {start}, {end}, {start_local} or {end_local}'
"""

from __future__ import annotations

import logging
import string
from collections.abc import Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import av
import av.error

from storepixel.redact import redact_url
from storepixel.sources.live import Failure, LiveSourceError, classify
from storepixel.sources.pixels import to_bgr
from storepixel.sources.sampling import TimeSampler
from storepixel.types import Frame

log = logging.getLogger(__name__)

FIELDS = ("start", "end", "start_local", "end_local")
SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")


def _values(start: float, end: float, tz: ZoneInfo | None) -> dict[str, datetime]:
    local = tz or UTC
    return {
        "start": datetime.fromtimestamp(start, UTC),
        "end": datetime.fromtimestamp(end, UTC),
        "start_local": datetime.fromtimestamp(start, local),
        "end_local": datetime.fromtimestamp(end, local),
    }


def template_problem(template: str) -> str | None:
    """What is wrong with a playback URL template (one line, no credentials), or ``None``."""
    if not template.lower().startswith(SCHEMES):
        scheme = template.split("://", 1)[0] if "://" in template else "none"
        return f"expected an rtsp://, rtsps://, http:// or https:// URL (scheme: {scheme})"
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:  # an unmatched { or }
        return f"not a valid template ({exc}); write literal braces as {{{{ and }}}}"
    for name in fields:
        if name not in FIELDS:
            expected = ", ".join("{" + f + "}" for f in FIELDS[:-1]) + " or {end_local}"
            return f"unknown field {{{name}}}; expected {expected}"
    if not {"start", "start_local"} & set(fields):
        return "no {start} or {start_local} field: every window would get the same recording"
    try:
        render_template(template, 0.0, 60.0)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        return f"cannot be formatted ({exc})"
    return None


def render_template(template: str, start: float, end: float, tz: ZoneInfo | None = None) -> str:
    """The playback URL of the window ``[start, end)`` (POSIX seconds)."""
    return template.format(**_values(start, end, tz))


class PlaybackSource:
    """Frames of one recorded window, ``Frame.timestamp`` = window start + stream offset.

    Iterating opens the recording once; a failure to open, or a stream that breaks part-way,
    raises :class:`LiveSourceError` with a ``failure`` code (``not_found`` = the recorder has
    nothing for the window, ``unreachable``, ``stalled``…). Frames past the window's end are
    dropped (some recorders play on past ``endtime``). The
    attributes mirror :class:`~storepixel.sources.VideoFileSource` so the file pipeline runs on it.
    """

    anchor_origin = "window start"

    def __init__(
        self,
        url: str,
        camera_id: str,
        start: float,
        end: float,
        analysis_fps: float | None = None,
        open_timeout_s: float = 10.0,
        stall_timeout_s: float = 10.0,
    ) -> None:
        self.url = url
        self.camera_id = camera_id
        self.anchor = start
        self.duration = end - start
        self.analysis_fps = analysis_fps
        self.open_timeout_s = open_timeout_s
        self.stall_timeout_s = stall_timeout_s
        self.fps: float | None = None
        self.frame_count: int | None = None
        self.truncated = False
        self.frames_read = 0

    @property
    def name(self) -> str:
        """The URL as it may be logged and stored: credentials hidden."""
        return redact_url(self.url)

    def _open(self) -> av.container.InputContainer:
        us = str(int(self.stall_timeout_s * 1_000_000))
        options = {"timeout": us, "analyzeduration": "1000000", "probesize": "2000000"}
        if self.url.lower().startswith(("rtsp://", "rtsps://")):
            options["rtsp_transport"] = "tcp"  # recordings must arrive whole
        else:
            options["rw_timeout"] = us
            del options["timeout"]
        try:
            container = av.open(
                self.url, options=options, timeout=(self.open_timeout_s, self.stall_timeout_s)
            )
        except Exception as exc:  # FFmpeg/OS errors are classified, not leaked
            failure, detail = classify(exc, connecting=True)
            raise LiveSourceError(failure, detail, self.url) from None
        if not container.streams.video:
            container.close()
            raise LiveSourceError(Failure.NOT_FOUND, "no video stream", self.url)
        return container

    def __iter__(self) -> Iterator[Frame]:
        container = self._open()
        stream = container.streams.video[0]
        rate = stream.average_rate or stream.guessed_rate
        self.fps = float(rate) if rate else None
        interval = 1.0 / (self.fps or 25.0)
        time_base = stream.time_base
        sampler = TimeSampler(self.analysis_fps, self.fps)
        base: float | None = None  # the raw pts of the window's first frame
        offset = -interval
        index = -1
        try:
            for packet in container.demux(stream):
                for decoded in packet.decode():
                    index += 1
                    if decoded.pts is not None and time_base is not None:
                        raw = float(decoded.pts * time_base)
                        if base is None:  # frames before the first pts were one interval apart
                            base = raw - index * interval
                        offset = max(raw - base, offset + 1e-6)
                    else:
                        offset += interval
                    if offset >= self.duration:
                        return
                    self.frames_read += 1
                    if not sampler.take(offset):
                        continue
                    yield Frame(
                        self.camera_id, index, offset, self.anchor + offset, to_bgr(decoded)
                    )
        except av.error.FFmpegError as exc:
            # Part of a window is not kept: tracks cut short would end in events that a full
            # replay does not produce. The caller replays the window whole.
            failure, detail = classify(exc, connecting=False)
            log.warning("%s: playback stopped after %d frames (%s)", self.name, index + 1, detail)
            raise LiveSourceError(failure, detail, self.url) from None
        finally:
            container.close()
