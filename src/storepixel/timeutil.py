"""Times at the API boundary: ISO 8601 in and out, buckets in the site's time zone.

Responses carry ISO 8601 with an offset (the site's local time for buckets, UTC elsewhere). Query
times are ISO 8601; one without an offset is read in the site's time zone, the way a store
manager thinks ("from 2024-05-01 09:00").
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo

from storepixel.errors import BadInput

Bucket = Literal["minute", "hour", "day"]
MAX_RANGE_DAYS = 400
MAX_BUCKETS = 20_000
# Times the API accepts: capture times of real footage. Outside this window date arithmetic
# (a day after 9999-12-31) overflows, so such queries are refused here, at the boundary.
EARLIEST = date(1970, 1, 2)
LATEST = date(2999, 12, 31)
EARLIEST_S = datetime(1970, 1, 2, tzinfo=UTC).timestamp()
LATEST_S = datetime(2999, 12, 31, tzinfo=UTC).timestamp()
WINDOW = f"between {EARLIEST.isoformat()} and {LATEST.isoformat()}"


class BadQuery(BadInput):
    """A query parameter is malformed (shown as a 422 with one line)."""


def iso(seconds: float, tz: ZoneInfo | None = None) -> str:
    """ISO 8601 with an offset (UTC unless ``tz``), seconds precision plus fraction if any."""
    moment = datetime.fromtimestamp(seconds, tz or UTC)
    spec = "seconds" if moment.microsecond == 0 else "milliseconds"
    return moment.isoformat(timespec=spec)


def parse_iso(value: str | datetime, tz: tzinfo | None = None) -> float:
    """POSIX seconds from an ISO 8601 date or time (or a ``datetime``): the one time parser.

    A time without an offset is read in ``tz``; without ``tz`` it is refused, since guessing a
    zone silently shifts every bucket. Raises ``ValueError`` (a one-line reason), or
    ``OverflowError`` for a time no clock can hold.

    >>> parse_iso("2024-05-01T10:00:00Z")
    1714557600.0
    >>> parse_iso("2024-05-01 11:00", ZoneInfo("Europe/Lisbon"))
    1714557600.0
    """
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(
                f"not an ISO 8601 time: {value[:60]!r} (expected e.g. 2024-05-01T09:00)"
            ) from None
    else:
        moment = value
    if moment.tzinfo is None:
        if tz is None:
            raise ValueError("time must carry a UTC offset (e.g. 2024-05-01T10:00:00Z)")
        moment = moment.replace(tzinfo=tz)
    try:
        return moment.timestamp()
    except (OverflowError, OSError, ValueError):
        raise OverflowError(f"time out of range: {moment}") from None


def parse_when(value: str, tz: ZoneInfo, name: str) -> float:
    """POSIX seconds from an ISO 8601 date or time; naive means the site's time zone."""
    try:
        seconds = parse_iso(value, tz)
    except ValueError as err:
        raise BadQuery(f"{name}: {err}") from None
    except OverflowError:
        seconds = float("nan")
    if not EARLIEST_S <= seconds <= LATEST_S:  # also false for nan
        raise BadQuery(f"{name}: time out of range: {value[:60]!r} (expected {WINDOW})")
    return seconds


def local_midnight(day: date, tz: ZoneInfo) -> float:
    return datetime(day.year, day.month, day.day, tzinfo=tz).timestamp()


def today(tz: ZoneInfo, now: float | None = None) -> date:
    return datetime.fromtimestamp(
        now if now is not None else datetime.now(UTC).timestamp(), tz
    ).date()


def parse_date(value: str, name: str = "date") -> date:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise BadQuery(f"{name}: not a date: {value[:40]!r} (expected YYYY-MM-DD)") from None
    if not EARLIEST <= day <= LATEST:
        raise BadQuery(f"{name}: date out of range: {value[:40]!r} (expected {WINDOW})")
    return day


def time_range(frm: str | None, to: str | None, tz: ZoneInfo) -> tuple[float, float]:
    """``[from, to)`` in POSIX seconds; default: today in the site's time zone.

    A missing ``to`` is one day after ``from``; a missing ``from`` one day before ``to``.
    """
    if frm is None and to is None:
        day = today(tz)
        return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)
    lo = parse_when(frm, tz, "from") if frm is not None else None
    hi = parse_when(to, tz, "to") if to is not None else None
    if lo is None:
        assert hi is not None
        lo = hi - 86400.0
    if hi is None:
        hi = lo + 86400.0
    if not (lo >= EARLIEST_S and hi <= LATEST_S):
        raise BadQuery(f"time range out of range: expected {WINDOW}")
    if hi <= lo:
        raise BadQuery(f"backwards or empty time range: 'to' ({to}) must be after 'from' ({frm})")
    if hi - lo > MAX_RANGE_DAYS * 86400:
        raise BadQuery(f"time range too long: at most {MAX_RANGE_DAYS} days")
    return lo, hi


def bucket_floor(seconds: float, bucket: Bucket, tz: ZoneInfo) -> float:
    """Start of the local minute, hour or day holding ``seconds``."""
    moment = datetime.fromtimestamp(seconds, tz)
    if bucket == "minute":
        moment = moment.replace(second=0, microsecond=0)
    elif bucket == "hour":
        moment = moment.replace(minute=0, second=0, microsecond=0)
    else:
        return local_midnight(moment.date(), tz)
    return moment.timestamp()


def bucket_starts(lo: float, hi: float, bucket: Bucket, tz: ZoneInfo) -> list[float]:
    """Every local bucket start from the one holding ``lo`` up to (excluding) ``hi``.

    Days step by calendar day (23 or 25 hours across a DST change); hours and minutes by wall
    time in UTC, so a repeated local hour in autumn is two buckets.
    """
    out: list[float] = []
    t = bucket_floor(lo, bucket, tz)
    if bucket == "day":
        day = datetime.fromtimestamp(t, tz).date()
        while t < hi:
            out.append(t)
            day += timedelta(days=1)
            t = local_midnight(day, tz)
            if len(out) > MAX_BUCKETS:
                break
    else:
        step = 60.0 if bucket == "minute" else 3600.0
        while t < hi and len(out) <= MAX_BUCKETS:
            out.append(t)
            t = bucket_floor(t + step, bucket, tz) if bucket == "hour" else t + step
    if len(out) > MAX_BUCKETS:
        raise BadQuery(
            f"too many buckets: use a larger bucket or a shorter range (max {MAX_BUCKETS})"
        )
    return out
