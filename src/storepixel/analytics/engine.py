"""One camera's analytics: tracks in, "pixel" events and per-minute metric rows out.

``CameraAnalytics`` wires the metric families (lines, zones, queues, visits, occupancy, heatmap,
transitions) to one camera's configuration. It does no I/O. Only *confirmed* tracks — matched in
this frame — are counted, at their foot points. *Lost* tracks are people the tracker still holds
but does not see (hidden): their positions (the tracker's predictions) are ignored, and their
camera visit, and a zone visit they were last seen inside, stay open while the tracker holds
them (at most ``MAX_HIDDEN_S``), so a person recovered after hiding behind another is one stay.
Vanished tracks are unseen: their visits end after the exit grace, dated to the last sighting.
*Tentative* tracks are held back: their sightings are kept for up to ``BACKFILL_S``, and when the
tracker confirms the track (same id) they are replayed into the lines, zones and camera visits
first, so a visit starts when the person was first seen rather than a few frames later, and a
line crossed while the track was still tentative counts. A tentative track that dies never counts.
Foot points are normalised with the frame size at this boundary, so geometry survives a change of
resolution. Capture time drives everything.

>>> from storepixel.config.site import CameraConfig
>>> cam = CameraConfig.model_validate({"id": "cam1",
...     "lines": [{"id": "door", "points": [[0.0, 0.5], [1.0, 0.5]]}],
...     "zones": [{"id": "aisle", "polygon": [[0, 0.6], [1, 0.6], [1, 1], [0, 1]]}]})
>>> ca = CameraAnalytics("demo", cam, run_anchor=1714557600.0)
>>> walk = [(0.5, y) for y in (0.3, 0.4, 0.55, 0.7, 0.8, 0.8, 0.8, 0.8)]  # 1 fps, 640x480
>>> events = []
>>> for i, (x, y) in enumerate(walk):
...     box = [[x * 640 - 20, y * 480 - 100, x * 640 + 20, y * 480]]
...     events += ca.update(Tracks([3], box, [0.9], [TrackState.CONFIRMED]), 1714557600.0 + i,
...                         (640, 480))
>>> events += ca.flush(1714557600.0 + len(walk))
>>> [e.kind for e in events]
['visit_start', 'line_crossing', 'zone_enter', 'zone_exit', 'visit_end']
>>> ca.summary()["lines"], ca.summary()["zones"]["aisle"]["dwell_p50_s"]
({'door': {'in': 1, 'out': 0}}, 4.0)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np

from storepixel.analytics.geometry import Polygon, to_normalised
from storepixel.analytics.heatmap import Heatmap
from storepixel.analytics.lines import Crossing, LineCounter
from storepixel.analytics.occupancy import BUCKET_S, Bucket, StepSeries, bucket_start
from storepixel.analytics.people import PeopleRoles, PeopleRules
from storepixel.analytics.queues import QueueCounter
from storepixel.analytics.shelves import ShelfAnalytics, ShelfOutcome
from storepixel.analytics.transitions import TransitionCounter
from storepixel.analytics.visits import MAX_HIDDEN_S, VisitChange, VisitCounter
from storepixel.analytics.zones import ZoneChange, ZoneCounter
from storepixel.config.site import CameraConfig
from storepixel.events.ids import event_id, track_pseudonym
from storepixel.types import Event, EventKind, MetricRow, Tracks, TrackState

# Within one capture time, events sort in the order a person lives them.
_KIND_ORDER = {
    EventKind.VISIT_START: 0,
    EventKind.ZONE_ENTER: 1,
    EventKind.QUEUE_JOIN: 1,
    EventKind.LINE_CROSSING: 2,
    EventKind.ZONE_EXIT: 3,
    EventKind.QUEUE_LEAVE: 3,
    EventKind.VISIT_END: 4,
    EventKind.SHELF_PASS: 3,
    EventKind.SHELF_ATTENTION: 3,
    EventKind.SHELF_REACH: 3,
}
CAMERA_SCOPE = "*"
BACKFILL_S = 2.0  # sightings of a tentative track older than this are not credited to it
ROW_HISTORY = 50_000  # minute rows kept for ``metric_rows()`` (weeks of a typical camera)


@dataclass(slots=True)
class _Mean:
    total: float = 0.0
    n: int = 0


def _percentile(values: list[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 3) if values else None


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)


class CameraAnalytics:
    """All metric families for one camera of one site, fed one frame of tracks at a time.

    ``run_anchor`` is the capture time the run started from (the footage's start for a file): it
    seeds the pseudonymous track ids, so the same footage analysed with the same start gives the
    same events and ids. ``max_gap_s`` (default: 2 s or three analysis intervals, whichever is
    longer) is the longest frame interval still counted as analysed time. ``visit_grace_s``
    (default: the longest zone exit grace, at least 2 s) is how long an unseen person's camera
    visit stays open.
    """

    def __init__(
        self,
        site_id: str,
        camera: CameraConfig,
        run_anchor: float,
        *,
        max_gap_s: float | None = None,
        visit_grace_s: float | None = None,
        heatmap_grid: tuple[int, int] = (48, 64),
        bucket_s: float = BUCKET_S,
        people: PeopleRules | None = None,
    ) -> None:
        self.site_id = site_id
        self.camera = camera
        self.camera_id = camera.id
        self.run_anchor = float(run_anchor)
        self.max_gap_s = max_gap_s if max_gap_s is not None else max(2.0, 3.0 / camera.analysis_fps)
        self.bucket_s = float(bucket_s)
        self.lines = {
            ln.id: LineCounter(
                ln.id, ln.points[0], ln.points[1], ln.hysteresis, hidden_side=ln.hidden_side
            )
            for ln in camera.lines
        }
        self.zones: dict[str, ZoneCounter] = {}
        for z in camera.zones:
            cls = QueueCounter if z.kind == "queue" else ZoneCounter
            self.zones[z.id] = cls(z.id, z.polygon, z.presence_s, z.grace_s, z.hysteresis)
        self.zone_kind = {z.id: z.kind for z in camera.zones}
        self.staff_zones = [Polygon(z.polygon) for z in camera.zones if z.kind == "staff"]
        self.roles = PeopleRoles(people)
        self.ended_visits: list[tuple[str, int | None]] = []  # (role, group) of each ended visit
        self.shelves = (
            ShelfAnalytics([(s.id, s.polygon, s.min_attention_s) for s in camera.shelves])
            if camera.shelves
            else None
        )
        grace = max([2.0, *(z.grace_s for z in camera.zones)])
        self.visits = VisitCounter(visit_grace_s if visit_grace_s is not None else grace)
        self.heatmap = Heatmap(heatmap_grid, self.max_gap_s)
        self.transitions = TransitionCounter()
        self.people = StepSeries(self.max_gap_s, self.bucket_s)  # confirmed people in view
        self.zone_series = {zid: StepSeries(self.max_gap_s, self.bucket_s) for zid in self.zones}
        self.frames = 0
        self.skipped_frames = 0  # frames whose capture time went backwards (ignored)
        self.first_time: float | None = None
        self.last_time: float | None = None
        self.finished = False
        # Events can be dated up to this long before the frame that reveals them.
        self._backdate_s = (
            max([0.0, *(z.presence_s for z in camera.zones), *(z.grace_s for z in camera.zones)])
            + self.visits.grace_s
            + MAX_HIDDEN_S
            + self.max_gap_s
            + BACKFILL_S
        )
        self._tentative: dict[int, list[tuple[float, np.ndarray]]] = {}
        self._counts: dict[tuple[str, str], dict[float, int]] = defaultdict(dict)
        self._means: dict[tuple[str, str], dict[float, _Mean]] = defaultdict(dict)
        self._rows: list[MetricRow] = []
        self._drained = 0

    # --- per frame ------------------------------------------------------------------------------

    def update(self, tracks: Tracks, timestamp: float, frame_size: tuple[int, int]) -> list[Event]:
        """One analysed frame: ``tracks`` from the tracker, capture ``timestamp`` (POSIX s) and
        ``frame_size = (width, height)`` in pixels. Returns the events it revealed, in time order
        (some are dated earlier than ``timestamp``: an enter once minimum presence is met, an exit
        once the grace has passed)."""
        t = float(timestamp)
        if self.last_time is not None and t < self.last_time:
            self.skipped_frames += 1  # a source glitch; counting it would run time backwards
            return []
        self.finished = False
        if self.first_time is None:
            self.first_time = t
        self.last_time = t
        self.frames += 1
        seen = tracks.select(tracks.state == TrackState.CONFIRMED)
        ids = seen.ids
        points = to_normalised(seen.foot_points, frame_size)
        hidden = tracks.ids[tracks.state == TrackState.LOST]

        events = self._backfill(tracks, ids, frame_size, t)
        in_staff = np.zeros(len(ids), bool)
        for poly in self.staff_zones if len(ids) else []:
            in_staff |= poly.contains(points)
        self.roles.update(t, ids, seen.foot_points, seen.xyxy[:, 3] - seen.xyxy[:, 1], in_staff)
        for change in self.visits.update(ids, t, hidden):
            events.append(self._visit_event(change))
        for counter in self.lines.values():
            events.extend(self._line_event(c) for c in counter.update(ids, points, t))
        for zid, zone in self.zones.items():
            events.extend(self._zone_event(c) for c in zone.update(ids, points, t, hidden))
            self.zone_series[zid].add(t, zone.occupancy)
        self.people.add(t, len(ids))
        self.heatmap.update(points, t)
        if self.shelves is not None:
            kp = None if seen.keypoints is None else seen.keypoints
            for outcome in self.shelves.update(t, ids, seen.xyxy, kp, frame_size):
                events.extend(self._shelf_events(outcome))
        return sorted(events, key=_event_order)

    def between(self, tracks: Tracks, timestamp: float, frame_size: tuple[int, int]) -> None:
        """A pose burst's frame between analysed ones (``Frame.between``): only the shelves'
        touch rule takes its keypoints; nothing else is counted on it."""
        if self.shelves is None or self.last_time is None or timestamp <= self.last_time:
            return
        seen = tracks.select(tracks.state == TrackState.CONFIRMED)
        self.shelves.between(timestamp, seen.ids, seen.xyxy, seen.keypoints, frame_size)

    def _backfill(
        self, tracks: Tracks, confirmed: np.ndarray, frame_size: tuple[int, int], t: float
    ) -> list[Event]:
        """Keep this frame's tentative sightings; replay those of tracks confirmed now."""
        tent = tracks.select(tracks.state == TrackState.TENTATIVE)
        for tid, point in zip(
            tent.ids.tolist(), to_normalised(tent.foot_points, frame_size), strict=True
        ):
            self._tentative.setdefault(int(tid), []).append((t, point))
        events: list[Event] = []
        # Every track the tracker holds now was held at the earlier times replayed here too.
        held = tracks.ids[tracks.state != TrackState.TENTATIVE]
        for tid in confirmed.tolist():
            for when, point in self._tentative.pop(int(tid), []):
                if t - when > BACKFILL_S:
                    continue
                one, pts = [int(tid)], point.reshape(1, 2)
                # Replayed for this track alone, at a time already processed: no other track's
                # visit can time out here that has not already.
                for vc in self.visits.update(one, when, held):
                    events.append(self._visit_event(vc))
                for counter in self.lines.values():
                    events.extend(self._line_event(c) for c in counter.update(one, pts, when))
                for zone in self.zones.values():
                    events.extend(self._zone_event(c) for c in zone.update(one, pts, when, held))
        # Tentative tracks that died: the tracker reports a tentative track only when it sees it.
        for tid in [k for k, v in self._tentative.items() if t - v[-1][0] > BACKFILL_S]:
            del self._tentative[tid]
        return events

    def flush(self, timestamp: float | None = None) -> list[Event]:
        """End of footage (or shutdown) at capture time ``timestamp``: close every open visit.

        Exits are dated to the last frame each person was seen inside. The last frame's values
        hold until ``timestamp``; when it is the last frame's own time (or ``None``) they hold for
        one more frame interval, like every other frame.
        """
        end = timestamp if timestamp is not None and timestamp != self.last_time else None
        events: list[Event] = []
        for zone in self.zones.values():
            events.extend(self._zone_event(c) for c in zone.flush(end or self.last_time or 0.0))
        events.extend(self._visit_event(c) for c in self.visits.flush())
        if self.shelves is not None:
            for outcome in self.shelves.flush():
                events.extend(self._shelf_events(outcome))
        self.transitions.end_all()
        for series in (self.people, *self.zone_series.values()):
            series.close(end)
        self.heatmap.close(end)
        self.finished = True
        self._finalise(float("inf"))
        return sorted(events, key=_event_order)

    # --- outputs --------------------------------------------------------------------------------

    def drain_metric_rows(self) -> list[MetricRow]:
        """Rows of minutes that can no longer change, not returned before (for live sinks)."""
        if not self.finished and self.last_time is not None:
            self._finalise(self.last_time - self._backdate_s)
        rows = self._rows[self._drained :]
        if len(self._rows) > ROW_HISTORY:  # a live camera runs for months: keep a window
            self._rows = self._rows[-ROW_HISTORY:]
        self._drained = len(self._rows)
        return rows

    def metric_rows(self) -> list[MetricRow]:
        """Every finalised minute row so far (after ``flush``: the whole footage; on a long live
        run, the most recent ``ROW_HISTORY`` rows)."""
        self.drain_metric_rows()
        return list(self._rows)

    def summary(self) -> dict[str, Any]:
        """The numbers of ``storepixel analyze --json``: line in/out; per zone visits, dwell p50/p90
        (s), time-weighted occupancy average and peak. ``None`` where there was no data. A queue
        zone's visits are its joins and its dwell its measured waits."""
        lines = {lid: {"in": c.in_count, "out": c.out_count} for lid, c in self.lines.items()}
        zones = {}
        for zid, zone in self.zones.items():
            series = self.zone_series[zid]
            zones[zid] = {
                "visits": zone.visits,
                "dwell_p50_s": _percentile(zone.dwells, 50),
                "dwell_p90_s": _percentile(zone.dwells, 90),
                "occupancy_avg": _round(series.average),
                "occupancy_peak": int(series.peak) if series.peak is not None else 0,
            }
        out: dict[str, Any] = {"lines": lines, "zones": zones, "people": self.people_summary()}
        if self.shelves is not None:
            out["shelves"] = self.shelf_summary()
        return out

    def people_summary(self) -> dict[str, int]:
        """Ended visits as people (as ``store.people.visit_summary``): customers, groups of
        them, customers in groups, alone, parties (groups + alone) and staff."""
        customers = [g for role, g in self.ended_visits if role == "customer"]
        groups = {g for g in customers if g is not None}
        alone = sum(g is None for g in customers)
        return {
            "customers": len(customers),
            "groups": len(groups),
            "in_groups": len(customers) - alone,
            "alone": alone,
            "parties": len(groups) + alone,
            "staff": len(self.ended_visits) - len(customers),
        }

    def shelf_summary(self) -> dict[str, dict[str, Any]]:
        """Per shelf over the footage so far: passers, stoppers (attention), reachers, touches,
        and attention seconds p50/p90 of the stoppers (``None`` with none)."""
        if self.shelves is None:
            return {}
        out: dict[str, dict[str, Any]] = {}
        for shelf in self.camera.shelves:
            done = [o for o in self.shelves.outcomes if o.shelf_id == shelf.id]
            passes = [o for o in done if o.frames >= 2]
            stops = [o.attention_s for o in passes if o.attention_s >= shelf.min_attention_s]
            reaches = [o for o in passes if o.touches]
            out[shelf.id] = {
                "passers": len(passes),
                "stoppers": len(stops),
                "reachers": len(reaches),
                "touches": sum(o.touches for o in reaches),
                "attention_p50_s": _percentile(stops, 50),
                "attention_p90_s": _percentile(stops, 90),
            }
        return out

    def queue_summary(self) -> dict[str, dict[str, Any]]:
        """Per queue zone: joins, measured wait p50/p90/max (s), length average and peak."""
        out: dict[str, dict[str, Any]] = {}
        for zid, zone in self.zones.items():
            if not isinstance(zone, QueueCounter):
                continue
            series = self.zone_series[zid]
            out[zid] = {
                "joins": zone.joins,
                "wait_p50_s": _percentile(zone.waits, 50),
                "wait_p90_s": _percentile(zone.waits, 90),
                "wait_max_s": _round(max(zone.waits)) if zone.waits else None,
                "length_avg": _round(series.average),
                "length_peak": int(series.peak) if series.peak is not None else 0,
            }
        return out

    def transition_counts(self) -> dict[tuple[str, str], int]:
        """``{(from_zone, to_zone): people}`` over the footage so far, most frequent first."""
        return self.transitions.counts()

    @property
    def covered_s(self) -> float:
        """Capture seconds actually analysed (gaps longer than ``max_gap_s`` excluded)."""
        return self.people.total_covered_s

    # --- events ---------------------------------------------------------------------------------

    def _track_id(self, tid: int) -> str:
        return track_pseudonym(self.site_id, self.camera_id, self.run_anchor, tid)

    def _event(
        self, kind: str, tid: int, time: float, scope: str | None, props: dict[str, object]
    ) -> Event:
        track_id = self._track_id(tid)
        return Event(
            id=event_id(kind, self.site_id, self.camera_id, scope, track_id, time),
            kind=kind,
            site_id=self.site_id,
            camera_id=self.camera_id,
            time=time,
            track_id=track_id,
            scope_id=scope,
            properties=props,
        )

    def _line_event(self, c: Crossing) -> Event:
        metric = "line_in" if c.direction == "in" else "line_out"
        self._count(c.line_id, metric, c.time)
        props: dict[str, object] = {"direction": c.direction, "line_id": c.line_id}
        return self._event(EventKind.LINE_CROSSING, c.track, c.time, c.line_id, props)

    def _zone_event(self, c: ZoneChange) -> Event:
        queue = self.zone_kind[c.zone_id] == "queue"
        props: dict[str, object] = {"zone_kind": self.zone_kind[c.zone_id]}
        if c.kind == "enter":
            self.transitions.add_enter(c.track, c.zone_id, c.time)
            self._count(c.zone_id, "queue_joins" if queue else "zone_enters", c.time)
            kind = EventKind.QUEUE_JOIN if queue else EventKind.ZONE_ENTER
            return self._event(kind, c.track, c.time, c.zone_id, props)
        dwell = round(float(c.dwell_s or 0.0), 3)
        self._mean(c.zone_id, "queue_wait_avg" if queue else "dwell_avg", c.time, dwell)
        props.update({"wait_s" if queue else "dwell_s": dwell, "ended_by": c.ended_by})
        kind = EventKind.QUEUE_LEAVE if queue else EventKind.ZONE_EXIT
        return self._event(kind, c.track, c.time, c.zone_id, props)

    def _shelf_events(self, o: ShelfOutcome) -> list[Event]:
        """A finished engagement as its pass, attention and reach events (a single-frame
        glimpse is not a pass)."""
        if o.frames < 2:
            return []
        shelf = self.camera.shelf(o.shelf_id)
        base: dict[str, object] = {
            "shelf_id": shelf.id,
            "product": shelf.product,
            "brand": shelf.brand,
            "category": shelf.category,
        }
        duration = round(o.end - o.start, 3)
        events = [
            self._event(EventKind.SHELF_PASS, o.track, o.start, shelf.id,
                        {**base, "duration_s": duration})
        ]  # fmt: skip
        if o.attention_start is not None and o.attention_s >= shelf.min_attention_s:
            props = {**base, "attention_s": o.attention_s}
            events.append(
                self._event(EventKind.SHELF_ATTENTION, o.track, o.attention_start, shelf.id, props)
            )
        if o.touch_start is not None and o.touches:
            props = {**base, "count": o.touches, "duration_s": o.touch_s}
            events.append(
                self._event(EventKind.SHELF_REACH, o.track, o.touch_start, shelf.id, props)
            )
        return events

    def _visit_event(self, c: VisitChange) -> Event:
        if c.kind == "start":
            self._count(CAMERA_SCOPE, "visits", c.time)
            return self._event(EventKind.VISIT_START, c.track, c.time, None, {})
        self.transitions.end_track(c.track)
        duration = round(float(c.duration_s or 0.0), 3)
        role, group, size = self.roles.end(c.track, duration_s=duration)
        self.ended_visits.append((role, group))
        props: dict[str, object] = {
            "duration_s": duration,
            "ended_by": c.ended_by,
            "role": role,
            "group_id": None if group is None else self._track_id(group),
            "group_size": size,
        }
        return self._event(EventKind.VISIT_END, c.track, c.time, None, props)

    # --- minute rows ----------------------------------------------------------------------------

    def _count(self, scope: str, metric: str, time: float) -> None:
        per = self._counts[(scope, metric)]
        b = bucket_start(time, self.bucket_s)
        per[b] = per.get(b, 0) + 1

    def _mean(self, scope: str, metric: str, time: float, value: float) -> None:
        m = self._means[(scope, metric)].setdefault(bucket_start(time, self.bucket_s), _Mean())
        m.total += value
        m.n += 1

    def _finalise(self, before: float) -> None:
        """Turn buckets ending at or before ``before`` into rows (each minute exactly once)."""
        zone_buckets = {zid: s.pop_until(before) for zid, s in self.zone_series.items()}
        by_start = {zid: {b.start: b for b in bs} for zid, bs in zone_buckets.items()}
        for frame_b in self.people.pop_until(before):
            self._rows.extend(self._bucket_rows(frame_b, by_start))

    def _bucket_rows(self, fb: Bucket, zone_b: dict[str, dict[float, Bucket]]) -> list[MetricRow]:
        start, cov, n = fb.start, min(fb.covered_s / self.bucket_s, 1.0), fb.samples
        rows: list[MetricRow] = []

        def row(scope: str, metric: str, value: float, samples: int = n) -> None:
            rows.append(
                MetricRow(self.site_id, self.camera_id, scope, metric, start, value, samples, cov)
            )

        def count(scope: str, metric: str) -> int:
            # Events dated into a minute already written (rare) are counted in this one.
            per = self._counts.get((scope, metric), {})
            return sum(per.pop(b) for b in [b for b in per if b <= start])

        def mean(scope: str, metric: str) -> None:
            per = self._means.get((scope, metric), {})
            parts = [per.pop(b) for b in [b for b in per if b <= start]]
            total, k = sum(p.total for p in parts), sum(p.n for p in parts)
            if k:
                row(scope, metric, total / k, k)

        if fb.average is not None:
            row(CAMERA_SCOPE, "people_avg", fb.average)
        if fb.peak is not None:
            row(CAMERA_SCOPE, "people_peak", fb.peak)
        row(CAMERA_SCOPE, "visits", count(CAMERA_SCOPE, "visits"))
        for lid in self.lines:
            row(lid, "line_in", count(lid, "line_in"))
            row(lid, "line_out", count(lid, "line_out"))
        for zid in self.zones:
            queue = self.zone_kind[zid] == "queue"
            zb = zone_b[zid].get(start)
            prefix = "queue_length" if queue else "occupancy"
            if zb is not None and zb.average is not None:
                row(zid, f"{prefix}_avg", zb.average)
            if zb is not None and zb.peak is not None:
                row(zid, f"{prefix}_peak", zb.peak)
            row(
                zid,
                "queue_joins" if queue else "zone_enters",
                count(zid, "queue_joins" if queue else "zone_enters"),
            )
            mean(zid, "queue_wait_avg" if queue else "dwell_avg")
        return rows


def _event_order(e: Event) -> tuple[float, int, str, str]:
    return (e.time, _KIND_ORDER.get(e.kind, 9), e.scope_id or "", e.track_id)
