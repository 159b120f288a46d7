"""The store on SQLite (the default backend), plus URL handling that needs no server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from storepixel.errors import StoreError
from storepixel.store import DEFAULT_URL, ENV_URL, open_store
from storepixel.store.migrate import alembic_config
from tests.fixtures.store_contract import StoreContract, sample_events


class TestSqliteStore(StoreContract):
    @pytest.fixture
    def store_url(self, tmp_path: Path) -> str:
        return f"sqlite:///{tmp_path / 'nested' / 'storepixel.db'}"

    def test_wal_and_foreign_keys(self, store_url: str) -> None:
        with open_store(store_url) as store, store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1

    def test_data_survives_reopen(self, store_url: str) -> None:
        with open_store(store_url) as store:
            store.write_events(sample_events())
        with open_store(store_url) as store:
            assert store.write_events(sample_events()) == 0


def test_default_url_is_a_file_under_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_URL, raising=False)
    assert DEFAULT_URL == "sqlite:///data/storepixel.db"
    with open_store() as store:
        assert store.dialect == "sqlite"
    assert (tmp_path / "data" / "storepixel.db").is_file()


def test_env_url_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_URL, f"sqlite:///{tmp_path / 'env.db'}")
    open_store().close()
    assert (tmp_path / "env.db").is_file()


def test_in_memory_store_is_shared_across_connections() -> None:
    with open_store("sqlite://") as store:
        assert store.write_events(sample_events()) == len(sample_events())
        assert store.write_events(sample_events()) == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "invalid database URL"),
        ("mysql://app:hunter2@db/shop", "unsupported database 'mysql'"),
        ("postgresql+asyncpg://app:hunter2@db/shop", "unsupported PostgreSQL driver"),
        ("postgresql://app:hunter2@127.0.0.1:1/shop", "cannot open store"),
        ("postgresql+psycopg://app:hunter2@no-such-host.invalid/shop", "cannot open store"),
        ("sqlite:////proc/storepixel/x.db", "cannot create the folder"),
    ],
)
def test_bad_or_unreachable_url_is_one_line_without_password(url: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(StoreError) as info:
        open_store(url, connect_timeout=2)
    msg = str(info.value)
    assert message in msg
    assert "hunter2" not in msg
    assert "\n" not in msg
    assert time.monotonic() - started < 5


def test_unopenable_sqlite_file_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cannot open store"):
        open_store(f"sqlite:///{tmp_path}")  # a folder, not a file


def test_schema_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'future.db'}"
    with open_store(url) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="newer than this storepixel"):
        open_store(url)


def test_alembic_command_line_path(tmp_path: Path) -> None:
    """The developer path (Config + URL, no handed-over connection): check, downgrade, upgrade."""
    url = f"sqlite:///{tmp_path / 'dev.db'}"
    open_store(url).close()
    cfg = alembic_config(url)
    command.check(cfg)  # models and migrations agree: autogenerate would add nothing
    command.downgrade(cfg, "base")
    with open_store(url) as store:  # upgrades again on open
        assert store.write_events(sample_events()) == len(sample_events())
