"""web app: users, sessions, API keys, audit log, video jobs, heatmap grids

Revision ID: 0003_web
Revises: 0002_sessions
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003_web"
down_revision: str | None = "0002_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
ID = sa.String(length=64)
NAME = sa.String(length=128)
USER = sa.String(length=64)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("username", USER, nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("username", name=op.f("pk_users")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", ID, nullable=False),
        sa.Column("username", USER, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("expires_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["username"],
            ["users.username"],
            name=op.f("fk_web_sessions_username_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_username"), "web_sessions", ["username"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", NAME, nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("scopes", sa.String(length=64), nullable=False),
        sa.Column("key_hash", ID, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("created_by", USER, nullable=False),
        sa.Column("revoked_at", UTC_TIME, nullable=True),
        sa.Column("last_used_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.Column("actor", NAME, nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target", sa.String(length=256), nullable=False),
        sa.Column("detail", JSON_DOC, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_time"), "audit_log", ["time"])
    op.create_table(
        "video_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("start_time", UTC_TIME, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", JSON_DOC, nullable=True),
        sa.Column("created_by", NAME, nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("finished_at", UTC_TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_jobs")),
    )
    op.create_index(
        op.f("ix_video_jobs_site_id_created_at"), "video_jobs", ["site_id", "created_at"]
    )
    op.create_table(
        "heatmap_grids",
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=False),
        sa.Column("start_time", UTC_TIME, nullable=False),
        sa.Column("origin", ID, nullable=False),
        sa.Column("end_time", UTC_TIME, nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("cols", sa.Integer(), nullable=False),
        sa.Column("cells", JSON_DOC, nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id", "camera_id", "start_time", "origin", name=op.f("pk_heatmap_grids")
        ),
    )


def downgrade() -> None:
    for table in ("heatmap_grids", "video_jobs", "audit_log", "api_keys", "web_sessions", "users"):
        op.drop_table(table)
