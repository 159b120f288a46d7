"""What stands between a login request and the password hash.

An argon2id check costs ~64 MiB and tens of milliseconds by design, so logins are the one place
where a client without credentials makes the server spend. Three limits keep that bounded:

- **a fixed hashing pool**: at most ``HASH_WORKERS`` checks run at once and ``MAX_WAITING``
  more wait; beyond that a login is answered 429 at once, so memory stays at a few hashes
  however many requests arrive;
- **a throttle per client address**: ``MAX_ADDRESS_FAILURES`` failed logins from one address
  within ``WINDOW_S`` (whatever the usernames, known or not) → 429 until the window moves on;
- **a throttle per username and address**: ``MAX_FAILURES`` failures for one account from one
  address → 429, so guessing one password crawls without locking the real user out elsewhere.

Throttled requests never reach the pool. The client address is the connection's, or what a
configured proxy forwarded (``serve --trusted-proxy``); a forged ``X-Forwarded-For`` from
anywhere else changes nothing. Known and unknown usernames cost the same (one argon2 verify).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor

from storepixel.api.errors import TooManyRequests
from storepixel.store import Store, accounts

HASH_WORKERS = 2
MAX_WAITING = 8
MAX_FAILURES = 5
MAX_ADDRESS_FAILURES = 20
WINDOW_S = 300.0


class LoginThrottle:
    """Failed logins in the last ``WINDOW_S`` per (username, address) and per address."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self._failures[key]
        while times and now - times[0] > WINDOW_S:
            times.popleft()
        if not times:
            del self._failures[key]  # keep the table small under random usernames
            return deque()
        return times

    def check(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key, limit in (
                ((username, address), MAX_FAILURES),
                (("", address), MAX_ADDRESS_FAILURES),
            ):
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = int(WINDOW_S - (now - times[0])) + 1
                    raise TooManyRequests(f"too many failed logins; try again in {wait} s")

    def failed(self, username: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in ((username, address), ("", address)):
                self._recent(key, now)
                self._failures[key].append(now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop((username, address), None)


class LoginGuard:
    """The throttle and the bounded hashing pool of one app."""

    def __init__(self, workers: int = HASH_WORKERS, max_waiting: int = MAX_WAITING) -> None:
        self.throttle = LoginThrottle()
        self.workers = workers
        self.max_waiting = max_waiting
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="password-hash")
        self._pending = 0  # running + waiting; touched only on the event loop

    async def verify(
        self, store: Store, username: str, password: str, address: str
    ) -> accounts.User | None:
        """The user if the password matches; ``None`` (counted as a failure) if not."""
        name = username.lower()
        self.throttle.check(name, address)
        if self._pending >= self.workers + self.max_waiting:
            raise TooManyRequests("too many logins at once; try again in a few seconds")
        self._pending += 1
        try:
            loop = asyncio.get_running_loop()
            user = await loop.run_in_executor(
                self._pool, accounts.verify_password, store, username, password
            )
        finally:
            self._pending -= 1
        if user is None:
            self.throttle.failed(name, address)
        else:
            self.throttle.succeeded(name, address)
        return user
