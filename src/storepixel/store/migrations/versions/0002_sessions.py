"""hourly camera sessions

Revision ID: 0002_sessions
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_sessions"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=64)
NAME = sa.String(length=128)


def upgrade() -> None:
    op.create_table(
        "camera_sessions",
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("start_time", UTC_TIME, nullable=False),
        sa.Column("end_time", UTC_TIME, nullable=False),
        sa.Column("coverage_s", sa.Float(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("summary", JSON_DOC, nullable=False),
        sa.Column("closed_at", UTC_TIME, nullable=False),
        sa.Column("run_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_runs.id"],
            name=op.f("fk_camera_sessions_run_id_analysis_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "site_id", "camera_id", "start_time", name=op.f("pk_camera_sessions")
        ),
    )
    op.create_index(op.f("ix_camera_sessions_run_id"), "camera_sessions", ["run_id"])
    op.create_index(
        op.f("ix_camera_sessions_site_id_start_time"), "camera_sessions", ["site_id", "start_time"]
    )


def downgrade() -> None:
    op.drop_table("camera_sessions")
