"""CameraAnalytics end to end on scripted tracks: events, ids, states, metrics, summary."""

from __future__ import annotations

import numpy as np
import pytest

from storepixel.analytics.engine import CameraAnalytics
from storepixel.config.site import CameraConfig
from storepixel.events.ids import track_pseudonym
from storepixel.events.schema import validate_event
from storepixel.types import Event, Tracks, TrackState

T0 = 1714557600.0  # 2024-05-01T10:00:00Z
C, L, T = TrackState.CONFIRMED, TrackState.LOST, TrackState.TENTATIVE

CAMERA = CameraConfig.model_validate(
    {
        "id": "cam1",
        "lines": [{"id": "entrance", "points": [[0.1, 0.6], [0.9, 0.6]]}],
        "zones": [
            {"id": "aisle", "polygon": [[0.2, 0.7], [0.5, 0.7], [0.5, 1.0], [0.2, 1.0]]},
            {
                "id": "till",
                "kind": "queue",
                "polygon": [[0.5, 0.7], [0.9, 0.7], [0.9, 1.0], [0.5, 1.0]],
                "min_presence_s": 2,
                "exit_grace_s": 2,
            },
        ],
    }
)


def tracks(people: list[tuple[int, float, float, int]], size: tuple[int, int]) -> Tracks:
    """``people``: (id, foot x, foot y, state) with normalised feet, boxes in pixels."""
    w, h = size
    if not people:
        return Tracks.empty()
    boxes = [[x * w - 15, y * h - 90, x * w + 15, y * h] for _, x, y, _ in people]
    return Tracks([p[0] for p in people], boxes, [0.9] * len(people), [p[3] for p in people])


def shopper(t: float) -> tuple[float, float] | None:
    """Walks down through the entrance, browses the aisle, queues at the till, leaves."""
    if t < 4:
        return 0.3, 0.415 + 0.1 * t  # crosses y = 0.6 at t = 1.85, in the aisle from t = 2.95
    if t < 12:
        return 0.3, 0.8
    if t < 25:
        return 0.7, 0.8  # the till queue
    if t < 28:
        return 0.97, 0.75  # off to the right, beside the till
    return None


def run(size: tuple[int, int] = (640, 480), fps: float = 5.0, camera: CameraConfig = CAMERA):
    ca = CameraAnalytics("demo", camera, run_anchor=T0)
    events: list[Event] = []
    n = int(32 * fps)
    for i in range(n):
        t = i / fps
        pos = shopper(t)
        people = [(1, *pos, C)] if pos else []
        people.append((9, 0.35, 0.85, T))  # a tentative ghost in the aisle: never counts
        events += ca.update(tracks(people, size), T0 + t, size)
    events += ca.flush(T0 + n / fps)
    return ca, events


def test_a_shoppers_journey_as_events() -> None:
    ca, events = run()
    kinds = [(e.kind, e.scope_id, round(e.time - T0, 1)) for e in events]
    assert kinds == [
        ("visit_start", None, 0.0),
        ("line_crossing", "entrance", 2.0),
        ("zone_enter", "aisle", 3.0),
        ("zone_exit", "aisle", 11.8),
        ("queue_join", "till", 12.0),
        ("queue_leave", "till", 24.8),
        ("visit_end", None, 27.8),
    ]
    assert events[1].properties["direction"] == "in"
    assert events[3].properties["dwell_s"] == pytest.approx(8.8)
    assert events[5].properties["wait_s"] == pytest.approx(12.8)
    assert {e.track_id for e in events} == {track_pseudonym("demo", "cam1", T0, 1)}
    for e in events:
        validate_event(e)  # every event matches the published schema
    assert ca.transition_counts() == {("aisle", "till"): 1}


def test_summary_has_the_cli_json_shape() -> None:
    ca, _ = run()
    s = ca.summary()
    assert s["lines"] == {"entrance": {"in": 1, "out": 0}}
    aisle = s["zones"]["aisle"]
    assert aisle["visits"] == 1 and aisle["dwell_p50_s"] == pytest.approx(8.8)
    assert aisle["occupancy_peak"] == 1
    # In the aisle from t=3 to t=12 (the last frame inside holds until the next) out of 32 s.
    assert aisle["occupancy_avg"] == pytest.approx(9.0 / 32.0, abs=1e-3)
    assert set(s["zones"]["till"]) == {
        "visits",
        "dwell_p50_s",
        "dwell_p90_s",
        "occupancy_avg",
        "occupancy_peak",
    }
    q = ca.queue_summary()["till"]
    assert q["joins"] == 1 and q["wait_p50_s"] == pytest.approx(12.8)


