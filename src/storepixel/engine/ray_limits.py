"""The describer's rate limits and budgets, shared by a whole Ray cluster.

Without this, every worker would build its own :class:`~storepixel.describe.control.Limits`,
and N workers would send N times the requests per minute the site allows. Here one named actor
per site and store (``describe-limits:SITE:…``, detached, restarted if its node dies) holds the
one ``Limits``; each worker's describer asks it through :class:`ClusterLimits`. The actor never
blocks: a worker that must wait is told how long and asks again, so one slow provider never holds
up another site's workers. The actor reads the budgets' ledger from the same store the workers
write it to, inside the same step as the reservation, so N workers never overspend together.

A restarted actor (its node lost) starts with an empty minute window and no reservations: the
ledger keeps the day's spending, so only the current minute's rate may briefly exceed.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from zoneinfo import ZoneInfo

from storepixel.config.describe import DescribeConfig
from storepixel.describe.control import Limits, Spent
from storepixel.engine.ray_engine import NAMESPACE, import_ray

POLL_S = 0.05  # how often a worker waiting for a slot asks again


class SharedLimits:
    """The actor's body: one ``Limits`` over the store's ledger, answering without blocking."""

    def __init__(self, store_url: str, site_id: str, tz: str) -> None:
        self.store_url, self.site_id, self.tz = store_url, site_id, ZoneInfo(tz)
        self._store: Any = None
        self.limits = Limits(self._ledger)
        self.granted = 0  # requests let through, for tests and the log

    def _ledger(self, camera_id: str) -> tuple[Spent, Spent]:
        from storepixel.store import open_store
        from storepixel.store.descriptions import spent_today

        if self._store is None:
            self._store = open_store(self.store_url)
        cam, site = spent_today(self._store, self.site_id, camera_id, self.tz)
        return Spent(*cam), Spent(*site)

    def try_turn(self, config: DescribeConfig, tokens: int) -> float:
        wait = self.limits.try_turn(config, tokens)
        self.granted += wait == 0.0
        return wait

    def try_slot(self, config: DescribeConfig) -> bool:
        return self.limits.try_slot(config)

    def free_slot(self, config: DescribeConfig) -> None:
        self.limits.free_slot(config)

    def reserve(self, config: DescribeConfig, camera_id: str, tokens: int) -> str | None:
        return self.limits.reserve(config, camera_id, tokens)

    def unreserve(self, camera_id: str, tokens: int) -> None:
        self.limits.unreserve(camera_id, tokens)

    def count(self) -> int:
        return self.granted


def actor_name(site_id: str, store_url: str) -> str:
    digest = hashlib.sha256(store_url.encode()).hexdigest()[:12]  # the URL may hold a password
    return f"describe-limits:{site_id}:{digest}"


def shared_actor(site_id: str, store_url: str, tz: str) -> Any:
    """The cluster's one limits actor for this site and store, created by whoever asks first."""
    ray = import_ray()
    actor = ray.remote(SharedLimits).options(
        name=actor_name(site_id, store_url),
        namespace=NAMESPACE,
        get_if_exists=True,
        lifetime="detached",  # not owned by the worker that happened to create it
        max_restarts=-1,
        num_cpus=0,
    )
    return actor.remote(store_url, site_id, tz)


class ClusterLimits(Limits):
    """What a describer on a Ray worker uses: the same calls as ``Limits``, answered by the
    cluster's actor."""

    def __init__(self, actor: Any) -> None:
        self._actor = actor
        self._ray = import_ray()

    def _ask(self, method: str, *args: Any) -> Any:
        return self._ray.get(getattr(self._actor, method).remote(*args))

    def wait_turn(self, config: DescribeConfig, tokens: int, stop: threading.Event) -> None:
        while wait := self._ask("try_turn", config, tokens):
            if stop.wait(wait):
                return

    def slot(self, config: DescribeConfig) -> AbstractContextManager[object]:
        return self._slot(config)

    @contextmanager
    def _slot(self, config: DescribeConfig) -> Iterator[object]:
        while not self._ask("try_slot", config):
            time.sleep(POLL_S)
        try:
            yield None
        finally:
            self._ask("free_slot", config)

    def reserve(self, config: DescribeConfig, camera_id: str, tokens: int) -> str | None:
        result: str | None = self._ask("reserve", config, camera_id, tokens)
        return result

    def unreserve(self, camera_id: str, tokens: int) -> None:
        self._ask("unreserve", camera_id, tokens)


def cluster_limits(site_id: str, store_url: str, tz: str) -> ClusterLimits | None:
    """The shared limits when this process is part of a Ray job (a worker, or a driver that
    connected), else ``None``: a process that never imported Ray never loads it here."""
    import sys

    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return None
    return ClusterLimits(shared_actor(site_id, store_url, tz))
