"""faces: aggregate face attributes, encrypted returning-visitor descriptors and their visits

Revision ID: 0011_faces
Revises: 0010_fleet
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_faces"
down_revision: str | None = "0010_fleet"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies of the column types as they were in this revision (migrations never import models).
UTC_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "face_attribute_counts",
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("camera_id", sa.String(length=128), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("zone_id", sa.String(length=128), nullable=False),
        sa.Column("hour_start", UTC_TIME, nullable=False),
        sa.Column("attribute", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "site_id",
            "camera_id",
            "run_id",
            "zone_id",
            "hour_start",
            "attribute",
            "value",
            name=op.f("pk_face_attribute_counts"),
        ),
    )
    op.create_index(
        op.f("ix_face_attribute_counts_site_id_hour_start"),
        "face_attribute_counts",
        ["site_id", "hour_start"],
    )
    op.create_table(
        "visitor_faces",
        sa.Column("visitor_id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("descriptor", sa.LargeBinary(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("first_seen", UTC_TIME, nullable=False),
        sa.Column("last_seen", UTC_TIME, nullable=False),
        sa.Column("first_run_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("visitor_id", name=op.f("pk_visitor_faces")),
    )
    op.create_index(
        op.f("ix_visitor_faces_site_id_last_seen"), "visitor_faces", ["site_id", "last_seen"]
    )
    op.create_table(
        "visitor_visits",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("site_id", sa.String(length=128), nullable=False),
        sa.Column("visitor_id", sa.String(length=64), nullable=False),
        sa.Column("camera_id", sa.String(length=128), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("time", UTC_TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor_visits")),
    )
    op.create_index(op.f("ix_visitor_visits_site_id_time"), "visitor_visits", ["site_id", "time"])
    op.create_index(op.f("ix_visitor_visits_visitor_id"), "visitor_visits", ["visitor_id"])
    op.create_index(op.f("ix_visitor_visits_run_id"), "visitor_visits", ["run_id"])


def downgrade() -> None:
    op.drop_table("visitor_visits")
    op.drop_table("visitor_faces")
    op.drop_table("face_attribute_counts")
