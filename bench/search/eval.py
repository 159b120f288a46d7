"""Search quality on the labelled query set: recall@5 and MRR, full text vs vectors vs fused.

    python bench/search/eval.py [--postgres] [--out bench/results/search_quality.json]

Indexes ``corpus.jsonl`` (events rendered from real analysed footage, ``make_corpus.sh``) and
``corpus_descriptions.jsonl`` (chunk descriptions stored through the describe path,
``describe_corpus.py``) into a fresh SQLite store and, with ``--postgres``, a PostgreSQL 16 with
pgvector started by ``pgserver``; runs every query of ``queries.yaml`` in each mode and scores it
against the hand-judged relevant ``source_id``s. A query's time words resolve against the ``now``
of the query set, in the site's time zone.

The queries are split in two by a hash of their text: the **tuning** half is where fusion
variants are compared (``variants``: plain reciprocal rank; full text weighted by the share of
query words it knows, or by their rarity-weighted share; the same with tied scores sharing a
rank; a normalised score sum), the **held-out** half only reports. The choice: the highest sum
of recall@5 and MRR on the tuning half, SQLite and PostgreSQL together. The product's ``fused``
mode is the variant ``search/fusion.py`` implements; the report gives every mode on both halves
and on the whole set.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from storepixel.config.site import load_site
from storepixel.search.documents import Document
from storepixel.search.engine import MODES, SearchSite, plan
from storepixel.search.fusion import fuse, fuse_ranks, text_weight
from storepixel.search.service import SearchService
from storepixel.store import open_store

HERE = Path(__file__).resolve().parent
K = 5
POOL = 50
Scored = list[tuple[int, float]]


def half(query: str) -> str:
    return "tuning" if hashlib.sha1(query.encode()).digest()[0] % 2 == 0 else "held_out"


def load_docs() -> list[Document]:
    docs = []
    for name in ("corpus.jsonl", "corpus_descriptions.jsonl"):
        path = HERE / name
        if path.exists():
            with open(path) as f:
                docs += [Document(**json.loads(line)) for line in f]
    return docs


def resolve(refs: list[str], docs: list[Document], tz: Any) -> set[str]:
    """Relevant ids: event ids as they are, and described moments written as ``camera HH:MM:SS``
    (the chunk's account) or ``camera HH:MM:SS #i1`` (its timeline item 1; ``#a0`` an alert),
    the chunk named by its start as shown in the prompt."""
    out = set()
    for ref in refs:
        parts = ref.split()
        if len(parts) == 1:
            out.add(ref)
            continue
        camera, clock = parts[0], parts[1]
        chunk = [
            d.source_id
            for d in docs
            if d.kind == "description"
            and d.camera_id == camera
            and datetime.fromtimestamp(d.start, tz).strftime("%H:%M:%S") == clock
        ]
        if len(chunk) != 1:
            raise SystemExit(f"query set: {ref!r} names {len(chunk)} described chunks")
        out.add(chunk[0] + (parts[2] if len(parts) > 2 else ""))
    return out


def _minmax(hits: Scored) -> dict[int, float]:
    if not hits:
        return {}
    lo, hi = min(s for _, s in hits), max(s for _, s in hits)
    return {i: 1.0 if hi == lo else (s - lo) / (hi - lo) for i, s in hits}


# Each variant: (text hits, vector hits, rarity-weighted share, plain share) -> ranked ids.
Variant = Callable[[Scored, Scored, float, float], list[int]]
VARIANTS: dict[str, Variant] = {
    "rrf": lambda t, v, w, c: [i for i, _ in fuse([[i for i, _ in t], [i for i, _ in v]])],
    "rrf_share": lambda t, v, w, c: [
        i for i, _ in fuse([[i for i, _ in t], [i for i, _ in v]], weights=[c if v else 1, 1])
    ],
    "rrf_rarity_share": lambda t, v, w, c: [
        i for i, _ in fuse([[i for i, _ in t], [i for i, _ in v]], weights=[w if v else 1, 1])
    ],
    "rrf_rarity_share_ties": lambda t, v, w, c: [i for i, _ in fuse_ranks(t, v, w if v else 1.0)],
    "score_sum_rarity": lambda t, v, w, c: [
        i
        for i, _ in sorted(
            (
                (i, (w if v else 1) * _minmax(t).get(i, 0.0) + _minmax(v).get(i, 0.0))
                for i in dict.fromkeys([i for i, _ in t] + [i for i, _ in v])
            ),
            key=lambda x: -x[1],
        )
    ],
}


def score(ranked: Sequence[str], relevant: set[str]) -> tuple[float, float]:
    top = ranked[:K]
    recall = len(relevant & set(top)) / min(len(relevant), K)
    first = next((n for n, h in enumerate(ranked[:20], 1) if h in relevant), None)
    return recall, (1.0 / first if first else 0.0)


def summarise(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, float]]:
    out = {}
    for part in ("tuning", "held_out", "all"):
        sel = [r for r in rows if part == "all" or r["half"] == part]
        out[part] = {
            "queries": len(sel),
            "recall@5": round(sum(r[key][0] for r in sel) / len(sel), 4),
            "mrr": round(sum(r[key][1] for r in sel) / len(sel), 4),
        }
    return out


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
        out: dict[str, Any] = {
            "documents": service.index.count(),
            "embed_cpu_s": round(time.process_time() - t, 2),
        }
        index, n = service.index, service.index.size()
        rows: list[dict[str, Any]] = []
        for q in qs["queries"]:
            p = plan(
                q["query"], site, zone=q.get("zone"), camera=q.get("camera"),
                kinds=tuple(q.get("kinds", ())), now=now,
            )  # fmt: skip
            relevant = resolve(q["relevant"], docs, tz)
            row: dict[str, Any] = {"query": q["query"], "half": half(q["query"])}
            for mode in MODES:
                hits = service.search(p, limit=20, mode=mode).hits
                row[mode] = score([h.doc.source_id for h in hits], relevant)
                row[f"{mode}_top5"] = [h.doc.source_id for h in hits[:K]]
            text_hits = index.text_hits(p.terms, p.filters, POOL)
            vec = service.embedder.embed([p.what])[0]
            vector_hits = index.vector_hits(vec, p.filters, POOL)
            dfs = index.term_counts(p.terms)
            w = text_weight(dfs, n)
            c = sum(1 for d in dfs if d) / len(dfs) if dfs else 0.0
            ids = index.fetch([i for i, _ in text_hits] + [i for i, _ in vector_hits])
            for name, variant in VARIANTS.items():
                ranked = [ids[i].doc.source_id for i in variant(text_hits, vector_hits, w, c)]
                row[name] = score(ranked, relevant)
            rows.append(row)
        for mode in MODES:
            out[mode] = summarise(rows, mode)
        out["variants"] = {name: summarise(rows, name) for name in VARIANTS}
        out["per_query"] = rows
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
            print(backend)
            for name, parts in [(m, r[m]) for m in MODES] + list(r["variants"].items()):
                cells = [
                    f"{k} R@5 {v['recall@5']:.3f} MRR {v['mrr']:.3f}" for k, v in parts.items()
                ]
                print(f"  {name:18}", "  ".join(cells))


if __name__ == "__main__":
    main()
