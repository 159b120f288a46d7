"""Alert rules evaluated in capture time: events in, alert changes (opened, updated, resolved) out.

The engine rebuilds who is in each watched zone from the zone/queue events and evaluates each
rule on that step function, so an alert is dated to the capture time its condition became true
(not the moment the frame was processed). Events can be dated before the frame that revealed them
(an enter once minimum presence is met, an exit after the grace), so a camera is evaluated only up
to its *watermark*: the capture time before which every event has been handed over.

One ongoing condition is one alert: it opens when the condition becomes true, is updated when the
measured value reaches a new peak, and resolves once the condition has stayed clear for the rule's
``cooldown_s`` (dated to when it cleared); a recurrence within the cooldown continues the same
alert. Nothing here waits on a model: the rules only read events.

>>> from storepixel.config.site import parse_site
>>> site = parse_site({"site": {"id": "demo"}, "cameras": [{"id": "cam1", "zones": [
...     {"id": "till", "kind": "queue", "polygon": [[0, 0], [1, 0], [1, 1]]}]}],
...     "alerts": [{"id": "q", "rule": "queue_length_over", "zone": "till", "people": 1,
...                 "seconds": 5, "cooldown_s": 0}]})
>>> engine = AlertEngine(site)
>>> from storepixel.types import Event
>>> ev = lambda k, t, who: Event(f"{k}{t}{who}", k, "demo", "cam1", t, who, "till")
>>> engine.observe([ev("queue_join", 10.0, "a"), ev("queue_join", 12.0, "b"),
...                 ev("queue_leave", 30.0, "b")])
>>> [(c.change, c.time, c.value) for c in engine.advance("cam1", 40.0)]
[('opened', 17.0, 2.0), ('resolved', 30.0, 1.0)]
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from storepixel.config.integrations import AlertRuleConfig, parse_hours
from storepixel.config.site import SiteConfig
from storepixel.types import Event, EventKind

Change = Literal["opened", "updated", "resolved"]
_ENTER = {EventKind.ZONE_ENTER: +1, EventKind.QUEUE_JOIN: +1}
_EXIT = {EventKind.ZONE_EXIT: -1, EventKind.QUEUE_LEAVE: -1}
_VISIT = {EventKind.VISIT_START: +1, EventKind.VISIT_END: -1}
CAMERA_SCOPE = "*"


@dataclass(frozen=True, slots=True)
class AlertChange:
    """One step of one alert's life, at capture time ``time`` (wall time for camera_down)."""

    alert_id: str
    change: Change
    site_id: str
    camera_id: str
    rule_id: str
    rule: str
    scope_id: str | None
    severity: str
    time: float
    started_at: float
    value: float | None
    peak: float | None
    message: str
    seq: int  # 0 when opened, then 1, 2… for each later change of the same alert

    @property
    def message_id(self) -> str:
        """Unique per change: what receivers de-duplicate on."""
        return f"{self.alert_id}:{self.seq}"


def alert_id(site_id: str, rule_id: str, camera_id: str, scope_id: str | None, t: float) -> str:
    text = "\x1f".join((site_id, rule_id, camera_id, scope_id or "", f"{t:.3f}"))
    return "a" + hashlib.sha256(text.encode()).hexdigest()[:31]


@dataclass(slots=True)
class _Open:
    id: str
    started: float
    peak: float
    value: float
    seq: int = 0
    cleared_at: float | None = None  # the condition is false since then (resolve pending)


