"""A describer's (VLM) alerts join the same life cycle: stored, sent, acknowledged by a person."""

from __future__ import annotations

from storepixel.alerts.store import acknowledge, list_alerts
from storepixel.config.site import parse_site
from storepixel.events.schema import event_to_json
from storepixel.outputs.outbox import Outbox
from storepixel.outputs.sink import OutwardSink
from storepixel.store import open_store
from storepixel.types import Event


def test_a_vlm_alert_event_opens_an_alert_and_is_sent() -> None:
    site = parse_site(
        {
            "site": {"id": "demo"},
            "cameras": [{"id": "cam1"}],
            "outputs": [
                {
                    "kind": "webhook",
                    "url": "http://127.0.0.1:9/h",
                    "secret_env": "X",
                    "select": ["alerts"],
                }
            ],
        }
    )
    store = open_store("sqlite://")
    # As the describer emits it (describe.service), valid against the published event schema.
    props = {"alert_kind": "spill", "severity": "high", "reason": "liquid on the floor"}
    event = Event(
        "v1", "vlm_alert", "demo", "cam1", 1_714_557_600.0, "c1", None, {**props, "chunk_id": "k1"}
    )
    event_to_json(event)
    OutwardSink(store, site).write_events([event])
    (alert,) = list_alerts(store, "demo")
    assert (alert["rule"], alert["severity"], alert["status"]) == ("vlm_alert", "critical", "open")
    assert alert["message"] == "spill: liquid on the floor"
    assert alert["started_at"] == "2024-05-01T10:00:00.000000Z"
    (queued,) = Outbox(store).due("webhook-1", now=2e9)
    assert queued.payload["type"] == "alert" and queued.payload["data"]["severity"] == "critical"
    assert acknowledge(store, "demo", alert["id"], actor="ana")["status"] == "acknowledged"