def test_same_footage_gives_the_same_event_ids() -> None:
    _, a = run()
    _, b = run()
    assert [e.id for e in a] == [e.id for e in b]


def test_geometry_survives_a_resolution_change() -> None:
    _, small = run((640, 360))
    _, big = run((1920, 1080))
    assert [(e.id, e.kind) for e in small] == [(e.id, e.kind) for e in big]


def test_frame_rate_changes_little() -> None:
    fast, _ = run(fps=10.0)
    slow, _ = run(fps=2.0)
    assert fast.summary()["lines"] == slow.summary()["lines"]
    f, s = fast.summary()["zones"]["aisle"], slow.summary()["zones"]["aisle"]
    assert f["visits"] == s["visits"] == 1
    assert f["dwell_p50_s"] == pytest.approx(s["dwell_p50_s"], abs=2 / 2.0)  # two frames
    assert f["occupancy_avg"] == pytest.approx(s["occupancy_avg"], abs=0.02)


def test_hidden_tracks_keep_their_visits_and_end_at_the_last_sighting() -> None:
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    ev: list[Event] = []
    for i in range(10):
        ev += ca.update(tracks([(1, 0.3, 0.8, C)], size), T0 + i * 0.2, size)
    for i in range(10, 35):  # lost for 5 s (> 2 s grace), predicted far away: one stay all the same
        ev += ca.update(tracks([(1, 0.9, 0.1, L)], size), T0 + i * 0.2, size)
        assert ca.zones["aisle"].occupancy == 1  # judged by where they were last seen
    for i in range(35, 40):
        ev += ca.update(tracks([(1, 0.3, 0.8, C)], size), T0 + i * 0.2, size)
    assert [e.kind for e in ev] == ["visit_start", "zone_enter"]
    for i in range(40, 50):  # lost for 2 s, then given up by the tracker
        ev += ca.update(tracks([(1, 0.3, 0.8, L)], size), T0 + i * 0.2, size)
    for i in range(50, 70):
        ev += ca.update(tracks([], size), T0 + i * 0.2, size)
    ev += ca.flush()
    ends = [(e.kind, round(e.time - T0, 1)) for e in ev[2:]]
    assert ends == [("zone_exit", 7.8), ("visit_end", 7.8)]  # the last sighting
    assert ev[2].properties["dwell_s"] == pytest.approx(7.8)
    assert ca.summary()["zones"]["aisle"]["visits"] == 1


def test_a_hidden_visit_open_at_the_end_is_closed_once() -> None:
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    ev: list[Event] = []
    for i in range(10):
        ev += ca.update(tracks([(1, 0.3, 0.8, C)], size), T0 + i * 0.2, size)
    for i in range(10, 25):
        ev += ca.update(tracks([(1, 0.3, 0.8, L)], size), T0 + i * 0.2, size)
    ev += ca.flush()
    ev += ca.flush()
    kinds = [(e.kind, round(e.time - T0, 1), e.properties.get("ended_by")) for e in ev]
    assert kinds == [
        ("visit_start", 0.0, None),
        ("zone_enter", 0.0, None),
        ("zone_exit", 1.8, "end"),
        ("visit_end", 1.8, "end"),
    ]
    assert len({e.id for e in ev}) == len(ev)


def test_crediting_a_newcomer_does_not_end_a_hidden_persons_visit() -> None:
    """Person 1 is hidden past the grace while person 2's tentative sightings are replayed at
    earlier times: the replay must not end person 1's stay."""
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    ev: list[Event] = []
    for i in range(6):  # 0-1 s
        ev += ca.update(tracks([(1, 0.3, 0.8, C)], size), T0 + i * 0.2, size)
    for i in range(6, 25):  # 1.2-4.8 s hidden; person 2 tentative at 3.2-3.4 s, confirmed after
        state = T if i < 18 else C
        two = [(2, 0.7, 0.3, state)] if i >= 16 else []
        ev += ca.update(tracks([(1, 0.3, 0.8, L), *two], size), T0 + i * 0.2, size)
    for i in range(25, 30):
        ev += ca.update(tracks([(1, 0.3, 0.8, C), (2, 0.7, 0.3, C)], size), T0 + i * 0.2, size)
    ev += ca.flush()
    one = [(e.kind, round(e.time - T0, 1)) for e in ev if e.track_id == ev[0].track_id]
    assert one == [
        ("visit_start", 0.0),
        ("zone_enter", 0.0),
        ("zone_exit", 5.8),
        ("visit_end", 5.8),
    ]
    assert [e.kind for e in ev].count("visit_start") == 2


