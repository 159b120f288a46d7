import pytest
from hypothesis import given
from hypothesis import strategies as st

from storepixel.sources.sampling import TimeSampler


def taken(sampler: TimeSampler, times: list[float]) -> list[float]:
    return [t for t in times if sampler.take(t)]


def test_every_frame_when_no_analysis_rate() -> None:
    times = [i / 10 for i in range(30)]
    assert taken(TimeSampler(None, 10), times) == times


def test_rate_at_or_above_source_keeps_every_frame() -> None:
    times = [i / 10 for i in range(30)]
    assert taken(TimeSampler(10, 10), times) == times
    assert taken(TimeSampler(30, 10), times) == times


def test_sampling_is_by_time_not_index() -> None:
    # 25 fps and 10 fps sources sampled at 5 fps give the same instants.
    a = taken(TimeSampler(5, 25), [i / 25 for i in range(100)])
    b = taken(TimeSampler(5, 10), [i / 10 for i in range(40)])
    assert a == pytest.approx(b)
    assert len(a) == 20


def test_jittery_timestamps_do_not_drift() -> None:
    # A 15 fps stream with ±10 ms jitter, sampled at 5 fps, keeps ~5 frames a second.
    times = [i / 15 + (0.01 if i % 2 else -0.01) for i in range(1, 151)]
    kept = taken(TimeSampler(5, 15), times)
    assert 49 <= len(kept) <= 51


@given(
    source_fps=st.sampled_from([7.0, 10.0, 12.5, 15.0, 25.0, 30.0]),
    analysis_fps=st.floats(0.5, 30.0),
)
def test_kept_rate_matches_requested(source_fps: float, analysis_fps: float) -> None:
    seconds = 20
    times = [i / source_fps for i in range(int(seconds * source_fps))]
    kept = taken(TimeSampler(analysis_fps, source_fps), times)
    expected = min(analysis_fps, source_fps) * seconds
    assert abs(len(kept) - expected) <= max(2, 0.05 * expected)
