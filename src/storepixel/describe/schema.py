"""The structured answer asked of the model, and how it is checked against the chunk.

The wire model (``ChunkDescription``) is sent as the provider's response schema. Its times are the
clock times printed on the frames (``HH:MM:SS``, site time zone) and its subjects the track
numbers drawn by each person, so ``ground`` can map both back to the tracker's world:

- a time outside the chunk is clamped to it and flagged ``time_clamped``; one that cannot be read
  is set to the chunk's start and flagged ``time_unreadable``;
- a subject that is not one of the chunk's people is flagged ``unknown_subject`` and its number
  moved to ``claimed_subject`` (``subject`` becomes null): it is never silently kept.

>>> import json
>>> raw = json.dumps({"observations": ["one man at the shelf"], "timeline": [
...     {"time": "10:00:05", "subject": 3, "action": "picks up a phone", "object": "phone",
...      "zone": None, "kind": "interaction", "confidence": 0.8},
...     {"time": "10:00:40", "subject": 9, "action": "walks", "object": None, "zone": None,
...      "kind": "observation", "confidence": 2}],
...     "people": [{"subject": 3, "summary": "browses phones"}], "alerts": []})
>>> desc = parse_description(raw)
>>> g = ground(desc, start=36000.0, end=36015.0, people={3}, tz=ZoneInfo("UTC"))
>>> [(i["time"], i["subject"], i["flags"]) for i in g.items]
[(36005.0, 3, []), (36015.0, None, ['time_clamped', 'unknown_subject', 'confidence_clamped'])]
>>> g.items[1]["confidence"], g.items[1]["claimed_subject"], g.flags
(1.0, 9, ['confidence_clamped', 'time_clamped', 'unknown_subject'])
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Bump when the prompt or this schema changes meaning: it is part of a chunk's key, so a new
# version describes footage again while the same version never pays twice.
PROMPT_VERSION = "describe-v1"

Kind = Literal["observation", "interaction", "alert"]
Severity = Literal["low", "medium", "high"]


class _Wire(BaseModel):
    # No defaults and no constraints: OpenAI's strict mode needs every key required, and ranges
    # are enforced by ``ground`` (clamped and flagged) rather than by rejecting the answer.
    model_config = ConfigDict(extra="forbid")


class TimelineItem(_Wire):
    time: str = Field(description="Clock time printed on the frame, HH:MM:SS.")
    subject: int | None = Field(description="Track number drawn by the person; null if none.")
    action: str = Field(description="What the person does, in a few words.")
    object: str | None = Field(description="Product or object involved, if any.")
    zone: str | None = Field(description="Zone, line or shelf name from the prompt, if any.")
    kind: Kind
    confidence: float = Field(description="0 to 1.")


class PersonSummary(_Wire):
    subject: int = Field(description="Track number drawn by the person.")
    summary: str = Field(description="One line: what this person did in the chunk.")


class AlertItem(_Wire):
    kind: str = Field(description="Short alert name, e.g. theft, fall, aggression.")
    severity: Severity
    time: str = Field(description="Clock time printed on the frame, HH:MM:SS.")
    subject: int | None = Field(description="Track number of the person concerned, or null.")
    reason: str = Field(description="What was seen that raises the alert.")


class ChunkDescription(_Wire):
    observations: list[str] = Field(description="What you see, frame by frame, before concluding.")
    timeline: list[TimelineItem]
    people: list[PersonSummary]
    alerts: list[AlertItem]


class AnswerError(ValueError):
    """The model's answer is not valid JSON or does not match the schema (one-line reason)."""


def response_schema() -> dict[str, Any]:
    """JSON schema of ``ChunkDescription`` in the strict form both providers accept: every
    object closed (``additionalProperties: false``) with all its keys required."""
    schema = ChunkDescription.model_json_schema()

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(schema)
    return schema


