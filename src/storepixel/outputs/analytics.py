"""Offline events into analytics tools: GA4 Measurement Protocol and Segment-compatible ``track``.

The mapping (docs/integrations.md):

============================================  =================  ==========================
storepixel event                              GA4 event name      Segment event
============================================  =================  ==========================
line_crossing, direction ``in``               ``store_visit``     ``Store Visited``
zone_enter of a ``shelf`` zone                ``view_item``       ``Product Viewed``
zone_exit of an ``area`` zone (with dwell)    ``zone_visit``      ``Zone Visited``
queue_join                                    ``join_queue``      ``Queue Joined``
queue_leave (with wait)                       ``leave_queue``     ``Queue Left``
============================================  =================  ==========================

Other kinds, alerts and metrics are not forwarded. ``client_id``/``anonymousId`` is the event's
pseudonymous track id (a person within one analysis run, never a face or a name); the event's
capture time is its timestamp. Lines with ``footfall: false`` are not store visits.

>>> from storepixel.config.site import parse_site
>>> site = parse_site({"site": {"id": "demo"}, "cameras": [{"id": "cam1",
...     "lines": [{"id": "door", "points": [[0, 0.5], [1, 0.5]]}]}]})
>>> body = {"id": "e1", "type": "event", "data": {"kind": "line_crossing", "camera_id": "cam1",
...     "scope_id": "door", "track_id": "t1", "time": "2024-05-01T10:00:00.000000Z",
...     "properties": {"direction": "in", "line_id": "door"}}}
>>> map_event(site, body)
('store_visit', 'Store Visited', {'camera_id': 'cam1', 'scope_id': 'door', 'direction': 'in'})
"""

from __future__ import annotations

import base64
from typing import Any

from storepixel.config.integrations import OutputConfig
from storepixel.config.site import SiteConfig
from storepixel.events.schema import parse_time
from storepixel.outputs.outbox import Queued
from storepixel.outputs.webhook import body_bytes, post
from storepixel.redact import redact_url

GA4_URL = "https://www.google-analytics.com/mp/collect"


def map_event(site: SiteConfig, body: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
    """(GA4 name, Segment name, parameters) for an event body, or ``None`` if not forwarded."""
    if body.get("type") != "event":
        return None
    ev = body["data"]
    kind, cam_id, scope = ev["kind"], ev["camera_id"], ev.get("scope_id")
    props = ev.get("properties") or {}
    params: dict[str, Any] = {"camera_id": cam_id, "scope_id": scope}
    try:
        cam = site.camera(cam_id)
    except Exception:
        return None
    zone_kind = {z.id: z.kind for z in cam.zones}.get(scope or "")
    if kind == "line_crossing":
        footfall = {ln.id: ln.footfall for ln in cam.lines}.get(scope or "", False)
        if props.get("direction") != "in" or not footfall:
            return None
        return "store_visit", "Store Visited", {**params, "direction": "in"}
    if kind == "zone_enter" and zone_kind == "shelf":
        return "view_item", "Product Viewed", {**params, "item_list_id": scope}
    if kind == "zone_exit" and zone_kind == "area":
        return "zone_visit", "Zone Visited", {**params, "dwell_s": props.get("dwell_s")}
    if kind == "queue_join":
        return "join_queue", "Queue Joined", params
    if kind == "queue_leave":
        return "leave_queue", "Queue Left", {**params, "wait_s": props.get("wait_s")}
    return None


class AnalyticsDestination:
    """GA4 (``kind: ga4``) or Segment (``kind: segment``) forwarding of mapped events."""

    def __init__(self, config: OutputConfig, key: str, site: SiteConfig) -> None:
        self.name = str(config.id)
        self.kind = config.kind
        self.config = config
        self.site = site
        self._key = key
        self.timeout_s = config.timeout_s

    def __repr__(self) -> str:  # never the key
        return f"AnalyticsDestination({self.name!r}, {self.kind})"

    def send(self, message: Queued) -> None:
        mapped = map_event(self.site, message.payload)
        if mapped is None:
            return  # nothing to forward: counts as delivered
        ga4_name, segment_name, params = mapped
        ev = message.payload["data"]
        when = parse_time(ev["time"])
        if self.kind == "ga4":
            base = self.config.url or GA4_URL
            url = f"{base}?measurement_id={self.config.measurement_id}&api_secret={self._key}"
            body = {
                "client_id": ev["track_id"],
                "timestamp_micros": int(when * 1_000_000),
                "non_personalized_ads": True,
                "events": [
                    {"name": ga4_name, "params": {**params, "event_id": message.message_id}}
                ],
            }
            shown = f"{redact_url(base)} (measurement {self.config.measurement_id})"
            post(url, body_bytes(body), {}, self.timeout_s, shown=shown)
            return
        url = str(self.config.url).rstrip("/") + "/v1/track"
        auth = base64.b64encode(f"{self._key}:".encode()).decode()
        body = {
            "anonymousId": ev["track_id"],
            "event": segment_name,
            "properties": params,
            "timestamp": ev["time"],
            "messageId": message.message_id,
            "context": {"library": {"name": "storepixel"}},
        }
        post(url, body_bytes(body), {"Authorization": f"Basic {auth}"}, self.timeout_s)

    def close(self) -> None:
        pass
