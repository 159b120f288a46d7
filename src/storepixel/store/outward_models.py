"""Tables of the outward side: alerts, the delivery outbox and point-of-sale receipts.

Never an image: an alert carries numbers and ids, an outbox row the JSON that will leave the box
(built from the same payload functions for every destination), a receipt a time, a total and an
item count. Imported by ``store`` so that ``Base.metadata`` (and the migration check) sees them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storepixel.store.models import ID, NAME, Base, JsonDoc, UTCTime


class AlertRecord(Base):
    """One alert: an ongoing condition of one rule on one camera (and zone), opened at the capture
    time the condition became true, updated while it lasts, resolved when it clears.

    ``status`` is ``open``, ``acknowledged`` or ``resolved``; ``acknowledged_by``/``resolved_by``
    name the user or API key (``rule`` when the condition cleared by itself).
    """

    __tablename__ = "alerts"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    rule_id: Mapped[str] = mapped_column(String(NAME))
    rule: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[str | None] = mapped_column(String(NAME))
    severity: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[float] = mapped_column(UTCTime())  # capture time
    updated_at: Mapped[float] = mapped_column(UTCTime())  # capture time of the last change
    resolved_at: Mapped[float | None] = mapped_column(UTCTime())  # capture time it cleared
    value: Mapped[float | None] = mapped_column(Float)  # the measured value when last updated
    peak: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str] = mapped_column(Text)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[float | None] = mapped_column(UTCTime())  # wall time
    resolved_by: Mapped[str | None] = mapped_column(String(128))

    __table_args__ = (Index(None, "site_id", "started_at"), Index(None, "status"))


class OutboxRecord(Base):
    """One message for one destination. ``seq`` orders delivery (per camera); the pair
    (destination, message_id) is unique, so enqueuing the same thing twice is a no-op.

    ``status``: ``pending`` → ``sent``, or ``parked`` with ``last_error`` after the receiver
    rejected it ``max_attempts`` times.
    """

    __tablename__ = "outbox"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    destination: Mapped[str] = mapped_column(String(NAME))
    message_id: Mapped[str] = mapped_column(String(128))
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str] = mapped_column(String(NAME))
    topic: Mapped[str] = mapped_column(String(256))  # events | alerts | metrics | a state topic
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc)
    retain: Mapped[bool] = mapped_column(Boolean, default=False)  # MQTT live state
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[float] = mapped_column(UTCTime())  # wall time
    next_attempt_at: Mapped[float] = mapped_column(UTCTime())
    sent_at: Mapped[float | None] = mapped_column(UTCTime())
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("destination", "message_id"),
        Index(None, "destination", "status", "camera_id", "seq"),
    )


class ReceiptRecord(Base):
    """One point-of-sale transaction: when, how much, how many items (no customer data)."""

    __tablename__ = "pos_receipts"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(NAME))
    time: Mapped[float] = mapped_column(UTCTime())
    total: Mapped[float] = mapped_column(Float)
    items: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(32))  # csv | api

    __table_args__ = (Index(None, "site_id", "time"),)
