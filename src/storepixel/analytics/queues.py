"""Queue zones: who joined, who left after how long, and how long the queue was.

A queue is a zone whose visits are waits: a *join* is a reported visit (a longer default minimum
presence keeps people walking across the queue area out), a *leave* carries the measured
``wait_s`` (first to last frame inside). Queue length is the zone's occupancy, integrated over time
by the engine like any other occupancy.

>>> q = QueueCounter("till-1", [(0, 0), (1, 0), (1, 1), (0, 1)], min_presence_s=3, exit_grace_s=3)
>>> seen = lambda t: ([1], [[0.5, 0.5]]) if t < 8 else ([], [])  # in the queue for 8 s
>>> changes = [c for t in range(12) for c in q.update(*seen(t), float(t))]
>>> [(c.kind, c.time, c.dwell_s) for c in changes], q.waits
([('enter', 0.0, None), ('exit', 7.0, 7.0)], [7.0])
"""

from __future__ import annotations

from storepixel.analytics.zones import ZoneCounter


class QueueCounter(ZoneCounter):
    """A :class:`ZoneCounter` read as a queue: joins, measured waits, length, current waits."""

    @property
    def joins(self) -> int:
        return self.visits

    @property
    def waits(self) -> list[float]:
        """Measured wait of each person who has left the queue, in leaving order."""
        return self.dwells

    @property
    def length(self) -> int:
        return self.occupancy

    def current_waits(self, now: float) -> list[float]:
        """How long each person now counted in the queue has been in it (longest first)."""
        waits = [
            now - st.visit.first_in
            for st in self._tracks.values()
            if st.visit is not None and st.inside
        ]
        return sorted(waits, reverse=True)
