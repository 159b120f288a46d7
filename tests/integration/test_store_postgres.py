"""The store on PostgreSQL: the same contract as SQLite (see tests/fixtures/store_contract.py).

The server comes from tests/fixtures/postgres.py: ``$STOREPIXEL_TEST_PG_URL``, a local server on
127.0.0.1:5432, or a throwaway ``initdb`` cluster; without any of them these tests are skipped.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storepixel.errors import StoreError
from storepixel.store import Store, open_store
from tests.fixtures.store_contract import StoreContract

pytestmark = pytest.mark.postgres


class TestPostgresStore(StoreContract):
    @pytest.fixture
    def store_url(self, pg_url: str) -> str:
        return pg_url

    def test_uses_psycopg_and_native_types(self, store: Store) -> None:
        assert store.engine.dialect.driver == "psycopg"
        with store.engine.connect() as conn:
            types = dict(
                conn.execute(
                    text(
                        "SELECT column_name, data_type FROM information_schema.columns "
                        "WHERE table_name = 'events'"
                    )
                ).all()
            )
        assert types["time"] == "timestamp with time zone"
        assert types["properties"] == "jsonb"


def test_wrong_password_is_one_line_without_it(pg_server: str) -> None:
    url = make_url(pg_server).set(port=1, password="hunter2").render_as_string(hide_password=False)
    with pytest.raises(StoreError) as info:
        open_store(url, connect_timeout=2)
    assert "hunter2" not in str(info.value) and "\n" not in str(info.value)
    assert "***" in str(info.value)


def test_missing_database_is_a_store_error(pg_server: str) -> None:
    url = (
        make_url(pg_server)
        .set(database="storepixel_no_such_db")
        .render_as_string(hide_password=False)
    )
    with pytest.raises(StoreError, match="storepixel_no_such_db"):
        open_store(url)
