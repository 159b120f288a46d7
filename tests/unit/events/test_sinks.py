"""The ready-made sinks (consumers of the event bus)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from storepixel.events.schema import EventSchemaError, event_from_json
from storepixel.events.sinks import EventSink, JsonlSink, MemorySink
from tests.fixtures.store_contract import make_event, sample_events, sample_metrics


def test_sinks_satisfy_the_protocol() -> None:
    for sink in (MemorySink(), JsonlSink(io.StringIO())):
        assert isinstance(sink, EventSink)


def test_jsonl_sink_appends_schema_lines(tmp_path: Path) -> None:
    events_path, metrics_path = tmp_path / "out" / "events.jsonl", tmp_path / "metrics.jsonl"
    for _ in range(2):  # a log: reopening appends
        sink = JsonlSink(events_path, metrics_path)
        sink.write_events(sample_events())
        sink.write_metrics(sample_metrics())
        sink.close()
    lines = events_path.read_text().splitlines()
    assert len(lines) == 2 * len(sample_events())
    assert event_from_json(json.loads(lines[0])) == sample_events()[0]
    assert len(metrics_path.read_text().splitlines()) == 2 * len(sample_metrics())


def test_jsonl_sink_writes_nothing_of_a_bad_batch() -> None:
    buf = io.StringIO()
    bad = make_event("zone_exit", 0.0, 1, "aisle-1")  # no dwell_s
    with pytest.raises(EventSchemaError):
        JsonlSink(buf).write_events([*sample_events(), bad])
    assert buf.getvalue() == ""


def test_jsonl_sink_without_metrics_target_drops_metrics() -> None:
    buf = io.StringIO()
    sink = JsonlSink(buf)
    sink.write_metrics(sample_metrics())
    sink.close()
    assert buf.getvalue() == "" and not buf.closed  # streams passed in stay open
