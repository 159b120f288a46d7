"""Staff and groups from synthetic tracks: a 640x480 frame, people 200 px tall, 2 fps.

A staff zone behind a counter (top right); people walk in along the bottom of the frame."""

from __future__ import annotations

import numpy as np

from storepixel.analytics.engine import CameraAnalytics
from storepixel.analytics.people import PeopleRules
from storepixel.config.site import CameraConfig
from storepixel.events.ids import track_pseudonym
from storepixel.types import Event, EventKind, Tracks, TrackState

SIZE = (640, 480)
RULES = PeopleRules(staff_present_s=600)  # "most of an hour", shortened to keep the test short
DT = 0.5
CAMERA = CameraConfig.model_validate(
    {
        "id": "cam",
        "zones": [
            {"id": "counter", "kind": "staff",
             "polygon": [[0.7, 0.1], [1, 0.1], [1, 0.5], [0.7, 0.5]]}
        ],
    }
)  # fmt: skip


def run(
    paths: dict[int, list[tuple[float, float] | None]], camera: CameraConfig = CAMERA
) -> list[Event]:
    """Each track's foot point (px) per frame; ``None``: not in view."""
    ca = CameraAnalytics("demo", camera, run_anchor=0.0, people=RULES)
    n = max(len(p) for p in paths.values())
    events: list[Event] = []
    for i in range(n):
        ids, boxes = [], []
        for tid, path in paths.items():
            if i < len(path) and path[i] is not None:
                x, y = path[i]  # type: ignore[misc]
                ids.append(tid)
                boxes.append([x - 30, y - 200, x + 30, y])
        tracks = Tracks(
            ids,
            np.array(boxes, np.float32).reshape(-1, 4),
            [0.9] * len(ids),
            [TrackState.CONFIRMED] * len(ids),
        )
        events += ca.update(tracks, i * DT, SIZE)
    return events + ca.flush()


def ends(events: list[Event]) -> dict[int, dict[str, object]]:
    """visit_end properties by track number (1, 2, ...) counted from 0."""
    names = {track_pseudonym("demo", "cam", 0.0, tid): tid for tid in range(1, 10)}
    return {
        names[str(e.track_id)] - 1: e.properties for e in events if e.kind == EventKind.VISIT_END
    }


def walk(
    x0: float, y: float, vx: float, frames: int, delay: int = 0
) -> list[tuple[float, float] | None]:
    return [None] * delay + [(x0 + vx * DT * i, y) for i in range(frames)]


def test_someone_who_stays_behind_the_counter_is_staff_a_passer_by_is_not() -> None:
    clerk = [(560.0, 200.0)] * 40  # 20 s in the staff zone
    shopper = walk(100, 450, 40, 40)  # along the bottom, never in the zone
    brief = walk(420, 200, 60, 12)  # crosses into the zone for ~3 s: not staff
    got = ends(run({1: clerk, 2: shopper, 3: brief}))
    assert got[0]["role"] == "staff" and got[0]["group_id"] is None
    assert got[1]["role"] == "customer"
    assert got[2]["role"] == "customer"


def test_someone_in_view_most_of_an_hour_is_staff() -> None:
    still = [(300.0, 400.0)] * int(700 / DT)  # 700 s > staff_present_s (600)
    short = [(100.0, 400.0)] * int(300 / DT)
    got = ends(run({1: still, 2: short}))
    assert got[0]["role"] == "staff" and got[1]["role"] == "customer"


def test_people_who_enter_and_walk_together_are_one_group() -> None:
    a = walk(60, 420, 50, 16)
    b = walk(100, 430, 50, 15, delay=1)  # a step behind, half a body height to the side
    c = walk(60, 420, 50, 16, delay=20)  # same path 10 s later: alone
    got = ends(run({1: a, 2: b, 3: c}))
    assert got[0]["group_id"] is not None and got[0]["group_id"] == got[1]["group_id"]
    assert got[0]["group_size"] == got[1]["group_size"] == 2
    assert got[2]["group_id"] is None and got[2]["group_size"] == 1


def test_people_who_enter_together_but_go_separate_ways_are_not_a_group() -> None:
    a = walk(300, 420, 60, 16)
    b = walk(290, 420, -60, 16)  # same door, same moment, opposite directions
    got = ends(run({1: a, 2: b}))
    assert got[0]["group_id"] is None and got[1]["group_id"] is None


def test_a_group_of_three_is_joined_through_its_members_and_staff_never_join_one() -> None:
    a = walk(60, 420, 50, 16)
    b = walk(110, 420, 50, 16)
    c = walk(160, 420, 50, 16)
    clerk = [(560.0, 200.0)] * 14 + walk(560, 420, -50, 2)  # comes out from behind the counter
    got = ends(run({1: a, 2: b, 3: c, 4: clerk}))
    assert {got[i]["group_size"] for i in range(3)} == {3}
    assert len({got[i]["group_id"] for i in range(3)}) == 1
    assert got[3]["role"] == "staff" and got[3]["group_id"] is None


def test_the_summary_counts_visits_as_parties_and_staff_apart() -> None:
    ca_paths = {
        1: walk(60, 420, 50, 16),
        2: walk(100, 430, 50, 15, delay=1),
        3: walk(60, 420, 50, 16, delay=20),
        4: [(560.0, 200.0)] * 40,
    }
    ca = CameraAnalytics("demo", CAMERA, run_anchor=0.0, people=RULES)
    n = max(len(p) for p in ca_paths.values())
    for i in range(n):
        live = [(tid, p[i]) for tid, p in ca_paths.items() if i < len(p) and p[i] is not None]
        boxes = np.array([[x - 30, y - 200, x + 30, y] for _, (x, y) in live], np.float32)  # type: ignore[misc]
        ca.update(
            Tracks(
                [t for t, _ in live],
                boxes.reshape(-1, 4),
                [0.9] * len(live),
                [TrackState.CONFIRMED] * len(live),
            ),
            i * DT,
            SIZE,
        )
    ca.flush()
    assert ca.summary()["people"] == {
        "customers": 3,
        "groups": 1,
        "in_groups": 2,
        "alone": 1,
        "parties": 2,
        "staff": 1,
    }
