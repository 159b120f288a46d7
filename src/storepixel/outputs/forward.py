"""Sending an edge store's rows to a central ``storepixel serve``: once (``storepixel sync``) or
continuously from the event bus while cameras run (``forward:`` in the site YAML).

One sender, :func:`send_pending`, serves both. What to send and the exactly-once bookkeeping are
:mod:`storepixel.store.sync`'s (the outbox); this module only speaks HTTP and decides what an
answer means for the batch:

- **200**: the batch is marked sent;
- **the central cannot be reached, answers 5xx, or refuses the key (401: wrong, revoked or
  expired)**: the round stops, the batch's rows stay queued with the reason noted on them
  (``outbox.last_error``) and are sent again next round;
- **any other refusal** (400/403/413/422: a malformed batch, rows of another site): that batch
  is parked with the central's reason and the round carries on with the next one.

After each round that reached the central, the edge reports its health in one more request
(``health``: last sync, rows queued, newest capture time, each camera's state).

The ingest key is read from the environment and only ever sent in the ``Authorization`` header:
it is never logged, stored or shown; URLs are redacted before they are printed.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from storepixel.errors import ConfigError, StorepixelError
from storepixel.events.bus import Consumer
from storepixel.outputs.outbox import Outbox
from storepixel.redact import redact_url
from storepixel.store import sync as edge
from storepixel.types import Event, MetricRow

if TYPE_CHECKING:
    from storepixel.config.integrations import ForwardConfig
    from storepixel.config.site import SiteConfig
    from storepixel.events.bus import EventBus
    from storepixel.store import Store

log = logging.getLogger(__name__)
BACKOFF_MAX_S = 300.0


class SyncError(StorepixelError):
    """The central server could not be reached or refused a batch."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status

    @property
    def stops_round(self) -> bool:
        """Whether every batch would fail the same way (no answer, 5xx, a refused key)."""
        return self.status is None or self.status == 401 or self.status >= 500


