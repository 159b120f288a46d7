"""The published event schema: round trips, per-kind properties, and the committed JSON Schema."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from storepixel.events.schema import (
    SCHEMA_PATH,
    EventSchemaError,
    event_from_json,
    event_json_schema,
    event_to_json,
    format_time,
    metric_to_json,
    parse_time,
    render_event_schema,
    validate_event,
)
from storepixel.types import Event, EventKind, MetricRow

REPO = Path(__file__).resolve().parents[3]
T0 = 1714557600.0

SHELF = {"shelf_id": "cola", "product": "Cola 1l", "brand": "Fizz", "category": None}
VALID: dict[str, tuple[str | None, dict[str, Any]]] = {
    EventKind.LINE_CROSSING: ("door", {"direction": "in", "line_id": "door"}),
    EventKind.ZONE_ENTER: ("aisle-1", {}),
    EventKind.ZONE_EXIT: ("aisle-1", {"dwell_s": 12.5}),
    EventKind.QUEUE_JOIN: ("till", {}),
    EventKind.QUEUE_LEAVE: ("till", {"wait_s": 30.0}),
    EventKind.VISIT_START: (None, {}),
    EventKind.VISIT_END: (
        None,
        {"duration_s": 55.0, "role": "customer", "group_id": "t41", "group_size": 2},
    ),
    EventKind.SHELF_PASS: ("cola", {**SHELF, "duration_s": 4.0}),
    EventKind.SHELF_ATTENTION: ("cola", {**SHELF, "attention_s": 2.5}),
    EventKind.SHELF_REACH: ("cola", {**SHELF, "count": 2, "duration_s": 1.2}),
    EventKind.VLM_ALERT: (
        None,
        {"alert_kind": "theft", "severity": "high", "reason": "cuts a cable", "chunk_id": "d1"},
    ),
}


def event(kind: str = EventKind.ZONE_EXIT, **changes: Any) -> Event:
    scope, props = VALID.get(kind, ("x", {}))
    fields: dict[str, Any] = {
        "id": "e0123",
        "kind": kind,
        "site_id": "demo",
        "camera_id": "cam1",
        "time": T0 + 0.25,
        "track_id": "t42",
        "scope_id": scope,
        "properties": props,
    }
    fields.update(changes)
    return Event(**fields)


@pytest.mark.parametrize("kind", EventKind.ALL)
def test_every_kind_round_trips(kind: str) -> None:
    ev = event(kind)
    data = event_to_json(ev)
    assert data["time"] == "2024-05-01T10:00:00.250000Z"
    assert json.loads(json.dumps(data)) == data  # plain JSON
    assert event_from_json(data) == ev


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({}, None),
        ({"kind": "walk_by"}, "does not match any of the expected tags"),
        ({"properties": {}}, "dwell_s"),
        ({"properties": {"dwell_s": -1.0}}, "dwell_s"),
        ({"properties": {"dwell_s": float("nan")}}, "dwell_s"),
        ({"scope_id": None}, "scope_id"),
        ({"site_id": ""}, "site_id"),
        ({"time": float("inf")}, "time"),
        ({"time": datetime(2024, 5, 1, 10)}, "UTC offset"),  # naive: refused
        ({"time": "yesterday"}, "not an ISO 8601 time"),
        ({"schema_version": 3}, "schema_version"),
        ({"schema_version": 1}, None),  # version-1 kinds read under either version
        ({"properties": {"dwell_s": 3.0, "zone_kind": "area"}}, None),  # extra: allowed
    ],
)
def test_validation(changes: dict[str, Any], error: str | None) -> None:
    ev = event(**changes)
    if error is None:
        assert validate_event(ev).properties == ev.properties
    else:
        with pytest.raises(EventSchemaError, match=error) as info:
            event_to_json(ev)
        assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("kind", "changes", "error"),
    [
        (EventKind.SHELF_REACH, {"schema_version": 1}, "schema_version"),
        (EventKind.SHELF_REACH, {"properties": {**SHELF, "count": 0, "duration_s": 1}},
         "count"),
        (EventKind.SHELF_ATTENTION, {"properties": {**SHELF, "shelf_id": "tea", "attention_s": 1}},
         "differs from scope_id"),
        (EventKind.SHELF_PASS, {"properties": SHELF}, "duration_s"),
        (EventKind.SHELF_PASS, {"properties": {"shelf_id": "cola", "duration_s": 1}}, "brand"),
    ],
)  # fmt: skip
def test_shelf_events_need_version_2_and_their_fields(
    kind: str, changes: dict[str, Any], error: str
) -> None:
    with pytest.raises(EventSchemaError, match=error):
        event_to_json(event(kind, **changes))


@pytest.mark.parametrize(
    ("props", "scope", "error"),
    [
        ({"direction": "out", "line_id": "door"}, "door", None),
        ({"direction": "up", "line_id": "door"}, "door", "direction"),
        ({"line_id": "door"}, "door", "direction"),
        ({"direction": "in", "line_id": "back"}, "door", "differs from scope_id"),
    ],
)
def test_line_crossing_properties(props: dict[str, Any], scope: str, error: str | None) -> None:
    ev = event(EventKind.LINE_CROSSING, properties=props, scope_id=scope)
    if error is None:
        assert event_from_json(event_to_json(ev)) == ev
    else:
        with pytest.raises(EventSchemaError, match=error):
            validate_event(ev)


def test_unknown_top_level_field_is_refused() -> None:
    data = event_to_json(event())
    with pytest.raises(EventSchemaError, match="face: unknown key 'face'"):
        event_from_json({**data, "face": "..."})


def test_numpy_values_become_plain_python() -> None:
    ev = event(time=np.float64(T0), properties={"dwell_s": np.float32(2.5), "n": np.int64(3)})
    data = event_to_json(ev)
    assert data["properties"] == {"dwell_s": 2.5, "n": 3}
    assert type(validate_event(ev).properties["n"]) is int


@pytest.mark.parametrize(
    "value",
    [
        T0,
        int(T0),
        "2024-05-01T10:00:00Z",
        "2024-05-01T11:00:00+01:00",
        datetime(2024, 5, 1, 12, tzinfo=timezone(timedelta(hours=2))),
        datetime(2024, 5, 1, 10, tzinfo=UTC),
    ],
)
def test_time_forms(value: Any) -> None:
    assert parse_time(value) == T0


def test_time_text_is_fixed_width_utc() -> None:
    assert format_time(T0) == "2024-05-01T10:00:00.000000Z"
    assert format_time(T0 + 1 / 30) == "2024-05-01T10:00:00.033333Z"
    assert parse_time(format_time(T0 + 1 / 30)) == pytest.approx(T0 + 1 / 30, abs=1e-6)


def test_metric_row_json() -> None:
    row = MetricRow("demo", "cam1", "aisle-1", "occupancy_avg", T0, 1.5, 300, 1.0)
    assert metric_to_json(row)["bucket_start"] == "2024-05-01T10:00:00.000000Z"


def test_committed_schema_file_is_current() -> None:
    committed = REPO / SCHEMA_PATH
    assert committed.read_text(encoding="utf-8") == render_event_schema(), (
        "docs/event-schema.json is stale: run python -m storepixel.events.schema"
    )


def test_schema_lists_every_kind() -> None:
    schema = event_json_schema()
    assert set(schema["discriminator"]["mapping"]) == set(EventKind.ALL)
    assert len(schema["oneOf"]) == len(EventKind.ALL)


@pytest.mark.parametrize("kind", EventKind.ALL)
def test_json_schema_accepts_what_we_write(kind: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    validator = jsonschema.Draft202012Validator(
        event_json_schema(), format_checker=jsonschema.FormatChecker()
    )
    data = event_to_json(event(kind))
    validator.validate(data)
    assert not validator.is_valid({**data, "kind": "walk_by"})
    if VALID[kind][1]:
        assert not validator.is_valid({**data, "properties": {}})
