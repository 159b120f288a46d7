"""Search quality on the labelled query set: recall@5 and MRR, full text vs vectors vs fused.

    python bench/search/eval.py [--postgres] [--out bench/results/search_quality.json]

Indexes ``bench/search/corpus.jsonl`` (documents rendered from real analysed footage, see
``make_corpus.sh``) into a fresh SQLite store and, with ``--postgres``, a PostgreSQL 16 with
pgvector started by ``pgserver``; runs every query of ``queries.yaml`` in each mode and scores it
against the hand-judged relevant ``source_id``s. A query's time words resolve against the ``now``
of the query set, in the site's time zone.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from storepixel.config.site import load_site
from storepixel.search.documents import Document
from storepixel.search.engine import MODES, SearchSite, plan
from storepixel.search.service import SearchService
from storepixel.store import open_store

HERE = Path(__file__).resolve().parent
K = 5


def load_docs() -> list[Document]:
    with open(HERE / "corpus.jsonl") as f:
        return [Document(**json.loads(line)) for line in f]


def evaluate(url: str, docs: list[Document], qs: dict[str, Any]) -> dict[str, Any]:
    cfg = load_site(HERE / "site.yaml")
    tz = cfg.site.tz
    now = datetime.fromisoformat(qs["now"]).timestamp()
    scopes = {z.id for c in cfg.cameras for z in c.zones} | {
        ln.id for c in cfg.cameras for ln in c.lines
    }
    site = SearchSite(cfg.site.id, tz, {c.id for c in cfg.cameras}, scopes)
    with open_store(url) as store:
        service = SearchService(store)
        service.add_documents(docs)
        t = time.process_time()
        service.embed_pending()
        embed_cpu = time.process_time() - t
        out: dict[str, Any] = {"documents": service.index.count(), "embed_cpu_s": embed_cpu}
        per_query: list[dict[str, Any]] = []
        for mode in MODES:
            recall, rr = [], []
            for q in qs["queries"]:
                p = plan(
                    q["query"], site, zone=q.get("zone"), camera=q.get("camera"),
                    kinds=tuple(q.get("kinds", ())), now=now,
                )  # fmt: skip
                hits = [h.doc.source_id for h in service.search(p, limit=20, mode=mode).hits]
                relevant = set(q["relevant"])
                top = hits[:K]
                recall.append(len(relevant & set(top)) / min(len(relevant), K))
                first = next((i for i, h in enumerate(hits, 1) if h in relevant), None)
                rr.append(1.0 / first if first else 0.0)
                per_query.append(
                    {"mode": mode, "query": q["query"], "recall@5": recall[-1], "rr": rr[-1],
                     "top5": top}
                )  # fmt: skip
            out[mode] = {
                "recall@5": round(sum(recall) / len(recall), 4),
                "mrr": round(sum(rr) / len(rr), 4),
            }
        out["per_query"] = per_query
        service.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postgres", action="store_true", help="Also run on PostgreSQL (pgserver).")
    ap.add_argument("--out", type=Path, default=Path("bench/results/search_quality.json"))
    args = ap.parse_args()
    docs = load_docs()
    qs = yaml.safe_load((HERE / "queries.yaml").read_text())
    result: dict[str, Any] = {"queries": len(qs["queries"]), "k": K, "command": " ".join(sys.argv)}
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = evaluate(f"sqlite:///{tmp}/q.db", docs, qs)
        if args.postgres:
            import pgserver

            server = pgserver.get_server(f"{tmp}/pg", cleanup_mode="stop")
            try:
                server.psql("CREATE DATABASE searchq;")
                uri = server.get_uri("searchq").replace("postgresql://", "postgresql+psycopg://")
                result["postgresql"] = evaluate(uri, docs, qs)
            finally:
                server.cleanup()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    for backend in ("sqlite", "postgresql"):
        if backend in result:
            r = result[backend]
            print(backend, {m: r[m] for m in MODES})


if __name__ == "__main__":
    main()
