"""Tables of people-chunk descriptions (``storepixel.describe``). Never an image.

``describe_chunks``: one row per people-chunk, keyed by ``id`` = hash of (site, camera, start,
end, frame times, prompt version), so a chunk is described at most once. Columns other modules
read (search, alert rules):

- ``site_id``, ``camera_id``, ``start_time``, ``end_time``: capture times (UTC);
- ``status``: ``pending`` (queued) | ``waiting`` (over budget or provider down; tried again) |
  ``sending`` | ``done`` | ``failed`` (``reason`` says why);
- ``provider``, ``model``, ``prompt_version``, ``tokens_in``, ``tokens_out``, ``cost`` (US
  dollars, null without a price), ``attempts``;
- ``summary`` (text: one line per person, ``#N: …``), ``observations`` (list of text),
  ``items`` (timeline: ``time`` POSIX capture seconds, ``subject`` track number or null,
  ``action``, ``object``, ``zone``, ``kind`` observation|interaction|alert, ``confidence``,
  ``flags``), ``people`` ([{subject, summary}]), ``alerts`` ([{kind, severity, time, subject,
  reason, flags}]), ``flags`` (chunk-wide: time_clamped, unknown_subject, …);
- ``track_ids`` (the tracker's people in the chunk), ``sent_times`` (capture times sent),
  ``source`` (file name or redacted camera URL), ``created_at``/``updated_at`` (wall clock).

``describe_ledger``: one row per request sent (repairs too): provider, model, prompt version,
tokens in/out from the response's usage, cost, latency, ``outcome`` (ok | invalid | rate_limited |
server_error | timeout | unreachable | refused) and reason.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storepixel.store.models import ID, NAME, Base, JsonDoc, UTCTime


class DescribeChunkRecord(Base):
    __tablename__ = "describe_chunks"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    start_time: Mapped[float] = mapped_column(UTCTime())
    end_time: Mapped[float] = mapped_column(UTCTime())
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(NAME))
    prompt_version: Mapped[str] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost: Mapped[float | None] = mapped_column(Float)
    summary: Mapped[str | None] = mapped_column(Text)
    observations: Mapped[list[Any]] = mapped_column(JsonDoc)
    items: Mapped[list[Any]] = mapped_column(JsonDoc)
    people: Mapped[list[Any]] = mapped_column(JsonDoc)
    alerts: Mapped[list[Any]] = mapped_column(JsonDoc)
    flags: Mapped[list[Any]] = mapped_column(JsonDoc)
    track_ids: Mapped[list[Any]] = mapped_column(JsonDoc)
    sent_times: Mapped[list[Any]] = mapped_column(JsonDoc)
    source: Mapped[str | None] = mapped_column(String(512))
    created_at: Mapped[float] = mapped_column(UTCTime())
    updated_at: Mapped[float] = mapped_column(UTCTime())

    __table_args__ = (
        Index(None, "site_id", "camera_id", "start_time"),
        Index(None, "status"),
    )


class DescribeLedgerRecord(Base):
    __tablename__ = "describe_ledger"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chunk_id: Mapped[str] = mapped_column(String(ID), index=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    requested_at: Mapped[float] = mapped_column(UTCTime())  # wall clock
    provider: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(NAME))
    prompt_version: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str] = mapped_column(String(16))  # describe | repair
    tokens_in: Mapped[int] = mapped_column(Integer)
    tokens_out: Mapped[int] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)
    latency_s: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "site_id", "requested_at"),)
