"""Search at scale: a generated store year of documents, query p95 and index size, embedding speed.

    python bench/search/scale.py --docs 1000000 [--postgres] [--out bench/results/search_scale.json]

Generates ``--docs`` documents of one site over 365 days: events of 4 cameras (zones, queues,
lines; dwell and wait times drawn from long-tailed distributions) rendered as the product renders
them, and one in ten a chunk description written from a combinatorial grammar (who, clothes,
action, product, shelf: tens of thousands of distinct sentences, like a VLM's accounts). It writes
them in batches of 10 000 (full-text index kept by the database), then gives them vectors the way
the product does (``SearchService.embed_pending``: one vector per distinct sentence, so a sentence
that recurs all year is embedded once). Embedding throughput is measured separately on 2 000
distinct description sentences (wall and CPU). Then it runs the query set's queries
(``queries.yaml``) fused, limit 10, over the whole year and over one day, and reports p50/p95 wall
time and the index's size on disk. Reports the load average beside timings: this box is shared.

Keep the databases out of the repository: ``--dir /work/scratch/search`` (default: a temporary
folder, removed afterwards).
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

import yaml

from storepixel.search.documents import Document, render_description, render_event
from storepixel.search.engine import MODES, QueryError, SearchSite, plan
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


WHO = ["A woman", "A man", "A teenager", "An older man", "An older woman", "A child", "A couple"]
CLOTHES = ["in a red coat", "in a black jacket", "in a grey hoodie", "in a blue shirt",
           "with a backpack", "with a pram", "in a yellow raincoat",
           "in a white T-shirt"]  # fmt: skip
ACTION = ["picks up", "looks at", "puts back", "compares two", "reads the label of",
          "puts in the basket", "takes a photo of", "asks staff about"]  # fmt: skip
THING = {"phones": ["a phone", "a phone case", "a charger", "earbuds"],
         "sunglasses": ["sunglasses", "a pair of aviators", "a sun hat"],
         "cereal": ["a cereal box", "granola", "porridge oats"],
         "wine": ["a bottle of red wine", "a bottle of rosé", "a six-pack of beer"],
         "shoes": ["running shoes", "sandals", "boots"]}  # fmt: skip


def description(rnd: random.Random, i: int, t: float) -> Document:
    """A chunk account such as the describer stores: one sentence per person, from a grammar."""
    zone = rnd.choice(list(THING))
    what = (f"#{rnd.randint(1, 9)}: {rnd.choice(WHO)} {rnd.choice(CLOTHES)} {rnd.choice(ACTION)} "
            f"{rnd.choice(THING[zone])} at the {zone} shelf")  # fmt: skip
    if rnd.random() < 0.3:
        what += f", then walks to the {rnd.choice(list(THING))} aisle"
    cam = "back" if zone == "shoes" else "aisle"
    chunk = {"id": f"d{i}", "site_id": "year", "camera_id": cam, "start_time": t,
             "end_time": t + 15.0, "summary": what}  # fmt: skip
    return render_description(chunk, TZ)[0]


def generate(n: int, seed: int = 7) -> Any:
    """``n`` documents of a store year, in capture order within each batch."""
    rnd = random.Random(seed)
    for i in range(n):
        t = T0 + rnd.random() * 365 * 86400
        if rnd.random() < 0.1:
            yield description(rnd, i, t)
            continue
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
        doc = render_event(Event(f"g{i}", kind, "year", cam, t, f"t{i}", scope, props), TZ)
        assert doc is not None
        yield doc


def load(url: str, n: int, out: dict[str, Any]) -> SearchService:
    store = open_store(url)
    service = SearchService(store)
    t = time.perf_counter()
    batch: list[Document] = []
    for doc in generate(n):
        batch.append(doc)
        if len(batch) >= 10_000:
            service.add_documents(batch)
            batch.clear()
            if service.index.count() % 100_000 == 0:
                took, load = time.perf_counter() - t, os.getloadavg()[0]
                print(f"{url.split(':')[0]}: {service.index.count()} documents, "
                      f"{took:.0f} s, load {load:.1f}", flush=True)  # fmt: skip
    service.add_documents(batch)
    out["write_s"] = round(time.perf_counter() - t, 1)
    t, cpu = time.perf_counter(), time.process_time()
    out["distinct_sentences_embedded"] = service.embed_pending()
    out["vectors_s"] = round(time.perf_counter() - t, 1)
    out["vectors_cpu_s"] = round(time.process_time() - cpu, 1)
    out["documents"] = service.index.count()
    print(f"{url.split(':')[0]}: {json.dumps(out)}", flush=True)
    return service


def embed_throughput(service: SearchService) -> dict[str, float]:
    rnd = random.Random(1)
    texts = list(dict.fromkeys(description(rnd, i, T0).semantic for i in range(2600)))[:2000]
    t, cpu = time.perf_counter(), time.process_time()
    service.embedder.embed(texts)
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    return {"texts": len(texts), "per_s_wall": round(len(texts) / wall, 1),
            "cpu_ms_per_text": round(cpu / len(texts) * 1000, 2),
            "threads": 1, "load": os.getloadavg()}  # fmt: skip


def queries(service: SearchService) -> dict[str, Any]:
    qs = [q["query"] for q in yaml.safe_load((HERE / "queries.yaml").read_text())["queries"]]
    site = SearchSite("year", TZ, set(CAMS), {s for v in CAMS.values() for s in v})
    now = T0 + 200 * 86400
    out: dict[str, Any] = {}
    for label, extra in (
        ("whole_year", {}),
        ("one_day", {"since": "2024-06-01", "until": "2024-06-02"}),
    ):
        plans = []
        for q in qs:
            try:
                plans.append(plan(q, site, now=now, **extra))  # type: ignore[arg-type]
            except QueryError:  # its time words fall outside the day: not a query of that day
                continue
        out[label] = {"queries": len(plans)}
        for mode in MODES:  # fused is the product's; the engines alone say where time goes
            times = []
            for p in plans:
                t = time.perf_counter()
                service.search(p, limit=10, mode=mode)
                times.append(time.perf_counter() - t)
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            out[label][mode] = {"p50_ms": round(statistics.median(times) * 1000, 1),
                                "p95_ms": round(p95 * 1000, 1)}  # fmt: skip
        out[label]["load"] = os.getloadavg()
        print(label, json.dumps(out[label]), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=1_000_000)
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--sqlite", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--out", type=Path, default=Path("bench/results/search_scale.json"))
    ap.add_argument("--dir", type=Path, help="Keep the databases here (default: a temporary one).")
    ap.add_argument(
        "--reuse", action="store_true", help="Query the year already in --dir (no new load)."
    )
    args = ap.parse_args()
    result: dict[str, Any] = {"command": " ".join(sys.argv), "docs_generated": args.docs,
                              "load_before": os.getloadavg()}  # fmt: skip
    with tempfile.TemporaryDirectory(dir="/tmp") as scratch:
        tmp = str(args.dir or scratch)
        Path(tmp).mkdir(parents=True, exist_ok=True)
        if args.sqlite:
            r: dict[str, Any] = {}
            path = Path(tmp) / "year.db"
            if args.reuse:
                service = SearchService(open_store(f"sqlite:///{path}"))
                r["documents"] = service.index.count()
            else:
                for old in Path(tmp).glob("year.db*"):
                    old.unlink()
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
                uri = server.get_uri("year").replace("postgresql://", "postgresql+psycopg://")
                r = {}
                if args.reuse:
                    service = SearchService(open_store(uri))
                    r["documents"] = service.index.count()
                else:
                    server.psql("DROP DATABASE IF EXISTS year;")
                    server.psql("CREATE DATABASE year;")
                    service = load(uri, args.docs, r)
                r["queries"] = queries(service)
                with service.store.connect() as conn:
                    size = conn.exec_driver_sql(
                        "SELECT pg_total_relation_size('search_documents') "
                        "+ pg_total_relation_size('search_text_vectors')"
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
    print(f"-> {args.out}")


if __name__ == "__main__":
    main()
