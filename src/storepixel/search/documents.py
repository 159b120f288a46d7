"""One document type for everything search finds, and the renderers that write its text.

A :class:`Document` keeps what a hit needs to be filtered and opened again: site, camera, scope
(zone, line or shelf), kind, the capture-time range, the track and the id of its source row. Its
``text`` is what full text indexes and people read; ``semantic`` is the same sentence without the
clock times, which is what gets embedded (times are filters, not meaning, and dropping them lets
identical moments share one embedding).

Events are rendered one sentence per finished thing (zone exit, queue leave, line crossing,
visit end); their opening halves (zone enter, queue join, visit start) add nothing a reader needs.
A described people-chunk (``storepixel.describe``) gives one document for its account, one per
timeline item and one per alert, each linked back to the chunk.

>>> from zoneinfo import ZoneInfo
>>> from storepixel.types import Event
>>> ev = Event("e1", "zone_exit", "demo", "cam1", 1714557780.0, "t7", "phones", {"dwell_s": 42.0})
>>> doc = render_event(ev, ZoneInfo("Europe/Lisbon"))
>>> doc.text
'A shopper lingered 42 s at the phones zone, 11:02–11:03.'
>>> doc.kind, doc.scope_id, doc.end - doc.start
('zone_exit', 'phones', 42.0)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from storepixel.store.runs import CameraSession
from storepixel.types import Event, EventKind

# Where a document came from: each source kind has its own table and its own link in the UI.
SOURCE_EVENT = "event"
SOURCE_SESSION = "session"
SOURCE_DESCRIPTION = "description"
SOURCE_SUMMARY = "summary"

# Kinds that are not event kinds.
KIND_SESSION = "session"
KIND_HOUR_SUMMARY = "summary_hour"
KIND_DAY_SUMMARY = "summary_day"
KIND_DESCRIPTION = "description"
KIND_TIMELINE_ITEM = "timeline_item"
KIND_ALERT = "alert"

RENDERED_EVENT_KINDS = (
    EventKind.ZONE_EXIT,
    EventKind.QUEUE_LEAVE,
    EventKind.LINE_CROSSING,
    EventKind.VISIT_END,
)


@dataclass(frozen=True, slots=True)
class Document:
    """One searchable thing; ``key`` is deterministic: indexing a source again is a no-op."""

    key: str
    source: str
    source_id: str
    site_id: str
    camera_id: str | None
    kind: str
    scope_id: str | None
    start: float
    end: float
    track_id: str | None
    text: str
    semantic: str

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"document {self.key}: end before start")


def document_key(source: str, source_id: str) -> str:
    """A fixed-width key for a source row (ids of different sources may collide as plain text)."""
    return hashlib.sha256(f"{source}\0{source_id}".encode()).hexdigest()[:32]


def semantic_key(semantic: str) -> str:
    """The key of a document's vector: equal sentences share one embedding (and one row)."""
    return hashlib.sha256(semantic.encode()).hexdigest()[:32]


def duration_words(seconds: float) -> str:
    """Seconds as a reader says them: ``42 s``, ``3 min 5 s``, ``1 h 20 min``.

    >>> duration_words(42.4), duration_words(185), duration_words(4800)
    ('42 s', '3 min 5 s', '1 h 20 min')
    """
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        m, r = divmod(s, 60)
        return f"{m} min {r} s" if r else f"{m} min"
    h, r = divmod(s, 3600)
    return f"{h} h {r // 60} min" if r >= 60 else f"{h} h"


