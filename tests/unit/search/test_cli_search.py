"""``storepixel search``: hits as text or JSON, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storepixel.cli import app
from storepixel.store import open_store
from tests.fixtures.search_store import fill

pytest.importorskip("sqlite_vec", reason="search tests need storepixel[search]")


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 's.db'}"
    with open_store(url) as store:
        fill(store)
    return url


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["search", *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_hits_carry_what_opens_them(db: str) -> None:
    code, out, err = run("queue at the till", "--db", db, "--json", "--limit", "3")
    assert code == 0, err
    hits = json.loads(out)
    assert len(hits) == 3
    for h in hits:
        assert {"kind", "camera_id", "start", "end", "score", "text", "source_id"} <= set(h)
        assert h["kind"] == "queue_leave" and h["source"] == "event"
    assert "searched 'queue at the till' at demo" in err


def test_time_words_are_echoed_as_the_range(db: str) -> None:
    code, out, err = run(
        "door",
        "--db",
        db,
        "--since",
        "2024-05-01T00:00:00+00:00",
        "--until",
        "2024-05-01T12:00:00+00:00",
    )
    assert code == 0, err
    assert "2024-05-01 00:00 – 2024-05-01 12:00 (UTC)" in err
    assert "door line" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("",), "empty query"),
        (("q" * 10_240,), "query too long"),
        (("phones", "--zone", "nowhere"), "unknown zone 'nowhere'"),
        (("phones", "--kind", "dance"), "unknown kind 'dance'"),
        (("phones", "--since", "2024-05-02", "--until", "2024-05-01"), "backwards range"),
        (("phones", "--mode", "magic"), "--mode must be one of"),
        (('"*',), "no words to look for"),
    ],
)
def test_bad_input_is_one_line(db: str, args: tuple[str, ...], message: str) -> None:
    code, _out, err = run(*args, "--db", db)
    assert code == 2
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("query", ['"', "*", "NEAR(", "OR", "phones OR door", 'NEAR("a" *'])
def test_fts_syntax_never_breaks_the_engine(db: str, query: str) -> None:
    code, _out, err = run(query, "--db", db)
    assert code in (0, 2), err
    assert "internal error" not in err and "Traceback" not in err
