"""Database URLs → SQLAlchemy engines, with the settings each backend needs.

SQLite (the default, one file): WAL so readers (API, dashboard) never block the writer, foreign
keys on, real transactions (pysqlite's own handling skips ``BEGIN`` before DDL). PostgreSQL: the
``psycopg`` (v3) driver and a short connect timeout, so a wrong host fails in seconds, not minutes.
Every error raised here is a one-line :class:`StoreError` that shows the URL without its password.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError
from sqlalchemy.pool import StaticPool

from storepixel.errors import StoreError
from storepixel.redact import MASK, redact_text, redact_url

DEFAULT_URL = "sqlite:///data/storepixel.db"
URL_HELP = "expected e.g. sqlite:///data/storepixel.db or postgresql+psycopg://USER:PASS@HOST/DB"


def one_line(exc: BaseException, password: str | None = None) -> str:
    """A driver's error as one short line, with URLs and the password (if known) hidden."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split()) or type(orig).__name__
    text = re.sub(r"\s*\(Background on this error at: \S+\)", "", text)
    text = redact_text(text)
    if password:
        text = text.replace(password, MASK)
    return text if len(text) <= 300 else text[:297] + "..."


def parse_url(url: str) -> URL:
    """Parse and normalise a store URL; ``postgresql://`` means the psycopg (v3) driver."""
    shown = redact_url(url)
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError, TypeError):
        raise StoreError(f"invalid database URL {shown!r}: {URL_HELP}") from None
    backend = parsed.get_backend_name()
    driver = parsed.get_driver_name() if "+" in parsed.drivername else ""
    if backend in ("postgres", "postgresql"):
        if driver not in ("", "psycopg", "psycopg2"):
            raise StoreError(f"unsupported PostgreSQL driver in {shown!r}: use postgresql+psycopg")
        parsed = parsed.set(drivername=f"postgresql+{driver or 'psycopg'}")
    elif backend == "sqlite":
        if driver not in ("", "pysqlite"):
            raise StoreError(f"unsupported SQLite driver in {shown!r}: use sqlite:///PATH")
    else:
        raise StoreError(f"unsupported database {backend!r} in {shown!r}: {URL_HELP}")
    return parsed


def worker_url(url: str | None) -> str:
    """The store URL as another process (a Ray worker, started elsewhere) must see it: the
    default or ``$STOREPIXEL_DB_URL`` filled in, and a relative SQLite path made absolute.

    >>> worker_url("postgresql://app:pw@db/sp")
    'postgresql://app:pw@db/sp'
    """
    raw = url or os.environ.get("STOREPIXEL_DB_URL") or DEFAULT_URL
    parsed = parse_url(raw)
    database = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return raw
    if database.startswith("file:") or Path(database).expanduser().is_absolute():
        return raw
    absolute = str(Path(database).expanduser().resolve())
    return parsed.set(database=absolute).render_as_string(hide_password=False)


EXTENSION_SQLITE = ("sqlean", "pysqlite3")  # drop-in sqlite3 modules that load extensions


@cache
def sqlite_module() -> Any:
    """The ``sqlite3`` module every SQLite engine of this process uses.

    A drop-in module that can load extensions (``sqlean``, ``pysqlite3``: search's sqlite-vec
    needs one, ``storepixel[search]``) when installed, else the standard one. Always the same
    one: two SQLite libraries in one process break each other's POSIX file locks, which can
    corrupt a database (sqlite.org/howtocorrupt.html, "multiple copies of SQLite").
    """
    for name in EXTENSION_SQLITE:
        try:
            return importlib.import_module(f"{name}.dbapi2")
        except ImportError:
            continue
    return importlib.import_module("sqlite3")


def _load_extensions(dbapi_conn: Any) -> None:
    """sqlite-vec (search's vector distances) into a connection, where both are installed."""
    if not hasattr(dbapi_conn, "enable_load_extension"):
        return
    try:
        import sqlite_vec
    except ImportError:
        return
    dbapi_conn.enable_load_extension(True)
    try:
        sqlite_vec.load(dbapi_conn)
    finally:
        dbapi_conn.enable_load_extension(False)


def _sqlite_engine(url: URL, timeout: float, create: bool) -> Engine:
    database = url.database or ""
    on_disk = database not in ("", ":memory:") and not database.startswith("file:")
    if not create and on_disk and not Path(database).expanduser().is_file():
        # SQLite would silently create an empty file: a mistyped path must not read as
        # "no events". Only commands that write may create a store.
        raise StoreError(
            f"no store at {database} (nothing has been recorded there; check --db or "
            "$STOREPIXEL_DB_URL)"
        )
    kwargs: dict[str, Any] = {"connect_args": {"timeout": timeout}, "module": sqlite_module()}
    if database in ("", ":memory:"):
        # One shared connection, or each pooled connection would see its own empty database.
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"]["check_same_thread"] = False
    elif on_disk:
        try:
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(
                f"cannot create the folder of {redact_url(str(url))}: {err.strerror or err}"
            ) from None
    engine = create_engine(url, **kwargs)
    busy_ms = int(timeout * 1000)
    # A database this process creates holds password hashes and key hashes: owner-only (0600),
    # set on the first connection, before anything is written. SQLite gives its -wal and -shm
    # files the same mode. An existing file keeps the mode its operator chose.
    new_file = [Path(database).expanduser()] if on_disk else []
    new_file = [p for p in new_file if not p.exists()]

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        _load_extensions(dbapi_conn)
        while new_file:
            with contextlib.suppress(OSError):
                os.chmod(new_file.pop(), 0o600)
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see "begin" below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        if database not in ("", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # durable enough with WAL, much faster
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN")

    return engine


def _postgres_engine(url: URL, timeout: float) -> Engine:
    connect_args = {"connect_timeout": max(1, round(timeout)), "application_name": "storepixel"}
    try:
        return create_engine(url, connect_args=connect_args, pool_pre_ping=True)
    except (NoSuchModuleError, ImportError):
        raise StoreError(
            "PostgreSQL support needs psycopg: pip install 'storepixel[postgres]'"
        ) from None


def create_store_engine(url: str, connect_timeout: float = 5.0, *, create: bool = True) -> Engine:
    """An engine for ``url`` (not yet connected); raises :class:`StoreError` for a bad URL, and
    for a SQLite file that does not exist unless ``create``."""
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, connect_timeout, create)
    return _postgres_engine(parsed, connect_timeout)
