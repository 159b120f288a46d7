"""Alembic environment for the storepixel store.

``open_store`` runs migrations programmatically and hands its connection over in
``config.attributes["connection"]``. For development (``alembic revision --autogenerate``), see
``storepixel.store.migrate.alembic_config``, which points a Config at this folder and a URL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storepixel.store.engine import create_store_engine
from storepixel.store.models import Base
from storepixel.store.search_models import include_object

target_metadata = Base.metadata


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        include_object=include_object,  # search engines' own tables are not models
        # SQLite cannot ALTER most things: later revisions rebuild tables in batch mode.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        return
    engine = create_store_engine(str(context.config.get_main_option("sqlalchemy.url")))
    try:
        with engine.connect() as conn:
            _configure(conn)
            conn.commit()
    finally:
        engine.dispose()


# Alembic executes this file inside a migration environment; a plain import (doctest collection,
# tooling) finds no ``context.config`` and does nothing.
if hasattr(context, "config"):
    if context.is_offline_mode():
        run_offline()
    else:
        run_online()
