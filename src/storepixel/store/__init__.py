"""The event store: SQLAlchemy 2 models, Alembic migrations, idempotent writes, queries, export.

>>> from storepixel.store import open_store
>>> store = open_store("sqlite://")
>>> store.dialect
'sqlite'
"""

from storepixel.store import (  # noqa: F401  (their tables join Base.metadata)
    backlog,
    describe_models,
    face_models,
    outward_models,
    search_models,
    web_models,
)
from storepixel.store.database import ENV_URL, Store, WriteResult, open_store
from storepixel.store.engine import DEFAULT_URL
from storepixel.store.runs import AnalysisRun, CoverageInterval, run_id

__all__ = [
    "DEFAULT_URL",
    "ENV_URL",
    "AnalysisRun",
    "CoverageInterval",
    "Store",
    "WriteResult",
    "open_store",
    "run_id",
]
