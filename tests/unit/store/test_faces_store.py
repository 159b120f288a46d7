"""Aggregate attribute counts (suppressed below min_count, whole groups), returning visitors
matched by descriptor, return rates per day and week, idempotent re-analysis (SQLite; the
PostgreSQL run is tests/integration/test_faces_privacy.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from storepixel.faces.keys import create_key
from storepixel.store import open_store
from storepixel.store.faces import (
    attribute_counts,
    record_visits,
    return_rates,
    visitor_ids,
    write_counts,
)

pytest.importorskip("cryptography")


def t(day: int, hour: int = 10) -> float:
    return datetime(2024, 5, day, hour, tzinfo=UTC).timestamp()


def person(n: int) -> np.ndarray:
    """A descriptor per person: far apart from every other (distance ≥ 1.4)."""
    vec = np.zeros(128, np.float32)
    vec[n] = 1.0
    return vec


def test_counts_sum_over_runs_and_small_groups_are_suppressed_whole() -> None:
    store = open_store("sqlite://")
    write_counts(store, "demo", "cam1", "r1", {(0.0, "*", "gender", "female"): 4,
                                               (0.0, "*", "gender", "male"): 9,
                                               (0.0, "*", "age_band", "25-34"): 13})  # fmt: skip
    write_counts(store, "demo", "cam1", "r2", {(0.0, "*", "gender", "female"): 1})
    write_counts(store, "demo", "cam1", "r2", {(0.0, "*", "gender", "female"): 2})  # re-run
    groups = {g["attribute"]: g for g in attribute_counts(store, "demo", min_count=5)}
    assert groups["gender"]["values"] == {"female": 6, "male": 9}
    assert groups["age_band"]["values"] == {"25-34": 13}
    # With 7 the female cell is too small: the whole group goes (the total would give it away).
    groups = {g["attribute"]: g for g in attribute_counts(store, "demo", min_count=7)}
    assert groups["gender"] == {**groups["gender"], "values": None, "visits": None,
                                "suppressed": True}  # fmt: skip
    assert groups["age_band"]["visits"] == 13


def test_return_rates_per_day_and_week(tmp_path: Path) -> None:
    store = open_store("sqlite://")
    key = create_key(tmp_path / "k")
    # Day 1 (Wed): people 0-5. Day 2: people 0-2 come back with 3 new. Day 6 (Mon): 0 and 6.
    visits = [(t(1), t(1) + 60, person(n)) for n in range(6)]
    visits += [(t(2), t(2) + 60, person(n)) for n in (0, 1, 2, 10, 11, 12)]
    visits += [(t(6), t(6) + 60, person(n)) for n in (0, 6)]
    stats = record_visits(store, "demo", "cam1", "r1", visits, key, same_person=0.6)
    assert stats == {"visits": 14, "new": 10, "returning": 4}
    tz = ZoneInfo("UTC")
    days = return_rates(store, "demo", tz, "day", min_count=2)
    assert [(d["start"][:10], d["visitors"], d["returning"], d["rate"]) for d in days] == [
        ("2024-05-01", 6, 0, 0.0),
        ("2024-05-02", 6, 3, 0.5),
        ("2024-05-06", 2, 1, 0.5),
    ]
    weeks = return_rates(store, "demo", tz, "week", min_count=5)
    assert [(w["start"][:10], w["visitors"], w["returning"]) for w in weeks] == [
        ("2024-04-29", 9, 0),
        ("2024-05-06", None, None),  # two visitors: suppressed
    ]
    # Re-analysing the same run replaces what it added: nobody "returns" from it.
    again = record_visits(store, "demo", "cam1", "r1", visits, key, same_person=0.6)
    assert again == stats and len(visitor_ids(store, "demo")) == 10
