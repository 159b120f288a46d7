"""Summaries written by the configured provider (a text-only call through the real SDKs, against
the local wire-protocol server), ledgered and budgeted like descriptions; the template on failure,
with the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from storepixel.config.describe import DescribeConfig
from storepixel.search.narrate import LEDGER_CAMERA, Narrator
from storepixel.search.summaries import summarise_day
from storepixel.store import Store, open_store
from storepixel.store.descriptions import spent_today
from tests.fixtures.search_store import SITE, TZ, sample_events
from tests.fixtures.vlm_server import VlmServer

pytest.importorskip("openai")
pytest.importorskip("google.genai")
DAY = date(2024, 5, 2)


def narrative(text: str) -> str:
    """A model that read the facts: it repeats the day's footfall and longest wait in prose."""
    came = re.search(r"(\d+) people came in", text)
    wait = re.search(r"longest queue wait ([^,;]+)", text)
    return json.dumps(
        {
            "narrative": f"A steady day: {came.group(1) if came else 'no'} people came in, "
            f"and the longest wait at the till was {wait.group(1) if wait else 'short'}."
        }
    )


@pytest.fixture(scope="module")
def server() -> Iterator[VlmServer]:
    srv = VlmServer(answer=narrative).start()
    yield srv
    srv.stop()


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    monkeypatch.setenv("GEMINI_API_KEY", "k1")
    monkeypatch.setenv("OPENAI_API_KEY", "k2")
    s = open_store(f"sqlite:///{tmp_path / 's.db'}")
    s.write_events(sample_events())
    yield s
    s.close()


def ledger(store: Store) -> list[tuple[str, str, str, str | None]]:
    with store.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT camera_id, purpose, outcome, reason FROM describe_ledger ORDER BY id"
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


@pytest.mark.slow  # the SDKs' imports and clients take seconds
@pytest.mark.parametrize("provider", ["gemini", "openai"])
def test_provider_writes_the_narrative_and_each_call_is_ledgered(
    provider: str, server: VlmServer, store: Store
) -> None:
    url = server.gemini_url if provider == "gemini" else server.openai_url
    config = DescribeConfig(provider=provider, base_url=url, max_backoff_s=0.0)  # type: ignore[arg-type]
    server.received.clear()
    written = summarise_day(store, SITE, DAY, TZ, Narrator(store, SITE, TZ, config))
    day, said = written[0]
    assert said.by.startswith(provider) and said.reason is None
    assert day.text.startswith("Day summary 2024-05-02: A steady day:")
    assert "longest wait at the till was 6 min 45 s" in day.text
    # text only: the facts and no pictures; one request (and one ledger row) per summary
    assert len(server.received) == len(written) and not any(r.images for r in server.received)
    assert "longest queue wait 6 min 45 s at the till queue" in server.received[0].text
    rows = ledger(store)
    assert rows == [(LEDGER_CAMERA, "summary", "ok", None)] * len(written)
    assert spent_today(store, SITE, LEDGER_CAMERA, TZ)[1][0] > 0  # counts toward the budgets


def test_failures_fall_back_to_the_template_with_the_reason(
    server: VlmServer, store: Store
) -> None:
    config = DescribeConfig(
        provider="openai", base_url=server.openai_url, max_tries=2, max_backoff_s=0.0
    )
    narrator = Narrator(store, SITE, TZ, config)
    server.script.extend(["500", "500", "invalid_json", "invalid_json"])
    down = narrator.write("demo/day/x", "3 people came in and 1 went out; 3 visits.")
    assert (down.by, down.text) == ("template", "3 people came in and 1 went out; 3 visits.")
    assert down.reason is not None and "HTTP 500" in down.reason
    garbled = narrator.write("demo/day/y", "1 people came in.")
    assert garbled.by == "template"
    assert garbled.reason == "provider: invalid answer: the answer is not JSON"
    outcomes = [(o, r) for _, _, o, r in ledger(store)]
    assert [o for o, _ in outcomes] == ["server_error", "server_error", "invalid", "invalid"]


def test_spent_budget_and_no_provider_use_the_template(server: VlmServer, store: Store) -> None:
    config = DescribeConfig(provider="openai", base_url=server.openai_url, daily_tokens_per_site=10)
    server.received.clear()
    said = Narrator(store, SITE, TZ, config).write("demo/day/z", "1 people came in.")
    assert said.by == "template" and "over the daily budget (site tokens" in str(said.reason)
    assert Narrator(store, SITE, TZ, None).write("d", "facts.").by == "template"
    assert server.received == [] and ledger(store) == []


def test_summary_cli_uses_the_sites_provider_and_says_why_it_fell_back(
    server: VlmServer, store: Store, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from storepixel.cli import app

    site = tmp_path / "site.yaml"
    site.write_text(
        f"site: {{id: {SITE}, name: Demo, timezone: Europe/Lisbon}}\n"
        f"describe: {{provider: openai, base_url: '{server.openai_url}', max_tries: 1}}\n"
        "cameras: [{id: cam1}, {id: cam2}]\n"
    )
    db = str(store.engine.url)
    server.script.extend(["good", "500"])  # the day's narrative, then the first hour fails
    result = CliRunner().invoke(
        app, ["summary", "--date", "2024-05-02", "--site", str(site), "--db", db, "--json"]
    )
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[0]["written_by"] == "openai/gpt-4o-mini" and "A steady day" in rows[0]["text"]
    assert rows[1]["written_by"] == "template" and "HTTP 500" in rows[1]["fallback_reason"]
    assert "note: written by the template: provider: HTTP 500" in result.stderr
