"""search: one vector per distinct sentence (documents carry the key of their semantic text)

Revision ID: 0012_search_text_vectors
Revises: 0011_faces
Create Date: 2026-12-07
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_search_text_vectors"
down_revision: str | None = "0011_faces"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 5000


def _key(semantic: str) -> str:  # frozen copy of search.documents.semantic_key
    return hashlib.sha256(semantic.encode()).hexdigest()[:32]


def upgrade() -> None:
    # Vectors were one per document (search_vectors, made at run time); they are derived data and
    # are re-embedded into search_text_vectors, one per distinct sentence, by the next indexing.
    op.execute("DROP TABLE IF EXISTS search_vectors")
    # Nullable in the schema (SQLite cannot add a NOT NULL column to filled rows without copying
    # the table, which would drop the full-text triggers); every writer sets it.
    op.add_column("search_documents", sa.Column("semantic_key", sa.String(length=32)))
    conn = op.get_bind()
    docs = sa.table(
        "search_documents",
        sa.column("id", sa.Integer),
        sa.column("semantic", sa.Text),
        sa.column("semantic_key", sa.String),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(docs.c.id, docs.c.semantic)
            .where(docs.c.id > last)
            .order_by(docs.c.id)
            .limit(BATCH)
        ).fetchall()
        if not rows:
            break
        conn.execute(
            docs.update()
            .where(docs.c.id == sa.bindparam("i"))
            .values(semantic_key=sa.bindparam("k")),
            [{"i": i, "k": _key(s)} for i, s in rows],
        )
        last = rows[-1][0]
    op.create_index(
        op.f("ix_search_documents_site_id_semantic_key_start_time"),
        "search_documents",
        ["site_id", "semantic_key", "start_time"],
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_text_vectors")
    op.drop_index(op.f("ix_search_documents_site_id_semantic_key_start_time"), "search_documents")
    op.drop_column("search_documents", "semantic_key")
