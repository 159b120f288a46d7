"""Time-weighted step series cut into minute buckets: occupancy, queue length, people in view.

Each sample's value holds from its capture time until the next sample. Frames arrive unevenly
(decode stalls, dropped frames, variable frame rate), so averages weight each value by how long it
held, never by frame count. An interval longer than ``max_gap_s`` is *not covered*: the camera was
not analysed then, which is "no data", not zero. Every bucket reports its covered seconds and its
sample count so the two are never confused.

>>> s = StepSeries(max_gap_s=20.0)
>>> for t, v in [(0.0, 2), (10.0, 4), (40.0, 0), (42.0, 1), (60.0, 1)]:
...     s.add(t, v)
>>> b = s.bucket(0.0)  # 0–10 s: 2 people; 10–40 s: a gap (no data); 40–42 s: 0; 42–60 s: 1
>>> b.covered_s, round(b.average, 3), b.peak, b.samples  # (2·10 + 0·2 + 1·18) / 30
(30.0, 1.267, 4, 4)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

BUCKET_S = 60.0


def bucket_start(t: float, bucket_s: float = BUCKET_S) -> float:
    """Start of the bucket holding capture time ``t`` (buckets aligned to the POSIX epoch)."""
    return math.floor(t / bucket_s) * bucket_s


@dataclass(slots=True)
class Bucket:
    """One bucket's totals: ∫value·dt over covered time, covered seconds, samples, peak."""

    start: float
    integral: float = 0.0
    covered_s: float = 0.0
    samples: int = 0
    peak: float | None = None

    @property
    def average(self) -> float | None:
        """Time-weighted mean over the covered part; ``None`` when nothing was covered."""
        return self.integral / self.covered_s if self.covered_s > 0 else None

    def see(self, value: float) -> None:
        self.peak = value if self.peak is None else max(self.peak, value)


class StepSeries:
    """A step function of capture time, integrated exactly per bucket and in total."""

    def __init__(self, max_gap_s: float = 2.0, bucket_s: float = BUCKET_S) -> None:
        if max_gap_s <= 0 or bucket_s <= 0:
            raise ValueError("max_gap_s and bucket_s must be positive")
        self.max_gap_s = float(max_gap_s)
        self.bucket_s = float(bucket_s)
        self.buckets: dict[float, Bucket] = {}
        self.total_integral = 0.0
        self.total_covered_s = 0.0
        self.total_samples = 0
        self.peak: float | None = None
        self.last_time: float | None = None
        self.last_value: float = 0.0
        self.last_interval: float | None = None  # the latest covered interval's length

    def bucket(self, start: float) -> Bucket:
        b = self.buckets.get(start)
        if b is None:
            b = self.buckets[start] = Bucket(start)
        return b

    def add(self, t: float, value: float) -> None:
        """A sample at capture time ``t`` (non-decreasing); the previous value holds until ``t``."""
        if self.last_time is not None:
            if t < self.last_time:
                raise ValueError(f"samples must not go back in time ({t} < {self.last_time})")
            self._hold(self.last_time, t)
        b = self.bucket(bucket_start(t, self.bucket_s))
        b.samples += 1
        b.see(value)
        self.total_samples += 1
        self.peak = value if self.peak is None else max(self.peak, value)
        self.last_time, self.last_value = t, float(value)

    def close(self, end: float | None = None) -> None:
        """End the series: the last value holds until ``end``.

        With no ``end`` (or one not after the last sample) it holds for the latest frame interval,
        as every earlier sample did, so the final frame is not weighted zero.
        """
        if self.last_time is None:
            return
        if end is None or end <= self.last_time:
            if self.last_interval is None:
                return
            end = self.last_time + self.last_interval
        self._hold(self.last_time, end)
        self.last_time = end

    def _hold(self, t0: float, t1: float) -> None:
        dt = t1 - t0
        if dt <= 0 or dt > self.max_gap_s:
            return  # nothing elapsed, or a gap: the camera was not analysed then
        self.last_interval = dt
        v = self.last_value
        self.total_integral += v * dt
        self.total_covered_s += dt
        start = bucket_start(t0, self.bucket_s)
        while start < t1:
            lo, hi = max(t0, start), min(t1, start + self.bucket_s)
            if hi > lo:
                b = self.bucket(start)
                b.integral += v * (hi - lo)
                b.covered_s += hi - lo
                b.see(v)  # the held value is present in this bucket too
            start += self.bucket_s

    @property
    def average(self) -> float | None:
        """Time-weighted mean over all covered time; ``None`` when nothing was covered."""
        return self.total_integral / self.total_covered_s if self.total_covered_s > 0 else None

    def pop_until(self, before: float) -> list[Bucket]:
        """Remove and return buckets that end at or before ``before``, oldest first."""
        done = sorted(s for s in self.buckets if s + self.bucket_s <= before)
        return [self.buckets.pop(s) for s in done]
