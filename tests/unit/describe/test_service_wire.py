"""The describer through the real ``google-genai`` and ``openai`` SDKs against a local server
speaking each wire protocol: every answer the server can give ends in a recorded state, with no
crash, no lost chunk and no second charge."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from storepixel.config.describe import DescribeConfig
from storepixel.describe.chunker import Chunk, ChunkFrame
from storepixel.describe.service import CameraContext, Describer
from storepixel.store import Store, open_store
from storepixel.store import descriptions as db
from storepixel.store.describe_models import DescribeLedgerRecord
from storepixel.types import Event
from tests.fixtures.vlm_server import VlmServer

pytest.importorskip("google.genai")
pytest.importorskip("openai")

UTC = ZoneInfo("UTC")
T0 = 1_765_000_000.0  # a capture time: 2025-12-06 05:46:40 UTC


@pytest.fixture()
def server() -> Iterator[VlmServer]:
    srv = VlmServer().start()
    yield srv
    srv.stop()


@pytest.fixture()
def store() -> Iterator[Store]:
    with open_store("sqlite://") as s:
        yield s


@pytest.fixture(autouse=True)
def keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key-gemini")
    monkeypatch.setenv("OPENAI_API_KEY", "test-key-openai")


def config(server: VlmServer, provider: str, **changes: Any) -> DescribeConfig:
    url = server.gemini_url if provider == "gemini" else server.openai_url
    settings: dict[str, Any] = {
        "provider": provider,
        "base_url": url,
        "blur_faces": False,
        "timeout_s": 1.0,
        "max_tries": 3,
        "max_backoff_s": 0.05,
        **changes,
    }
    return DescribeConfig.model_validate(settings)


def chunk(start: float = T0, seconds: float = 6.0, people: tuple[int, ...] = (3,)) -> Chunk:
    rng = np.random.default_rng(int(start))
    frames = []
    for i in range(int(seconds) + 1):
        image = rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)
        boxes = tuple(
            (p, (10.0 + 30 * k, 20.0, 35.0 + 30 * k, 110.0)) for k, p in enumerate(people)
        )
        frames.append(ChunkFrame(start + i, image, boxes))
    return Chunk("cam1", start, start + seconds, frames, set(people))


def run(
    store: Store, cfg: DescribeConfig, *chunks: Chunk, events: list[Event] | None = None
) -> Describer:
    describer = Describer(
        store,
        "demo",
        UTC,
        on_events=None if events is None else events.extend,
        retry_waiting_s=3600,
    )
    for c in chunks:
        describer.submit(c, CameraContext("cam1", cfg))
    assert describer.wait_idle(30)
    describer.close(timeout=0)
    return describer


def ledger(store: Store) -> list[dict[str, Any]]:
    from sqlalchemy import select

    table = DescribeLedgerRecord.__table__
    with store.connect() as conn:
        rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    return [dict(r) for r in rows]


PROVIDERS = pytest.mark.parametrize("provider", ["gemini", "openai"])


@PROVIDERS
def test_good_answer_is_stored_grounded_with_its_usage(
    store: Store, server: VlmServer, provider: str
) -> None:
    server.script.extend(["alert"])
    events: list[Event] = []
    run(store, config(server, provider), chunk(), events=events)
    [row] = db.list_chunks(store)
    assert row["status"] == "done" and row["reason"] is None
    assert row["provider"] == provider and row["track_ids"] == [3]
    # Times are the clock times printed on the frames, mapped back to capture time.
    assert [i["time"] for i in row["items"]][:2] == [T0, T0 + 6.0]
    assert all(i["subject"] == 3 and not i["flags"] for i in row["items"])
    assert row["people"] == [{"subject": 3, "summary": "browses the display"}]
    assert row["alerts"][0]["kind"] == "theft" and row["alerts"][0]["time"] == T0 + 6.0
    [req] = server.received
    assert req.protocol == provider and len(req.images) == 7  # 6 s chunk: 7 frames at 1 fps
    [spent] = ledger(store)
    per_image = 66 if provider == "gemini" else 85
    assert spent["outcome"] == "ok" and spent["tokens_in"] == per_image * 7 + len(req.text) // 4
    assert row["tokens_in"] == spent["tokens_in"] and row["cost"] == pytest.approx(spent["cost"])
    [alert] = events
    assert alert.kind == "vlm_alert" and alert.time == T0 + 6.0
    assert alert.properties["chunk_id"] == row["id"] and alert.properties["severity"] == "high"


@PROVIDERS
def test_429_waits_at_least_retry_after_then_succeeds(
    store: Store, server: VlmServer, provider: str
) -> None:
    server.retry_after_s = 1.0
    server.script.extend(["429", "good"])
    run(store, config(server, provider), chunk())
    assert db.list_chunks(store)[0]["status"] == "done"
    first, second = server.received
    assert second.at - first.at >= 0.95  # Retry-After honoured though max_backoff_s is 0.05
    assert [r["outcome"] for r in ledger(store)] == ["rate_limited", "ok"]


@PROVIDERS
def test_500_and_a_hang_are_retried(store: Store, server: VlmServer, provider: str) -> None:
    server.hang_s = 2.5  # past the 1 s timeout
    server.script.extend(["500", "hang", "good"])
    run(store, config(server, provider), chunk())
    [row] = db.list_chunks(store)
    assert row["status"] == "done" and row["attempts"] == 3
    assert [r["outcome"] for r in ledger(store)] == ["server_error", "timeout", "ok"]


@PROVIDERS
def test_invalid_json_gets_one_repair_without_pictures(
    store: Store, server: VlmServer, provider: str
) -> None:
    server.script.extend(["invalid_json", "good"])
    run(store, config(server, provider), chunk())
    [row] = db.list_chunks(store)
    assert row["status"] == "done"
    first, repair = server.received
    assert len(first.images) == 7 and repair.images == [] and "could not be used" in repair.text
    assert [(r["purpose"], r["outcome"]) for r in ledger(store)] == [
        ("describe", "invalid"),
        ("repair", "ok"),
    ]


@PROVIDERS
def test_schema_breaking_answers_forever_end_failed_with_reason(
    store: Store, server: VlmServer, provider: str
) -> None:
    server.default = "schema_break"
    run(store, config(server, provider, max_tries=2), chunk())
    [row] = db.list_chunks(store)
    assert row["status"] == "failed"
    assert (
        "invalid answer: schema: observations" in row["reason"] and "after 2 tries" in row["reason"]
    )
    # Two tries and one repair, each charged once in the ledger; nothing else.
    assert [r["outcome"] for r in ledger(store)] == ["invalid", "invalid", "invalid"]


@PROVIDERS
def test_unknown_subject_is_flagged_never_kept(
    store: Store, server: VlmServer, provider: str
) -> None:
    server.script.extend(["unknown_subject"])
    run(store, config(server, provider), chunk())
    [row] = db.list_chunks(store)
    assert row["status"] == "done" and "unknown_subject" in row["flags"]
    assert all(i["subject"] is None and i["claimed_subject"] == 999 for i in row["items"])
    assert all(i["flags"] == ["unknown_subject"] for i in row["items"])
    assert row["people"] == [{"subject": 3, "summary": "browses the display"}]  # 999 dropped


@PROVIDERS
def test_provider_down_leaves_the_chunk_waiting_and_a_repeat_never_pays_twice(
    store: Store, server: VlmServer, provider: str
) -> None:
    server.default = "500"
    run(store, config(server, provider, max_tries=2), chunk())
    [row] = db.list_chunks(store)
    assert row["status"] == "waiting" and row["reason"].startswith("provider: HTTP 500")
    server.default = "good"
    run(store, config(server, provider), chunk())  # the same footage again: same key
    [row] = db.list_chunks(store)
    assert row["status"] == "done"
    run(store, config(server, provider), chunk())  # and once more: already described
    assert [r["outcome"] for r in ledger(store)] == ["server_error", "server_error", "ok"]
    assert len(db.list_chunks(store)) == 1


def test_unreachable_server_waits(store: Store, server: VlmServer) -> None:
    cfg = config(server, "openai", base_url="http://127.0.0.1:9/v1", max_tries=2)
    run(store, cfg, chunk())
    [row] = db.list_chunks(store)
    assert row["status"] == "waiting" and "cannot reach" in row["reason"]
    assert {r["outcome"] for r in ledger(store)} == {"unreachable"}


def test_over_budget_chunks_wait_without_a_request(store: Store, server: VlmServer) -> None:
    cfg = config(server, "gemini", daily_tokens_per_camera=1500)
    run(store, cfg, chunk(T0), chunk(T0 + 100))  # ~700 tokens each: the second would break it
    statuses = sorted(r["status"] for r in db.list_chunks(store))
    assert statuses == ["done", "waiting"] and len(server.received) == 1
    waiting = next(r for r in db.list_chunks(store) if r["status"] == "waiting")
    assert "over the daily budget (camera tokens" in waiting["reason"]


def test_concurrent_submissions_of_one_chunk_are_described_once(
    store: Store, server: VlmServer
) -> None:
    server.delay_s = (0.2, 0.3)
    cfg = config(server, "gemini", concurrency=4)
    describer = Describer(store, "demo", UTC, concurrency=4, retry_waiting_s=3600)
    for _ in range(4):
        describer.submit(chunk(), CameraContext("cam1", cfg))
    assert describer.wait_idle(30)
    describer.close(timeout=0)
    assert len(server.received) == 1 and len(ledger(store)) == 1
    assert sorted(o.status for o in describer.outcomes).count("skipped") == 3


def test_closing_while_a_chunk_waits_for_its_turn_sends_nothing_more(
    store: Store, server: VlmServer
) -> None:
    from tests.fixtures.helpers import wait_for

    cfg = config(server, "gemini", requests_per_minute=1)
    describer = Describer(store, "demo", UTC, retry_waiting_s=3600)
    for start in (T0, T0 + 100):
        describer.submit(chunk(start), CameraContext("cam1", cfg))
    assert wait_for(lambda: len(describer.outcomes) == 1, 30)  # the second waits for its minute
    describer.close(timeout=0)
    assert len(server.received) == 1
    statuses = sorted(r["status"] for r in db.list_chunks(store))
    assert statuses == ["done", "waiting"]


def test_gemini_clip_is_one_inline_h264_video_billed_by_its_sampled_frames(
    store: Store, server: VlmServer
) -> None:
    run(store, config(server, "gemini", send_as="clip"), chunk(seconds=6.0))
    [row] = db.list_chunks(store)
    assert row["status"] == "done" and not row["flags"]
    [req] = server.received
    [video] = [p for p in req.body["contents"][0]["parts"] if "inlineData" in p]
    blob = video["inlineData"]
    assert blob.get("mimeType", blob.get("mime_type")) == "video/mp4"
    assert video["videoMetadata"]["fps"] == 1
    assert len(req.images) == 7 and abs(req.video_seconds - 6.0) < 0.01  # every frame, in time
    assert "Stills at" not in req.text and "video clip" in req.text
    [spent] = ledger(store)
    assert spent["tokens_in"] == 66 * 6 + len(req.text) // 4  # 6 s sampled at 1 fps


def test_clip_needs_gemini() -> None:
    with pytest.raises(ValueError, match="send_as clip needs provider gemini"):
        DescribeConfig.model_validate({"provider": "openai", "send_as": "clip"})


def restart(store: Store, cfg: DescribeConfig) -> tuple[Describer, dict[str, int]]:
    """A new process: a new describer picks up what the store says is still waiting."""
    describer = Describer(store, "demo", UTC, retry_waiting_s=3600)
    counts = describer.resume({"cam1": CameraContext("cam1", cfg)})
    assert describer.wait_idle(30)
    describer.close(timeout=0)
    return describer, counts


@PROVIDERS
def test_a_chunk_waiting_at_a_restart_is_described_then_exactly_once(
    store: Store, server: VlmServer, provider: str, tmp_path: Any
) -> None:
    media = {"store": True, "retention_days": 1, "dir": str(tmp_path)}
    cfg = config(server, provider, max_tries=2, media=media)
    server.default = "500"  # the provider is down: the chunk waits, its pictures kept on disk
    run(store, cfg, chunk())
    assert [r["status"] for r in db.list_chunks(store)] == ["waiting"]
    assert len(list(tmp_path.glob("cam1/*/*.jpg"))) == 7
    server.default = "good"  # the provider is back and the process restarts
    _, counts = restart(store, cfg)
    assert counts == {"resumed": 1, "failed": 0, "needs_file": 0}
    [row] = db.list_chunks(store)
    assert row["status"] == "done" and row["items"][0]["time"] == T0
    assert len(server.received[-1].images) == 7  # the same pictures as before the restart
    _, again = restart(store, cfg)  # and a second restart finds nothing left to pay for
    assert again == {"resumed": 0, "failed": 0, "needs_file": 0}
    assert [r["outcome"] for r in ledger(store)] == ["server_error", "server_error", "ok"]


def test_without_kept_media_a_live_chunk_fails_at_restart_and_a_file_chunk_waits(
    store: Store, server: VlmServer
) -> None:
    cfg = config(server, "gemini", max_tries=1)
    server.default = "500"
    describer = Describer(store, "demo", UTC, retry_waiting_s=3600)
    describer.submit(chunk(T0), CameraContext("cam1", cfg, source="live"))
    describer.submit(chunk(T0 + 100), CameraContext("cam1", cfg, source="/videos/a.mp4"))
    assert describer.wait_idle(30)
    describer.close(timeout=0)
    server.default = "good"
    _, counts = restart(store, cfg)
    assert counts == {"resumed": 0, "failed": 1, "needs_file": 1}
    live, file = db.list_chunks(store)
    assert live["status"] == "failed" and "describe.media.store" in live["reason"]
    assert file["status"] == "waiting"  # analysing a.mp4 again with --describe describes it
    assert len(server.received) == 2  # nothing sent at the restart: nothing to send
