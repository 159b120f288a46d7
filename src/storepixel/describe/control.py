"""Cost, rate and failure control for describe requests, one component:

- ``Budget``: daily token or money limits per camera and per site (the site's local day), from
  the ledger's own measured usage, plus an estimate of the request about to be sent;
- ``RateLimiter``: requests- and tokens-per-minute over a sliding minute, and a cap on
  requests in flight (a semaphore);
- ``backoff``: how long to wait before the next try, honouring the server's ``Retry-After``;
- ``Limits``: all of a describer's limiters and budget reservations, in this process. On a Ray
  cluster one shared ``Limits`` lives in a named actor that every worker's describer asks
  (:mod:`storepixel.engine.ray_limits`), so the limits hold for the cluster, not per worker.

It only ever blocks describe workers: counting runs on other threads and never waits on it.

>>> backoff(1, retry_after=None, cap=60), backoff(3, retry_after=None, cap=60)
(1.0, 4.0)
>>> backoff(1, retry_after=7.5, cap=2), backoff(9, retry_after=None, cap=60)
(7.5, 60)
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from storepixel.config.describe import DescribeConfig


def backoff(attempt: int, *, retry_after: float | None, cap: float) -> float:
    """Seconds to wait after failed try ``attempt`` (1-based): 1, 2, 4, … s up to ``cap``, and
    never less than the server's ``Retry-After``."""
    wait = min(cap, 2.0 ** (attempt - 1))
    if retry_after is not None:
        wait = max(wait, retry_after)
    return wait


@dataclass(frozen=True, slots=True)
class Spent:
    tokens: int
    cost: float


class Budget:
    """Whether a request of ``estimate`` tokens fits today's budgets. ``spent(camera)`` returns
    (camera, site) usage of the current day, read from the ledger."""

    def __init__(self, config: DescribeConfig, spent: Callable[[str], tuple[Spent, Spent]]) -> None:
        self.config = config
        self._spent = spent

    def over(self, camera_id: str, estimate_tokens: int) -> str | None:
        """``None`` if the request fits; otherwise which budget it would break."""
        c = self.config
        if not any(
            v is not None
            for v in (
                c.daily_tokens_per_camera,
                c.daily_tokens_per_site,
                c.daily_cost_per_camera,
                c.daily_cost_per_site,
            )
        ):
            return None
        camera, site = self._spent(camera_id)
        estimate_cost = c.cost(estimate_tokens, 0) or 0.0
        checks = [
            ("camera tokens", camera.tokens + estimate_tokens, c.daily_tokens_per_camera),
            ("site tokens", site.tokens + estimate_tokens, c.daily_tokens_per_site),
            ("camera cost $", camera.cost + estimate_cost, c.daily_cost_per_camera),
            ("site cost $", site.cost + estimate_cost, c.daily_cost_per_site),
        ]
        for name, would, limit in checks:
            if limit is not None and would > limit:
                return f"over the daily budget ({name}: {would:g} > {limit:g})"
        return None


class RateLimiter:
    """Sliding-minute limits on requests and tokens, and a cap on requests in flight."""

    def __init__(
        self,
        requests_per_minute: int | None,
        tokens_per_minute: int | None,
        concurrency: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self.slots = threading.BoundedSemaphore(concurrency)
        self._clock = clock
        self._lock = threading.Lock()
        self._sent: deque[tuple[float, int]] = deque()

    def try_take(self, tokens: int) -> float:
        """Count one more request of ``tokens`` and return 0 if it fits the last minute's
        limits; otherwise count nothing and return the seconds until it may fit."""
        with self._lock:
            now = self._clock()
            while self._sent and self._sent[0][0] <= now - 60.0:
                self._sent.popleft()
            used = sum(n for _, n in self._sent)
            fits_rpm = self.rpm is None or len(self._sent) < self.rpm
            # A request bigger than the whole limit still goes, alone in its minute.
            fits_tpm = self.tpm is None or not self._sent or used + tokens <= self.tpm
            if fits_rpm and fits_tpm:
                self._sent.append((now, tokens))
                return 0.0
            return max(0.05, self._sent[0][0] + 60.0 - now)

    def wait_turn(self, tokens: int, stop: threading.Event | None = None) -> None:
        """Block until one more request of ``tokens`` fits the last minute's limits."""
        while wait := self.try_take(tokens):
            if stop is not None and stop.wait(wait):
                return
            if stop is None:
                time.sleep(wait)


Ledger = Callable[[str], tuple[Spent, Spent]]  # camera → (camera, site) spent today, measured


class Limits:
    """A describer's limits: a ``RateLimiter`` per provider and model, and the daily budgets
    checked against ``ledger`` plus the estimates of requests in flight (reserved until their
    ledger rows are written). The blocking methods serve a describer in this process; the
    ``try_``/``free_`` ones serve many processes through one actor without ever blocking it."""

    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger
        self._limiters: dict[tuple[str, str], RateLimiter] = {}
        self._lock = threading.Lock()
        self._budget_lock = threading.Lock()  # check-and-reserve is one step
        self._reserved: dict[str, int] = {}  # camera → estimated tokens of requests in flight

    def limiter(self, config: DescribeConfig) -> RateLimiter:
        key = (config.provider, config.model_name)
        with self._lock:
            if key not in self._limiters:
                self._limiters[key] = RateLimiter(
                    config.requests_per_minute, config.tokens_per_minute, config.concurrency
                )
            return self._limiters[key]

    def wait_turn(self, config: DescribeConfig, tokens: int, stop: threading.Event) -> None:
        self.limiter(config).wait_turn(tokens, stop)

    def slot(self, config: DescribeConfig) -> AbstractContextManager[object]:
        """Held while a request is in flight (``concurrency`` at most)."""
        return self.limiter(config).slots

    def try_turn(self, config: DescribeConfig, tokens: int) -> float:
        return self.limiter(config).try_take(tokens)

    def try_slot(self, config: DescribeConfig) -> bool:
        return self.limiter(config).slots.acquire(blocking=False)

    def free_slot(self, config: DescribeConfig) -> None:
        self.limiter(config).slots.release()

    def spent(self, camera_id: str) -> tuple[Spent, Spent]:
        """Today's spending from the ledger plus what requests in flight are expected to cost."""
        cam, site = self._ledger(camera_id)
        mine, everyone = self._reserved.get(camera_id, 0), sum(self._reserved.values())
        return Spent(cam.tokens + mine, cam.cost), Spent(site.tokens + everyone, site.cost)

    def reserve(self, config: DescribeConfig, camera_id: str, tokens: int) -> str | None:
        """Check the budgets and, if the request fits, count it as spent until it is settled."""
        with self._budget_lock:
            over = Budget(config, self.spent).over(camera_id, tokens)
            if over is None:
                self._reserved[camera_id] = self._reserved.get(camera_id, 0) + tokens
            return over

    def unreserve(self, camera_id: str, tokens: int) -> None:
        """The request's ledger rows are written: they count from now on instead."""
        with self._budget_lock:
            self._reserved[camera_id] = self._reserved.get(camera_id, 0) - tokens
