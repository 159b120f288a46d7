"""Edge → central sync: two SQLite edges forward to a real ``storepixel serve`` on PostgreSQL.

The central server is stopped mid-way and restarted; after catch-up the central store holds the
union of the edges, event for event; a replayed batch changes nothing; a key of one store can
neither write nor read the other's; a wrong key is a one-line error that loses nothing.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sqlalchemy import select

from storepixel.outputs.outbox import OUTBOX, Outbox
from storepixel.store import open_store
from storepixel.store.accounts import create_key
from storepixel.store.descriptions import add_chunk, list_chunks, settle
from storepixel.store.queries import iter_events, query_metrics
from storepixel.store.runs import CameraSession, CoverageInterval
from storepixel.types import Event, MetricRow
from tests.fixtures.central import Central, cli, post_json
from tests.fixtures.helpers import wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# Recent capture times: the central's retention job (run when serve starts) keeps them.
T0 = float(int(time.time() // 3600 - 3) * 3600)


def _events(site: str, first: int, n: int) -> list[Event]:
    out = []
    for i in range(first, first + n):
        eid = hashlib.sha256(f"{site}/{i}".encode()).hexdigest()[:32]
        kind, props = (
            ("line_crossing", {"direction": "in" if i % 3 else "out", "line_id": "door"})
            if i % 2
            else ("zone_enter", {})
        )
        scope = "door" if kind == "line_crossing" else "aisle"
        out.append(Event(eid, kind, site, "cam1", T0 + i * 7.5, f"t{i}", scope, props))
    return out


def _fill_edge(url: str, site: str, first: int, n: int) -> None:
    with open_store(url) as store:
        store.write(
            events=_events(site, first, n),
            metrics=[
                MetricRow(site, "cam1", "*", "occupancy_avg", T0 + m * 60, m * 0.5, 10, 1.0)
                for m in range(first // 8, (first + n) // 8)
            ],
            coverage=[CoverageInterval(site, "cam1", T0 + first * 7.5, T0 + (first + n) * 7.5)],
            sessions=[
                CameraSession(site, "cam1", T0, T0 + 3600, 3600.0, 3, n, {"people_peak": 2}, T0)
            ],
        )


def _sync(edge: str, to: str, key: str, *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STOREPIXEL_INGEST_KEY": key}
    return subprocess.run(
        [*cli(), "sync", "--db", edge, "--to", to, *extra],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def _snapshot(url: str) -> set[tuple[str, str, str, float, str]]:
    with open_store(url, create=False) as store:
        return {(e.id, e.site_id, e.kind, round(e.time, 6), e.track_id) for e in iter_events(store)}


def test_two_edges_catch_up_after_central_outage(
    tmp_path: Path, central: tuple[Central, dict[str, str]], pg_url: str
) -> None:
    server, keys = central
    edges = {s: f"sqlite:///{tmp_path / f'{s}-edge.db'}" for s in ("lisbon", "porto")}
    _fill_edge(edges["lisbon"], "lisbon", 0, 40)
    _fill_edge(edges["porto"], "porto", 0, 25)

    first = _sync(edges["lisbon"], server.url, keys["lisbon"], "--batch", "7")
    assert first.returncode == 0, first.stderr
    assert "40 events" in first.stdout and "(40 events new there)" in first.stdout

    # The central goes away; both edges keep recording and try to sync.
    server.stop()
    _fill_edge(edges["lisbon"], "lisbon", 40, 30)
    _fill_edge(edges["porto"], "porto", 25, 10)
    for site in ("lisbon", "porto"):
        down = _sync(edges[site], server.url, keys[site])
        assert down.returncode != 0
        lines = down.stderr.strip().splitlines()
        assert len(lines) == 1 and "cannot reach the central server" in lines[0], down.stderr
        assert "Traceback" not in down.stderr

    server.start()
    caught_up = {s: _sync(edges[s], server.url, keys[s], "--batch", "9") for s in edges}
    assert all(r.returncode == 0 for r in caught_up.values()), caught_up
    assert "sent 30 events" in caught_up["lisbon"].stdout  # only what was not acknowledged
    assert "sent 35 events" in caught_up["porto"].stdout  # porto never reached it before
    again = _sync(edges["porto"], server.url, keys["porto"])
    assert again.returncode == 0 and "0 events" in again.stdout  # nothing left to send

    union = _snapshot(edges["lisbon"]) | _snapshot(edges["porto"])
    assert len(union) == 105
    assert _snapshot(pg_url) == union  # event for event
    with open_store(pg_url, create=False) as store:
        for site in ("lisbon", "porto"):
            with open_store(edges[site], create=False) as edge:
                want = query_metrics(edge, site_id=site)
            assert query_metrics(store, site_id=site) == want

    # A replayed batch (a lost acknowledgement) changes nothing.
    replay = {"events": _json_events(edges["porto"])[:5]}
    status, answer = post_json(f"{server.url}/api/sites/porto/ingest", keys["porto"], replay)
    assert status == 200 and answer["events_new"] == 0 and answer["events_existing"] == 5
    assert _snapshot(pg_url) == union

    # Store A's key cannot write to store B, nor smuggle B's rows under its own site,
    # nor read B's events.
    status, answer = post_json(f"{server.url}/api/sites/porto/ingest", keys["lisbon"], replay)
    assert status == 403, answer
    status, answer = post_json(f"{server.url}/api/sites/lisbon/ingest", keys["lisbon"], replay)
    assert status == 403 and "porto" in str(answer["detail"]), answer
    req = urllib.request.Request(
        f"{server.url}/api/sites/porto/events",
        headers={"Authorization": f"Bearer {keys['lisbon']}"},
    )
    with pytest.raises(urllib.error.HTTPError) as denied:
        urllib.request.urlopen(req, timeout=10)
    assert denied.value.code in (403, 404)
    assert _snapshot(pg_url) == union

    # A wrong key: one line, non-zero, and the rows stay queued for the next try.
    _fill_edge(edges["porto"], "porto", 35, 4)
    wrong = _sync(edges["porto"], server.url, "spk_not-a-key")
    assert wrong.returncode != 0
    assert len(wrong.stderr.strip().splitlines()) == 1 and "401" in wrong.stderr, wrong.stderr
    right = _sync(edges["porto"], server.url, keys["porto"])
    assert right.returncode == 0 and "(4 events new there)" in right.stdout, right.stdout
    assert _snapshot(pg_url) == _snapshot(edges["lisbon"]) | _snapshot(edges["porto"])


def _json_events(url: str) -> list[dict[str, object]]:
    from storepixel.events.schema import event_to_json

    with open_store(url, create=False) as store:
        return [event_to_json(e) for e in iter_events(store)]


def test_expired_key_and_refused_batch_are_marked_and_the_rest_carries_on(
    tmp_path: Path, central: tuple[Central, dict[str, str]], pg_url: str
) -> None:
    server, keys = central
    with open_store(pg_url) as store:
        _, expiring = create_key(
            store, "lisbon edge", "lisbon", ["ingest"], "test", expires_at=time.time() + 1
        )
    edge = f"sqlite:///{tmp_path / 'edge.db'}"
    _fill_edge(edge, "lisbon", 0, 6)
    with open_store(edge) as store:  # a described chunk goes too (the describer was on)
        chunk = dict(id="c1", site_id="lisbon", camera_id="cam1", start_time=T0, end_time=T0 + 15,
                     provider="gemini", model="m", prompt_version="v1", track_ids=[1],
                     sent_times=[T0])  # fmt: skip
        add_chunk(store, chunk)
        settle(store, "c1", "done", summary="#1: picks up a box", items=[{"time": T0}])
    time.sleep(1.2)  # the key is now past its expiry

    expired = _sync(edge, server.url, expiring)
    assert expired.returncode != 0 and "Traceback" not in expired.stderr
    (line,) = expired.stderr.strip().splitlines()
    assert "HTTP 401" in line and "expired" in line and "rows stay queued" in line, line
    assert expiring not in line
    with open_store(edge, create=False) as store:
        counts = Outbox(store).counts(f"sync:{server.url}")
        with store.connect() as conn:
            errors = {e for (e,) in conn.execute(select(OUTBOX.c.last_error))}
    assert counts.pending > 0 and counts.sent == 0  # all still queued
    assert len(errors) == 1 and "expired" in str(next(iter(errors)))  # the batch says why

    # The same expired key in a running edge (forward:): each round is refused with the reason,
    # the rows stay queued, the forwarder keeps trying; nothing is counted as sent.
    from storepixel.config.integrations import ForwardConfig
    from storepixel.outputs.forward import Forwarder

    config = ForwardConfig(url=server.url, interval_s=1.0)
    with open_store(edge, create=False) as store:
        forwarder = Forwarder(store, config, expiring, "lisbon")
        try:
            assert wait_for(lambda: forwarder.rounds >= 2, 30)
            assert forwarder.last is not None and "expired" in str(forwarder.last.error)
            assert forwarder.last.left == counts.pending and expiring not in repr(forwarder)
        finally:
            forwarder.close()
        assert Outbox(store).counts(f"sync:{server.url}").sent == 0

    # A store holding another site's rows too: that site's batch is refused (403) and set
    # aside with the central's reason; lisbon's rows still go.
    _fill_edge(edge, "porto", 0, 3)
    mixed = _sync(edge, server.url, keys["lisbon"])
    assert mixed.returncode == 1, mixed.stderr
    assert "sent 6 events" in mixed.stdout and "(6 events new there)" in mixed.stdout
    (refused,) = mixed.stderr.strip().splitlines()
    assert "site porto" in refused and "HTTP 403" in refused, refused
    with open_store(edge, create=False) as store:
        parked = Outbox(store).counts(f"sync:{server.url}")
    assert parked.parked > 0 and all("403" in why for why in parked.reasons.values())
    with open_store(pg_url, create=False) as store:
        assert {e.site_id for e in iter_events(store)} == {"lisbon"}
        (described,) = list_chunks(store, site_id="lisbon")
    assert described["summary"] == "#1: picks up a box" and described["items"] == [{"time": T0}]
