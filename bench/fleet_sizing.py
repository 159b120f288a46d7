"""Sizing a fleet on paper (docs/fleet.md, "Sizing"): every input is a measurement of this
repository or a cited number, every output the arithmetic on them.

    .venv/bin/python bench/fleet_sizing.py [--pg postgresql+psycopg://postgres@127.0.0.1/postgres]
        [--out bench/results/fleet_sizing.json]

What it measures here (the rest it reads):

- **rows and bytes per camera-hour**: ``storepixel analyze`` (the real CLI) on two real clips, a
  shop-like "store day" (bench/store_day.py, people in view 20 % of the time) and ``vtest.avi``
  (people in every frame), gives the events and minute rows per camera-hour. Those real rows,
  repeated as consecutive clips (new ids, shifted times) to about 20,000 events so that empty
  pages do not count, are written to a fresh SQLite store and a fresh PostgreSQL database; the
  bytes per row are each table with its indexes after minus before (SQLite's ``dbstat`` pages,
  PostgreSQL's ``pg_total_relation_size`` after ``VACUUM ANALYZE``).

What it reads: CPU cost per camera from ``bench/results/sizing.json`` (live capacity and file
speed measured on this box, tables in docs/sizing.md). Cited numbers are in ``CITED`` with their
source; assumptions in ``ASSUMED``, each named as such in the output.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SIZING = REPO / "bench" / "results" / "sizing.json"
DEFAULT_OUT = REPO / "bench" / "results" / "fleet_sizing.json"

CITED = {
    "camera_stream_kB_s": {
        "value": 100.0,
        "source": "issue #20: a 720p15 camera stream is about 100 kB/s",
    },
    "gpu_detector_ms": {
        "value": 1.84,
        "source": "YOLOv10-N (2.3 M params, 6.7 GFLOPs, 640 px), T4 GPU, TensorRT FP16, batch 1: "
        "Wang et al., 'YOLOv10: Real-Time End-to-End Object Detection', arXiv:2405.14458, "
        "Table 1 (reproduced at https://replicate.com/shubhamai/yolov10/readme)",
    },
    "cpu_spot_usd_h": {
        "value": 0.180,
        "vcpus": 8,
        "on_demand_usd_h": 0.34,
        "source": "c5.2xlarge (8 vCPU) spot in us-east-1a, $0.170-0.191 across zones, on-demand "
        "$0.34: AWS EC2 Auto Scaling user guide, 'Spot price per unit hour example' "
        "(docs.amazonaws.cn/en_us/autoscaling/ec2/userguide/"
        "weights-spot-price-per-unit-hour-example.html); AWS labels these example, not current, "
        "prices. Current prices could not be fetched from this box (no network).",
    },
}
MEASURED_ELSEWHERE = {
    "decode_ms_per_720p_frame": {
        "value": 3.0,
        "source": "docs/sizing.md, 'Measure your own box', step 3: about 3 ms of CPU a 720p frame",
    },
}
ASSUMED = {
    "open_hours_per_day": 12.0,  # capture hours a store camera is analysed per day
    "headroom": 0.8,  # docs/sizing.md's rule of thumb leaves 20 % for the OS and Python
}


def _analyze(video: Path, site: Path, db: str) -> float:
    cli = [sys.executable, "-m", "storepixel.cli"]
    started = time.monotonic()
    cmd = [*cli, "analyze", str(video), "--site", str(site), "--db", db, "--json"]
    cmd += ["--start", "2026-12-01T09:00:00+00:00", "--deliver-wait", "0"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, env=os.environ)
    if out.returncode != 0:
        raise SystemExit(f"analyze failed: {out.stderr.strip()[-500:]}")
    return time.monotonic() - started


def _counts(url: str) -> dict[str, Any]:
    from storepixel.store import open_store
    from storepixel.store.queries import coverage, event_stats, union_seconds

    with open_store(url, create=False) as store:
        stats = event_stats(store)
        with store.connect() as conn:
            rows = {
                t: int(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar() or 0)
                for t in TABLES[1:]
            }
        seconds = union_seconds((c.start, c.end) for c in coverage(store))
    return {"events": stats.total, **rows, "capture_hours": round(seconds / 3600, 4)}


TABLES = ("events", "minute_metrics", "camera_sessions", "camera_coverage")


def _sqlite_bytes(path: Path) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(path) as conn:
        query = "SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"
        owner = dict(conn.execute(query))
        sizes: dict[str, int] = dict.fromkeys(TABLES, 0)
        for name, size in conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            table = owner.get(name, name)
            if table in sizes:
                sizes[table] += int(size)
    return sizes


def _pg_bytes(url: str) -> dict[str, int]:
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM ANALYZE"))
        sizes = {
            t: int(conn.execute(text(f"SELECT pg_total_relation_size('{t}')")).scalar() or 0)
            for t in TABLES
        }
    engine.dispose()
    return sizes


class _PgDatabase:
    """A fresh database on the server ``server`` (dropped afterwards)."""

    def __init__(self, server: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.name = f"sizing_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(server, isolation_level="AUTOCOMMIT")
        self.url = make_url(server).set(database=self.name).render_as_string(hide_password=False)

    def __enter__(self) -> str:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        return self.url

    def __exit__(self, *exc: object) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        self.admin.dispose()


def _copies(edge_url: str, n: int) -> tuple[list[Any], list[Any], float]:
    """The clip's real events and minute rows, repeated ``n`` times one clip-length apart
    (new ids), as ``n`` consecutive clips of the same camera would give."""
    import dataclasses
    import hashlib
    import math

    from storepixel.store import open_store
    from storepixel.store.queries import coverage, iter_events, query_metrics

    with open_store(edge_url, create=False) as store:
        events = list(iter_events(store))
        metrics = list(query_metrics(store))
        spans = [(c.start, c.end) for c in coverage(store)]
    length = max(e for _, e in spans) - min(s for s, _ in spans)
    shift = (math.ceil(length / 60) + 1) * 60  # whole minutes: metric buckets stay aligned
    out_e, out_m = [], []
    for k in range(n):
        for e in events:
            eid = hashlib.sha256(f"{e.id}/{k}".encode()).hexdigest()[:32]
            out_e.append(dataclasses.replace(e, id=eid, time=e.time + k * shift))
        out_m += [dataclasses.replace(m, bucket_start=m.bucket_start + k * shift) for m in metrics]
    return out_e, out_m, length


def _marginal(url: str, events: list[Any], metrics: list[Any], sizer: Any) -> dict[str, float]:
    """Bytes each more event and minute row takes (table and indexes), past the empty tables."""
    from storepixel.store import open_store

    with open_store(url) as store:
        empty = sizer()
        for i in range(0, len(events), 5000):
            store.write(events=events[i : i + 5000])
        for i in range(0, len(metrics), 5000):
            store.write(metrics=metrics[i : i + 5000])
    full = sizer()
    return {
        "bytes_per_event": round((full["events"] - empty["events"]) / len(events), 1),
        "bytes_per_minute_row": round(
            (full["minute_metrics"] - empty["minute_metrics"]) / max(1, len(metrics)), 1
        ),
    }


def measure_storage(pg: str | None, cache: Path) -> dict[str, Any]:
    sys.path.insert(0, str(REPO / "bench"))
    from store_day import DEFAULT_OUT as STORE_DAY
    from store_day import build

    clips = {
        "store day (people in view 20 % of the time)": (
            "store-day",
            lambda: build(STORE_DAY),
            REPO / "bench" / "sites" / "store-day.yaml",
        ),
        "busy walkway (vtest.avi, people in every frame)": (
            "vtest",
            lambda: REPO / "data" / "samples" / "vtest.avi",
            REPO / "examples" / "sites" / "vtest.yaml",
        ),
    }
    cache.mkdir(parents=True, exist_ok=True)
    out = {}
    for label, (name, video, site) in clips.items():
        edge = cache / f"{name}.db"
        url = f"sqlite:///{edge}"
        if not edge.exists():  # analysed once; delete the file to analyse again
            _analyze(video(), site, url)
        counts = _counts(url)
        n = max(1, math.ceil(20_000 / max(1, counts["events"])))
        events, metrics, length = _copies(url, n)
        hours = length / 3600
        rates = {
            "events_per_camera_hour": round(counts["events"] / hours, 1),
            "minute_rows_per_camera_hour": round(counts["minute_metrics"] / hours, 1),
        }
        per_db = {}
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "copy.db"
            per_db["sqlite"] = _marginal(
                f"sqlite:///{path}", events, metrics, lambda p=path: _sqlite_bytes(p)
            )
        if pg:
            with _PgDatabase(pg) as pg_url:
                per_db["postgresql"] = _marginal(
                    pg_url, events, metrics, lambda u=pg_url: _pg_bytes(u)
                )
        for b in per_db.values():
            b["bytes_per_camera_hour"] = round(
                b["bytes_per_event"] * rates["events_per_camera_hour"]
                + b["bytes_per_minute_row"] * rates["minute_rows_per_camera_hour"]
            )
        out[label] = {
            **counts,
            "clip_s": round(length, 1),
            **rates,
            "rows_written_for_the_measure": {"events": len(events), "minute_rows": len(metrics)},
            "bytes": per_db,
        }
    return out


def arithmetic(storage: dict[str, Any]) -> dict[str, Any]:
    sizing = json.loads(SIZING.read_text())
    head = ASSUMED["headroom"]
    live = {}
    for row in sizing["live"]:
        if row["fps_min"] >= 4.9 and row["cpu_ms_per_frame"]:
            key = f"{row['scene']}, {row['detector']} detector"
            best = live.get(key)
            if best is None or row["cameras"] > best["cameras_on_2_vcpus"]:
                live[key] = {
                    "cameras_on_2_vcpus": row["cameras"],
                    "cameras_per_vcpu_measured": row["cameras"] / 2,
                    "cpu_ms_per_frame": row["cpu_ms_per_frame"],
                    "cameras_per_vcpu_rule": round(head * 1000 / (row["cpu_ms_per_frame"] * 5), 1),
                    "source": f"bench/results/sizing.json: {row['command']}",
                }
    files = {}
    for row in sizing["files"]:
        footage_s = row["frames"] / row["analysed_fps"]
        files[row["footage"]] = {
            "analysed_fps": row["analysed_fps"],
            "cpu_s_per_footage_s": round(row["cpu_s"] / footage_s, 4),
            "footage_hours_per_vcpu_hour": round(footage_s / row["cpu_s"], 2),
            "source": f"bench/results/sizing.json: {row['command']}",
        }
    open_h = ASSUMED["open_hours_per_day"]
    stream = CITED["camera_stream_kB_s"]["value"]
    chain = 1000
    bandwidth = {
        "one_camera_kB_s": stream,
        "chain_MB_s": stream * chain / 1000,
        "chain_Mbit_s": stream * chain * 8 / 1000,
        "chain_TB_per_open_day": round(stream * 1000 * 3600 * open_h * chain / 1e12, 2),
        "note": "video leaves a store only for backlogs run off-site; edges send rows",
    }
    spot = CITED["cpu_spot_usd_h"]
    vcpu_h = spot["value"] / spot["vcpus"]
    cost: dict[str, Any] = {"usd_per_vcpu_hour_spot": round(vcpu_h, 4)}
    for key, row in live.items():
        per_day = 24 * vcpu_h / row["cameras_per_vcpu_measured"]
        cost[f"live 24 h, {key}"] = round(per_day, 4)
    for key, row in files.items():
        cost[f"backlog of {open_h:g} h, {key}"] = round(
            open_h / row["footage_hours_per_vcpu_hour"] * vcpu_h, 4
        )
    rows = {}
    for label, m in storage.items():
        for db, b in m["bytes"].items():
            day = b["bytes_per_camera_hour"] * open_h
            rows[f"{label}, {db}"] = {
                "bytes_per_camera_day": round(day),
                "chain_GB_per_day": round(day * chain / 1e9, 3),
                "chain_GB_90_days": round(day * chain * 90 / 1e9, 1),
                "kbit_s_per_store_of_20_cameras": round(day * 20 * 8 / (open_h * 3600) / 1000, 2),
            }
    gpu_ms = CITED["gpu_detector_ms"]["value"]
    decode_ms = MEASURED_ELSEWHERE["decode_ms_per_720p_frame"]["value"]
    gpu = {
        "cameras_per_vcpu_decoding_720p15": round(head * 1000 / (decode_ms * 15), 1),
        "detector_passes_per_s_per_gpu": round(1000 / gpu_ms),
        "store_day_passes_per_camera_s": round(5 * 1006 / 3000, 2),
        "cameras_per_gpu_detector_bound": round(1000 / gpu_ms / (5 * 1006 / 3000)),
        "note": "UNMEASURED here (no GPU): a cited T4 latency of a similar small detector, "
        "divided by the store day's measured passes per analysed frame (1006 passes over 3000 "
        "frames, docs/dev/performance.md). Decoding, tracking and counting stay on the CPU.",
    }
    return {
        "live": live,
        "files": files,
        "bandwidth": bandwidth,
        "storage": rows,
        "cost_usd_per_camera_day": cost,
        "gpu": gpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", help="PostgreSQL server URL whose user may CREATE DATABASE")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--cache", type=Path, default=REPO / "out" / "fleet_sizing", help="analysed clips' stores"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    storage = measure_storage(args.pg, args.cache)
    result = {
        "about": "bench/fleet_sizing.py: storage measured here; the rest is arithmetic on "
        "bench/results/sizing.json and the cited numbers",
        "date": time.strftime("%Y-%m-%d"),
        "load_before": round(load, 2),
        "cited": CITED,
        "measured_elsewhere": MEASURED_ELSEWHERE,
        "assumed": ASSUMED,
        "measured_storage": storage,
        **arithmetic(storage),
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
