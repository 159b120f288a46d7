"""Tables of the event store (SQLAlchemy 2 typed models).

Four tables, and never an image: ``events`` (the pixels, keyed by their deterministic id),
``minute_metrics`` (one value per site/camera/scope/metric/minute), ``analysis_runs`` (what was
analysed, when, how much) and ``camera_coverage`` (the capture-time intervals a camera was actually
analysed, so a minute without data is not read as a minute with zero people).

Times are stored as UTC timestamps (``timestamptz`` on PostgreSQL, ISO text on SQLite) and read
back as POSIX seconds, the unit of :mod:`storepixel.types`. Schema changes go through Alembic
(``store/migrations``); a test checks the migrations and these models agree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations generated on SQLite and PostgreSQL agree.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID = 64  # event / run / track ids (hashes)
NAME = 128  # site, camera, line and zone ids from the configuration


def to_datetime(value: float | datetime) -> datetime:
    """Aware UTC ``datetime`` from POSIX seconds or a ``datetime`` (naive means UTC)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime.fromtimestamp(value, UTC)


class UTCTime(TypeDecorator[float]):
    """A UTC timestamp column that Python code sees as POSIX seconds (float)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = to_datetime(value)
        # SQLite has no time zones: store naive UTC in its fixed-width text form, which sorts.
        return moment.replace(tzinfo=None) if dialect.name == "sqlite" else moment

    def process_result_value(self, value: Any, dialect: Dialect) -> float | None:
        if value is None:
            return None
        return to_datetime(value).timestamp()


JsonDoc = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class EventRecord(Base):
    """One event; the primary key is the event's content hash, which makes re-inserts no-ops."""

    __tablename__ = "events"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    schema_version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    scope_id: Mapped[str | None] = mapped_column(String(NAME))
    time: Mapped[float] = mapped_column(UTCTime())
    track_id: Mapped[str] = mapped_column(String(ID))
    properties: Mapped[dict[str, Any]] = mapped_column(JsonDoc)

    __table_args__ = (
        Index(None, "site_id", "camera_id", "time"),
        Index(None, "site_id", "scope_id", "time"),
        Index(None, "kind", "time"),
    )


class MetricRecord(Base):
    """One metric of one scope in one minute; re-analysis overwrites the same key."""

    __tablename__ = "minute_metrics"

    site_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    scope_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    metric: Mapped[str] = mapped_column(String(64), primary_key=True)
    bucket_start: Mapped[float] = mapped_column(UTCTime(), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    sample_count: Mapped[int] = mapped_column(Integer)
    coverage: Mapped[float] = mapped_column(Float)

    __table_args__ = (Index(None, "site_id", "metric", "bucket_start"),)


class RunRecord(Base):
    """One analysis of one source; the id derives from what was analysed (``runs.run_id``)."""

    __tablename__ = "analysis_runs"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    source_name: Mapped[str] = mapped_column(String(512))  # redacted: never credentials
    anchor_time: Mapped[float] = mapped_column(UTCTime())  # capture time of the source's start
    anchor_kind: Mapped[str | None] = mapped_column(String(32))  # "start", "container", "mtime"…
    started_at: Mapped[float] = mapped_column(UTCTime())  # processing (wall) time
    finished_at: Mapped[float | None] = mapped_column(UTCTime())
    frames: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)  # capture seconds analysed
    status: Mapped[str] = mapped_column(String(16))  # running | ok | failed
    message: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index(None, "site_id", "camera_id", "anchor_time"),)


class CoverageRecord(Base):
    """A capture-time interval during which a camera was analysed."""

    __tablename__ = "camera_coverage"

    site_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    start_time: Mapped[float] = mapped_column(UTCTime(), primary_key=True)
    end_time: Mapped[float] = mapped_column(UTCTime())
    run_id: Mapped[str | None] = mapped_column(
        String(ID), ForeignKey("analysis_runs.id", ondelete="SET NULL"), index=True
    )


class SessionRecord(Base):
    """One camera's closed capture-time hour: the unit downstream "interaction" jobs consume.

    ``summary`` holds the per-line and per-zone numbers (see ``storepixel.pipeline.sessions``);
    ``coverage_s`` says how much of the hour was actually analysed, so a short hour is not read
    as a quiet one.
    """

    __tablename__ = "camera_sessions"

    site_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    start_time: Mapped[float] = mapped_column(UTCTime(), primary_key=True)
    end_time: Mapped[float] = mapped_column(UTCTime())
    coverage_s: Mapped[float] = mapped_column(Float)
    visits: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer)
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    closed_at: Mapped[float] = mapped_column(UTCTime())  # processing (wall) time
    run_id: Mapped[str | None] = mapped_column(
        String(ID), ForeignKey("analysis_runs.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (Index(None, "site_id", "start_time"),)
