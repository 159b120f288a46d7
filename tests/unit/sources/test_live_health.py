import pytest

from storepixel.sources.health import CoverageRecorder, RateMeter
from storepixel.store import CoverageInterval


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_coverage_splits_at_drops_and_long_gaps() -> None:
    cov = CoverageRecorder(max_gap_s=5.0, tail_s=0.2)
    for t in (100.0, 100.2, 100.4):
        cov.frame(t)
    cov.gap()  # the camera dropped
    for t in (110.0, 110.2):
        cov.frame(t)
    cov.frame(120.0)  # frames 9.8 s apart: a gap even without a drop being noticed
    got = [t for interval in cov.intervals() for t in interval]
    assert got == pytest.approx([100.0, 100.6, 110.0, 110.4, 120.0, 120.2])


def test_gap_without_frames_adds_nothing() -> None:
    cov = CoverageRecorder()
    cov.gap()
    cov.gap()
    assert cov.intervals() == []


def test_pop_closed_hands_each_interval_out_once() -> None:
    cov = CoverageRecorder(tail_s=0.0)
    cov.frame(1.0)
    cov.frame(2.0)
    cov.gap()
    cov.frame(10.0)
    assert cov.pop_closed() == [(1.0, 2.0)]
    assert cov.pop_closed() == []
    assert cov.intervals() == [(10.0, 10.0)]  # the open one stays


def test_coverage_as_store_values() -> None:
    cov = CoverageRecorder(tail_s=0.5)
    cov.frame(5.0)
    cov.frame(6.0)
    stored = cov.to_store("site", "door", run_id="r1")
    assert stored == [CoverageInterval("site", "door", 5.0, 6.5, "r1")]


def test_rate_meter_over_a_sliding_window() -> None:
    clock = FakeClock()
    meter = RateMeter(window_s=2.0, clock=clock)
    assert meter.rate() == 0.0
    for _ in range(11):
        meter.tick()
        clock.now += 0.1
    clock.now -= 0.1
    assert meter.rate() == pytest.approx(10.0)
    clock.now += 5.0
    assert meter.rate() == 0.0


def test_rate_meter_counts_batches() -> None:
    clock = FakeClock()
    meter = RateMeter(window_s=10.0, clock=clock)
    for _ in range(6):
        meter.tick(3)  # three frames decoded per sampled frame
        clock.now += 0.2
    clock.now -= 0.2
    assert meter.rate() == pytest.approx(15.0)
