"""Decoding on a thread of its own, a few frames ahead of the analysis that consumes them.

FFmpeg decodes without holding Python's lock, so a file decoded on its own thread overlaps with
the detector and the tracker instead of taking turns with them. On the 2-core box the store-day
clip analysed end to end went from 24–26 s to 21–24 s of wall time this way (``docs/
performance.md``), with the decoder on one thread: frame threads cost 20 % more CPU per frame
and only compete with the detector's threads for the same cores.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import TypeVar

T = TypeVar("T")

_POLL_S = 0.1  # how often a producer waiting for room checks whether the consumer left


class _End:
    """What the producer puts last: the exception that ended it, if any."""

    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


def read_ahead(items: Iterator[T], depth: int = 4) -> Generator[T, None, None]:
    """``items``, produced on a daemon thread up to ``depth`` ahead of the caller.

    An exception raised by ``items`` is raised here, after the items before it. Closing this
    generator early (``break``, garbage collection) stops the producer and closes ``items`` on
    its own thread, so a file is never left open.
    """
    if depth < 1:
        raise ValueError("depth must be at least 1")
    buffer: queue.Queue[T | _End] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        error: BaseException | None = None
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        buffer.put(item, timeout=_POLL_S)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
        except BaseException as exc:  # handed to the consumer, who decides
            error = exc
        finally:
            close = getattr(items, "close", None)
            if callable(close):
                close()
        if not stop.is_set():
            buffer.put(_End(error))

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = buffer.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise item.error
                return
            yield item
    finally:
        stop.set()
        thread.join()
