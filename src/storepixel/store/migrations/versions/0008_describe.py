"""describe: people-chunk descriptions and the request ledger

Revision ID: 0008_describe
Revises: 0007_search
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_describe"
down_revision: str | None = "0007_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "describe_chunks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("camera_id", sa.String(length=128), nullable=False),
        sa.Column("start_time", UTC_TIME, nullable=False),
        sa.Column("end_time", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("observations", JSON_DOC, nullable=False),
        sa.Column("items", JSON_DOC, nullable=False),
        sa.Column("people", JSON_DOC, nullable=False),
        sa.Column("alerts", JSON_DOC, nullable=False),
        sa.Column("flags", JSON_DOC, nullable=False),
        sa.Column("track_ids", JSON_DOC, nullable=False),
        sa.Column("sent_times", JSON_DOC, nullable=False),
        sa.Column("source", sa.String(length=512), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_describe_chunks")),
    )
    with op.batch_alter_table("describe_chunks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_describe_chunks_site_id_camera_id_start_time"),
            ["site_id", "camera_id", "start_time"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_describe_chunks_status"), ["status"], unique=False)

    op.create_table(
        "describe_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chunk_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("camera_id", sa.String(length=128), nullable=False),
        sa.Column("requested_at", UTC_TIME, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("prompt_version", sa.String(length=32), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("latency_s", sa.Float(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_describe_ledger")),
    )
    with op.batch_alter_table("describe_ledger", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_describe_ledger_chunk_id"), ["chunk_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_describe_ledger_site_id_requested_at"),
            ["site_id", "requested_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("describe_ledger", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_describe_ledger_site_id_requested_at"))
        batch_op.drop_index(batch_op.f("ix_describe_ledger_chunk_id"))

    op.drop_table("describe_ledger")
    with op.batch_alter_table("describe_chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_describe_chunks_status"))
        batch_op.drop_index(batch_op.f("ix_describe_chunks_site_id_camera_id_start_time"))

    op.drop_table("describe_chunks")
