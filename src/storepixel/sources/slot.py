"""A one-frame hand-off between a camera's capture thread and its analysis worker.

A live camera does not wait for us: if analysis falls behind, queueing frames would only grow
memory and latency. The slot keeps the newest frame; a frame replaced before anyone took it is
counted as dropped.

>>> import numpy as np
>>> from storepixel.types import Frame
>>> slot = LatestFrameSlot()
>>> for i in range(3):
...     slot.put(Frame("c", i, 0.0, float(i), np.zeros((1, 1, 3), np.uint8)))
>>> slot.get(timeout=0).index, slot.dropped
(2, 2)
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from storepixel.types import Frame


class LatestFrameSlot:
    """Holds at most one ``Frame``; ``put`` never blocks, ``get`` waits for a fresh one.

    ``on_put`` (optional) is called after each ``put``, outside the lock: a pool of analysis
    workers serving many cameras uses it to learn which camera has work.
    """

    def __init__(self, on_put: Callable[[], None] | None = None) -> None:
        self._on_put = on_put
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._closed = False
        self.put_count = 0
        self.taken = 0
        self.dropped = 0

    def put(self, frame: Frame) -> None:
        """Offer the newest frame, replacing (and counting as dropped) one not yet taken."""
        with self._cond:
            if self._frame is not None:
                self.dropped += 1
            self._frame = frame
            self.put_count += 1
            self._cond.notify()
        if self._on_put is not None:
            self._on_put()

    def get(self, timeout: float | None = None) -> Frame | None:
        """The newest untaken frame, waiting up to ``timeout`` seconds (``None``: forever).

        Returns ``None`` on timeout or once the slot is closed and empty.
        """
        with self._cond:
            self._cond.wait_for(lambda: self._frame is not None or self._closed, timeout)
            frame, self._frame = self._frame, None
            if frame is not None:
                self.taken += 1
            return frame

    def close(self) -> None:
        """Wake every waiting consumer; later ``get`` calls return what is left, then ``None``."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def ready(self) -> bool:
        """Whether a frame is waiting to be taken."""
        with self._cond:
            return self._frame is not None

    @property
    def closed(self) -> bool:
        return self._closed
