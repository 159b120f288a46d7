"""The outward commands end to end: a one-shot publish waits for a receiver that comes up late,
what is left goes out with ``storepixel outputs flush``; receipts CSV import with bad rows;
privacy export and delete, audited; MQTT Home Assistant discovery through a real broker."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from storepixel.cli import app
from storepixel.config.site import load_site
from storepixel.outputs.service import publish_file
from storepixel.store import accounts, open_store
from storepixel.store.queries import iter_events
from storepixel.types import Event
from tests.fixtures.receivers import HttpReceiver, Mosquitto, MqttCollector

pytestmark = pytest.mark.slow
T0 = 1_714_557_600.0
runner = CliRunner()


def write_site(tmp_path: Path, outputs: list[dict[str, Any]], **extra: Any) -> Path:
    data = {
        "site": {"id": "demo", "timezone": "Europe/Lisbon"},
        "cameras": [
            {
                "id": "cam1",
                "lines": [{"id": "door", "name": "Door", "points": [[0, 0.5], [1, 0.5]]}],
                "zones": [{"id": "till", "kind": "queue", "polygon": [[0, 0], [1, 0], [1, 1]]}],
            }
        ],
        "outputs": outputs,
        **extra,
    }
    path = tmp_path / "site.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def day_of_events() -> list[Event]:
    out = []
    for i in range(6):
        out.append(Event(f"j{i}", "queue_join", "demo", "cam1", T0 + i, f"t{i}", "till"))
    for i in range(6):
        props = {"wait_s": 60.0 - i}
        out.append(
            Event(f"l{i}", "queue_leave", "demo", "cam1", T0 + 60 + i, f"t{i}", "till", props)
        )
    props = {"direction": "in", "line_id": "door"}
    out.append(Event("x1", "line_crossing", "demo", "cam1", T0 + 3, "t9", "door", props))
    return out


def test_publish_waits_for_a_late_receiver_and_flush_sends_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", "test-secret")
    receiver = HttpReceiver("test-secret")
    hook = {
        "kind": "webhook",
        "url": receiver.url,
        "secret_env": "HOOK_SECRET",
        "backoff_s": 0.1,
        "backoff_max_s": 0.5,
        "select": ["alerts", "events"],
    }
    rule = {"id": "q", "rule": "queue_length_over", "zone": "till", "people": 3, "seconds": 5}
    site_path = write_site(tmp_path, [hook], alerts=[rule])
    site = load_site(site_path)
    url = f"sqlite:///{tmp_path / 'o.db'}"
    events = day_of_events()
    with open_store(url) as store:
        store.write_events(events)
        # The receiver is down, comes up after a second: the one-shot run waits for it.
        threading.Timer(1.0, receiver.start).start()
        done = publish_file(store, site, "cam1", events, [], T0 + 120, wait_s=30)
    assert done.undelivered == 0
    assert [c.change for c in done.alerts] == ["opened", "resolved"]
    assert done.alerts[0].time == T0 + 3 + 5  # 4 people from T0+3, for 5 s
    kinds = [p["type"] for p in receiver.received]
    assert kinds.count("event") == len(events) and kinds.count("alert") == 2
    receiver.stop()
    # A second file analysed while the receiver is down: nothing can go out in 0.5 s.
    more = [
        Event("x2", "line_crossing", "demo", "cam1", T0 + 200, "t10", "door", events[-1].properties)
    ]
    with open_store(url) as store:
        store.write_events(more)
        left = publish_file(store, site, "cam1", more, [], T0 + 300, wait_s=0.5).undelivered
    assert left == 1
    result = runner.invoke(
        app, ["outputs", "flush", "--site", str(site_path), "--db", url, "--wait", "2"]
    )
    assert result.exit_code == 1 and "1 pending" in result.output
    receiver.start()
    result = runner.invoke(app, ["outputs", "flush", "--site", str(site_path), "--db", url])
    assert result.exit_code == 0, result.output
    assert "webhook-1: 16 sent, 0 pending, 0 parked" in result.output
    assert [p["id"] for p in receiver.received].count("x2") == 1
    receiver.stop()


def test_receipts_csv_bad_rows_by_line_and_good_rows_once(tmp_path: Path) -> None:
    site_path = write_site(tmp_path, [])
    url = f"sqlite:///{tmp_path / 'r.db'}"
    csv = tmp_path / "receipts.csv"
    csv.write_text(
        "time,total,items,receipt_id\n"
        "2024-05-01 10:05,12.50,3,A1\n"
        "2024-05-01 10:06,abc,1,A2\n"
        "2024-05-01 10:07,3.00,,A3\n"
        "not-a-time,1,1,A4\n"
        "2024-05-01T10:20:00Z,7,1,\n"
        "2024-05-01T10:20:00Z,7,1,\n"
    )
    args = ["pos", "import", str(csv), "--site", str(site_path), "--db", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 1
    assert "line 3: total: not a number: abc" in first.output
    assert "line 4: items: missing" in first.output
    assert "line 5: time: not an ISO 8601 time: 'not-a-time'" in first.output
    assert "3 receipts imported, 0 already there, 3 bad rows skipped" in first.output
    again = runner.invoke(app, args)
    assert "0 receipts imported, 3 already there" in again.output
    missing = tmp_path / "bad.csv"
    missing.write_text("when,total\n1,2\n")
    r = runner.invoke(app, ["pos", "import", str(missing), "--site", str(site_path), "--db", url])
    assert r.exit_code == 2 and "line 1: expected a header with time,total,items" in r.output
    assert "Traceback" not in r.output


def test_privacy_export_and_delete_are_audited(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    with open_store(url) as store:
        store.write_events(day_of_events())
    out = tmp_path / "t0.json"
    r = runner.invoke(
        app, ["privacy", "export", "--track", "t0", "--db", url, "-o", str(out), "--by", "dpo"]
    )
    assert r.exit_code == 0, r.output
    exported = json.loads(out.read_text())
    assert [e["id"] for e in exported["tables"]["events"]] == ["j0", "l0"]
    r = runner.invoke(app, ["privacy", "delete", "--track", "t0", "--db", url, "--by", "dpo"])
    assert "deleted 2 rows about track_id t0" in r.output
    r = runner.invoke(app, ["privacy", "delete", "--visitor", "v1", "--db", url])
    assert r.exit_code == 2 and "no visitor 'v1' is stored" in r.output
    r = runner.invoke(app, ["privacy", "export", "--db", url])
    assert r.exit_code == 2 and "exactly one of --track" in r.output
    with open_store(url) as store:
        assert "t0" not in {e.track_id for e in iter_events(store, site_id="demo")}
        log = [(e["actor"], e["action"], e["target"]) for e in accounts.audit_entries(store)]
    assert ("dpo", "privacy.export", "track_id=t0") in log
    assert ("dpo", "privacy.delete", "track_id=t0") in log


def test_home_assistant_discovery_and_live_state_through_mosquitto(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    out = {"kind": "mqtt", "url": mosquitto.url, "select": ["events"], "backoff_s": 0.05}
    site = load_site(write_site(tmp_path, [out]))
    collector = MqttCollector(mosquitto.port, "#")
    with open_store(f"sqlite:///{tmp_path / 'h.db'}") as store:
        events = day_of_events()
        store.write_events(events)
        assert publish_file(store, site, "cam1", events, [], T0 + 120, wait_s=20).undelivered == 0
    collector.wait_for(3 + len(events) + 13)
    collector.close()
    configs = {t: b for t, b in collector.messages if t.startswith("homeassistant/")}
    occupancy = configs["homeassistant/sensor/storepixel_demo_cam1_till_occupancy/config"]
    assert occupancy["state_topic"] == "storepixel/demo/cam1/state/till/occupancy"
    assert occupancy["unit_of_measurement"] == "people"
    assert "homeassistant/sensor/storepixel_demo_cam1_door_in_today/config" in configs
    states = [(t, b["data"]["value"]) for t, b in collector.messages if "/state/" in t]
    till = [v for t, v in states if t.endswith("/till/occupancy")]
    assert till == [1, 2, 3, 4, 5, 6, 5, 4, 3, 2, 1, 0]
    assert [v for t, v in states if t.endswith("/door/in_today")] == [1]


def test_conversion_export_in_site_time(tmp_path: Path) -> None:
    site_path = write_site(tmp_path, [])
    url = f"sqlite:///{tmp_path / 'c.db'}"
    door = {"direction": "in", "line_id": "door"}
    with open_store(url) as store:  # 4 visitors 11:00-12:00 Lisbon (10:00-11:00 UTC)
        store.write_events(
            [
                Event(f"v{i}", "line_crossing", "demo", "cam1", T0 + 60 * i, f"t{i}", "door", door)
                for i in range(4)
            ]
        )
    csv = tmp_path / "r.csv"
    csv.write_text("time,total,items\n2024-05-01 11:30,10,2\n")
    runner.invoke(app, ["pos", "import", str(csv), "--site", str(site_path), "--db", url])
    r = runner.invoke(
        app,
        [
            "pos",
            "conversion",
            "--site",
            str(site_path),
            "--db",
            url,
            "--from",
            "2024-05-01T11:00",
            "--to",
            "2024-05-01T13:00",
        ],
    )
    assert r.exit_code == 0, r.output
    lines = r.output.strip().splitlines()
    assert (
        lines[0]
        == "start,visitors,transactions,revenue,items,conversion,avg_basket,revenue_per_visitor"
    )
    assert lines[1] == "2024-05-01T11:00:00+01:00,4,1,10.0,2,0.25,10.0,2.5"
    assert lines[2].startswith("2024-05-01T12:00:00+01:00,0,0,")