def clock(t: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(t, tz).strftime("%H:%M")


def span_words(start: float, end: float, tz: ZoneInfo) -> str:
    a, b = clock(start, tz), clock(end, tz)
    return a if a == b else f"{a}–{b}"


def _dwell_verb(seconds: float) -> str:
    # Words a searcher uses for how long someone stayed; both engines match on them.
    if seconds < 30:
        return "stopped"
    if seconds < 300:
        return "lingered"
    return "spent a long time"


def _number(props: dict[str, Any], name: str) -> float:
    value = props.get(name)
    return float(value) if isinstance(value, int | float) and value >= 0 else 0.0


def _event_what(ev: Event) -> tuple[str, float]:
    """The sentence (without times) and how long the thing lasted, for a rendered kind."""
    props = ev.properties
    scope = ev.scope_id or "?"
    if ev.kind == EventKind.ZONE_EXIT:
        d = _number(props, "dwell_s")
        if d < 10:  # a glance in passing, not a stop
            return f"A shopper passed by the {scope} zone ({duration_words(d)})", d
        return f"A shopper {_dwell_verb(d)} {duration_words(d)} at the {scope} zone", d
    if ev.kind == EventKind.QUEUE_LEAVE:
        w = _number(props, "wait_s")
        return f"A shopper waited {duration_words(w)} in the {scope} queue", w
    if ev.kind == EventKind.LINE_CROSSING:
        if props.get("direction") == "in":
            return f"A person entered, walking in across the {scope} line", 0.0
        return f"A person left, walking out across the {scope} line", 0.0
    if ev.kind == EventKind.VISIT_END:
        d = _number(props, "duration_s")
        return f"A person was in view of camera {ev.camera_id} for {duration_words(d)}", d
    raise ValueError(f"event kind {ev.kind!r} is not rendered")


def render_event(ev: Event, tz: ZoneInfo) -> Document | None:
    """The document of one event, or ``None`` for kinds that are not rendered (opening halves).

    The range runs from when the thing began (event time minus its dwell, wait or duration) to
    the event's capture time, so a search for "10:02" finds a dwell that ended at 10:03.
    """
    if ev.kind not in RENDERED_EVENT_KINDS:
        return None
    what, lasted = _event_what(ev)
    start = ev.time - lasted
    return Document(
        key=document_key(SOURCE_EVENT, ev.id),
        source=SOURCE_EVENT,
        source_id=ev.id,
        site_id=ev.site_id,
        camera_id=ev.camera_id,
        kind=ev.kind,
        scope_id=ev.scope_id,
        start=start,
        end=ev.time,
        track_id=ev.track_id,
        text=f"{what}, {span_words(start, ev.time, tz)}.",
        semantic=what + ".",
    )


def session_id(site_id: str, camera_id: str, start: float) -> str:
    """The id a camera session is linked by: ``camera@start`` (start as integer POSIX seconds)."""
    return f"{site_id}/{camera_id}@{round(start)}"


def _session_what(s: CameraSession) -> str:
    summary = s.summary or {}
    parts = [f"Camera {s.camera_id} saw {s.visits} visits"]
    lines = summary.get("lines") or {}
    for line_id, counts in lines.items():
        parts.append(
            f"{counts.get('in', 0)} in and {counts.get('out', 0)} out at the {line_id} line"
        )
    for zone_id, z in (summary.get("zones") or {}).items():
        p50 = z.get("dwell_p50_s")
        stay = f", typical stay {duration_words(p50)}" if isinstance(p50, int | float) else ""
        parts.append(f"{z.get('visits', 0)} visits to the {zone_id} zone{stay}")
    peak = summary.get("people_peak")
    if isinstance(peak, int | float):
        parts.append(f"at most {int(peak)} people in view at once")
    if s.coverage_s <= 0:
        return f"Camera {s.camera_id} was not analysed (no footage)"
    return "; ".join(parts)


def render_session(s: CameraSession, tz: ZoneInfo) -> Document | None:
    """The hourly session of one camera as one paragraph; ``None`` for an hour with no footage."""
    if s.coverage_s <= 0:
        return None
    what = _session_what(s)
    sid = session_id(s.site_id, s.camera_id, s.start)
    return Document(
        key=document_key(SOURCE_SESSION, sid),
        source=SOURCE_SESSION,
        source_id=sid,
        site_id=s.site_id,
        camera_id=s.camera_id,
        kind=KIND_SESSION,
        scope_id=None,
        start=s.start,
        end=s.end,
        track_id=None,
        text=f"Hour {span_words(s.start, s.end, tz)}: {what}.",
        semantic=f"Hourly summary: {what}.",
    )


def _item_what(item: Mapping[str, Any]) -> str:
    who = f"Person #{item['subject']}" if item.get("subject") is not None else "Someone"
    what = f"{who} {item.get('action') or 'was seen'}"
    if item.get("object"):
        what += f" ({item['object']})"
    if item.get("zone"):
        what += f" at {item['zone']}"
    return what


def render_description(chunk: Mapping[str, Any], tz: ZoneInfo) -> list[Document]:
    """The documents of one described people-chunk (a ``describe_chunks`` row, times as POSIX
    seconds): its account (the per-person summaries), each timeline item and each alert.

    >>> from zoneinfo import ZoneInfo
    >>> chunk = {"id": "k1", "site_id": "demo", "camera_id": "cam1", "start_time": 1714557600.0,
    ...          "end_time": 1714557615.0, "summary": "#3: takes a phone off its stand",
    ...          "items": [{"time": 1714557606.0, "subject": 3, "action": "lifts a phone",
    ...                     "object": "phone", "zone": "phones", "kind": "interaction"}],
    ...          "alerts": [{"time": 1714557610.0, "kind": "theft", "severity": "high",
    ...                      "reason": "pockets the phone"}]}
    >>> for d in render_description(chunk, ZoneInfo("UTC")):
    ...     print(d.kind, "|", d.text)
    description | Camera cam1: #3: takes a phone off its stand, 10:00.
    timeline_item | Person #3 lifts a phone (phone) at phones, 10:00.
    alert | Alert (high): theft, pockets the phone, 10:00.
    """
    cid, start, end = str(chunk["id"]), float(chunk["start_time"]), float(chunk["end_time"])

    def doc(source_id: str, kind: str, t0: float, t1: float, scope: Any, what: str) -> Document:
        return Document(
            key=document_key(SOURCE_DESCRIPTION, source_id),
            source=SOURCE_DESCRIPTION,
            source_id=source_id,
            site_id=str(chunk["site_id"]),
            camera_id=str(chunk["camera_id"]),
            kind=kind,
            scope_id=str(scope) if scope else None,
            start=t0,
            end=t1,
            track_id=None,  # the model's subjects are track numbers drawn on frames, not ids
            text=f"{what}, {span_words(t0, t1, tz)}.",
            semantic=what + ".",
        )

    docs = []
    summary = " ".join(str(chunk.get("summary") or "").split())
    if summary:
        docs.append(
            doc(cid, KIND_DESCRIPTION, start, end, None, f"Camera {chunk['camera_id']}: {summary}")
        )
    for i, item in enumerate(chunk.get("items") or []):
        t = float(item["time"])
        docs.append(
            doc(f"{cid}#i{i}", KIND_TIMELINE_ITEM, t, t, item.get("zone"), _item_what(item))
        )
    for i, alert in enumerate(chunk.get("alerts") or []):
        t = float(alert["time"])
        what = f"Alert ({alert.get('severity')}): {alert.get('kind')}, {alert.get('reason')}"
        docs.append(doc(f"{cid}#a{i}", KIND_ALERT, t, t, None, what))
    return docs
