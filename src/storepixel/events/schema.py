"""The published, versioned event schema ("the pixel") and its JSON form.

Inside Python an event is a :class:`storepixel.types.Event` with ``time`` as POSIX seconds (UTC).
On the wire (JSONL, webhooks, the API, exports) it is a JSON object whose ``time`` is an ISO-8601
UTC string and whose ``properties`` carry the documented fields of its kind. The pydantic models
below are the single definition of that contract; ``docs/event-schema.json`` is generated from them
(``python -m storepixel.events.schema``) and a test keeps the committed file in step.

>>> from storepixel.types import Event
>>> ev = Event("e1", "zone_exit", "demo", "cam1", 1714557600.5, "t1", "aisle-1", {"dwell_s": 12.5})
>>> data = event_to_json(ev)
>>> data["time"], data["properties"]
('2024-05-01T10:00:00.500000Z', {'dwell_s': 12.5})
>>> event_from_json(data) == ev
True
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from storepixel.errors import StorepixelError
from storepixel.timeutil import parse_iso
from storepixel.types import EVENT_SCHEMA_VERSION, Event, EventKind, MetricRow
from storepixel.validation import describe_validation_error

SCHEMA_PATH = Path("docs") / "event-schema.json"


class EventSchemaError(StorepixelError, ValueError):
    """An event does not match the published schema (bad kind, missing property, naive time…)."""


# --- capture time: POSIX float inside, ISO-8601 UTC on the wire ---------------------------------


def parse_time(value: object) -> float:
    """POSIX seconds from a float, an aware ``datetime`` or an ISO-8601 string with an offset.

    Naive times are refused: guessing a timezone silently shifts every bucket.

    >>> parse_time("2024-05-01T10:00:00Z")
    1714557600.0
    """
    if isinstance(value, bool):
        raise ValueError("time must be a number of seconds or an ISO-8601 string, not a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, datetime | str):
        seconds = parse_iso(value)  # naive times refused
    elif hasattr(value, "item"):  # numpy scalars from the analytics stages
        return parse_time(value.item())
    else:
        raise ValueError(f"time must be seconds or an ISO-8601 string, got {type(value).__name__}")
    if not math.isfinite(seconds):
        raise ValueError("time must be finite")
    return seconds


def format_time(seconds: float) -> str:
    """ISO-8601 UTC with microseconds and a ``Z``: fixed width, so strings sort as times do.

    >>> format_time(1714557600.25)
    '2024-05-01T10:00:00.250000Z'
    """
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


CaptureTime = Annotated[
    float,
    BeforeValidator(parse_time),
    PlainSerializer(format_time, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "Capture time of the frame, ISO-8601 in UTC "
            "(written as YYYY-MM-DDTHH:MM:SS.ffffffZ).",
            "examples": ["2024-05-01T10:00:00.250000Z"],
        }
    ),
]


def _plain(value: Any) -> Any:
    """JSON-ready copy of property values (numpy scalars and tuples come from analytics code)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


ScopeId = Annotated[str, Field(min_length=1, max_length=128)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]


# --- properties per kind ------------------------------------------------------------------------


class _Properties(BaseModel):
    # Documented fields are required and typed; producers may add more (forward compatible).
    model_config = ConfigDict(extra="allow", frozen=True)


class NoProperties(_Properties):
    """No documented fields for this kind; extra fields are allowed."""


class LineCrossingProperties(_Properties):
    direction: Literal["in", "out"] = Field(
        description="Walking along the line from its first point to its second, a crossing from "
        "your left to your right is `in`."
    )
    line_id: ScopeId = Field(description="The line crossed; equals the event's `scope_id`.")


class ZoneExitProperties(_Properties):
    dwell_s: Seconds = Field(description="Seconds from entering to leaving the zone (this visit).")


class QueueLeaveProperties(_Properties):
    wait_s: Seconds = Field(description="Seconds spent in the queue zone before leaving it.")


class VisitEndProperties(_Properties):
    duration_s: Seconds = Field(description="Seconds the person was seen by the camera (visit).")
    role: Literal["customer", "staff"] = Field(
        "customer",
        description="staff: stayed in a staff zone or in view most of an hour (docs/people.md); "
        "staff are left out of the customer numbers. Absent before storepixel 0.9: customer.",
    )
    group_id: str | None = Field(
        None,
        description="The group this visit was part of (the track of its first member), null "
        "when alone: people who entered together and moved together.",
    )
    group_size: int = Field(1, ge=1, description="People in that group, 1 when alone.")


class _ShelfProperties(_Properties):
    shelf_id: ScopeId = Field(description="The shelf; equals the event's `scope_id`.")
    product: str | None = Field(description="The shelf's product (planogram); null if unset.")
    brand: str | None = Field(description="The shelf's brand (planogram); null if unset.")
    category: str | None = Field(description="The shelf's category (planogram); null if unset.")


class ShelfPassProperties(_ShelfProperties):
    duration_s: Seconds = Field(description="Seconds the person was within reach of the shelf.")


