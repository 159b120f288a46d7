"""Delivers the outbox: retries with back-off, parks what a receiver keeps refusing, waits out a
receiver that is down.

``deliver_once`` makes one pass over every destination; ``drain`` repeats until the outbox is
empty or a time limit passes (``analyze`` before it exits); ``start`` runs passes in a background
thread (``run``/``serve``). A destination that cannot be reached is retried with doubling delays
(capped at its ``backoff_max_s``) without charging its messages; a message the receiver refuses
is retried with doubling delays too and parked with the reason after ``max_attempts``, and its
camera's later messages wait behind it meanwhile (order per camera), other cameras do not.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from storepixel.config.integrations import OutputConfig
from storepixel.config.site import SiteConfig
from storepixel.errors import ConfigError
from storepixel.outputs.errors import DeliveryError, DestinationDown
from storepixel.outputs.outbox import Outbox, Queued
from storepixel.store import Store

log = logging.getLogger("storepixel.outputs")


class Destination(Protocol):
    name: str

    def send(self, message: Queued) -> None: ...

    def close(self) -> None: ...


def _env(config: OutputConfig, var: str | None, what: str) -> str | None:
    if var is None:
        return None
    value = os.environ.get(var)
    if not value:
        raise ConfigError(f"outputs[{config.id}]: environment variable {var} ({what}) is not set")
    return value


def build_destination(config: OutputConfig, site: SiteConfig) -> Destination:
    """The sender for one configured output (secrets read from the environment now)."""
    name = str(config.id)
    if config.kind == "webhook":
        from storepixel.outputs.webhook import WebhookDestination

        secret = _env(config, config.secret_env, "the webhook secret")
        if secret is None:
            raise ConfigError(f"outputs[{name}]: a webhook needs secret_env (signing is required)")
        return WebhookDestination(name, str(config.url), secret, config.timeout_s)
    if config.kind == "mqtt":
        from storepixel.outputs.mqtt import MqttDestination

        return MqttDestination(
            name,
            str(config.url),
            site_id=site.site.id,
            topic_prefix=config.topic_prefix,
            username=config.username,
            password=_env(config, config.password_env, "the MQTT password"),
            timeout_s=config.timeout_s,
        )
    from storepixel.outputs.analytics import AnalyticsDestination

    key_var = config.api_secret_env if config.kind == "ga4" else config.write_key_env
    key = _env(config, key_var, "the API key")
    return AnalyticsDestination(config, str(key), site)


@dataclass(slots=True)
class _Health:
    down_since: float | None = None
    retry_at: float = 0.0
    delay: float = 0.0
    reason: str = ""


class Dispatcher:
    """Sends pending outbox rows to their destinations."""

    def __init__(
        self,
        store: Store,
        outputs: Sequence[OutputConfig],
        destinations: dict[str, Destination],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.outbox = Outbox(store)
        self.configs = {str(o.id): o for o in outputs}
        self.destinations = destinations
        self.clock = clock
        self.health = {name: _Health() for name in destinations}
        self._passes = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def for_site(cls, store: Store, site: SiteConfig) -> Dispatcher:
        dests = {str(o.id): build_destination(o, site) for o in site.outputs}
        return cls(store, site.outputs, dests)

    @property
    def names(self) -> list[str]:
        return list(self.destinations)

    def deliver_once(self) -> int:
        """One pass: everything due that can be sent now; returns how many were sent."""
        sent = 0
        with self._passes:  # the thread and drain() must never send the same row twice
            for name, dest in self.destinations.items():
                sent += self._deliver(name, dest)
        return sent

    def _deliver(self, name: str, dest: Destination) -> int:
        cfg, health, now = self.configs[name], self.health[name], self.clock()
        if health.down_since is not None and now < health.retry_at:
            return 0
        sent = 0
        blocked: set[str] = set()
        for msg in self.outbox.due(name, now=now):
            if msg.camera_id in blocked:
                continue
            try:
                dest.send(msg)
            except DestinationDown as err:
                self._down(name, cfg, str(err))
                return sent
            except DeliveryError as err:
                blocked.add(msg.camera_id)
                self._refused(msg, cfg, str(err), err.permanent)
                continue
            self.outbox.mark_sent([msg.seq], now=self.clock())
            sent += 1
            if health.down_since is not None:
                log.warning("output %s: delivering again after %s", name, health.reason)
                self.health[name] = health = _Health()
        return sent

    def _down(self, name: str, cfg: OutputConfig, reason: str) -> None:
        h, now = self.health[name], self.clock()
        if h.down_since is None:
            log.warning("output %s: %s; retrying, nothing is lost meanwhile", name, reason)
            h.down_since, h.delay = now, cfg.backoff_s
        else:
            h.delay = min(cfg.backoff_max_s, h.delay * 2)
        h.retry_at, h.reason = now + h.delay, reason

    def _refused(self, msg: Queued, cfg: OutputConfig, reason: str, permanent: bool) -> None:
        attempts = msg.attempts + 1
        if permanent or attempts >= cfg.max_attempts:
            why = f"{reason} (after {attempts} attempt{'s' if attempts > 1 else ''})"
            log.warning("output %s: parked message %s: %s", cfg.id, msg.message_id, why)
            self.outbox.park(msg.seq, attempts=attempts, error=why)
            return
        delay = min(cfg.backoff_max_s, cfg.backoff_s * 2 ** (attempts - 1))
        self.outbox.mark_failed(
            msg.seq, attempts=attempts, retry_at=self.clock() + delay, error=reason
        )

    def pending(self) -> int:
        return self.outbox.pending(self.names)

    def drain(self, timeout_s: float) -> int:
        """Deliver until nothing is pending or ``timeout_s`` passed; returns what is left."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.deliver_once()
            left = self.pending()
            if left == 0 or time.monotonic() >= deadline:
                return left
            time.sleep(min(self._idle_wait(), max(0.0, deadline - time.monotonic())))

    def _idle_wait(self) -> float:
        """Seconds until something could be sent again (at most 1 s, at least 20 ms)."""
        now = self.clock()
        times = [h.retry_at for h in self.health.values() if h.down_since is not None]
        nxt = self.outbox.next_due(self.names)
        if nxt is not None:
            times.append(nxt)
        soonest = min(times, default=now + 1.0)
        return min(1.0, max(0.02, soonest - now))

    def wake(self) -> None:
        """New messages were enqueued: deliver without waiting for the next pass."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is None and self.destinations:
            self._thread = threading.Thread(target=self._loop, name="outputs", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliver_once()
                wait = self._idle_wait()
            except Exception as err:  # a store hiccup must not end delivery for good
                log.warning("outputs: %s", err)
                wait = 1.0
            self._wake.wait(wait)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
        for dest in self.destinations.values():
            dest.close()
