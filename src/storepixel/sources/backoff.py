"""Reconnect delays: capped exponential back-off with jitter, reset after a healthy spell.

Jitter spreads the retries of many cameras behind one switch that rebooted, so they do not all
knock at once; the cap keeps a camera that comes back from waiting long to be noticed.

>>> b = Backoff(initial_s=0.5, max_s=10.0, jitter=0.0)
>>> [b.next_delay() for _ in range(6)]
[0.5, 1.0, 2.0, 4.0, 8.0, 10.0]

The default cap (5 s) plus a connect of a second or two keeps a returning camera streaming again
well within 10 s of its return, even on a busy box; a dead camera costs one attempt per 5 s.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable


class Backoff:
    """Delay before the next connection attempt.

    ``jitter`` is the fraction by which each delay is randomly shortened or lengthened
    (``0.2`` → ±20 %), never beyond ``max_s``. A connection that stayed up for ``healthy_s``
    resets the sequence, so a camera that drops once a day always retries quickly; one that drops
    right after each connect keeps backing off. ``clock`` and ``rng`` are injectable for tests.
    """

    def __init__(
        self,
        initial_s: float = 0.5,
        max_s: float = 5.0,
        factor: float = 2.0,
        jitter: float = 0.2,
        healthy_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        if initial_s <= 0 or max_s < initial_s or factor < 1 or not 0 <= jitter < 1:
            raise ValueError("need 0 < initial_s <= max_s, factor >= 1 and 0 <= jitter < 1")
        self.initial_s = initial_s
        self.max_s = max_s
        self.factor = factor
        self.jitter = jitter
        self.healthy_s = healthy_s
        self._clock = clock
        self._rng = rng or random.Random()
        self._attempt = 0
        self._connected_at: float | None = None

    @property
    def attempt(self) -> int:
        """Failed attempts since the last reset."""
        return self._attempt

    def connected(self) -> None:
        """Note that a connection is up (frames flow); the delay resets if it stays up."""
        self._connected_at = self._clock()

    def next_delay(self) -> float:
        """Seconds to wait before the next attempt, after a failure or a drop."""
        if self._connected_at is not None:
            if self._clock() - self._connected_at >= self.healthy_s:
                self._attempt = 0
            self._connected_at = None
        base = min(self.max_s, self.initial_s * self.factor ** min(self._attempt, 64))
        self._attempt += 1
        if self.jitter:
            base *= 1 + self._rng.uniform(-self.jitter, self.jitter)
        return min(self.max_s, max(0.0, base))

    def reset(self) -> None:
        self._attempt = 0
        self._connected_at = None