def parse_description(text: str | None) -> ChunkDescription:
    """The model's text as a ``ChunkDescription``; ``AnswerError`` says why not."""
    if not text or not text.strip():
        raise AnswerError("empty answer")
    body = text.strip()
    fenced = re.fullmatch(r"```(?:json)?\s*(.*?)\s*```", body, re.DOTALL)
    if fenced:  # some OpenAI-compatible servers wrap JSON in a code fence
        body = fenced.group(1)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as err:
        raise AnswerError(f"invalid JSON: {err.msg} at line {err.lineno} col {err.colno}") from None
    try:
        return ChunkDescription.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "answer"
        more = f" (+{err.error_count() - 1} more)" if err.error_count() > 1 else ""
        raise AnswerError(f"schema: {where}: {first['msg']}{more}") from None


@dataclass(slots=True)
class Grounded:
    """A checked description: capture times (POSIX seconds), real track numbers, flags."""

    observations: list[str]
    items: list[dict[str, Any]]
    people: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    flags: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return " ".join(f"#{p['subject']}: {p['summary']}" for p in self.people)


def clock_time(text: str, start: float, tz: ZoneInfo) -> float | None:
    """``HH:MM:SS`` (or ``MM:SS``, or ``HH:MM:SS.s``) printed on a frame → the capture time
    nearest to ``start`` with that local clock reading; ``None`` if unreadable."""
    m = re.fullmatch(r"\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)\s*", text or "")
    if not m:
        return None
    hours, minutes, seconds = int(m.group(1) or -1), int(m.group(2)), float(m.group(3))
    local = datetime.fromtimestamp(start, tz)
    if hours < 0:  # MM:SS: take the hour of the chunk's start
        hours = local.hour
    if hours > 23 or minutes > 59 or seconds >= 60:
        return None
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    options = []
    for shift in (-1, 0, 1):  # a chunk across midnight
        moment = (day + timedelta(days=shift)).replace(hour=hours, minute=minutes)
        options.append((moment + timedelta(seconds=seconds)).timestamp())
    return min(options, key=lambda t: abs(t - start))


def _time(text: str, start: float, end: float, tz: ZoneInfo, flags: list[str]) -> float:
    moment = clock_time(text, start, tz)
    if moment is None:
        flags.append("time_unreadable")
        return start
    # Frames are labelled to the whole second: allow the second the chunk started in.
    if moment < start - 1.0 or moment > end + 1.0:
        flags.append("time_clamped")
    return min(max(moment, start), end)


def _subject(value: int | None, people: set[int], item: dict[str, Any], flags: list[str]) -> None:
    item["subject"] = value
    if value is not None and value not in people:
        flags.append("unknown_subject")
        item["subject"], item["claimed_subject"] = None, value


def ground(
    desc: ChunkDescription, *, start: float, end: float, people: set[int], tz: ZoneInfo
) -> Grounded:
    """Map times to capture time and subjects to the chunk's people, flagging what does not fit."""
    every: list[str] = []
    items = []
    for entry in desc.timeline:
        flags: list[str] = []
        item = entry.model_dump()
        item["time"] = _time(entry.time, start, end, tz, flags)
        _subject(entry.subject, people, item, flags)
        confidence = min(max(entry.confidence, 0.0), 1.0)
        if confidence != entry.confidence:
            flags.append("confidence_clamped")
        item["confidence"] = confidence
        item["flags"] = flags
        every += flags
        items.append(item)
    alerts = []
    for warning in desc.alerts:
        flags = []
        alert = warning.model_dump()
        alert["time"] = _time(warning.time, start, end, tz, flags)
        _subject(warning.subject, people, alert, flags)
        alert["flags"] = flags
        every += flags
        alerts.append(alert)
    summaries = []
    for person in desc.people:
        if person.subject in people:
            summaries.append({"subject": person.subject, "summary": person.summary})
        else:  # a summary of someone the tracker never saw is not kept as a person
            every.append("unknown_subject")
    items.sort(key=lambda i: i["time"])
    return Grounded(list(desc.observations), items, summaries, alerts, sorted(set(every)))
