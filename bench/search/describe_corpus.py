"""Describe real clips through the product's describe path, with hand-written accounts as the VLM.

    python bench/search/describe_corpus.py --record /work/scratch/search-describe   # 1. look
    python bench/search/describe_corpus.py                                          # 2. describe

No real vision-language model is reachable from this box, so the accounts a VLM would return were
written by a person. Step 1 runs ``storepixel analyze --describe`` on each clip below against the
local OpenAI-protocol server (``tests/fixtures/vlm_server.py``) and saves, per people-chunk, the
exact stills the describer sent (masked, with each still's clock time and each tracked person's
#number drawn on it) as one contact sheet, with the prompt. A person looked at each sheet and wrote
the JSON answer a VLM would give, in the describer's schema, into ``accounts.yaml`` (keyed by
camera and chunk start). Step 2 runs the same analysis again into a fresh store with the server
answering those accounts, so they go through the real path (the OpenAI SDK, schema check,
grounding of times and track numbers, storage as ``done`` chunks), and writes the chunks'
search documents (account, timeline items, alerts) to ``corpus_descriptions.jsonl``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.fixtures.vlm_server import VlmServer  # noqa: E402

from storepixel.config.site import load_site  # noqa: E402
from storepixel.search.documents import render_description  # noqa: E402
from storepixel.store import open_store  # noqa: E402
from storepixel.store.descriptions import list_chunks  # noqa: E402

HERE = Path(__file__).resolve().parent
# camera, clip under the eval folder, capture start (spread over the query set's two days)
CLIPS = [
    ("counter", "shelf/shop-cctv/shop_lifter_n_4.mp4", "2024-05-06T10:20:00+01:00"),
    ("counter", "shelf/shop-cctv/shop_lifter_n_14.mp4", "2024-05-06T16:05:00+01:00"),
    ("counter", "shelf/shop-cctv/shop_lifter_18.mp4", "2024-05-07T12:40:00+01:00"),
    ("display", "shelf/mnnit/normal_03.mp4", "2024-05-06T11:30:00+01:00"),
    ("display", "shelf/mnnit/shoplifting_14.mp4", "2024-05-06T17:50:00+01:00"),
    ("display", "shelf/mnnit/shoplifting_17.mp4", "2024-05-07T14:15:00+01:00"),
]
DESCRIBE = """
describe:
  provider: openai
  base_url: {url}
  context: "Shops in a shopping centre. Alert on anyone hiding goods or leaving without paying."
  max_tries: 2
  max_backoff_s: 0.1
"""


def chunk_id(text: str) -> str:
    """``camera HH:MM:SS`` of a request: the key of its account in ``accounts.yaml``."""
    camera = re.search(r"Camera: (\S+)\.", text)
    start = re.search(r"Chunk: (\S+) to", text)
    return f"{camera.group(1) if camera else '?'} {start.group(1) if start else '?'}"


def sheet(images: list[np.ndarray]) -> np.ndarray:
    """The stills of one request side by side, three to a row."""
    h = 360
    tiles = [cv2.resize(im, (round(im.shape[1] * h / im.shape[0]), h)) for im in images]
    w = max(t.shape[1] for t in tiles)
    tiles = [cv2.copyMakeBorder(t, 0, 0, 0, w - t.shape[1], cv2.BORDER_CONSTANT) for t in tiles]
    tiles += [np.zeros_like(tiles[0])] * (-len(tiles) % 3)
    return np.vstack([np.hstack(tiles[i : i + 3]) for i in range(0, len(tiles), 3)])


def save(server: VlmServer, out: Path) -> None:
    """Each request's stills as one contact sheet, and its prompt, named by chunk."""
    out.mkdir(parents=True, exist_ok=True)
    for r in server.received:
        name = chunk_id(r.text).replace(" ", "_").replace(":", "")
        cv2.imwrite(str(out / f"{name}.jpg"), sheet(r.images))
        (out / f"{name}.txt").write_text(r.text)


def analyse(
    clips: list[tuple[str, str, str]], site: Path, db: str, eval_dir: Path, after: Any = None
) -> None:
    for camera, clip, start in clips:
        cmd = [sys.executable, "-m", "storepixel.cli", "analyze", str(eval_dir / clip),
               "--site", str(site), "--camera", camera, "--start", start, "--db", db,
               "--describe"]  # fmt: skip
        env = {**os.environ, "OPENAI_API_KEY": "local"}
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        print(clip, done.returncode, done.stderr.strip().splitlines()[-1:], flush=True)
        if done.returncode:
            raise SystemExit(done.stderr)
        if after is not None:
            after()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent.parent / "shared" / "eval")
    ap.add_argument("--record", type=Path, help="Save each chunk's stills and prompt here.")
    ap.add_argument("--only", help="Only the clips whose path contains this.")
    ap.add_argument("--db", help="Store to describe into and dump (default: a fresh one).")
    args = ap.parse_args()
    clips = [c for c in CLIPS if args.only is None or args.only in c[1]]
    accounts = {} if args.record else yaml.safe_load((HERE / "accounts.yaml").read_text())

    def answer(text: str) -> str:
        key = chunk_id(text)
        if key not in accounts:
            raise SystemExit(f"no account for chunk {key!r} in accounts.yaml")
        return json.dumps(accounts[key])

    server = VlmServer(answer=None if args.record else answer).start()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site.yaml"
        site.write_text((HERE / "site.yaml").read_text() + DESCRIBE.format(url=server.openai_url))
        db = args.db or f"sqlite:///{tmp}/describe.db"
        record = args.record
        analyse(clips, site, db, args.eval, (lambda: save(server, record)) if record else None)
        server.stop()
        if record:
            print(f"{len(server.received)} chunks -> {record}")
            return
        cfg = load_site(HERE / "site.yaml")
        with open_store(db) as store:
            chunks = list_chunks(store, site_id=cfg.site.id, status=["done"], limit=10**6)
        docs = [d for c in chunks for d in render_description(c, cfg.site.tz)]
        with open(HERE / "corpus_descriptions.jsonl", "w") as f:
            for d in sorted(docs, key=lambda d: (d.start, d.key)):
                f.write(json.dumps(dataclasses.asdict(d)) + "\n")
        print(f"{len(chunks)} chunks, {len(docs)} documents -> corpus_descriptions.jsonl")


if __name__ == "__main__":
    main()
