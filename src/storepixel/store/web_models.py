"""Tables of the web app: users, their sessions, API keys, the audit log, video jobs, heatmaps.

Secrets are never stored as given: passwords as argon2 hashes, session tokens and API keys as
SHA-256 hashes of high-entropy random strings (a leaked table cannot be replayed). Heatmap grids
hold person-seconds per cell of a coarse normalised grid (JSON numbers), never a picture.
Imported by ``store.models`` so that ``Base.metadata`` (and the migration check) sees them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storepixel.store.models import ID, NAME, Base, JsonDoc, UTCTime


class UserRecord(Base):
    """A person who logs in to the dashboard; ``role`` is ``admin`` or ``viewer``."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(UTCTime())


class SessionTokenRecord(Base):
    """A logged-in browser: the cookie carries the token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(ID), primary_key=True)
    username: Mapped[str] = mapped_column(
        String(64), ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[float] = mapped_column(UTCTime())
    expires_at: Mapped[float] = mapped_column(UTCTime())


class ApiKeyRecord(Base):
    """An API key bound to one site with scopes (``read``, ``ingest``, ``admin``), revocable,
    and expiring at ``expires_at`` when set."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    site_id: Mapped[str] = mapped_column(String(NAME))
    scopes: Mapped[str] = mapped_column(String(64))  # comma-separated
    key_hash: Mapped[str] = mapped_column(String(ID), unique=True)
    created_at: Mapped[float] = mapped_column(UTCTime())
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[float | None] = mapped_column(UTCTime())
    last_used_at: Mapped[float | None] = mapped_column(UTCTime())
    expires_at: Mapped[float | None] = mapped_column(UTCTime())


class EdgeHealthRecord(Base):
    """What a store's edge box last reported with a sync (central side; one row per site).

    ``received_at`` is the central's clock; ``edge_time``, ``last_sync_at`` (the edge's last
    acknowledged batch before this one) and ``lag_s`` (age of the oldest row still queued on the
    edge) are the edge's; ``cameras`` is ``[{camera, state, failure, last_frame_time}]``, or
    empty when the report came from a one-off ``storepixel sync`` (no cameras running there)."""

    __tablename__ = "edge_health"

    site_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    received_at: Mapped[float] = mapped_column(UTCTime())
    edge_time: Mapped[float] = mapped_column(UTCTime())
    last_sync_at: Mapped[float | None] = mapped_column(UTCTime())
    pending: Mapped[int] = mapped_column(Integer)
    lag_s: Mapped[float | None] = mapped_column(Float)
    cameras: Mapped[list[Any]] = mapped_column(JsonDoc)


class AuditRecord(Base):
    """One admin action: who did what to which thing, when (processing time)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    time: Mapped[float] = mapped_column(UTCTime(), index=True)
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(256))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)


class VideoJobRecord(Base):
    """An uploaded video analysed in the background; ``status`` queued|running|done|failed|
    cancelled and ``progress`` 0–1."""

    __tablename__ = "video_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    filename: Mapped[str] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    start_time: Mapped[float | None] = mapped_column(UTCTime())  # capture time of frame 0
    status: Mapped[str] = mapped_column(String(16))
    progress: Mapped[float] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(UTCTime())
    finished_at: Mapped[float | None] = mapped_column(UTCTime())

    __table_args__ = (Index(None, "site_id", "created_at"),)


class HeatmapRecord(Base):
    """Person-seconds per cell of one camera's normalised grid over a capture-time span.

    ``origin`` is ``live`` (one row per camera and hour, added to as frames arrive) or the
    analysis run id of an uploaded file (one row spanning the file).
    """

    __tablename__ = "heatmap_grids"

    site_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    camera_id: Mapped[str] = mapped_column(String(NAME), primary_key=True)
    start_time: Mapped[float] = mapped_column(UTCTime(), primary_key=True)
    origin: Mapped[str] = mapped_column(String(ID), primary_key=True)
    end_time: Mapped[float] = mapped_column(UTCTime())
    rows: Mapped[int] = mapped_column(Integer)
    cols: Mapped[int] = mapped_column(Integer)
    cells: Mapped[list[float]] = mapped_column(JsonDoc)  # rows × cols, row-major
