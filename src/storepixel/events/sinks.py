"""Ready-made consumers for the event bus (:mod:`.bus`) and the :class:`EventSink` protocol.

A sink does I/O and nothing else: the bus hands it batches after the store has them.
``JsonlSink`` appends schema-valid JSON lines to a file or stream, ``MemorySink`` keeps
everything in lists (tests). The store itself is written by the bus, first.

>>> import io
>>> from storepixel.types import Event
>>> buf = io.StringIO()
>>> sink = JsonlSink(buf)
>>> sink.write_events([Event("e1", "zone_enter", "demo", "cam1", 0.0, "t1", "aisle-1")])
>>> buf.getvalue()[:40]
'{"schema_version": 2, "id": "e1", "kind"'
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from storepixel.errors import StorepixelError
from storepixel.events.schema import event_to_json, metric_to_json
from storepixel.types import Event, MetricRow


@runtime_checkable
class EventSink(Protocol):
    """Receives batches of events and minute metric rows; ``close`` flushes and releases."""

    def write_events(self, events: Sequence[Event]) -> None: ...

    def write_metrics(self, rows: Sequence[MetricRow]) -> None: ...

    def close(self) -> None: ...


class JsonlSink:
    """Appends one JSON object per line: events to ``events``, metric rows to ``metrics`` if given.

    Paths are opened in append mode (a log, not a store: repeats are not removed); streams passed
    in are left open on ``close``.
    """

    def __init__(
        self, events: str | Path | IO[str], metrics: str | Path | IO[str] | None = None
    ) -> None:
        self._owned: list[IO[str]] = []
        self._events = self._open(events)
        self._metrics = None if metrics is None else self._open(metrics)

    def _open(self, target: str | Path | IO[str]) -> IO[str]:
        if not isinstance(target, str | Path):
            return target
        path = Path(target)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            stream = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()
        except OSError as err:
            raise StorepixelError(
                f"cannot open {path} for writing: {err.strerror or err}"
            ) from None
        self._owned.append(stream)
        return stream

    @staticmethod
    def _write(stream: IO[str], objects: list[dict[str, object]]) -> None:
        stream.write("".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objects))
        stream.flush()

    def write_events(self, events: Sequence[Event]) -> None:
        # Serialise the whole batch first: a schema error must not leave half a batch behind.
        self._write(self._events, [event_to_json(ev) for ev in events])

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        if self._metrics is not None:
            self._write(self._metrics, [metric_to_json(r) for r in rows])

    def close(self) -> None:
        for stream in self._owned:
            stream.close()
        self._owned.clear()


class MemorySink:
    """Keeps every event and metric row in memory."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.metrics: list[MetricRow] = []
        self.closed = False

    def write_events(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        self.metrics.extend(rows)

    def close(self) -> None:
        self.closed = True
