"""Time words in a query ("yesterday afternoon", "after 6 pm") → a capture-time range.

The phrase is cut out of the query (what remains is what to look for) and resolved in the site's
time zone: day words ("today", "yesterday", "monday", "3 May", "2024-05-01") and clock times by
``dateparser``, day parts by fixed local hours (morning 06–12, afternoon 12–18, evening 18–24,
night 00–06). A clock time without a day means that day today; the range is echoed back as
:attr:`TimeRange.shown`, so a user sees what was searched.

>>> from datetime import datetime
>>> from zoneinfo import ZoneInfo
>>> tz = ZoneInfo("Europe/Lisbon")
>>> now = datetime(2024, 5, 2, 15, 0, tzinfo=tz).timestamp()
>>> rest, r = extract("queue at the till after 6 pm", tz, now)
>>> rest, r.shown
('queue at the till', '2024-05-02 18:00 – 2024-05-03 00:00 (Europe/Lisbon)')
>>> extract("people at the phones yesterday afternoon", tz, now)[1].shown
'2024-05-01 12:00 – 2024-05-01 18:00 (Europe/Lisbon)'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from storepixel.errors import StorepixelError


class TimeWordsError(StorepixelError, ValueError):
    """A time phrase that cannot be understood, or a range that ends before it starts."""


PERIODS = {"night": (0, 6), "morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24)}
MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
WEEKDAY = r"(?:mon|tues|wednes|thurs|fri|satur|sun)day"
DAY = (
    rf"(?:today|yesterday|tonight|(?:last|this|on)\s+{WEEKDAY}|{WEEKDAY}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|(?:on\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}(?:\s+\d{{4}})?"
    rf"|(?:on\s+)?{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
)
CLOCK = r"(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon|midnight)"
PERIOD = r"(?:this\s+)?(?:morning|afternoon|evening|night)"

# Longest first, so "between 5 pm and 7 pm yesterday" is one phrase, not three.
PATTERNS = [
    ("between", rf"\b(?:between|from)\s+(?P<a>{CLOCK})\s+(?:and|to|until|till)\s+(?P<b>{CLOCK})\b"),
    ("between", rf"\b(?P<a>{CLOCK})\s*[-–]\s*(?P<b>{CLOCK})"),
    ("after", rf"\b(?:after|since|from)\s+(?P<a>{CLOCK})"),
    ("before", rf"\b(?:before|until|till|by)\s+(?P<a>{CLOCK})"),
    ("at", rf"\bat\s+(?P<a>{CLOCK})"),
    ("period", rf"\b(?P<p>{PERIOD})\b"),
    ("day", rf"\b(?P<d>{DAY})\b"),
]


@dataclass(frozen=True, slots=True)
class TimeRange:
    """``[start, end)`` in POSIX seconds (either open), the words it came from, and its echo."""

    start: float | None
    end: float | None
    words: str
    tz: ZoneInfo

    @property
    def shown(self) -> str:
        def fmt(t: float | None) -> str:
            return (
                "…" if t is None else datetime.fromtimestamp(t, self.tz).strftime("%Y-%m-%d %H:%M")
            )

        return f"{fmt(self.start)} – {fmt(self.end)} ({self.tz.key})"


def _parser_settings(tz: ZoneInfo, now: float) -> dict[str, object]:
    base = datetime.fromtimestamp(now, tz).replace(tzinfo=None)
    return {
        "TIMEZONE": tz.key,
        "RETURN_AS_TIMEZONE_AWARE": False,
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past",
        "PREFER_DAY_OF_MONTH": "first",
    }


def _dateparser():  # type: ignore[no-untyped-def]
    try:
        import dateparser
    except ImportError:
        from storepixel.store.search_index import SEARCH_EXTRA, SearchUnavailable

        raise SearchUnavailable(f"time words need dateparser: {SEARCH_EXTRA}") from None
    return dateparser


def parse_day(words: str, tz: ZoneInfo, now: float) -> datetime:
    """Local midnight of a day phrase ("yesterday", "monday", "3 May")."""
    text = re.sub(r"^(?:on|this)\s+", "", words.strip().lower())
    if text == "tonight":
        text = "today"
    parsed = _dateparser().parse(text, languages=["en"], settings=_parser_settings(tz, now))
    if parsed is None:
        raise TimeWordsError(f"cannot understand the day {words!r}")
    return datetime.combine(parsed.date(), time(0), tz)


def parse_clock(words: str) -> time:
    """A clock time ("6 pm", "18:30", "noon")."""
    text = words.strip().lower().replace(".", "")
    if text == "noon":
        return time(12)
    if text == "midnight":
        return time(0)
    m = re.fullmatch(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?", text)
    if m is None:
        raise TimeWordsError(f"cannot understand the time {words!r}")
    hour, minute, half = int(m[1]), int(m[2] or 0), m[3]
    if half == "pm" and hour < 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise TimeWordsError(f"{words!r} is not a time of day")
    return time(hour, minute)


def parse_when(words: str, tz: ZoneInfo, now: float) -> float:
    """One moment for ``--since``/``--until``: ISO-8601 (naive = site time) or words ("yesterday
    6 pm", "2 hours ago")."""
    text = words.strip()
    if not text:
        raise TimeWordsError("empty time")
    dp = _dateparser()
    try:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            parsed = dp.parse(text, languages=["en"], settings=_parser_settings(tz, now))
            if parsed is None:
                raise TimeWordsError(f"cannot understand the time {words[:60]!r}") from None
            moment = parsed
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=tz)
        return moment.timestamp()
    except (ValueError, OverflowError, OSError) as err:  # a year 99999, a NUL byte…
        if isinstance(err, TimeWordsError):
            raise
        raise TimeWordsError(f"cannot understand the time {words[:60]!r}") from None


