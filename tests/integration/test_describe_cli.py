"""``storepixel analyze --describe`` end to end on real footage against a local server speaking
the Gemini / OpenAI wire protocols; then ``descriptions list``, ``describe usage``, ``cost``; and
the bad inputs (unknown provider, missing key, unreachable server, garbage answers)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from storepixel.pipeline.annotate import VideoWriter
from storepixel.sources import open_source
from tests.fixtures.vlm_server import VlmServer

pytestmark = pytest.mark.slow
pytest.importorskip("google.genai")
pytest.importorskip("openai")

SITE = """
site: {{id: demo, name: Demo, timezone: Europe/Lisbon}}
describe:
  provider: {provider}
  base_url: {url}
  context: "Pedestrian plaza. Alert on anyone falling."
  max_tries: 2
  max_backoff_s: 0.1
cameras:
  - id: cam1
    analysis_fps: 4
    zones:
      - id: east-path
        polygon: [[0.55, 0.2], [1.0, 0.14], [1.0, 0.86], [0.55, 0.62]]
    privacy_masks: [{{polygon: [[0.4, 0.05], [0.76, 0.05], [0.76, 0.17], [0.4, 0.17]]}}]
"""
START = "2026-12-01T10:00:00+00:00"


def storepixel(
    *args: str | Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "GEMINI_API_KEY": "k1", "OPENAI_API_KEY": "k2", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "storepixel.cli", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=600,
        env={k: v for k, v in full.items() if v != ""},
    )


@pytest.fixture(scope="module")
def clip(vtest_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 12 s of vtest.avi as H.264 MP4."""
    out = tmp_path_factory.mktemp("clip") / "clip.mp4"
    writer = VideoWriter(out, 10)
    for frame in open_source(vtest_path):
        if frame.index >= 120:
            break
        writer.write(frame.image)
    writer.close()
    return out


@pytest.fixture()
def server() -> Iterator[VlmServer]:
    srv = VlmServer().start()
    yield srv
    srv.stop()


def site_file(tmp_path: Path, provider: str, url: str) -> Path:
    path = tmp_path / "site.yaml"
    path.write_text(SITE.format(provider=provider, url=url))
    return path


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("provider", ["gemini", "openai"])
def test_analyze_describe_stores_and_lists_chunks_once(
    clip: Path, server: VlmServer, tmp_path: Path, provider: str
) -> None:
    url = server.gemini_url if provider == "gemini" else server.openai_url
    site, db = site_file(tmp_path, provider, url), f"sqlite:///{tmp_path / 'store.db'}"
    args = ("analyze", clip, "--site", site, "--camera", "cam1", "--db", db, "--start", START)
    first = storepixel(*args, "--describe")
    assert first.returncode == 0, first.stderr
    assert "people-chunks" in first.stderr
    listed = storepixel("descriptions", "list", "--db", db, "--json")
    chunks = json.loads(listed.stdout)
    assert chunks and all(c["status"] == "done" for c in chunks)
    keys = {"camera_id", "start", "end", "provider", "model", "tokens_in", "tokens_out", "cost"}
    assert keys | {"summary", "items", "alerts", "status"} <= set(chunks[0])
    assert chunks[0]["start"].startswith("2026-12-01T10:00") and chunks[0]["provider"] == provider
    for c in chunks:  # every item's time lies within its chunk (capture time)
        assert all(c["start"] <= i["time"] <= c["end"] for i in c["items"])
        assert c["tokens_in"] > 0 and c["summary"].startswith("#")
    requests = len(server.received)
    assert requests == len(chunks)
    # The same footage again: nothing is sent, nothing is charged twice.
    again = storepixel(*args, "--describe")
    assert again.returncode == 0, again.stderr
    assert len(server.received) == requests
    assert len(json.loads(storepixel("descriptions", "list", "--db", db, "--json").stdout)) == len(
        chunks
    )
    # Filters.
    none = storepixel(
        "descriptions", "list", "--db", db, "--json", "--since", "2026-12-02T00:00:00Z"
    )
    assert json.loads(none.stdout) == []
    other = storepixel("descriptions", "list", "--db", db, "--json", "--camera", "cam9")
    assert json.loads(other.stdout) == []
    usage = json.loads(storepixel("describe", "usage", "--db", db, "--json").stdout)
    assert sum(r["requests"] for r in usage) == requests
    assert sum(r["tokens_in"] for r in usage) == sum(c["tokens_in"] for c in chunks)
    [cost] = json.loads(storepixel("cost", "--site", site, "--db", db, "--json").stdout)
    assert cost["day"] == "2026-12-01" and cost["camera_id"] == "cam1"
    assert cost["spent_tokens"] == sum(c["tokens_in"] + c["tokens_out"] for c in chunks)
    assert (
        cost["reference_tokens"] == round(cost["open_h"] * 3600 * 66)
        or abs(cost["reference_tokens"] - cost["open_h"] * 3600 * 66) < 66 * 4
    )


