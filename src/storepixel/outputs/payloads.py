"""What leaves the box: one JSON body per event, alert change or minute metric.

Every body carries ``id`` (receivers de-duplicate on it), ``type`` and ``data``; ``data`` is the
published event schema for events (``docs/event-schema.json``), numbers and ids for alerts and
metrics. No image, no box coordinates, no descriptor ever goes out: the builders below take only
:class:`~storepixel.types.Event`, :class:`~storepixel.alerts.engine.AlertChange` and
:class:`~storepixel.types.MetricRow`, none of which can hold one.

>>> from storepixel.types import Event
>>> m = event_message(Event("e1", "zone_enter", "demo", "cam1", 0.0, "t1", "till"))
>>> m.message_id, m.topic, sorted(m.payload)
('e1', 'events', ['data', 'id', 'type'])
"""

from __future__ import annotations

import hashlib
from typing import Any

from storepixel.alerts.engine import AlertChange
from storepixel.events.schema import event_to_json, format_time, metric_to_json
from storepixel.outputs.outbox import Message
from storepixel.types import Event, MetricRow


def event_message(event: Event) -> Message:
    body = {"id": event.id, "type": "event", "data": event_to_json(event)}
    return Message(event.id, event.site_id, event.camera_id, "events", body)


def alert_payload(change: AlertChange) -> dict[str, Any]:
    return {
        "alert_id": change.alert_id,
        "change": change.change,
        "site_id": change.site_id,
        "camera_id": change.camera_id,
        "rule_id": change.rule_id,
        "rule": change.rule,
        "scope_id": change.scope_id,
        "severity": change.severity,
        "time": format_time(change.time),
        "started_at": format_time(change.started_at),
        "value": change.value,
        "peak": change.peak,
        "message": change.message,
    }


def alert_message(change: AlertChange) -> Message:
    mid = change.message_id
    body = {"id": mid, "type": "alert", "data": alert_payload(change)}
    return Message(mid, change.site_id, change.camera_id, "alerts", body)


def metric_message(row: MetricRow) -> Message:
    data = metric_to_json(row)
    # A minute can be re-sent with a corrected value (a live camera merges a shared minute):
    # the value is part of the id, so a correction goes out and an identical repeat does not.
    key = "\x1f".join(str(v) for v in data.values())
    mid = "m" + hashlib.sha256(key.encode()).hexdigest()[:31]
    body = {"id": mid, "type": "metric", "data": data}
    return Message(mid, row.site_id, row.camera_id, "metrics", body)