class ShelfAttentionProperties(_ShelfProperties):
    attention_s: Seconds = Field(
        description="Seconds the person stood still facing the shelf during this pass."
    )


class ShelfReachProperties(_ShelfProperties):
    count: int = Field(ge=1, description="Touches: separate times a wrist entered the shelf.")
    duration_s: Seconds = Field(description="Total seconds a wrist was inside the shelf.")


class VlmAlertProperties(_Properties):
    alert_kind: str = Field(max_length=128, description="The model's name for the alert.")
    severity: Literal["low", "medium", "high"]
    reason: str = Field(max_length=2000, description="What the model saw that raised it.")
    chunk_id: str = Field(
        max_length=64, description="The described people-chunk (`storepixel descriptions list`)."
    )


# --- the event, one model per kind --------------------------------------------------------------


class _EventBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1, 2] = Field(
        default=2,
        description="Version of the schema the producer wrote: 2 (adds the shelf kinds); the "
        "version-1 kinds mean the same in both, so stored version-1 events still read.",
    )
    id: str = Field(
        min_length=1,
        max_length=64,
        description="Deterministic content hash: analysing the same footage again gives the same "
        "id, so stores ignore the repeat.",
    )
    kind: str
    site_id: ScopeId = Field(description="Site (store) id from the site configuration.")
    camera_id: ScopeId = Field(description="Camera id from the site configuration.")
    time: CaptureTime
    track_id: str = Field(
        min_length=1,
        max_length=64,
        description="Pseudonymous id of the person within one analysis run (never a face or name).",
    )
    scope_id: ScopeId | None = Field(
        default=None, description="The line or zone the event is about; null for camera-wide."
    )
    properties: NoProperties = Field(default_factory=NoProperties)

    @model_validator(mode="before")
    @classmethod
    def _plain_properties(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and "properties" in data:
            data = {**data, "properties": _plain(data["properties"])}
        return data


class _ScopedEvent(_EventBase):
    scope_id: ScopeId = Field(description="The line or zone the event is about.")


class LineCrossingEvent(_ScopedEvent):
    """A person crossed a counting line (`scope_id` is the line)."""

    kind: Literal["line_crossing"]
    properties: LineCrossingProperties  # type: ignore[assignment]

    @model_validator(mode="after")
    def _line_is_scope(self) -> LineCrossingEvent:
        if self.properties.line_id != self.scope_id:
            raise ValueError(
                f"properties.line_id {self.properties.line_id!r} differs from "
                f"scope_id {self.scope_id!r}"
            )
        return self


class ZoneEnterEvent(_ScopedEvent):
    """A person entered a zone (after the zone's minimum presence)."""

    kind: Literal["zone_enter"]


class ZoneExitEvent(_ScopedEvent):
    """A person left a zone (after the exit grace), with the visit's dwell time."""

    kind: Literal["zone_exit"]
    properties: ZoneExitProperties  # type: ignore[assignment]


class QueueJoinEvent(_ScopedEvent):
    """A person joined a queue zone."""

    kind: Literal["queue_join"]


class QueueLeaveEvent(_ScopedEvent):
    """A person left a queue zone, with the time they waited."""

    kind: Literal["queue_leave"]
    properties: QueueLeaveProperties  # type: ignore[assignment]


class VisitStartEvent(_EventBase):
    """A person appeared in the camera's view (`scope_id` null unless a producer scopes it)."""

    kind: Literal["visit_start"]


class VisitEndEvent(_EventBase):
    """A person's visit to the camera's view ended, with its duration."""

    kind: Literal["visit_end"]
    properties: VisitEndProperties  # type: ignore[assignment]


class _ShelfEvent(_ScopedEvent):
    schema_version: Literal[2] = Field(
        default=2, description="Shelf kinds exist from schema version 2."
    )
    scope_id: ScopeId = Field(description="The shelf the event is about.")

    @model_validator(mode="after")
    def _shelf_is_scope(self) -> _ShelfEvent:
        shelf_id = getattr(self.properties, "shelf_id", None)
        if shelf_id != self.scope_id:
            raise ValueError(
                f"properties.shelf_id {shelf_id!r} differs from scope_id {self.scope_id!r}"
            )
        return self


class ShelfPassEvent(_ShelfEvent):
    """A person came within reach of a shelf (an impression), dated to the first moment."""

    kind: Literal["shelf_pass"]
    properties: ShelfPassProperties  # type: ignore[assignment]


class ShelfAttentionEvent(_ShelfEvent):
    """A person stood still facing a shelf for at least its threshold, with the seconds."""

    kind: Literal["shelf_attention"]
    properties: ShelfAttentionProperties  # type: ignore[assignment]


class ShelfReachEvent(_ShelfEvent):
    """A person's wrist entered a shelf, with how many times and for how long (one pass)."""

    kind: Literal["shelf_reach"]
    properties: ShelfReachProperties  # type: ignore[assignment]


class VlmAlertEvent(_EventBase):
    """A vision-language model raised an alert while describing a people-chunk; `time` is the
    capture time it gave (clamped to the chunk), `track_id` the person's pseudonym when the
    alert names a tracked person, else an id standing for the chunk."""

    schema_version: Literal[2] = Field(
        default=2, description="`vlm_alert` exists from schema version 2."
    )
    kind: Literal["vlm_alert"]
    properties: VlmAlertProperties  # type: ignore[assignment]


EVENT_MODELS: dict[str, type[_EventBase]] = {
    "line_crossing": LineCrossingEvent,
    "zone_enter": ZoneEnterEvent,
    "zone_exit": ZoneExitEvent,
    "queue_join": QueueJoinEvent,
    "queue_leave": QueueLeaveEvent,
    "visit_start": VisitStartEvent,
    "visit_end": VisitEndEvent,
    "shelf_pass": ShelfPassEvent,
    "shelf_attention": ShelfAttentionEvent,
    "shelf_reach": ShelfReachEvent,
    "vlm_alert": VlmAlertEvent,
}
if tuple(EVENT_MODELS) != tuple(EventKind.ALL) or EVENT_SCHEMA_VERSION != 2:
    raise RuntimeError("events.schema is out of step with storepixel.types (EventKind / version)")

AnyEvent = Annotated[
    LineCrossingEvent
    | ZoneEnterEvent
    | ZoneExitEvent
    | QueueJoinEvent
    | QueueLeaveEvent
    | VisitStartEvent
    | VisitEndEvent
    | ShelfPassEvent
    | ShelfAttentionEvent
    | ShelfReachEvent
    | VlmAlertEvent,
    Field(discriminator="kind"),
]
_ADAPTER: TypeAdapter[_EventBase] = TypeAdapter(AnyEvent)


# --- conversion ---------------------------------------------------------------------------------


def _one_line(err: ValidationError, data: Mapping[str, Any]) -> str:
    where = f"invalid event (kind={data.get('kind')!r}, id={data.get('id')!r})"
    return f"{where}: {describe_validation_error(err.errors(), most=3)}"


def _validate(data: Mapping[str, Any]) -> _EventBase:
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as err:
        raise EventSchemaError(_one_line(err, data)) from None


def _as_mapping(event: Event) -> dict[str, Any]:
    return {
        "schema_version": event.schema_version,
        "id": event.id,
        "kind": event.kind,
        "site_id": event.site_id,
        "camera_id": event.camera_id,
        "time": event.time,
        "track_id": event.track_id,
        "scope_id": event.scope_id,
        "properties": event.properties,
    }


def _to_event(model: _EventBase) -> Event:
    return Event(
        id=model.id,
        kind=model.kind,
        site_id=model.site_id,
        camera_id=model.camera_id,
        time=model.time,
        track_id=model.track_id,
        scope_id=model.scope_id,
        properties=model.properties.model_dump(exclude_unset=True),  # absent stays absent
        schema_version=model.schema_version,
    )


def event_to_json(event: Event) -> dict[str, Any]:
    """The event as a schema-valid JSON object (ISO time); raises :class:`EventSchemaError`."""
    # exclude_unset: a documented property with a default (visit_end's role) that the event does
    # not carry is left out, not invented; every top-level field is always set.
    return _validate(_as_mapping(event)).model_dump(mode="json", exclude_unset=True)


def event_from_json(data: Mapping[str, Any]) -> Event:
    """An :class:`Event` from its JSON object (``time`` as ISO-8601 with an offset, or seconds)."""
    return _to_event(_validate(data))


def validate_event(event: Event) -> Event:
    """Check an event against the schema and return it with plain-Python property values."""
    return _to_event(_validate(_as_mapping(event)))


def metric_to_json(row: MetricRow) -> dict[str, Any]:
    """A minute metric row as a JSON object (``bucket_start`` as ISO-8601 UTC)."""
    return {
        "site_id": row.site_id,
        "camera_id": row.camera_id,
        "scope_id": row.scope_id,
        "metric": row.metric,
        "bucket_start": format_time(row.bucket_start),
        "value": float(row.value),
        "sample_count": int(row.sample_count),
        "coverage": float(row.coverage),
    }


# --- JSON Schema --------------------------------------------------------------------------------


def event_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one event as it appears on the wire."""
    body = _ADAPTER.json_schema(mode="serialization", ref_template="#/$defs/{model}")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"storepixel event, schema version {EVENT_SCHEMA_VERSION}",
        "description": "One 'pixel': something a person did in a store, at the capture time it "
        "happened. The `kind` selects the documented `properties`. See docs/events.md.",
        **body,
    }


def render_event_schema() -> str:
    """The text of ``docs/event-schema.json`` (stable formatting, trailing newline)."""
    return json.dumps(event_json_schema(), indent=2, ensure_ascii=False) + "\n"


def write_event_schema(path: str | Path = SCHEMA_PATH) -> Path:
    """Write the JSON Schema to ``path`` (default ``docs/event-schema.json``) and return it."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_event_schema(), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m storepixel.events.schema [OUT]``: regenerate the published JSON Schema."""
    args = sys.argv[1:] if argv is None else argv
    print(write_event_schema(args[0] if args else SCHEMA_PATH))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
