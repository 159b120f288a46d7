"""MQTT destination (paho-mqtt, the optional ``storepixel[mqtt]`` extra) and Home Assistant
discovery for zone occupancy and line counts today.

Messages are published with QoS 1 to ``{topic_prefix}/{site}/{camera}/{events|alerts|metrics}``;
live state to ``{topic_prefix}/{site}/{camera}/state/{scope}/{what}`` (retained), announced to
Home Assistant under ``homeassistant/sensor/…/config``. A message counts as delivered when the
broker acknowledged it. Any failure drops the connection (and whatever paho still held for it),
so nothing is sent twice behind the outbox's back; the next attempt connects afresh.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any
from urllib.parse import urlsplit

from storepixel.errors import StorepixelError
from storepixel.outputs.errors import DeliveryError, DestinationDown
from storepixel.outputs.outbox import Message, Queued
from storepixel.outputs.webhook import body_bytes
from storepixel.redact import redact_text, redact_url

HA_PREFIX = "homeassistant/"


def _paho() -> Any:
    try:
        import paho.mqtt.client as mqtt
    except ImportError:
        raise StorepixelError(
            "MQTT outputs need paho-mqtt: pip install 'storepixel[mqtt]'"
        ) from None
    return mqtt


class MqttDestination:
    """One broker connection, opened on first use and re-opened after any failure."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        site_id: str,
        topic_prefix: str = "storepixel",
        username: str | None = None,
        password: str | None = None,
        timeout_s: float = 10.0,
    ) -> None:
        parts = urlsplit(url)
        self.name = name
        self.shown = redact_url(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or (8883 if parts.scheme == "mqtts" else 1883)
        self.tls = parts.scheme == "mqtts"
        self.site_id = site_id
        self.prefix = topic_prefix.rstrip("/")
        self.username = username or parts.username
        self._password = password if password is not None else parts.password
        self.timeout_s = timeout_s
        self._client: Any = None
        self._mqtt = _paho()

    def __repr__(self) -> str:  # never the password
        return f"MqttDestination({self.name!r}, {self.shown!r})"

    def topic(self, message: Queued) -> str:
        if message.topic.startswith(HA_PREFIX):
            return message.topic
        return f"{self.prefix}/{message.site_id}/{message.camera_id}/{message.topic}"

    def _connect(self) -> Any:
        if self._client is not None:
            return self._client
        mqtt = self._mqtt
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        if self.username is not None:
            client.username_pw_set(self.username, self._password)
        if self.tls:
            client.tls_set()
        done = threading.Event()
        result: dict[str, Any] = {}

        def on_connect(_c: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
            result["reason"] = reason
            done.set()

        client.on_connect = on_connect
        try:
            client.connect(self.host, self.port, keepalive=30)
        except (OSError, ValueError) as err:
            raise DestinationDown(f"MQTT broker {self.shown} unreachable: {err}") from None
        client.loop_start()
        if not done.wait(self.timeout_s):
            self._drop(client)
            raise DestinationDown(f"MQTT broker {self.shown} did not answer the connection")
        reason = result["reason"]
        if reason.is_failure:
            self._drop(client)
            raise DestinationDown(f"MQTT broker {self.shown} refused the connection: {reason}")
        self._client = client
        return client

    @staticmethod
    def _drop(client: Any) -> None:
        try:
            client.disconnect()
        finally:
            client.loop_stop()

    def send(self, message: Queued) -> None:
        client = self._connect()
        try:
            info = client.publish(
                self.topic(message), body_bytes(message.payload), qos=1, retain=message.retain
            )
            info.wait_for_publish(self.timeout_s)
            ok = info.is_published()
        except (RuntimeError, ValueError, OSError) as err:
            ok, why = False, redact_text(str(err))
        else:
            why = "no acknowledgement from the broker"
        if not ok:
            self.close()
            raise DestinationDown(f"MQTT broker {self.shown}: {why}")

    def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            self._drop(client)


# --- Home Assistant -----------------------------------------------------------------------------


def _mid(*parts: object) -> str:
    return "h" + hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:31]


def state_message(
    site_id: str, camera_id: str, scope_id: str, what: str, value: float, t: str
) -> Message:
    """A retained live value (zone occupancy, a line's count today) at capture time ``t``."""
    mid = _mid("state", site_id, camera_id, scope_id, what, value, t)
    body = {"id": mid, "type": "state", "data": {"value": value, "time": t}}
    return Message(mid, site_id, camera_id, f"state/{scope_id}/{what}", body, retain=True)


def discovery_messages(
    site_id: str, camera_id: str, prefix: str, sensors: list[tuple[str, str, str]]
) -> list[Message]:
    """Home Assistant MQTT discovery: one sensor per (scope, what, label)."""
    out = []
    for scope_id, what, label in sensors:
        object_id = f"storepixel_{site_id}_{camera_id}_{scope_id}_{what}".replace(".", "_")
        measurement = what == "occupancy"
        config = {
            "name": label,
            "unique_id": object_id,
            "object_id": object_id,
            "state_topic": f"{prefix}/{site_id}/{camera_id}/state/{scope_id}/{what}",
            "value_template": "{{ value_json.data.value }}",
            "unit_of_measurement": "people",
            "state_class": "measurement" if measurement else "total_increasing",
            "device": {
                "identifiers": [f"storepixel_{site_id}_{camera_id}"],
                "name": f"storepixel {site_id} {camera_id}",
                "manufacturer": "storepixel",
            },
        }
        mid = _mid("discovery", object_id, sorted(config.items()))
        body = {"id": mid, "type": "discovery", **config}
        topic = f"{HA_PREFIX}sensor/{object_id}/config"
        out.append(Message(mid, site_id, camera_id, topic, body, retain=True))
    return out


class HomeAssistantState:
    """Live zone occupancy and line counts today (site time), from the events as they come."""

    def __init__(self, tz: Any) -> None:
        self.tz = tz
        self.occupancy: dict[tuple[str, str], int] = {}
        self.lines: dict[tuple[str, str, str], tuple[str, int]] = {}  # → (local day, count)

    def update(self, event: Any) -> Message | None:
        from datetime import datetime

        from storepixel.events.schema import format_time

        key = (event.camera_id, event.scope_id or "")
        when = format_time(event.time)
        if event.kind in ("zone_enter", "queue_join", "zone_exit", "queue_leave"):
            step = 1 if event.kind in ("zone_enter", "queue_join") else -1
            n = self.occupancy[key] = max(0, self.occupancy.get(key, 0) + step)
            return state_message(event.site_id, *key, "occupancy", n, when)
        if event.kind == "line_crossing":
            direction = str(event.properties.get("direction", "in"))
            day = datetime.fromtimestamp(event.time, self.tz).date().isoformat()
            lkey = (*key, direction)
            seen_day, n = self.lines.get(lkey, (day, 0))
            n = n + 1 if seen_day == day else 1
            self.lines[lkey] = (day, n)
            return state_message(event.site_id, *key, f"{direction}_today", n, when)
        return None


__all__ = ["DeliveryError", "HomeAssistantState", "MqttDestination", "discovery_messages"]