def test_garbage_forever_fails_chunks_and_counting_carries_on(
    clip: Path, server: VlmServer, tmp_path: Path
) -> None:
    server.default = "invalid_json"
    site, db = site_file(tmp_path, "gemini", server.gemini_url), f"sqlite:///{tmp_path / 's.db'}"
    args = ("analyze", clip, "--site", site, "--camera", "cam1", "--db", db, "--start", START)
    result = storepixel(*args, "--describe", "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["zones"]["east-path"]["visits"] > 0  # counted as without --describe
    chunks = json.loads(storepixel("descriptions", "list", "--db", db, "--json").stdout)
    assert chunks and all(c["status"] == "failed" for c in chunks)
    assert all("invalid answer" in c["reason"] and "after 2 tries" in c["reason"] for c in chunks)
    # Per chunk: 2 tries + 1 repair, each in the ledger.
    usage = json.loads(storepixel("describe", "usage", "--db", db, "--json").stdout)
    assert sum(r["requests"] for r in usage) == 3 * len(chunks) == len(server.received)


def test_bad_describe_settings_are_one_line_errors(
    clip: Path, server: VlmServer, tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'bad.db'}"
    site = site_file(tmp_path, "gemini", server.gemini_url)
    args = ("analyze", clip, "--site", site, "--camera", "cam1", "--db", db, "--describe")
    # An unknown provider: rejected when the site file loads, with or without --describe.
    site.write_text(SITE.format(provider="claude", url=server.gemini_url))
    line = one_line_error(storepixel(*args))
    assert "describe.provider" in line and "gemini" in line
    line = one_line_error(storepixel("doctor", "--site", site, "--no-db"))
    assert "describe.provider" in line and "gemini" in line
    # A missing API key.
    site.write_text(SITE.format(provider="gemini", url=server.gemini_url))
    line = one_line_error(storepixel(*args, env={"GEMINI_API_KEY": ""}))
    assert "GEMINI_API_KEY is not set" in line
    doctor = storepixel("doctor", "--site", site, "--no-db", "--json", env={"GEMINI_API_KEY": ""})
    assert doctor.returncode != 0 and "Traceback" not in doctor.stderr
    [check] = [c for c in json.loads(doctor.stdout) if c["subject"] == "describe (cam1)"]
    assert check["status"] == "fail" and "GEMINI_API_KEY is not set" in check["detail"]
    # An unreachable server.
    site.write_text(SITE.format(provider="openai", url="http://127.0.0.1:9/v1"))
    line = one_line_error(storepixel(*args))
    assert "unreachable" in line and "127.0.0.1:9" in line
    doctor = storepixel("doctor", "--site", site, "--no-db", "--json")
    assert doctor.returncode != 0 and "Traceback" not in doctor.stderr
    checks = {c["subject"]: c for c in json.loads(doctor.stdout)}
    assert checks["describe (cam1)"]["status"] == "fail"
    assert "unreachable" in checks["describe (cam1)"]["detail"]
    assert server.received == []  # nothing was analysed, nothing sent


def test_describe_resume_sends_what_a_stopped_run_left_waiting(
    server: VlmServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storepixel.config.site import load_site
    from storepixel.describe.feed import camera_context
    from storepixel.describe.service import Describer
    from storepixel.store import open_store
    from tests.unit.describe.test_service_wire import chunk

    site = site_file(tmp_path, "gemini", server.gemini_url)
    kept = tmp_path / "kept"
    site.write_text(
        site.read_text().replace(
            "  max_tries: 2\n",
            f"  max_tries: 2\n  media: {{store: true, retention_days: 1, dir: '{kept}'}}\n",
        )
    )
    db = f"sqlite:///{tmp_path / 's.db'}"
    monkeypatch.setenv("GEMINI_API_KEY", "k1")
    server.default = "500"  # a live run with the provider down, then stopped
    config = load_site(site)
    with open_store(db) as store:
        describer = Describer(store, "demo", config.site.tz, retry_waiting_s=3600)
        describer.submit(chunk(), camera_context(config, "cam1", source="live"))
        assert describer.wait_idle(30)
        describer.close(timeout=0)
    server.default = "good"
    result = storepixel("describe", "resume", "--site", site, "--db", db)
    assert result.returncode == 0, result.stderr
    assert "resumed 1 waiting chunks: 1 done" in result.stderr
    [row] = json.loads(storepixel("descriptions", "list", "--db", db, "--json").stdout)
    assert row["status"] == "done" and row["summary"]
    assert [r.behaviour for r in server.received] == ["500", "500", "good"]
