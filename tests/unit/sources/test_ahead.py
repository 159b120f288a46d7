"""Reading ahead on a thread: same items in order, errors passed on, nothing left open."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from storepixel.sources.ahead import read_ahead


def test_items_arrive_in_order_and_all_of_them() -> None:
    assert list(read_ahead(iter(range(100)), depth=3)) == list(range(100))


def test_an_error_is_raised_after_the_items_before_it() -> None:
    def broken() -> Iterator[int]:
        yield 1
        yield 2
        raise OSError("disk gone")

    got = []
    with pytest.raises(OSError, match="disk gone"):
        for item in read_ahead(broken()):
            got.append(item)
    assert got == [1, 2]


def test_the_producer_stays_at_most_depth_ahead() -> None:
    produced = []

    def counting() -> Iterator[int]:
        for i in range(50):
            produced.append(i)
            yield i

    reader = read_ahead(counting(), depth=4)
    assert next(reader) == 0
    time.sleep(0.3)  # room for the producer to run as far ahead as it may
    # 4 waiting in the buffer and one more in hand, blocked on the full buffer.
    assert len(produced) <= 1 + 4 + 1
    reader.close()


def test_leaving_early_closes_the_source_on_its_own_thread() -> None:
    closed_on: list[str] = []

    def endless() -> Iterator[int]:
        try:
            i = 0
            while True:
                yield i
                i += 1
        finally:
            closed_on.append(threading.current_thread().name)

    before = threading.active_count()
    for item in read_ahead(endless(), depth=2):
        if item == 5:
            break
    assert closed_on == ["read-ahead"]
    assert threading.active_count() == before


def test_depth_must_be_positive() -> None:
    with pytest.raises(ValueError, match="depth"):
        next(read_ahead(iter([1]), depth=0))
