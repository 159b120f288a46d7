"""Export stored events as CSV, JSON Lines or Parquet (what ``storepixel events export`` calls).

JSONL lines are exactly the published event schema (``docs/event-schema.json``). CSV and Parquet
are flat tables for spreadsheets and notebooks: one row per event, the documented per-kind
properties as their own columns (empty where a kind has none) and all properties again as JSON.

>>> import io
>>> from storepixel.store import open_store
>>> from storepixel.types import Event
>>> store = open_store("sqlite://")
>>> _ = store.write_events([Event("e1", "zone_exit", "demo", "cam1", 1714557600.0, "t1", "aisle",
...                               {"dwell_s": 4.5})])
>>> buf = io.StringIO()
>>> export_events(store, buf, "csv")
1
>>> buf.getvalue().splitlines()[1]
'e1,2024-05-01T10:00:00.000000Z,zone_exit,demo,cam1,aisle,t1,,4.5,,,"{""dwell_s"": 4.5}",2'
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal, cast, get_args

from storepixel.errors import StorepixelError
from storepixel.events.schema import event_to_json, format_time
from storepixel.files import atomic_write
from storepixel.store.database import Store
from storepixel.store.queries import Kinds, TimeLike, event_conditions, iter_events
from storepixel.types import Event

ExportFormat = Literal["csv", "jsonl", "parquet"]
FORMATS: tuple[str, ...] = get_args(ExportFormat)
COLUMNS = (
    "id",
    "time",
    "kind",
    "site_id",
    "camera_id",
    "scope_id",
    "track_id",
    "direction",
    "dwell_s",
    "wait_s",
    "duration_s",
    "properties",
    "schema_version",
)
_NUMERIC = ("dwell_s", "wait_s", "duration_s")
_BATCH = 5000


def _flat(ev: Event) -> dict[str, Any]:
    props = ev.properties
    return {
        "id": ev.id,
        "time": ev.time,
        "kind": ev.kind,
        "site_id": ev.site_id,
        "camera_id": ev.camera_id,
        "scope_id": ev.scope_id,
        "track_id": ev.track_id,
        "direction": props.get("direction"),
        **{k: (None if props.get(k) is None else float(cast(float, props[k]))) for k in _NUMERIC},
        "properties": json.dumps(props, sort_keys=True, separators=(", ", ": ")),
        "schema_version": ev.schema_version,
    }


def _write_jsonl(events: Iterable[Event], out: IO[str]) -> int:
    n = 0
    for ev in events:
        out.write(json.dumps(event_to_json(ev), ensure_ascii=False) + "\n")
        n += 1
    return n


def _write_csv(events: Iterable[Event], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for ev in events:
        row = _flat(ev)
        row["time"] = format_time(ev.time)
        writer.writerow(row)
        n += 1
    return n


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise StorepixelError(
            "Parquet export needs pyarrow: pip install 'storepixel[parquet]' "
            "(or export --format csv / jsonl)"
        ) from None
    return pyarrow


def _write_parquet(events: Iterable[Event], out: IO[bytes]) -> int:
    pa = _pyarrow()
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("time", pa.timestamp("us", tz="UTC")),
            ("kind", pa.string()),
            ("site_id", pa.string()),
            ("camera_id", pa.string()),
            ("scope_id", pa.string()),
            ("track_id", pa.string()),
            ("direction", pa.string()),
            ("dwell_s", pa.float64()),
            ("wait_s", pa.float64()),
            ("duration_s", pa.float64()),
            ("properties", pa.string()),
            ("schema_version", pa.int32()),
        ]
    )
    n = 0
    it = iter(events)
    with pa.parquet.ParquetWriter(out, schema) as writer:
        while batch := [_flat(ev) for ev in islice(it, _BATCH)]:
            for row in batch:
                row["time"] = round(row["time"] * 1_000_000)
            writer.write_table(pa.Table.from_pylist(batch, schema=schema))
            n += len(batch)
        if n == 0:  # still write a valid, empty file with the schema
            writer.write_table(schema.empty_table())
    return n


@contextmanager
def _open_out(out: str | Path | IO[Any], binary: bool) -> Iterator[IO[Any]]:
    """Yield a stream for ``out``; a path is written atomically (temp file, then rename)."""
    if not isinstance(out, str | Path):
        yield out
        return
    if str(out) == "-":
        yield sys.stdout.buffer if binary else sys.stdout
        return
    path = Path(out)
    try:
        with atomic_write(path, binary=binary) as f:
            yield f
    except OSError as err:
        raise StorepixelError(f"cannot write {path}: {err.strerror or err}") from None


def export_events(
    store: Store,
    out: str | Path | IO[str] | IO[bytes],
    format: ExportFormat = "jsonl",
    *,
    site_id: str | None = None,
    camera_id: str | None = None,
    kinds: Kinds = None,
    scope_id: str | None = None,
    start: TimeLike | None = None,
    end: TimeLike | None = None,
) -> int:
    """Write the events matching the filters to ``out`` and return how many were written.

    ``out`` is a path (written atomically: a failed export leaves no partial file), ``"-"`` for
    standard output, or an open stream (text for csv/jsonl, binary for parquet). ``format`` is
    ``"csv"``, ``"jsonl"`` or ``"parquet"`` (needs the ``parquet`` extra: ``pyarrow``). Filters are
    those of :func:`storepixel.store.queries.query_events`: ``kinds`` is one kind or a list,
    ``start``/``end`` bound capture time (``[start, end)``; seconds, aware datetime or ISO-8601).
    Events come out in capture-time order.
    """
    if format not in FORMATS:
        raise StorepixelError(f"unknown export format {format!r}: expected csv, jsonl or parquet")
    if format == "parquet":
        _pyarrow()  # fail before creating any file
    filters: dict[str, Any] = {
        "site_id": site_id,
        "camera_id": camera_id,
        "kinds": kinds,
        "scope_id": scope_id,
        "start": start,
        "end": end,
    }
    event_conditions(**filters)  # a bad kind or time fails here, before any file is created
    events = iter_events(store, **filters)
    binary = format == "parquet"
    with _open_out(out, binary) as stream:
        if binary:
            if isinstance(stream, io.TextIOBase):
                raise StorepixelError("Parquet export needs a binary stream or a file path")
            return _write_parquet(events, stream)
        if format == "csv":
            return _write_csv(events, stream)
        return _write_jsonl(events, stream)
