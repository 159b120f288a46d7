import threading

import numpy as np

from storepixel.sources.slot import LatestFrameSlot
from storepixel.types import Frame


def frame(i: int) -> Frame:
    return Frame("c", i, i / 10, 100 + i / 10, np.zeros((2, 2, 3), np.uint8))


def test_slow_consumer_gets_the_newest_and_older_frames_are_dropped() -> None:
    slot = LatestFrameSlot()
    for i in range(5):
        slot.put(frame(i))
    got = slot.get(timeout=0)
    assert got is not None and got.index == 4
    assert (slot.dropped, slot.taken, slot.put_count) == (4, 1, 5)
    assert slot.get(timeout=0) is None  # nothing is queued behind it


def test_consumer_keeping_up_drops_nothing() -> None:
    slot = LatestFrameSlot()
    for i in range(3):
        slot.put(frame(i))
        got = slot.get(timeout=0)
        assert got is not None and got.index == i
    assert slot.dropped == 0


def test_get_waits_for_a_frame_from_another_thread() -> None:
    slot = LatestFrameSlot()
    started = threading.Event()

    def produce() -> None:
        started.wait()
        slot.put(frame(7))

    t = threading.Thread(target=produce)
    t.start()
    started.set()
    got = slot.get(timeout=10)
    t.join()
    assert got is not None and got.index == 7


def test_close_wakes_a_waiting_consumer() -> None:
    slot = LatestFrameSlot()
    result: list[Frame | None] = []
    t = threading.Thread(target=lambda: result.append(slot.get()))
    t.start()
    slot.close()
    t.join(timeout=10)
    assert not t.is_alive() and result == [None]
    assert slot.closed


def test_frame_left_in_a_closed_slot_is_still_delivered() -> None:
    slot = LatestFrameSlot()
    slot.put(frame(1))
    slot.close()
    got = slot.get()
    assert got is not None and got.index == 1
    assert slot.get() is None
