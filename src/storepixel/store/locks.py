"""One helper for read-then-write transactions on SQLite."""

from __future__ import annotations

from sqlalchemy import Connection, Table, false, update


def take_write_lock(conn: Connection, table: Table) -> None:
    """Start the transaction with a (no-op) write.

    SQLite's transactions begin deferred: one that reads first and writes later cannot wait for
    another writer (the live cameras commit every second) and fails at once with "database is
    locked". A write as the first statement takes the lock up front, waiting as long as the
    busy timeout allows. PostgreSQL does not need it; the statement changes nothing there either.
    """
    first = next(iter(table.c))
    conn.execute(update(table).where(false()).values({first: first}))
