"""In-process fan-out: one :class:`EventBus` hands each batch to every sink, in order.

Put the store first: if it fails, the exception stops the batch before the other sinks (files,
webhooks) publish events the store does not have.

>>> from storepixel.events.sinks import MemorySink
>>> a, b = MemorySink(), MemorySink()
>>> bus = EventBus([a, b])
>>> bus.write_metrics([])
>>> bus.close(); a.closed and b.closed
True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from storepixel.events.sinks import EventSink
from storepixel.types import Event, MetricRow


class EventBus:
    """An :class:`EventSink` that forwards to several sinks."""

    def __init__(self, sinks: Iterable[EventSink] = ()) -> None:
        self.sinks: list[EventSink] = list(sinks)

    def add(self, sink: EventSink) -> None:
        self.sinks.append(sink)

    def write_events(self, events: Sequence[Event]) -> None:
        if events:
            for sink in self.sinks:
                sink.write_events(events)

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        if rows:
            for sink in self.sinks:
                sink.write_metrics(rows)

    def close(self) -> None:
        """Close every sink, even if one fails; the first failure is raised afterwards."""
        first: BaseException | None = None
        for sink in self.sinks:
            try:
                sink.close()
            except Exception as err:
                first = first or err
        if first is not None:
            raise first
