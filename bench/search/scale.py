"""Search at scale: a generated store year of documents, query p95 and index size, embedding speed.

    python bench/search/scale.py --docs 1000000 [--postgres] [--out bench/results/search_scale.json]

Generates ``--docs`` events of one site over 365 days (4 cameras, zones, queues, lines; dwell and
wait times drawn from long-tailed distributions), renders them into documents, writes them in
batches of 10 000 (full-text index kept by the database) and gives each a vector. Rendered events
repeat (the semantic text has no clock times), so each distinct text is embedded once; the
embedding throughput reported is per distinct text, CPU seconds included. Then it runs the query
set's queries (``queries.yaml``) fused, limit 10, over the whole year and over one day, and
reports p50/p95 wall time and the index's size on disk. Reports ``uptime`` load beside timings:
this box is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import yaml

from storepixel.search.documents import render_event
from storepixel.search.engine import QueryError, SearchSite, plan
from storepixel.search.service import SearchService
from storepixel.store import open_store
from storepixel.types import Event

HERE = Path(__file__).resolve().parent
TZ = ZoneInfo("Europe/Lisbon")
T0 = 1704067200.0  # 2024-01-01
CAMS = {
    "door": ["entrance"],
    "aisle": ["phones", "sunglasses", "cereal", "wine"],
    "till": ["till"],
    "back": ["stockroom-door", "shoes"],
}


def generate(n: int, seed: int = 7) -> Any:
    rnd = random.Random(seed)
    for i in range(n):
        t = T0 + rnd.random() * 365 * 86400
        cam = rnd.choice(list(CAMS))
        scope = rnd.choice(CAMS[cam])
        r = rnd.random()
        if cam == "door" or scope == "stockroom-door":
            kind, props = (
                "line_crossing",
                {"direction": rnd.choice(("in", "out")), "line_id": scope},
            )
        elif cam == "till":
            kind, props = "queue_leave", {"wait_s": round(rnd.expovariate(1 / 90), 1)}
        elif r < 0.8:
            kind, props = "zone_exit", {"dwell_s": round(rnd.expovariate(1 / 25), 1)}
        else:
            kind, props, scope = (
                "visit_end",
                {"duration_s": round(rnd.expovariate(1 / 120), 1)},
                None,
            )
        yield Event(f"g{i}", kind, "year", cam, t, f"t{i % 50000}", scope, props)


def load(url: str, n: int, service_out: dict[str, Any]) -> SearchService:
    store = open_store(url)
    service = SearchService(store)
    t = time.perf_counter()
    batch = []
    for ev in generate(n):
        d = render_event(ev, TZ)
        if d is not None:
            batch.append(d)
        if len(batch) >= 10_000:
            service.add_documents(batch)
            batch.clear()
    service.add_documents(batch)
    service_out["write_s"] = round(time.perf_counter() - t, 1)
    # Vectors: each distinct semantic text embedded once, then written for every document.
    t, _cpu = time.perf_counter(), time.process_time()
    cache: dict[str, np.ndarray] = {}
    embedded = 0
    while True:
        todo = service.index.missing_vectors(20_000)
        if not todo:
            break
        new = sorted({s for _, s in todo} - cache.keys())
        if new:
            for text, vec in zip(new, service.embedder.embed(new), strict=True):
                cache[text] = vec
            embedded += len(new)
        service.index.put_vectors([i for i, _ in todo], np.stack([cache[s] for _, s in todo]))
    service_out.update(
        vectors_s=round(time.perf_counter() - t, 1),
        distinct_texts=embedded,
        documents=service.index.count(),
    )
    return service


def embed_throughput(service: SearchService) -> dict[str, float]:
    texts = [f"A shopper lingered {i} s at the zone number {i % 97} near the {i % 13} shelf."
             for i in range(2000)]  # fmt: skip
    t, cpu = time.perf_counter(), time.process_time()
    service.embedder.embed(texts)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"texts": len(texts), "per_s_wall": round(len(texts) / wall, 1),
            "cpu_ms_per_text": round(cpu / len(texts) * 1000, 2)}  # fmt: skip


def queries(service: SearchService) -> dict[str, Any]:
    qs = [q["query"] for q in yaml.safe_load((HERE / "queries.yaml").read_text())["queries"]]
    site = SearchSite("year", TZ, set(CAMS), {s for v in CAMS.values() for s in v})
    now = T0 + 200 * 86400
    out: dict[str, Any] = {}
    for label, extra in (
        ("whole_year", {}),
        ("one_day", {"since": "2024-06-01", "until": "2024-06-02"}),
    ):
        times = []
        for q in qs:
            try:
                p = plan(q, site, now=now, **extra)  # type: ignore[arg-type]
            except QueryError:  # its time words fall outside the day: not a query of that day
                continue
            t = time.perf_counter()
            service.search(p, limit=10)
            times.append(time.perf_counter() - t)
        times.sort()
        out[label] = {"queries": len(times), "p50_ms": round(statistics.median(times) * 1000, 1),
                      "p95_ms": round(times[int(0.95 * (len(times) - 1))] * 1000, 1)}  # fmt: skip
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--out", type=Path, default=Path("bench/results/search_scale.json"))
    args = ap.parse_args()
    result: dict[str, Any] = {"command": " ".join(sys.argv), "docs_generated": args.docs,
                              "load_before": os.getloadavg()}  # fmt: skip
    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        if args.sqlite:
            r: dict[str, Any] = {}
            path = Path(tmp) / "year.db"
            service = load(f"sqlite:///{path}", args.docs, r)
            result["embedding"] = embed_throughput(service)
            r["queries"] = queries(service)
            r["size_mb"] = round(sum(p.stat().st_size for p in Path(tmp).glob("year.db*")) / 2**20)
            r["load"] = os.getloadavg()
            result["sqlite"] = r
            service.store.close()
            print("sqlite", json.dumps(r), flush=True)
        if args.postgres:
            import pgserver

            server = pgserver.get_server(f"{tmp}/pg", cleanup_mode="stop")
            try:
                server.psql("CREATE DATABASE year;")
                uri = server.get_uri("year").replace("postgresql://", "postgresql+psycopg://")
                r = {}
                service = load(uri, args.docs, r)
                r["queries"] = queries(service)
                with service.store.connect() as conn:
                    size = conn.exec_driver_sql(
                        "SELECT pg_total_relation_size('search_documents') "
                        "+ pg_total_relation_size('search_vectors')"
                    ).scalar()
                r["size_mb"] = round(int(size) / 2**20)
                r["load"] = os.getloadavg()
                result["postgresql"] = r
                service.store.close()
                print("postgresql", json.dumps(r), flush=True)
            finally:
                server.cleanup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
