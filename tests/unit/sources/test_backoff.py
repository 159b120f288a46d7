import random

import pytest

from storepixel.sources.backoff import Backoff


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_doubles_up_to_the_cap_without_jitter() -> None:
    b = Backoff(initial_s=0.5, max_s=10.0, jitter=0.0)
    assert [b.next_delay() for _ in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 10.0, 10.0]
    assert b.attempt == 7


def test_jitter_stays_within_bounds_and_cap() -> None:
    b = Backoff(initial_s=1.0, max_s=4.0, jitter=0.25, rng=random.Random(7))
    delays = [b.next_delay() for _ in range(200)]
    assert 0.75 <= delays[0] <= 1.25
    assert 1.5 <= delays[1] <= 2.5
    assert all(d <= 4.0 for d in delays)
    assert len({round(d, 6) for d in delays[3:]}) > 1  # jittered, not one fixed value
    assert min(delays[3:]) >= 3.0


def test_same_seed_same_delays() -> None:
    def run(seed: int) -> list[float]:
        b = Backoff(rng=random.Random(seed))
        return [b.next_delay() for _ in range(5)]

    assert run(1) == run(1)


def test_healthy_connection_resets_the_sequence() -> None:
    clock = FakeClock()
    b = Backoff(initial_s=0.5, max_s=10.0, jitter=0.0, healthy_s=30.0, clock=clock)
    for _ in range(4):
        b.next_delay()
    b.connected()
    clock.now += 31.0
    assert b.next_delay() == 0.5


def test_flapping_connection_keeps_backing_off() -> None:
    clock = FakeClock()
    b = Backoff(initial_s=0.5, max_s=10.0, jitter=0.0, healthy_s=30.0, clock=clock)
    delays = []
    for _ in range(4):
        b.connected()
        clock.now += 2.0  # drops two seconds after each connect
        delays.append(b.next_delay())
    assert delays == [0.5, 1.0, 2.0, 4.0]


def test_many_failures_do_not_overflow() -> None:
    b = Backoff(initial_s=0.5, max_s=10.0, jitter=0.0)
    for _ in range(5000):
        delay = b.next_delay()
    assert delay == 10.0


@pytest.mark.parametrize(
    ("kwargs", "ok"),
    [
        ({}, True),
        ({"initial_s": 0.0}, False),
        ({"initial_s": 5.0, "max_s": 1.0}, False),
        ({"factor": 0.5}, False),
        ({"jitter": 1.0}, False),
    ],
)
def test_rejects_nonsense(kwargs: dict[str, float], ok: bool) -> None:
    if ok:
        Backoff(**kwargs)
    else:
        with pytest.raises(ValueError):
            Backoff(**kwargs)