@dataclass(slots=True)
class _Watch:
    """One rule on one camera: who is in its scope, and the rule's condition over time."""

    rule: AlertRuleConfig
    site_id: str
    camera_id: str
    scope_id: str | None
    tz: ZoneInfo
    members: dict[str, float] = field(default_factory=dict)  # track → when they entered
    pending: list[tuple[float, int, int, str]] = field(default_factory=list)  # heap
    cursor: float = -math.inf
    raw_since: float | None = None
    alert: _Open | None = None
    counter: int = 0

    # --- input ----------------------------------------------------------------------------

    def change(self, t: float, delta: int, who: str) -> None:
        self.counter += 1
        # Exits sort before enters at the same instant: a hand-over is not two people at once.
        heapq.heappush(self.pending, (t, delta, self.counter, who))

    # --- evaluation ---------------------------------------------------------------------------

    def advance(self, until: float) -> list[AlertChange]:
        out: list[AlertChange] = []
        if self.cursor == -math.inf:  # not started: evaluation begins at the first change
            self.cursor = self.pending[0][0] if self.pending else until
        while self.pending and self.pending[0][0] <= until:
            t, delta, _, who = heapq.heappop(self.pending)
            t = max(t, self.cursor)  # a late event is applied where evaluation stands
            self._segment(self.cursor, t, out)
            if delta > 0:
                self.members.setdefault(who, t)
            else:
                self.members.pop(who, None)
            self.cursor = t
            if not self.pending or self.pending[0][0] > t:
                self._instant(t, out)  # every change at this instant applied
        self._segment(self.cursor, until, out)
        self.cursor = max(self.cursor, until)
        return out

    def finish(self, until: float) -> list[AlertChange]:
        """End of footage: evaluate to ``until`` and complete a pending resolve at once."""
        out = self.advance(until)
        if self.alert is not None and self.alert.cleared_at is not None:
            self.alert.seq += 1
            out.append(self._emit("resolved", self.alert.cleared_at, float(len(self.members))))
            self.alert = None
        return out

    def _segment(self, a: float, b: float, out: list[AlertChange]) -> None:
        """Membership is constant on [a, b): find where the condition turns true or false."""
        if b <= a:
            return
        for lo, hi, outside in self._hour_pieces(a, b):
            self._piece(lo, hi, outside, out)
        self._settle(b, out)

    def _instant(self, t: float, out: list[AlertChange]) -> None:
        """After membership changed at ``t``: a condition that no longer holds clears now."""
        if self.alert is None or self.alert.cleared_at is not None:
            return
        rule, n = self.rule, len(self.members)
        if rule.rule in ("dwell_over", "wait_over"):
            holds = bool(self.members) and t >= min(self.members.values()) + rule.seconds
        elif rule.rule in ("zone_outside_hours", "camera_down"):
            holds = n > 0
        else:
            holds = n > (rule.people or 0)
        if not holds:
            self.raw_since = None
            self._false(t)
            self._settle(t, out)

    def _hour_pieces(self, a: float, b: float) -> Iterable[tuple[float, float, bool]]:
        if self.rule.rule != "zone_outside_hours" or not self.members:
            yield a, b, False
            return
        t = a
        while t < b:
            outside, nxt = _outside_hours(self.rule.hours, t, self.tz)
            yield t, min(b, nxt), outside
            t = nxt

    def _piece(self, a: float, b: float, outside: bool, out: list[AlertChange]) -> None:
        """One stretch [a, b) on which the rule's raw condition is constant."""
        rule, n = self.rule, len(self.members)
        start: float | None  # when the condition is (or becomes) true on this stretch
        if rule.rule in ("dwell_over", "wait_over"):
            self.raw_since = None
            start = min(self.members.values()) + rule.seconds if self.members else None
        else:
            if rule.rule == "zone_outside_hours":
                raw = n > 0 and outside
            elif rule.rule == "camera_down":
                raw = n > 0
            else:
                raw = n > (rule.people or 0)
            if not raw:
                self.raw_since = None
            elif self.raw_since is None:
                self.raw_since = a
            start = None if self.raw_since is None else self.raw_since + rule.seconds
        if start is None or start >= b:
            self._false(a)
            return
        if start > a:
            self._false(a)
        self._true(max(a, start), float(n), out)

    def _true(self, t: float, value: float, out: list[AlertChange]) -> None:
        self._settle(t, out)
        alert = self.alert
        if alert is None:
            aid = alert_id(self.site_id, self.rule.id, self.camera_id, self.scope_id, t)
            self.alert = _Open(aid, t, value, value)
            out.append(self._emit("opened", t, value))
            return
        recurred = alert.cleared_at is not None
        alert.cleared_at = None
        if recurred or value > alert.peak:
            alert.peak = max(alert.peak, value)
            alert.seq += 1
            out.append(self._emit("updated", t, value))

    def _false(self, t: float) -> None:
        if self.alert is not None and self.alert.cleared_at is None:
            self.alert.cleared_at = t

    def _settle(self, now: float, out: list[AlertChange]) -> None:
        alert = self.alert
        cleared = None if alert is None else alert.cleared_at
        if alert is not None and cleared is not None and now >= cleared + self.rule.cooldown_s:
            alert.seq += 1
            out.append(self._emit("resolved", cleared, float(len(self.members))))
            self.alert = None

    def _emit(self, change: Change, t: float, value: float) -> AlertChange:
        alert = self.alert
        assert alert is not None
        alert.value = value
        return AlertChange(
            alert_id=alert.id,
            change=change,
            site_id=self.site_id,
            camera_id=self.camera_id,
            rule_id=self.rule.id,
            rule=self.rule.rule,
            scope_id=self.scope_id,
            severity=self.rule.severity,
            time=t,
            started_at=alert.started,
            value=value,
            peak=alert.peak,
            message=describe(self.rule, self.camera_id, value, change),
            seq=alert.seq,
        )


