"""search: documents with the database's own full-text index

Revision ID: 0007_search
Revises: 0006_outbox
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_search"
down_revision: str | None = "0006_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TIME = sa.DateTime(timezone=True)
ID = sa.String(length=64)
NAME = sa.String(length=128)

# Full text indexes ``semantic`` (the sentence without its clock times: times are filters, and
# "15:00" would otherwise match a query's "15 s").
# SQLite: an external-content FTS5 table kept in step by triggers (porter stemming, so "queues"
# finds "queue"). PostgreSQL: a generated tsvector column (English stemming) under a GIN index.
SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(semantic, content='search_documents', "
    "content_rowid='id', tokenize='porter unicode61')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, semantic) VALUES (new.id, new.semantic); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, semantic) "
    "VALUES ('delete', old.id, old.semantic); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE OF semantic ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, semantic) "
    "VALUES ('delete', old.id, old.semantic); "
    "INSERT INTO search_fts(rowid, semantic) VALUES (new.id, new.semantic); END",
]
POSTGRES_FTS = [
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english', semantic)) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "search_documents",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=256), nullable=False),
        sa.Column("site_id", NAME, nullable=False),
        sa.Column("camera_id", NAME, nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("scope_id", NAME, nullable=True),
        sa.Column("start_time", UTC_TIME, nullable=False),
        sa.Column("end_time", UTC_TIME, nullable=False),
        sa.Column("track_id", ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("semantic", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_documents")),
        sa.UniqueConstraint("key", name=op.f("uq_search_documents_key")),
    )
    op.create_index(
        op.f("ix_search_documents_site_id_start_time"),
        "search_documents",
        ["site_id", "start_time"],
    )
    op.create_index(
        op.f("ix_search_documents_site_id_kind_start_time"),
        "search_documents",
        ["site_id", "kind", "start_time"],
    )
    op.create_index(
        op.f("ix_search_documents_source_source_id"), "search_documents", ["source", "source_id"]
    )
    for statement in SQLITE_FTS if op.get_context().dialect.name == "sqlite" else POSTGRES_FTS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_vectors")
        op.execute("DROP TABLE IF EXISTS search_fts")
    else:
        op.execute("DROP TABLE IF EXISTS search_vectors")
    op.drop_table("search_documents")
