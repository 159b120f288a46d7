"""Policy: the store never holds pictures. No binary column in the models or the migrated schema,
except the one an opt-in feature seals (``SEALED``)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import LargeBinary, inspect
from sqlalchemy.types import _Binary

from storepixel.store import open_store
from storepixel.store.migrate import MIGRATIONS
from storepixel.store.models import Base
from storepixel.store.search_models import include_object

BINARY_NAMES = ("BLOB", "BYTEA", "BINARY", "VARBINARY", "IMAGE")
# The only binary column: returning visitors' face descriptors, sealed with the site key (AES-GCM,
# 542 bytes: never a picture), present only in use with `faces.visitors` on; the raw bytes are
# checked in tests/integration/test_faces_privacy.py.
SEALED = {("visitor_faces", "descriptor")}


def test_models_have_no_binary_columns() -> None:
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            if (table.name, column.name) in SEALED:
                continue
            assert not isinstance(column.type, _Binary | LargeBinary), f"{table.name}.{column.name}"


def test_migrated_schema_has_no_binary_columns(tmp_path: Path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'p.db'}") as store:
        insp = inspect(store.engine)
        for table in insp.get_table_names():
            if not include_object(None, table, "table", True, None):
                continue  # the full-text engine's own pages and text embeddings, never pictures
            for column in insp.get_columns(table):
                if (table, column["name"]) in SEALED:
                    continue
                type_name = str(column["type"]).upper()
                assert not type_name.startswith(BINARY_NAMES), f"{table}.{column['name']}"


def test_migrations_do_not_add_binary_columns() -> None:
    for path in (MIGRATIONS / "versions").glob("*.py"):
        for line in path.read_text().splitlines():
            for forbidden in ("LargeBinary", "BLOB", "BYTEA"):
                if forbidden in line:  # only the sealed descriptor column
                    assert line.strip().startswith('sa.Column("descriptor", sa.LargeBinary()'), (
                        f"{path.name} uses {forbidden}"
                    )


def test_migrations_ship_inside_the_package() -> None:
    # hatchling packs everything under src/storepixel; these must be there for open_store.
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert any((MIGRATIONS / "versions").glob("0001_*.py"))
