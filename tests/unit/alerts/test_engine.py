"""Alert rules on hand-made event streams: capture-time dates, one alert per condition."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from storepixel.alerts.engine import AlertEngine
from storepixel.config.site import parse_site
from storepixel.types import Event

T0 = 1_714_557_600.0  # 2024-05-01 10:00 UTC


def site(*rules: dict[str, Any], tz: str = "UTC") -> Any:
    return parse_site(
        {
            "site": {"id": "demo", "timezone": tz},
            "cameras": [
                {
                    "id": "cam1",
                    "zones": [
                        {"id": "till", "kind": "queue", "polygon": [[0, 0], [1, 0], [1, 1]]},
                        {"id": "stock", "polygon": [[0, 0], [1, 0], [0, 1]]},
                    ],
                },
                {"id": "cam2"},
            ],
            "alerts": list(rules),
        }
    )


def ev(kind: str, t: float, who: str, zone: str | None = "till", cam: str = "cam1") -> Event:
    return Event(f"{kind}{t}{who}{zone}", kind, "demo", cam, T0 + t, who, zone)


def queue(people: int, seconds: float, cooldown: float = 0.0) -> dict[str, Any]:
    return {
        "id": "q",
        "rule": "queue_length_over",
        "zone": "till",
        "people": people,
        "seconds": seconds,
        "cooldown_s": cooldown,
    }


def test_queue_opens_after_the_hold_updates_on_new_peak_and_resolves_once() -> None:
    engine = AlertEngine(site(queue(1, 10)))
    engine.observe([ev("queue_join", 0, "a"), ev("queue_join", 5, "b")])
    assert engine.advance("cam1", T0 + 14) == []  # two people for 9 s: not yet
    engine.observe([ev("queue_join", 20, "c"), ev("queue_leave", 40, "c")])
    engine.observe([ev("queue_leave", 50, "b")])
    changes = engine.advance("cam1", T0 + 100)
    got = [(c.change, c.time - T0, c.value, c.seq) for c in changes]
    assert got == [("opened", 15.0, 2.0, 0), ("updated", 20.0, 3.0, 1), ("resolved", 50.0, 1.0, 2)]
    assert len({c.alert_id for c in changes}) == 1
    assert changes[0].message_id != changes[1].message_id


def test_flicker_within_the_cooldown_is_one_alert() -> None:
    engine = AlertEngine(site(queue(0, 0, cooldown=30)))
    engine.observe([ev("queue_join", 0, "a"), ev("queue_leave", 10, "a")])
    engine.observe([ev("queue_join", 20, "b"), ev("queue_leave", 25, "b")])
    engine.observe([ev("queue_join", 100, "c"), ev("queue_leave", 110, "c")])
    changes = engine.advance("cam1", T0 + 200)
    kinds = [(c.change, c.time - T0) for c in changes]
    assert kinds == [
        ("opened", 0.0),
        ("updated", 20.0),
        ("resolved", 25.0),
        ("opened", 100.0),
        ("resolved", 110.0),
    ]
    assert len({c.alert_id for c in changes}) == 2


def test_late_events_wait_for_the_watermark() -> None:
    engine = AlertEngine(site(queue(0, 5)))
    engine.observe([ev("queue_join", 0, "a")])
    assert engine.advance("cam1", T0 + 3) == []
    # The leave is revealed later but dated before the hold ended: no alert at all.
    engine.observe([ev("queue_leave", 4, "a")])
    assert engine.advance("cam1", T0 + 60) == []


def test_dwell_and_wait_fire_at_enter_plus_seconds() -> None:
    rules = [
        {"id": "stay", "rule": "dwell_over", "zone": "stock", "seconds": 15, "severity": "info"},
        {"id": "wait", "rule": "wait_over", "zone": "till", "seconds": 40, "cooldown_s": 0},
    ]
    engine = AlertEngine(site(*rules))
    engine.observe([ev("zone_enter", 3, "a", "stock"), ev("zone_exit", 30, "a", "stock")])
    engine.observe([ev("queue_join", 0, "b"), ev("queue_leave", 20, "b")])
    changes = engine.finish("cam1", T0 + 60)
    got = [(c.rule_id, c.change, c.time - T0, c.severity) for c in changes]
    assert got == [("stay", "opened", 18.0, "info"), ("stay", "resolved", 30.0, "info")]


def test_zone_outside_hours_in_site_time() -> None:
    rule = {"id": "night", "rule": "zone_outside_hours", "zone": "stock", "hours": ["08:00-20:00"]}
    engine = AlertEngine(site({**rule, "cooldown_s": 0}, tz="Europe/Lisbon"))
    tz = ZoneInfo("Europe/Lisbon")
    close = datetime(2024, 5, 1, 20, 0, tzinfo=tz).timestamp() - T0  # 19:00 UTC (summer time)
    engine.observe(
        [ev("zone_enter", close - 600, "a", "stock"), ev("zone_exit", close + 300, "a", "stock")]
    )
    changes = engine.finish("cam1", T0 + close + 900)
    assert [(c.change, c.time - T0) for c in changes] == [
        ("opened", close),
        ("resolved", close + 300),
    ]


def test_camera_wide_occupancy_and_camera_down() -> None:
    rules = [
        {"id": "crowd", "rule": "occupancy_over", "camera": "cam2", "people": 1, "cooldown_s": 0},
        {"id": "down", "rule": "camera_down", "camera": "cam2", "seconds": 30, "cooldown_s": 0},
    ]
    engine = AlertEngine(site(*rules))
    engine.observe(
        [
            ev("visit_start", 0, "a", None, "cam2"),
            ev("visit_start", 2, "b", None, "cam2"),
            ev("visit_end", 9, "a", None, "cam2"),
        ]
    )
    assert [(c.change, c.time - T0) for c in engine.advance("cam2", T0 + 20)] == [
        ("opened", 2.0),
        ("resolved", 9.0),
    ]
    assert engine.camera_state("cam2", False, 1000.0) == []
    assert engine.tick(1020.0) == []
    opened = engine.tick(1031.0)
    assert [(c.rule_id, c.change, c.time) for c in opened] == [("down", "opened", 1030.0)]
    resolved = engine.camera_state("cam2", True, 1100.0)
    assert [(c.change, c.time) for c in resolved] == [("resolved", 1100.0)]


def test_rules_are_checked_against_the_cameras() -> None:
    import pytest

    from storepixel.errors import ConfigError

    with pytest.raises(ConfigError, match=r"alerts\[0\].zone: no camera has a zone 'nope'"):
        site({**queue(1, 1), "zone": "nope"})
    with pytest.raises(ConfigError, match="needs people"):
        site({"id": "x", "rule": "queue_length_over", "zone": "till"})
