"""Apply the packaged Alembic migrations (``store/migrations``) to a database.

``open_store`` calls :func:`upgrade` on every open; it costs one small query when the schema is
already current. Developers create a new revision with::

    python -c "from alembic import command; from storepixel.store.migrate import alembic_config; \
command.revision(alembic_config('sqlite:///dev.db'), 'what changed', autogenerate=True)"
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storepixel.errors import StoreError
from storepixel.redact import redact_url

MIGRATIONS = Path(__file__).resolve().with_name("migrations")


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` pointing at the packaged migrations (and at ``url`` if given)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def head_revision() -> str:
    """The newest revision this version of storepixel knows."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return heads[0]


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at (``None`` for an empty database)."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine) -> bool:
    """Bring the schema to the head revision; returns whether anything was applied.

    A database migrated by a newer storepixel is refused rather than touched.
    """
    cfg = alembic_config()
    script = ScriptDirectory.from_config(cfg)
    head = script.get_current_head()
    current = current_revision(engine)
    if current == head:
        return False
    if current is not None and current not in {s.revision for s in script.walk_revisions()}:
        raise StoreError(
            f"the store at {redact_url(engine.url.render_as_string())} has schema revision "
            f"{current}, newer than this storepixel knows ({head}): upgrade storepixel"
        )
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except Exception:
        # Another process may have migrated it at the same moment; that is fine.
        if current_revision(engine) != head:
            raise
    return True