def post_json(url: str, key: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
    """POST ``body`` with the key as a bearer token; the JSON answer, or :class:`SyncError`."""
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            answer: dict[str, Any] = json.loads(response.read() or b"{}")
            return answer
    except urllib.error.HTTPError as err:
        try:
            detail = json.loads(err.read() or b"{}").get("detail", "")
        except ValueError:
            detail = ""
        message = f"central refused the batch: HTTP {err.code} {detail}".rstrip()
        raise SyncError(message, err.code) from None
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise SyncError(f"cannot reach the central server: {reason}") from None


@dataclass
class Round:
    """What one :func:`send_pending` did."""

    sent: dict[str, int] = field(default_factory=lambda: dict.fromkeys(edge.KINDS, 0))
    events_new: int = 0
    parked: list[str] = field(default_factory=list)  # one reason per refused batch
    error: str | None = None  # why the round stopped early (rows stay queued)
    left: int = 0  # rows still queued for this central

    def summary(self, shown: str) -> str:
        parts = ", ".join(f"{n} {kind}" for kind, n in self.sent.items())
        return f"sent {parts} to {shown} ({self.events_new} events new there)"


def send_pending(
    store: Store,
    central_url: str,
    key: str,
    *,
    batch: int = 1000,
    timeout: float = 30.0,
    cameras: list[dict[str, Any]] | None = None,
    sites: Sequence[str] = (),
    clock: Callable[[], float] = time.time,
) -> Round:
    """Send every row the central has not acknowledged, then the edge's health (one round) to
    ``sites`` (default: every site this edge has sent rows of)."""
    base = central_url.rstrip("/")
    destination = edge.destination_for(redact_url(base))
    box = Outbox(store)
    out = Round()
    for b in edge.batches(store, destination, now=clock(), size=batch):
        try:
            answer = post_json(f"{base}/api/sites/{b.site_id}/ingest", key, b.body(), timeout)
        except SyncError as err:
            box.note_error(b.seqs, str(err), park=not err.stops_round)
            if err.stops_round:
                out.error = str(err)
                break
            out.parked.append(f"{len(b.seqs)} rows of site {b.site_id}: {err}")
            continue
        edge.acknowledge(store, b, now=clock())
        out.events_new += int(answer.get("events_new", 0))
        for kind, n in b.counts().items():
            out.sent[kind] += n
    out.left = edge.pending(store, destination)
    if out.error is None:
        report = edge.health_report(store, destination, now=clock(), cameras=cameras)
        for site_id in sites or _sites(store, destination):
            try:
                post_json(f"{base}/api/sites/{site_id}/ingest", key, {"health": report}, timeout)
            except SyncError as err:
                if err.stops_round:
                    out.error = str(err)
                    break
    return out


def _sites(store: Store, destination: str) -> list[str]:
    """The sites the central has accepted rows of from this edge (health goes to each)."""
    from sqlalchemy import select

    from storepixel.outputs.outbox import OUTBOX

    c = OUTBOX.c
    stmt = select(c.site_id).where(c.destination == destination, c.status == "sent").distinct()
    with store.connect() as conn:
        return sorted(str(s) for (s,) in conn.execute(stmt))


def camera_states(health: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Supervisor's camera health, as the health report carries it."""
    return [
        {
            "camera": h.camera_id,
            "state": h.state,
            "failure": h.failure,
            "last_frame_time": h.last_frame_time,
        }
        for h in health.values()
    ]


class Forwarder(Consumer):
    """A bus consumer that forwards the store to the central every ``interval_s`` on its own
    thread (never on the counting path). New events or metrics on the bus make the next round
    send; with nothing new a round still runs every ``4 × interval_s`` to report health. A
    failed round is retried with a doubling delay (up to 5 minutes); rows wait in the outbox
    meanwhile, through restarts too."""

    def __init__(self, store: Store, config: ForwardConfig, key: str, site_id: str) -> None:
        self.store = store
        self.sites = [site_id]
        self.config = config
        self._key = key
        self.shown = redact_url(config.url)
        self.cameras: Callable[[], Mapping[str, Any]] | None = None
        self.last: Round | None = None
        self.rounds = 0
        self._dirty = True
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._users = 1
        self._thread = threading.Thread(target=self._loop, name="forward", daemon=True)
        self._thread.start()

    def __repr__(self) -> str:  # never the key
        return f"Forwarder({self.shown!r})"

    def watch_cameras(self, health: Callable[[], Mapping[str, Any]]) -> None:
        """Report these cameras' states with each round (the Supervisor's ``health``)."""
        self.cameras = health

    def write_events(self, events: Sequence[Event]) -> None:
        self._dirty = True

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        self._dirty = True

    def _round(self) -> Round:
        cameras = camera_states(self.cameras()) if self.cameras is not None else None
        return send_pending(
            self.store,
            self.config.url,
            self._key,
            batch=self.config.batch,
            timeout=self.config.timeout_s,
            cameras=cameras,
            sites=self.sites,
        )

    def _loop(self) -> None:
        interval = self.config.interval_s
        delay, idle = 0.0, 0.0
        failed = False
        while not self._stop.wait(delay):
            if not (self._dirty or failed) and idle < 4 * interval:
                idle += interval
                delay = interval
                continue
            self._dirty, idle = False, 0.0
            try:
                result = self._round()
            except Exception as err:  # a store error: try again later, never stop counting
                result = Round(error=f"forwarding failed: {err}")
            self.rounds += 1
            self._report(result, failed)
            self.last = result
            failed = result.error is not None
            delay = min(BACKOFF_MAX_S, max(interval, delay * 2)) if failed else interval

    def _report(self, result: Round, was_failing: bool) -> None:
        for why in result.parked:
            log.error("forward to %s: batch parked: %s", self.shown, why)
        if result.error is not None:
            if not was_failing or self.last is None or self.last.error != result.error:
                log.warning(
                    "forward to %s: %s; %d rows stay queued", self.shown, result.error, result.left
                )
            return
        if was_failing:
            log.info("forward to %s resumed", self.shown)
        if any(result.sent.values()):
            log.info("forward: %s", result.summary(self.shown))

    def flush(self, timeout: float) -> Round | None:
        """One last round now (on close), bounded by ``timeout``; ``None`` if it did not end."""
        done: list[Round] = []

        def _last() -> None:
            try:
                done.append(self._round())
            except Exception as err:
                done.append(Round(error=str(err)))

        worker = threading.Thread(target=_last, name="forward-flush", daemon=True)
        worker.start()
        worker.join(timeout)
        return done[0] if done else None

    def close(self) -> None:
        self._users -= 1
        if self._users > 0:
            return
        _RUNNING.pop(_running_key(self.store, self.config.url), None)
        self._stop.set()
        self._thread.join(self.config.timeout_s + 5)
        result = self.flush(min(10.0, self.config.timeout_s))
        if result is not None:
            self._report(result, self.last is not None and self.last.error is not None)


# One forwarder per store and central in a process: ``serve --run`` builds a bus for uploads and
# one for the cameras of the same site; both share it rather than sending everything twice.
_RUNNING: dict[tuple[str, str], Forwarder] = {}
_LOCK = threading.Lock()


def _running_key(store: Store, url: str) -> tuple[str, str]:
    return (store.url, url)


def attach(bus: EventBus, site: SiteConfig, store: Store | None) -> None:
    """Bus attacher (``events.bus.ATTACHERS``): forward when the site YAML has ``forward:``."""
    config = site.forward
    if store is None or config is None:
        return
    key = os.environ.get(config.key_env, "").strip()
    if not key:
        raise ConfigError(f"forward: set ${config.key_env} to an ingest key of {config.url}")
    with _LOCK:
        running = _RUNNING.get(_running_key(store, config.url))
        if running is not None:
            running._users += 1
            if site.site.id not in running.sites:
                running.sites.append(site.site.id)
        else:
            running = Forwarder(store, config, key, site.site.id)
            _RUNNING[_running_key(store, config.url)] = running
    bus.subscribe(running)
