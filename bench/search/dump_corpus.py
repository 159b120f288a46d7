"""Render a store's events and sessions into search documents and write them as JSON lines.

    python bench/search/dump_corpus.py STORE_URL SITE_YAML OUT.jsonl

The query set (``queries.yaml``) is judged against these documents by their ``source_id``.
"""

from __future__ import annotations

import dataclasses
import json
import sys

from storepixel.config.site import load_site
from storepixel.search.documents import render_event, render_session
from storepixel.store import open_store
from storepixel.store.queries import iter_events, sessions


def main() -> None:
    url, site_path, out = sys.argv[1:4]
    site = load_site(site_path)
    tz = site.site.tz
    with open_store(url) as store, open(out, "w") as f:
        docs = [d for e in iter_events(store, site_id=site.site.id) if (d := render_event(e, tz))]
        docs += [d for s in sessions(store, site_id=site.site.id) if (d := render_session(s, tz))]
        for d in sorted(docs, key=lambda d: (d.start, d.key)):
            f.write(json.dumps(dataclasses.asdict(d)) + "\n")
    print(f"{len(docs)} documents -> {out}")


if __name__ == "__main__":
    main()
