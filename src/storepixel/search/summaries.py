"""Hourly and daily narratives of a store, from the numbers of its local day.

Each summary is a search document (``source="summary"``, kinds ``summary_hour``/``summary_day``),
so it is stored, searchable and listed by ``storepixel summary --date D``. The numbers come from
the store's events of that local day: footfall (crossings in), visits, the busiest hour, the
longest queue waits and dwells, and the VLM alerts of the described chunks. A plain template
turns them into sentences; where the site configures a describe provider, those sentences (and
the day's notable described moments) are the facts of a text-only call that writes the narrative
(``narrate``), budgeted and ledgered like descriptions, with the template as the fallback.
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
from storepixel.search.narrate import Narrated, Narrator
from storepixel.store import Store
from storepixel.store.descriptions import list_chunks
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
    alerts: list[tuple[float, str]] = field(default_factory=list)  # (time, "kind (severity): why")
    moments: list[tuple[float, str]] = field(default_factory=list)  # described chunks

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
        if self.alerts:
            shown = "; ".join(f"{a} at {clock(t, tz)}" for t, a in sorted(self.alerts)[:3])
            out.append(f"{len(self.alerts)} alerts: {shown}")
        return out

    def facts(self, tz: ZoneInfo, extra: tuple[str, ...] = ()) -> str:
        """The template's sentences (a first line) and up to five described moments (for a
        provider, which is told only these facts)."""
        text = "; ".join([*self.sentences(tz), *extra]) + "."
        if self.moments:
            text += "\nDescribed moments: " + " | ".join(
                f"{clock(t, tz)} {m}" for t, m in sorted(self.moments)[:5]
            )
        return text

    def add_chunk(self, chunk: dict[str, object]) -> None:
        start = float(chunk["start_time"])  # type: ignore[arg-type]
        summary = " ".join(str(chunk.get("summary") or "").split())
        if summary:
            self.moments.append((start, f"camera {chunk['camera_id']}: {summary}"))
        for a in chunk.get("alerts") or []:  # type: ignore[attr-defined]
            reason = f"{a.get('kind')} ({a.get('severity')}): {a.get('reason')}"
            self.alerts.append((float(a.get("time") or start), reason))


def day_range(day: date, tz: ZoneInfo) -> tuple[float, float]:
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start.timestamp(), end.timestamp()


def summarise_day(
    store: Store, site_id: str, day: date, tz: ZoneInfo, narrator: Narrator | None = None
) -> list[tuple[Document, Narrated]]:
    """The day's narrative and one per hour that had events (empty when nothing was recorded),
    each with who wrote it; ``narrator`` (default: template only) writes the text."""
    narrator = narrator or Narrator(store, site_id, tz, None)
    lo, hi = day_range(day, tz)
    total = _Numbers()
    hours: dict[int, _Numbers] = {}
    for ev in iter_events(store, site_id=site_id, start=lo, end=hi):
        total.add(ev)
        hours.setdefault(datetime.fromtimestamp(ev.time, tz).hour, _Numbers()).add(ev)
    if not hours:
        return []
    for chunk in list_chunks(store, site_id=site_id, since=lo, until=hi, status=["done"]):
        total.add_chunk(chunk)
        hour = datetime.fromtimestamp(float(chunk["start_time"]), tz).hour
        hours.setdefault(hour, _Numbers()).add_chunk(chunk)
    busiest = max(hours, key=lambda h: (hours[h].entered + hours[h].visits, -h))
    out = []
    sid = f"{site_id}/day/{day.isoformat()}"
    said = narrator.write(
        sid, total.facts(tz, (f"busiest hour {busiest:02d}:00–{busiest + 1:02d}:00",))
    )
    text = f"Day summary {day.isoformat()}: {_first_line(said)}"
    out.append((_doc(site_id, KIND_DAY_SUMMARY, sid, lo, hi, text), said))
    for h, numbers in sorted(hours.items()):
        start = datetime.combine(day, time(h), tz).timestamp()
        sid = f"{site_id}/hour/{day.isoformat()}T{h:02d}"
        said = narrator.write(sid, numbers.facts(tz))
        text = f"Hour summary {day.isoformat()} {h:02d}:00: {_first_line(said)}"
        out.append(
            (_doc(site_id, KIND_HOUR_SUMMARY, sid, start, min(hi, start + 3600), text), said)
        )
    return out


def _first_line(said: Narrated) -> str:
    # The template's text is the facts; its described moments (second line) are for a model.
    return said.text.split("\n", 1)[0] if said.by == "template" else said.text


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
