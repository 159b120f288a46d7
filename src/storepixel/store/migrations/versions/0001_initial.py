"""events, minute metrics, analysis runs, camera coverage

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=64)
NAME = sa.String(length=128)


def upgrade() -> None:
    op.create_table(
        "analysis_runs",
        sa.Column("id", ID, nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("source_name", sa.String(length=512), nullable=False),
        sa.Column("anchor_time", UTC_TIME, nullable=False),
        sa.Column("anchor_kind", sa.String(length=32), nullable=True),
        sa.Column("started_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.Column("frames", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_runs")),
    )
    op.create_index(
        op.f("ix_analysis_runs_site_id_camera_id_anchor_time"),
        "analysis_runs",
        ["site_id", "camera_id", "anchor_time"],
    )

    op.create_table(
        "events",
        sa.Column("id", ID, nullable=False),
        sa.Column("schema_version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("scope_id", NAME, nullable=True),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.Column("track_id", ID, nullable=False),
        sa.Column("properties", JSON_DOC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    op.create_index(op.f("ix_events_kind_time"), "events", ["kind", "time"])
    op.create_index(
        op.f("ix_events_site_id_camera_id_time"), "events", ["site_id", "camera_id", "time"]
    )
    op.create_index(
        op.f("ix_events_site_id_scope_id_time"), "events", ["site_id", "scope_id", "time"]
    )

    op.create_table(
        "minute_metrics",
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("scope_id", NAME, nullable=False),
        sa.Column("metric", sa.String(length=64), nullable=False),
        sa.Column("bucket_start", UTC_TIME, nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("sample_count", sa.Integer(), nullable=False),
        sa.Column("coverage", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id",
            "camera_id",
            "scope_id",
            "metric",
            "bucket_start",
            name=op.f("pk_minute_metrics"),
        ),
    )
    op.create_index(
        op.f("ix_minute_metrics_site_id_metric_bucket_start"),
        "minute_metrics",
        ["site_id", "metric", "bucket_start"],
    )

    op.create_table(
        "camera_coverage",
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("start_time", UTC_TIME, nullable=False),
        sa.Column("end_time", UTC_TIME, nullable=False),
        sa.Column("run_id", ID, nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["analysis_runs.id"],
            name=op.f("fk_camera_coverage_run_id_analysis_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint(
            "site_id", "camera_id", "start_time", name=op.f("pk_camera_coverage")
        ),
    )
    op.create_index(op.f("ix_camera_coverage_run_id"), "camera_coverage", ["run_id"])


def downgrade() -> None:
    op.drop_table("camera_coverage")
    op.drop_table("minute_metrics")
    op.drop_table("events")
    op.drop_table("analysis_runs")