def extract(
    query: str, tz: ZoneInfo, now: float, day_of: float | None = None
) -> tuple[str, TimeRange | None]:
    """Cut time phrases out of ``query``; return what is left and the range they mean.

    A clock time without a day word falls on the day of ``day_of`` (e.g. ``--since``), else today.
    """
    found: dict[str, re.Match[str]] = {}
    rest = query
    for name, pattern in PATTERNS:
        if name in found or (name in ("after", "before", "at") and "between" in found):
            continue
        m = re.search(pattern, rest, flags=re.IGNORECASE)
        if m is not None:
            found[name] = m
            rest = rest[: m.start()] + " " + rest[m.end() :]
    if not found:
        return query.strip(), None
    day = parse_day(found["day"]["d"], tz, now) if "day" in found else None
    if day is None:
        base = now if day_of is None else day_of
        day = datetime.combine(datetime.fromtimestamp(base, tz).date(), time(0), tz)
    next_day = datetime.combine((day + timedelta(days=1)).date(), time(0), tz)

    def at(clock: str) -> datetime:
        return datetime.combine(day.date(), parse_clock(clock), tz)

    start, end = day, next_day
    if "period" in found:
        lo, hi = PERIODS[found["period"]["p"].split()[-1].lower()]
        start = datetime.combine(day.date(), time(lo), tz)
        end = next_day if hi == 24 else datetime.combine(day.date(), time(hi), tz)
    if "between" in found:
        start, end = at(found["between"]["a"]), at(found["between"]["b"])
    if "after" in found:
        start = max(start, at(found["after"]["a"]))
    if "before" in found:
        end = min(end, at(found["before"]["a"]))
    if "at" in found:  # "at 6 pm": that hour
        start = at(found["at"]["a"])
        end = start + timedelta(hours=1)
    if end <= start:
        raise TimeWordsError(
            f"the time words {', '.join(m[0].strip() for m in found.values())!r} "
            "give an empty range"
        )
    words = ", ".join(m[0].strip() for m in found.values())
    return " ".join(rest.split()), TimeRange(start.timestamp(), end.timestamp(), words, tz)
