"""Must-show: a queue rule on real footage fires within 2 s (capture time) of its condition
becoming true, once, and resolves once (truth: bench/truth/vtest-lawn-pair.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from bench.alert_timing import measure

pytestmark = pytest.mark.slow
BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_queue_rule_on_vtest_fires_once_within_2_s_and_resolves_once(vtest_path: Path) -> None:
    truth = yaml.safe_load((BENCH / "truth" / "vtest-lawn-pair.yaml").read_text())
    report = measure(vtest_path)
    assert report["alerts"] == truth["alerts_expected"] == 1
    assert len(report["opened_s"]) == 1 and len(report["resolved_s"]) == 1
    assert abs(report["open_error_s"]) <= 2.0
    assert abs(report["resolve_error_s"]) <= 2.0
