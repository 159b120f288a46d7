"""backlog: one row per DVR playback window of a backlog job

Revision ID: 0009_backlog
Revises: 0008_describe
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_backlog"
down_revision: str | None = "0008_describe"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "backlog_windows",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("camera_id", sa.String(length=128), nullable=False),
        sa.Column("start_time", UTC_TIME, nullable=False),
        sa.Column("end_time", UTC_TIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("events_new", sa.Integer(), nullable=False),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("footage_s", sa.Float(), nullable=False),
        sa.Column("started_at", UTC_TIME, nullable=True),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("elapsed_s", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_backlog_windows")),
    )
    with op.batch_alter_table("backlog_windows", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_backlog_windows_site_id_camera_id_start_time"),
            ["site_id", "camera_id", "start_time"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_backlog_windows_site_id_status"), ["site_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("backlog_windows", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_backlog_windows_site_id_status"))
        batch_op.drop_index(batch_op.f("ix_backlog_windows_site_id_camera_id_start_time"))

    op.drop_table("backlog_windows")