def test_tentative_tracks_never_count() -> None:
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    ev = []
    for i in range(50):
        ev += ca.update(tracks([(4, 0.3, 0.4 + 0.01 * i, T)], size), T0 + i * 0.2, size)
    ev += ca.flush()
    assert ev == [] and ca.summary()["lines"]["entrance"] == {"in": 0, "out": 0}


def test_a_confirmed_track_is_credited_from_its_first_tentative_sighting() -> None:
    # Tentative for 3 frames (0.0-0.4 s), crossing the entrance and stepping into the aisle, then
    # confirmed under the same id: the visit, the crossing and the zone visit date back to then.
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    path = [0.55, 0.62, 0.75, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    ev: list[Event] = []
    for i, y in enumerate(path):
        ev += ca.update(tracks([(7, 0.3, y, T if i < 3 else C)], size), T0 + i * 0.2, size)
    ev += ca.flush()
    when = {e.kind: round(e.time - T0, 1) for e in ev}
    assert when["visit_start"] == 0.0
    assert when["line_crossing"] == 0.2
    assert when["zone_enter"] == 0.4 and when["zone_exit"] == 1.8
    assert ca.summary()["zones"]["aisle"]["dwell_p50_s"] == pytest.approx(1.4)
    assert ev == sorted(ev, key=lambda e: e.time)


def test_old_tentative_sightings_are_not_credited() -> None:
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    ca.update(tracks([(7, 0.3, 0.8, T)], size), T0, size)  # seen once, then nothing for 5 s
    ev = ca.update(tracks([(7, 0.3, 0.8, C)], size), T0 + 5.0, size)
    assert [(e.kind, e.time - T0) for e in ev] == [("visit_start", 5.0)]


def test_metric_rows_have_coverage_and_sample_counts() -> None:
    ca, _ = run()
    rows = ca.metric_rows()
    by = {(r.scope_id, r.metric): r for r in rows}
    assert {r.bucket_start for r in rows} == {T0}
    assert by[("entrance", "line_in")].value == 1 and by[("entrance", "line_out")].value == 0
    assert by[("*", "visits")].value == 1
    occ = by[("aisle", "occupancy_avg")]
    assert occ.sample_count == 160 and occ.coverage == pytest.approx(32.0 / 60.0)
    assert occ.value == pytest.approx(9.0 / 32.0, abs=1e-3)
    assert by[("till", "queue_length_peak")].value == 1
    assert by[("till", "queue_wait_avg")].sample_count == 1
    assert ("till", "occupancy_avg") not in by  # a queue reports its length instead
    assert ca.drain_metric_rows() == []  # already handed out


def test_live_draining_only_hands_out_settled_minutes() -> None:
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    drained = []
    for i in range(0, 5 * 60 * 2):  # 5 minutes at 2 fps, one person standing in the aisle
        ca.update(tracks([(1, 0.3, 0.8, C)], size), T0 + i * 0.5, size)
        drained += ca.drain_metric_rows()
    minutes = sorted({r.bucket_start for r in drained})
    assert minutes == [T0 + 60 * k for k in range(4)]  # the current minute is still open
    ca.flush()
    rest = ca.drain_metric_rows()
    assert {r.bucket_start for r in rest} == {T0 + 240}
    occ = [r for r in drained + rest if r.metric == "occupancy_avg"]
    assert all(r.value == pytest.approx(1.0) and r.coverage == pytest.approx(1.0) for r in occ)


def test_time_going_backwards_is_ignored() -> None:
    ca = CameraAnalytics("demo", CAMERA, run_anchor=T0)
    size = (640, 480)
    ca.update(tracks([(1, 0.3, 0.8, C)], size), T0 + 1, size)
    assert ca.update(tracks([(1, 0.3, 0.8, C)], size), T0, size) == []
    assert ca.skipped_frames == 1 and ca.frames == 1


def test_heatmap_collects_confirmed_feet_only() -> None:
    ca, _ = run()
    grid = ca.heatmap.grid
    rows, cols = grid.shape
    assert ca.heatmap.total_s == pytest.approx(28.0, abs=0.3)  # seen for 28 s, ghost ignored
    aisle_cell = grid[int(0.8 * rows), int(0.3 * cols)]
    assert aisle_cell == pytest.approx(8.0, abs=0.3)
    image = ca.heatmap.render(np.zeros((48, 64, 3), np.uint8))
    assert image.shape == (48, 64, 3) and image.max() > 0
    assert ca.heatmap.render_png(size=(64, 48))[:8] == b"\x89PNG\r\n\x1a\n"
