"""The outward sink: events and metrics (already in the store) → alert rules → the outbox.

It subscribes to the event path after the store (an event leaves the box only once it is
stored), runs the site's alert rules, writes alert changes to the store, and enqueues for each
destination what its ``select`` asks for, plus Home Assistant discovery and live state for MQTT
destinations. Delivery is the :class:`~storepixel.outputs.dispatcher.Dispatcher`'s job; this sink
only wakes it.

Alert rules are evaluated up to each camera's watermark (``advance``), which the pipeline hands
over after each write; ``finish`` closes a camera's footage.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from storepixel.alerts.engine import AlertChange, AlertEngine, alert_id
from storepixel.alerts.store import apply_changes
from storepixel.config.site import SiteConfig
from storepixel.outputs.mqtt import HomeAssistantState, discovery_messages
from storepixel.outputs.outbox import Message, Outbox
from storepixel.outputs.payloads import alert_message, event_message, metric_message
from storepixel.store import Store
from storepixel.types import Event, MetricRow


class OutwardSink:
    """An :class:`~storepixel.events.sinks.EventSink` feeding alerts and outputs."""

    def __init__(
        self,
        store: Store,
        site: SiteConfig,
        *,
        on_enqueue: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.site = site
        self.outbox = Outbox(store)
        self.engine = AlertEngine(site)
        self.on_enqueue = on_enqueue
        self.clock = clock
        self.alert_changes: list[AlertChange] = []  # everything raised by this sink (for reports)
        self._lock = threading.Lock()
        self._ha = {
            str(o.id): HomeAssistantState(site.site.tz)
            for o in site.outputs
            if o.kind == "mqtt" and o.home_assistant
        }
        self._announced = False

    def _wanted(self, what: str) -> bool:
        return any(what in out.select for out in self.site.outputs)

    def _enqueue(self, what: str, messages: Sequence[Message]) -> None:
        if not messages:
            return
        now = self.clock()
        added = 0
        for out in self.site.outputs:
            if what in out.select:
                added += self.outbox.enqueue(str(out.id), messages, now=now)
        if added and self.on_enqueue is not None:
            self.on_enqueue()

    def announce(self) -> None:
        """Home Assistant discovery for every zone's occupancy and every line's counts today."""
        self._announced = True
        for out in self.site.outputs:
            if str(out.id) not in self._ha:
                continue
            msgs: list[Message] = []
            for cam in self.site.cameras:
                sensors = [(z.id, "occupancy", f"{z.name or z.id} occupancy") for z in cam.zones]
                for ln in cam.lines:
                    label = ln.name or ln.id
                    sensors += [
                        (ln.id, "in_today", f"{label} in today"),
                        (ln.id, "out_today", f"{label} out today"),
                    ]
                msgs += discovery_messages(self.site.site.id, cam.id, out.topic_prefix, sensors)
            self.outbox.enqueue(str(out.id), msgs, now=self.clock())

    def write_events(self, events: Sequence[Event]) -> None:
        if not events:
            return
        with self._lock:
            if not self._announced:
                self.announce()
            self._alerts(vlm_alerts(events))
            self.engine.observe(events)
            if self._wanted("events"):
                self._enqueue("events", [event_message(e) for e in events])
            for name, state in self._ha.items():
                msgs = [m for m in (state.update(e) for e in events) if m is not None]
                if msgs:
                    self.outbox.enqueue(name, msgs, now=self.clock())

    def write_metrics(self, rows: Sequence[MetricRow]) -> None:
        with self._lock:
            if self._wanted("metrics"):
                self._enqueue("metrics", [metric_message(r) for r in rows])

    def _alerts(self, changes: Iterable[AlertChange]) -> list[AlertChange]:
        changes = list(changes)
        if changes:
            apply_changes(self.store, changes)
            self._enqueue("alerts", [alert_message(c) for c in changes])
            self.alert_changes += changes
        return changes

    def advance(self, marks: Mapping[str, float | None]) -> list[AlertChange]:
        """Evaluate each camera's rules up to its watermark (capture time)."""
        with self._lock:
            out: list[AlertChange] = []
            for camera_id, mark in marks.items():
                if mark is not None:
                    out += self.engine.advance(camera_id, mark)
            out += self.engine.tick(self.clock())
            return self._alerts(out)

    def finish(self, camera_id: str, until: float) -> list[AlertChange]:
        """The camera's footage ended at capture time ``until``."""
        with self._lock:
            return self._alerts(self.engine.finish(camera_id, until))

    def camera_state(self, camera_id: str, up: bool) -> list[AlertChange]:
        with self._lock:
            return self._alerts(self.engine.camera_state(camera_id, up, self.clock()))

    def close(self) -> None:
        pass


VLM_ALERT = "vlm_alert"
# The describer's schema grades alerts low/medium/high; rule alerts use info/warning/critical.
VLM_SEVERITY = {"low": "info", "medium": "warning", "high": "critical"}


def vlm_alerts(events: Iterable[Event]) -> list[AlertChange]:
    """Alerts a describer (VLM) raised, as events of kind ``vlm_alert`` (``properties``
    ``alert_kind``, ``severity`` low/medium/high, ``reason``: see the event schema): each opens an
    alert at its capture time, which stays open until someone acknowledges or resolves it (a
    model's observation has no "cleared")."""
    out = []
    for ev in events:
        if ev.kind != VLM_ALERT:
            continue
        props = ev.properties
        rule_id = str(props.get("alert_kind") or "vlm")
        severity = VLM_SEVERITY.get(str(props.get("severity")), "warning")
        aid = alert_id(ev.site_id, rule_id, ev.camera_id, ev.scope_id, ev.time)
        message = f"{rule_id}: {props.get('reason') or 'the describer raised an alert'}"
        out.append(
            AlertChange(
                aid,
                "opened",
                ev.site_id,
                ev.camera_id,
                rule_id,
                VLM_ALERT,
                ev.scope_id,
                severity,
                ev.time,
                ev.time,
                None,
                None,
                message[:1000],
                0,
            )
        )
    return out


def outward_of(bus: Any) -> OutwardSink | None:
    """The site's outward sink among a bus's consumers (``None`` when the site has no alerts
    and no outputs): pipelines hand it their capture-time watermarks."""
    for sub in getattr(bus, "subscriptions", ()):
        if isinstance(sub.consumer, OutwardSink):
            return sub.consumer
    return None


def attach(bus: Any, site: SiteConfig, store: Store | None) -> None:
    """Bus attacher (``events.bus.ATTACHERS``): alert rules and outputs for sites that have any.

    Inline: the outbox rows are written right after the store write, in the same order, so a
    message is enqueued exactly when its event is stored and a crash in between loses nothing
    that a re-run would not enqueue again (ids are stable)."""
    if store is not None and (site.alerts or site.outputs):
        bus.subscribe(OutwardSink(store, site), inline=True)
