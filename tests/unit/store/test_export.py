"""Export details that do not depend on the database backend."""

from __future__ import annotations

import builtins
import io
from pathlib import Path
from typing import Any

import pytest

from storepixel.errors import StorepixelError
from storepixel.store import Store, open_store
from storepixel.store.export import COLUMNS, export_events
from tests.fixtures.store_contract import sample_events


@pytest.fixture
def store() -> Store:
    store = open_store("sqlite://")
    store.write_events(sample_events())
    return store


def test_parquet_without_pyarrow_names_the_extra(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    out = tmp_path / "e.parquet"
    with pytest.raises(StorepixelError, match=r"storepixel\[parquet\]"):
        export_events(store, out, "parquet")
    assert not out.exists()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"format": "xlsx"}, "unknown export format"),
        ({"kinds": "walk_by"}, "unknown event kind walk_by"),
        ({"start": "2024-05-01T10:00:00"}, "invalid start"),  # naive: which timezone?
    ],
)
def test_bad_arguments_fail_before_writing(
    store: Store, tmp_path: Path, kwargs: dict[str, Any], message: str
) -> None:
    out = tmp_path / "e.csv"
    kwargs.setdefault("format", "csv")
    with pytest.raises(StorepixelError, match=message):
        export_events(store, out, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_empty_export_still_has_a_header(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    assert export_events(store, out, "csv", site_id="nowhere") == 0
    assert out.read_text() == ",".join(COLUMNS) + "\n"


def test_empty_parquet_is_readable(store: Store, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    out = tmp_path / "e.parquet"
    assert export_events(store, out, "parquet", site_id="nowhere") == 0
    assert pq.read_table(out).num_rows == 0


def test_dash_means_stdout(store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert export_events(store, "-", "jsonl") == len(sample_events())
    assert len(capsys.readouterr().out.splitlines()) == len(sample_events())


def test_parquet_to_a_binary_stream(store: Store) -> None:
    buf = io.BytesIO()
    assert export_events(store, buf, "parquet") == len(sample_events())
    assert buf.getvalue()[:4] == b"PAR1"
    with pytest.raises(StorepixelError, match="binary"):
        export_events(store, io.StringIO(), "parquet")


def test_failed_export_leaves_no_partial_file(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storepixel.store.export as export

    def boom(*_: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(export, "_write_csv", boom)
    out = tmp_path / "e.csv"
    with pytest.raises(RuntimeError):
        export_events(store, out, "csv")
    assert list(tmp_path.iterdir()) == []
