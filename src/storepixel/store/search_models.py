"""The table of searchable documents (``storepixel.search``), joined to the store's metadata.

Rows are derived from events, sessions, descriptions and summaries and can be rebuilt from them.
The full-text index beside it is the database's own (an FTS5 table kept by triggers on SQLite, a
generated ``tsvector`` column with a GIN index on PostgreSQL: migration ``0007_search``) and the
vectors live in ``search_text_vectors``, one per distinct ``semantic`` sentence (keyed by
``semantic_key``), made when the vector extension is there (``search_index``).
Neither is a SQLAlchemy model: :func:`include_object` keeps Alembic's comparisons off them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storepixel.store.models import ID, NAME, Base, UTCTime

FTS_TABLE = "search_fts"  # SQLite FTS5 (plus its shadow tables search_fts_*)
VECTOR_TABLE = "search_text_vectors"
OLD_VECTOR_TABLE = "search_vectors"  # one vector per document, until migration 0012
TSV_COLUMN = "tsv"
TSV_INDEX = "ix_search_documents_tsv"


class SearchDocumentRecord(Base):
    """One document; ``key`` is a hash of its source, so indexing a source again is a no-op."""

    __tablename__ = "search_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(16))  # event | session | description | summary
    source_id: Mapped[str] = mapped_column(String(2 * NAME))
    site_id: Mapped[str] = mapped_column(String(NAME))
    camera_id: Mapped[str | None] = mapped_column(String(NAME))
    kind: Mapped[str] = mapped_column(String(32))
    scope_id: Mapped[str | None] = mapped_column(String(NAME))
    start_time: Mapped[float] = mapped_column(UTCTime())
    end_time: Mapped[float] = mapped_column(UTCTime())
    track_id: Mapped[str | None] = mapped_column(String(ID))
    text: Mapped[str] = mapped_column(Text)
    semantic: Mapped[str] = mapped_column(Text)  # what is embedded: the text without clock times
    # Hash of ``semantic``: the row of its vector. Nullable only because migration 0012 added it
    # to filled tables; every writer sets it.
    semantic_key: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (
        Index(None, "site_id", "start_time"),
        Index(None, "site_id", "kind", "start_time"),
        Index(None, "source", "source_id"),
        Index(None, "site_id", "semantic_key", "start_time"),
    )


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic filter: the search engines' own tables, column and index are not models."""
    if type_ == "table" and name is not None:
        return not (name.startswith(FTS_TABLE) or name in (VECTOR_TABLE, OLD_VECTOR_TABLE))
    if type_ == "column" and name == TSV_COLUMN:
        return obj.table.name != SearchDocumentRecord.__tablename__
    return not (type_ == "index" and name == TSV_INDEX)
