"""Response times of the analytics and events endpoints over a month of a busy store.

    flock /tmp/storepixel-bench.lock .venv/bin/python bench/api_queries.py \
        [--days 30] [--crossings 3000] [--db sqlite:///PATH | postgresql://...] [--repeat 5]

Fills a fresh store with ``days`` of synthetic but realistic data for one site (Europe/Lisbon):
``crossings`` line crossings a day over opening hours, one zone exit with a dwell time and one
visit per three crossings, and per-minute metrics (people, occupancy, queue) for every open minute.
Then calls each endpoint through the real app (in-process HTTP, an API key) and prints the median
and worst of ``repeat`` calls as a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from storepixel.api.app import create_app
from storepixel.config.site import parse_site
from storepixel.store import CoverageInterval, accounts, open_store
from storepixel.types import Event, MetricRow

T0 = 1714521600.0  # 2024-05-01T00:00:00Z
OPEN_S, CLOSE_S = 8 * 3600, 20 * 3600


def fill(store, days: int, crossings: int, rng: random.Random) -> int:  # type: ignore[no-untyped-def]
    total = 0
    for d in range(days):
        day = T0 + d * 86400
        events: list[Event] = []
        for i in range(crossings):
            t = day + rng.uniform(OPEN_S, CLOSE_S)
            way = "in" if i % 2 else "out"
            events.append(
                Event(
                    f"c{d}-{i}",
                    "line_crossing",
                    "lisbon",
                    "door",
                    t,
                    f"t{d}-{i}",
                    "entrance",
                    {"direction": way, "line_id": "entrance"},
                )
            )
            if i % 3 == 0:
                events.append(Event(f"v{d}-{i}", "visit_start", "lisbon", "door", t, f"t{d}-{i}"))
                events.append(
                    Event(
                        f"z{d}-{i}",
                        "zone_exit",
                        "lisbon",
                        "door",
                        t + 60,
                        f"t{d}-{i}",
                        "aisle",
                        {"dwell_s": rng.expovariate(1 / 45)},
                    )
                )
        metrics = []
        for m in range(int(OPEN_S // 60), int(CLOSE_S // 60)):
            minute = day + m * 60
            for scope, metric, value in (
                ("*", "people_avg", rng.uniform(0, 12)),
                ("*", "people_peak", rng.randint(0, 15)),
                ("aisle", "occupancy_avg", rng.uniform(0, 5)),
                ("aisle", "occupancy_peak", rng.randint(0, 6)),
                ("till", "queue_length_avg", rng.uniform(0, 4)),
                ("till", "queue_wait_avg", rng.uniform(10, 200)),
            ):
                metrics.append(MetricRow("lisbon", "door", scope, metric, minute, value, 300, 1.0))
        coverage = [CoverageInterval("lisbon", "door", day + OPEN_S, day + CLOSE_S)]
        store.write(events=events, metrics=metrics, coverage=coverage)
        total += len(events)
    return total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--crossings", type=int, default=3000, help="line crossings per day")
    ap.add_argument("--db", help="store URL (default: a fresh SQLite file)")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="storepixel-apibench-"))
    store = open_store(args.db or f"sqlite:///{folder / 'bench.db'}")
    started = time.perf_counter()
    n = fill(store, args.days, args.crossings, random.Random(7))
    print(
        f"filled {n} events, {args.days} days, in {time.perf_counter() - started:.1f} s "
        f"({store.url})\n"
    )
    site = parse_site(
        {
            "site": {"id": "lisbon", "timezone": "Europe/Lisbon"},
            "cameras": [
                {
                    "id": "door",
                    "lines": [{"id": "entrance", "points": [[0, 0.5], [1, 0.5]]}],
                    "zones": [
                        {"id": "aisle", "polygon": [[0, 0], [1, 0], [1, 1]]},
                        {"id": "till", "kind": "queue", "polygon": [[0, 0], [0.5, 0], [0.5, 0.5]]},
                    ],
                }
            ],
        }
    )
    _, key = accounts.create_key(store, "bench", "lisbon", ["read"], "bench")
    app = create_app([site], store, data_dir=folder / "data", secret_key="b" * 40)
    month = {
        "from": "2024-05-01",
        "to": f"2024-05-{args.days + 1:02d}" if args.days < 31 else "2024-06-01",
    }
    day = {"from": "2024-05-02", "to": "2024-05-03"}
    calls = [
        ("footfall, month by hour", "analytics/footfall", month),
        ("footfall, month by day", "analytics/footfall", {**month, "bucket": "day"}),
        ("footfall matrix, month", "analytics/footfall-matrix", month),
        ("occupancy, month by hour", "analytics/occupancy", {**month, "zone": "aisle"}),
        ("occupancy, day by minute", "analytics/occupancy", {**day, "bucket": "minute"}),
        ("queues, month by day", "analytics/queues", {**month, "zone": "till", "bucket": "day"}),
        ("dwell, month", "analytics/dwell", {**month, "zone": "aisle"}),
        ("KPIs, one day", "analytics/kpis", {"date": "2024-05-02"}),
        ("events, first page of 100", "events", {"limit": 100}),
        ("events, page 100 of a day", "events", {**day, "limit": 100}),
    ]
    headers = {"Authorization": f"Bearer {key}"}
    print("| endpoint | median ms | worst ms |\n|---|---|---|")
    with TestClient(app) as client:
        for label, path, params in calls:
            times = []
            for _ in range(args.repeat):
                t = time.perf_counter()
                r = client.get(f"/api/sites/lisbon/{path}", params=params, headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                assert r.status_code == 200, r.text
            print(f"| {label} | {statistics.median(times):.0f} | {max(times):.0f} |")
    store.close()


if __name__ == "__main__":
    main()
