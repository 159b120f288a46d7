"""fleet: API key expiry and each edge's last reported health

Revision ID: 0010_fleet
Revises: 0009_backlog
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010_fleet"
down_revision: str | None = "0009_backlog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", UTC_TIME, nullable=True))
    op.create_table(
        "edge_health",
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("received_at", UTC_TIME, nullable=False),
        sa.Column("edge_time", UTC_TIME, nullable=False),
        sa.Column("last_sync_at", UTC_TIME, nullable=True),
        sa.Column("pending", sa.Integer(), nullable=False),
        sa.Column("lag_s", sa.Float(), nullable=True),
        sa.Column("cameras", JSON_DOC, nullable=False),
        sa.PrimaryKeyConstraint("site_id", name=op.f("pk_edge_health")),
    )


def downgrade() -> None:
    op.drop_table("edge_health")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
