"""alerts, the delivery outbox, point-of-sale receipts

Revision ID: 0006_outbox
Revises: 0003_web
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_outbox"
down_revision: str | None = "0003_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=64)
NAME = sa.String(length=128)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", ID, nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("rule_id", NAME, nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("scope_id", NAME, nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.Column("resolved_at", UTC_TIME, nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("peak", sa.Float(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("acknowledged_by", NAME, nullable=True),
        sa.Column("acknowledged_at", UTC_TIME, nullable=True),
        sa.Column("resolved_by", NAME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_site_id_started_at"), "alerts", ["site_id", "started_at"])
    op.create_index(op.f("ix_alerts_status"), "alerts", ["status"])
    op.create_table(
        "outbox",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("destination", NAME, nullable=False),
        sa.Column("message_id", NAME, nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("topic", sa.String(length=256), nullable=False),
        sa.Column("payload", JSON_DOC, nullable=False),
        sa.Column("retain", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("next_attempt_at", UTC_TIME, nullable=False),
        sa.Column("sent_at", UTC_TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "destination", "message_id", name=op.f("uq_outbox_destination_message_id")
        ),
    )
    op.create_index(
        op.f("ix_outbox_destination_status_camera_id_seq"),
        "outbox",
        ["destination", "status", "camera_id", "seq"],
    )
    op.create_table(
        "pos_receipts",
        sa.Column("id", ID, nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pos_receipts")),
    )
    op.create_index(op.f("ix_pos_receipts_site_id_time"), "pos_receipts", ["site_id", "time"])


def downgrade() -> None:
    op.drop_table("pos_receipts")
    op.drop_table("outbox")
    op.drop_table("alerts")
