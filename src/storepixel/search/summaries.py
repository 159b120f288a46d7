"""Hourly and daily narratives of a store, written from the numbers (no provider needed).

Each summary is a search document (``source="summary"``, kinds ``summary_hour``/``summary_day``),
so it is stored, searchable and listed by ``storepixel summary --date D``. The numbers come from
the store's events of that local day: footfall (crossings in), visits, the busiest hour, the
longest queue waits and dwells, and (once descriptions are indexed) the alerts of the day.

A provider-written narrative (a text-only call, budgeted and ledgered like descriptions) replaces
the template where a site configures one; until then the template is what every store gets.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from storepixel.search.documents import (
    KIND_DAY_SUMMARY,
    KIND_HOUR_SUMMARY,
    SOURCE_SUMMARY,
    Document,
    clock,
    document_key,
    duration_words,
)
from storepixel.store import Store
from storepixel.store.queries import iter_events
from storepixel.types import Event, EventKind


def _seconds(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


@dataclass
class _Numbers:
    entered: int = 0
    left: int = 0
    visits: int = 0
    waits: list[tuple[float, str, float]] = field(default_factory=list)  # (wait, zone, time)
    dwells: list[tuple[float, str, float]] = field(default_factory=list)
    zone_visits: Counter[str] = field(default_factory=Counter)

    def add(self, ev: Event) -> None:
        p = ev.properties
        if ev.kind == EventKind.LINE_CROSSING:
            if p.get("direction") == "in":
                self.entered += 1
            else:
                self.left += 1
        elif ev.kind == EventKind.VISIT_START:
            self.visits += 1
        elif ev.kind == EventKind.QUEUE_LEAVE and ev.scope_id:
            self.waits.append((_seconds(p.get("wait_s")), ev.scope_id, ev.time))
        elif ev.kind == EventKind.ZONE_EXIT and ev.scope_id:
            self.dwells.append((_seconds(p.get("dwell_s")), ev.scope_id, ev.time))
            self.zone_visits[ev.scope_id] += 1

    def sentences(self, tz: ZoneInfo) -> list[str]:
        out = [f"{self.entered} people came in and {self.left} went out; {self.visits} visits"]
        if self.zone_visits:
            top = ", ".join(f"{z} ({n})" for z, n in self.zone_visits.most_common(3))
            out.append(f"most visited zones: {top}")
        if self.waits:
            w, z, t = max(self.waits)
            out.append(f"longest queue wait {duration_words(w)} at the {z} queue, {clock(t, tz)}")
        if self.dwells:
            d, z, t = max(self.dwells)
            out.append(f"longest stay {duration_words(d)} at the {z} zone, {clock(t, tz)}")
        return out


def day_range(day: date, tz: ZoneInfo) -> tuple[float, float]:
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start.timestamp(), end.timestamp()


def summarise_day(store: Store, site_id: str, day: date, tz: ZoneInfo) -> list[Document]:
    """The day's narrative and one per hour that had events (empty when nothing was recorded)."""
    lo, hi = day_range(day, tz)
    total = _Numbers()
    hours: dict[int, _Numbers] = {}
    for ev in iter_events(store, site_id=site_id, start=lo, end=hi):
        total.add(ev)
        hours.setdefault(datetime.fromtimestamp(ev.time, tz).hour, _Numbers()).add(ev)
    if not hours:
        return []
    busiest = max(hours, key=lambda h: (hours[h].entered + hours[h].visits, -h))
    day_text = f"Day summary {day.isoformat()}: " + "; ".join(total.sentences(tz))
    day_text += f"; busiest hour {busiest:02d}:00–{busiest + 1:02d}:00."
    docs = [_doc(site_id, KIND_DAY_SUMMARY, f"{site_id}/day/{day.isoformat()}", lo, hi, day_text)]
    for h, numbers in sorted(hours.items()):
        start = datetime.combine(day, time(h), tz).timestamp()
        text = f"Hour summary {day.isoformat()} {h:02d}:00: " + "; ".join(numbers.sentences(tz))
        sid = f"{site_id}/hour/{day.isoformat()}T{h:02d}"
        docs.append(_doc(site_id, KIND_HOUR_SUMMARY, sid, start, min(hi, start + 3600), text + "."))
    return docs


def _doc(site_id: str, kind: str, sid: str, start: float, end: float, text: str) -> Document:
    return Document(
        key=document_key(SOURCE_SUMMARY, sid),
        source=SOURCE_SUMMARY,
        source_id=sid,
        site_id=site_id,
        camera_id=None,
        kind=kind,
        scope_id=None,
        start=start,
        end=end,
        track_id=None,
        text=text,
        semantic=text.split(": ", 1)[-1],
    )