def describe(rule: AlertRuleConfig, camera_id: str, value: float, change: Change) -> str:
    """A one-line, human message for an alert change."""
    where = f"zone {rule.zone} on {camera_id}" if rule.zone else f"camera {camera_id}"
    n = int(value)
    what = {
        "queue_length_over": f"{n} in the queue at {where} (limit {rule.people}, "
        f"for {rule.seconds:g} s)",
        "occupancy_over": f"{n} people in {where} (limit {rule.people}, for {rule.seconds:g} s)",
        "wait_over": f"someone has waited over {rule.seconds:g} s at {where}",
        "dwell_over": f"someone has stayed over {rule.seconds:g} s in {where}",
        "zone_outside_hours": f"someone in {where} outside opening hours ({', '.join(rule.hours)})",
        "camera_down": f"{where} has sent no frames for over {rule.seconds:g} s",
    }[rule.rule]
    return f"{rule.id}: {'cleared: ' if change == 'resolved' else ''}{what}"


def _outside_hours(hours: Sequence[str], t: float, tz: ZoneInfo) -> tuple[bool, float]:
    """Whether capture time ``t`` is outside every opening span (site time), and the next time
    that can change (the next span boundary, at most a day later)."""
    local = datetime.fromtimestamp(t, tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    minute = (local - midnight).total_seconds() / 60
    inside = False
    bounds: list[float] = [24 * 60]
    for text in hours:
        start, end = parse_hours(text)
        bounds += [start, end]
        inside |= start <= minute < end if start < end else minute >= start or minute < end
    nxt = min(b for b in bounds if b > minute) if any(b > minute for b in bounds) else 24 * 60
    boundary = (midnight + timedelta(minutes=nxt)).timestamp()
    return not inside, max(boundary, t + 1e-3)


class AlertEngine:
    """Every alert rule of a site, on every camera it applies to."""

    def __init__(self, site: SiteConfig) -> None:
        self.site_id = site.site.id
        tz = site.site.tz
        self._zone_watches: dict[tuple[str, str], list[_Watch]] = {}
        self._camera_watches: dict[str, list[_Watch]] = {}
        self._down_watches: dict[str, list[_Watch]] = {}
        for rule in site.alerts:
            for cam in site.cameras:
                if rule.camera not in (None, cam.id):
                    continue
                if rule.zone is not None and all(z.id != rule.zone for z in cam.zones):
                    continue
                watch = _Watch(rule, self.site_id, cam.id, rule.zone, tz)
                if rule.rule == "camera_down":
                    self._down_watches.setdefault(cam.id, []).append(watch)
                elif rule.zone is None:
                    self._camera_watches.setdefault(cam.id, []).append(watch)
                else:
                    self._zone_watches.setdefault((cam.id, rule.zone), []).append(watch)

    @property
    def empty(self) -> bool:
        return not (self._zone_watches or self._camera_watches or self._down_watches)

    def _watches(self, camera_id: str) -> list[_Watch]:
        found = [w for (cam, _), ws in self._zone_watches.items() if cam == camera_id for w in ws]
        return found + self._camera_watches.get(camera_id, [])

    def observe(self, events: Iterable[Event]) -> None:
        """Take events (any order within a camera's unevaluated window)."""
        for ev in events:
            if ev.kind in _ENTER or ev.kind in _EXIT:
                delta = _ENTER.get(ev.kind) or _EXIT[ev.kind]
                for w in self._zone_watches.get((ev.camera_id, ev.scope_id or ""), ()):
                    w.change(ev.time, delta, ev.track_id)
            elif ev.kind in _VISIT:
                for w in self._camera_watches.get(ev.camera_id, ()):
                    w.change(ev.time, _VISIT[ev.kind], ev.track_id)

    def start(self, camera_id: str, t: float) -> None:
        """Evaluation of ``camera_id`` starts at capture time ``t`` (its first frame)."""
        for w in self._watches(camera_id):
            if w.cursor == -math.inf:
                w.cursor = t

    def advance(self, camera_id: str, until: float) -> list[AlertChange]:
        """Evaluate ``camera_id`` up to its watermark ``until``; the changes in time order."""
        out = [c for w in self._watches(camera_id) for c in w.advance(until)]
        return sorted(out, key=lambda c: (c.time, c.seq))

    def finish(self, camera_id: str, until: float) -> list[AlertChange]:
        """End of the camera's footage at ``until``: evaluate and resolve what has cleared."""
        out = [c for w in self._watches(camera_id) for c in w.finish(until)]
        return sorted(out, key=lambda c: (c.time, c.seq))

    def camera_state(self, camera_id: str, up: bool, now: float) -> list[AlertChange]:
        """A camera's frames stopped (``up=False``) or resumed, at wall time ``now``."""
        out: list[AlertChange] = []
        for w in self._down_watches.get(camera_id, ()):
            if w.cursor == -math.inf:
                w.cursor = now
            w.change(now, -1 if up else +1, "down")
            out += w.advance(now)
        return out

    def tick(self, now: float) -> list[AlertChange]:
        """Wall-clock tick for camera_down rules (a camera that is down sends no events)."""
        return [
            c
            for ws in self._down_watches.values()
            for w in ws
            if w.cursor != -math.inf
            for c in w.advance(now)
        ]
